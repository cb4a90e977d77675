package io.qpart.core.cost;

import java.util.Objects;

/**
 * The cost model of SPEC §5 for one query context: a device, a channel, a server and the
 * objective weights. Pure and immutable.
 *
 * <pre>
 * T_dl  = 8·downloadBytes / R_dl           T_dev = headMacs / F_dev
 * T_ul  = 8·uploadBytes / R_ul             T_srv = tailMacs / F_srv
 * T     = T_dl + T_dev + T_ul + T_srv      E_dev = κ f² γ headMacs + P_tx T_ul + P_rx T_dl
 * Cost  = π · T_srv
 * J     = ω T + ξ E_dev + δ Cost + ε · 8 · (downloadBytes + uploadBytes)
 * </pre>
 *
 * <p>A head the device already holds costs no download: its bytes count as zero in T_dl, in the
 * receive energy and in the bits on air.
 *
 * <p>For the optimiser, J is linear in the bits of every quantized tensor (SPEC §6).
 * {@link #downloadObjectivePerBit()} and {@link #uploadObjectivePerBit()} give the slope: a weight
 * tensor of {@code s} elements at {@code b} bits adds {@code s · b · downloadObjectivePerBit()} to
 * J, an uploaded activation of {@code n} elements adds {@code n · b · uploadObjectivePerBit()}.
 */
public record CostModel(DeviceProfile device, ChannelProfile channel, ServerProfile server,
                        ObjectiveWeights weights) {

    public CostModel {
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(weights, "weights");
    }

    /** All terms for one split (SPEC §5). */
    public CostBreakdown evaluate(SplitWorkload workload) {
        Objects.requireNonNull(workload, "workload");
        long downloadBytes = workload.effectiveDownloadBytes();
        long uploadBytes = workload.uploadBytes();
        // SPEC §5: the four times
        double downloadSeconds = 8.0 * downloadBytes / channel.downlinkBitsPerSecond();
        double deviceSeconds = workload.headMacs() / device.macsPerSecond();
        double uploadSeconds = 8.0 * uploadBytes / channel.uplinkBitsPerSecond();
        double serverSeconds = workload.tailMacs() / server.macsPerSecond();
        double totalSeconds = downloadSeconds + deviceSeconds + uploadSeconds + serverSeconds;
        // SPEC §5: E_dev = κ f² γ headMacs + P_tx T_ul + P_rx T_dl
        double computeEnergyJoules = device.joulesPerMac() * workload.headMacs();
        double transmitEnergyJoules = device.transmitPowerWatts() * uploadSeconds;
        double receiveEnergyJoules = device.receivePowerWatts() * downloadSeconds;
        double deviceEnergyJoules = computeEnergyJoules + transmitEnergyJoules
                + receiveEnergyJoules;
        // SPEC §5: Cost = π T_srv
        double serverCost = server.pricePerSecond() * serverSeconds;
        long bitsOnAir;
        try {
            bitsOnAir = Math.multiplyExact(8L, Math.addExact(downloadBytes, uploadBytes));
        } catch (ArithmeticException overflow) {
            throw new IllegalArgumentException("bits on air overflow a long: downloadBytes "
                    + downloadBytes + " + uploadBytes " + uploadBytes, overflow);
        }
        // SPEC §5: J = ω T + ξ E_dev + δ Cost + ε · 8 · (down + up)
        double objective = weights.omegaPerSecond() * totalSeconds
                + weights.xiPerJoule() * deviceEnergyJoules
                + weights.deltaPerCostUnit() * serverCost
                + weights.epsilonPerBit() * bitsOnAir;
        return new CostBreakdown(downloadSeconds, deviceSeconds, uploadSeconds, serverSeconds,
                totalSeconds, computeEnergyJoules, transmitEnergyJoules, receiveEnergyJoules,
                deviceEnergyJoules, serverCost, bitsOnAir, objective);
    }

    /** {@link #evaluate(SplitWorkload)} for a head the device does not hold yet. */
    public CostBreakdown evaluate(long downloadBytes, long uploadBytes, long headMacs,
                                  long tailMacs) {
        return evaluate(SplitWorkload.of(downloadBytes, uploadBytes, headMacs, tailMacs));
    }

    /**
     * J per bit sent on the downlink: {@code ω/R_dl + ξ P_rx/R_dl + ε}. SPEC §6 writes the cost
     * coefficient of weight tensor j as {@code c_j = s_j ·} this. Meaningless for a head the device
     * already holds (its download costs nothing).
     */
    public double downloadObjectivePerBit() {
        double rate = channel.downlinkBitsPerSecond();
        return weights.omegaPerSecond() / rate
                + weights.xiPerJoule() * device.receivePowerWatts() / rate
                + weights.epsilonPerBit();
    }

    /**
     * J per bit sent on the uplink: {@code ω/R_ul + ξ P_tx/R_ul + ε}. SPEC §6 writes the cost
     * coefficient of the activation at cut k as {@code c_a = n(k) ·} this.
     */
    public double uploadObjectivePerBit() {
        double rate = channel.uplinkBitsPerSecond();
        return weights.omegaPerSecond() / rate
                + weights.xiPerJoule() * device.transmitPowerWatts() / rate
                + weights.epsilonPerBit();
    }

    /** Seconds per bit sent on the downlink, {@code 1 / R_dl}. */
    public double downloadSecondsPerBit() {
        return 1.0 / channel.downlinkBitsPerSecond();
    }

    /** Seconds per bit sent on the uplink, {@code 1 / R_ul}. */
    public double uploadSecondsPerBit() {
        return 1.0 / channel.uplinkBitsPerSecond();
    }
}
