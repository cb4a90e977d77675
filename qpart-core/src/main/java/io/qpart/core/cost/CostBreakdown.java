package io.qpart.core.cost;

/**
 * Every term of the cost model for one split (SPEC §5).
 *
 * @param downloadSeconds      T_dl = 8 · downloadBytes / R_dl (zero when the head is held)
 * @param deviceSeconds        T_dev = headMacs / F_dev
 * @param uploadSeconds        T_ul = 8 · uploadBytes / R_ul
 * @param serverSeconds        T_srv = tailMacs / F_srv
 * @param totalSeconds         T = T_dl + T_dev + T_ul + T_srv
 * @param computeEnergyJoules  κ f² γ · headMacs
 * @param transmitEnergyJoules P_tx · T_ul
 * @param receiveEnergyJoules  P_rx · T_dl
 * @param deviceEnergyJoules   E_dev, the sum of the three energies above
 * @param serverCost           π · T_srv, in cost units
 * @param bitsOnAir            8 · (bytes downloaded + bytes uploaded)
 * @param objective            J = ω T + ξ E_dev + δ Cost + ε · bitsOnAir
 */
public record CostBreakdown(double downloadSeconds, double deviceSeconds, double uploadSeconds,
                            double serverSeconds, double totalSeconds,
                            double computeEnergyJoules, double transmitEnergyJoules,
                            double receiveEnergyJoules, double deviceEnergyJoules,
                            double serverCost, long bitsOnAir, double objective) {

    public CostBreakdown {
        Checks.nonNegative("downloadSeconds", downloadSeconds);
        Checks.nonNegative("deviceSeconds", deviceSeconds);
        Checks.nonNegative("uploadSeconds", uploadSeconds);
        Checks.nonNegative("serverSeconds", serverSeconds);
        Checks.nonNegative("totalSeconds", totalSeconds);
        Checks.nonNegative("computeEnergyJoules", computeEnergyJoules);
        Checks.nonNegative("transmitEnergyJoules", transmitEnergyJoules);
        Checks.nonNegative("receiveEnergyJoules", receiveEnergyJoules);
        Checks.nonNegative("deviceEnergyJoules", deviceEnergyJoules);
        Checks.nonNegative("serverCost", serverCost);
        Checks.nonNegative("bitsOnAir", bitsOnAir);
        Checks.nonNegative("objective", objective);
    }
}
