package io.qpart.core.cost;

import java.util.Objects;
import java.util.OptionalLong;

/**
 * What the edge device can do and what it costs in energy (SPEC §5).
 *
 * <p>The device runs {@code frequencyHz} cycles per second and needs {@code cyclesPerMac} cycles
 * per multiply-accumulate, so its MAC rate is {@code F_dev = f / γ}. One cycle costs
 * {@code kappa * f^2} joules (the usual dynamic-power model), so one MAC costs
 * {@code kappa * f^2 * γ} joules. The radio draws {@code transmitPowerWatts} while uploading and
 * {@code receivePowerWatts} while downloading. {@code cyclesPerMac} may be below one: a SIMD core
 * or an accelerator finishes many MACs per cycle.
 *
 * @param name               a label, non-blank
 * @param frequencyHz        f, clock frequency in hertz, {@code > 0}
 * @param cyclesPerMac       γ, cycles per MAC, {@code > 0}
 * @param kappa              κ, joules per cycle per hertz squared, {@code >= 0}
 * @param transmitPowerWatts P_tx, radio power while sending, {@code >= 0}
 * @param receivePowerWatts  P_rx, radio power while receiving, {@code >= 0}
 * @param memoryBytes        the most bytes a head may occupy on the device, or empty for no limit
 */
public record DeviceProfile(String name, double frequencyHz, double cyclesPerMac, double kappa,
                            double transmitPowerWatts, double receivePowerWatts,
                            OptionalLong memoryBytes) {

    public DeviceProfile {
        Checks.name("device", name);
        Checks.positive("device '" + name + "' frequencyHz", frequencyHz);
        Checks.positive("device '" + name + "' cyclesPerMac", cyclesPerMac);
        Checks.nonNegative("device '" + name + "' kappa", kappa);
        Checks.nonNegative("device '" + name + "' transmitPowerWatts", transmitPowerWatts);
        Checks.nonNegative("device '" + name + "' receivePowerWatts", receivePowerWatts);
        Objects.requireNonNull(memoryBytes, "memoryBytes (use OptionalLong.empty() for no limit)");
        if (memoryBytes.isPresent() && memoryBytes.getAsLong() <= 0) {
            throw new IllegalArgumentException("device '" + name
                    + "' memoryBytes must be > 0 when given, was " + memoryBytes.getAsLong());
        }
        Checks.positive("device '" + name + "' MAC rate frequencyHz / cyclesPerMac",
                frequencyHz / cyclesPerMac);
        Checks.nonNegative("device '" + name + "' energy per MAC kappa * f^2 * cyclesPerMac",
                kappa * frequencyHz * frequencyHz * cyclesPerMac);
    }

    /**
     * A device given by its MAC rate and energy per MAC instead of by clock and cycle counts. It
     * is stored with {@code γ = 1}, {@code f = macsPerSecond} and
     * {@code κ = joulesPerMac / f^2}, which gives back exactly the two numbers passed in.
     */
    public static DeviceProfile fromMacRate(String name, double macsPerSecond, double joulesPerMac,
                                            double transmitPowerWatts, double receivePowerWatts,
                                            OptionalLong memoryBytes) {
        Checks.positive("device '" + name + "' macsPerSecond", macsPerSecond);
        Checks.nonNegative("device '" + name + "' joulesPerMac", joulesPerMac);
        return new DeviceProfile(name, macsPerSecond, 1.0,
                joulesPerMac / macsPerSecond / macsPerSecond,
                transmitPowerWatts, receivePowerWatts, memoryBytes);
    }

    /** F_dev = f / γ, MACs per second (SPEC §5). */
    public double macsPerSecond() {
        return frequencyHz / cyclesPerMac;
    }

    /** κ f², joules per cycle (SPEC §5). */
    public double joulesPerCycle() {
        return kappa * frequencyHz * frequencyHz;
    }

    /** κ f² γ, joules per MAC (SPEC §5). */
    public double joulesPerMac() {
        return joulesPerCycle() * cyclesPerMac;
    }

    /** The same device with a memory limit of {@code bytes}. */
    public DeviceProfile withMemoryBytes(long bytes) {
        return new DeviceProfile(name, frequencyHz, cyclesPerMac, kappa, transmitPowerWatts,
                receivePowerWatts, OptionalLong.of(bytes));
    }

    /** The same device without a memory limit. */
    public DeviceProfile withoutMemoryLimit() {
        return new DeviceProfile(name, frequencyHz, cyclesPerMac, kappa, transmitPowerWatts,
                receivePowerWatts, OptionalLong.empty());
    }
}
