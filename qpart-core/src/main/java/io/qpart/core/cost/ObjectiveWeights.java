package io.qpart.core.cost;

/**
 * The weights of the objective {@code J = ω T + ξ E_dev + δ Cost + ε · bitsOnAir} (SPEC §5). All
 * are {@code >= 0} and at least one is {@code > 0}. The weights carry the units that make the
 * terms commensurable: J is in whatever unit the caller chose (with {@link #latencyOnly()} it is
 * seconds).
 *
 * @param omegaPerSecond   ω, weight of end-to-end latency, per second
 * @param xiPerJoule       ξ, weight of device energy, per joule
 * @param deltaPerCostUnit δ, weight of server cost, per cost unit
 * @param epsilonPerBit    ε, weight of bits on air (both directions), per bit
 */
public record ObjectiveWeights(double omegaPerSecond, double xiPerJoule, double deltaPerCostUnit,
                               double epsilonPerBit) {

    public ObjectiveWeights {
        Checks.nonNegative("objective weight omegaPerSecond (time)", omegaPerSecond);
        Checks.nonNegative("objective weight xiPerJoule (device energy)", xiPerJoule);
        Checks.nonNegative("objective weight deltaPerCostUnit (server cost)", deltaPerCostUnit);
        Checks.nonNegative("objective weight epsilonPerBit (bits on air)", epsilonPerBit);
        if (omegaPerSecond == 0 && xiPerJoule == 0 && deltaPerCostUnit == 0
                && epsilonPerBit == 0) {
            throw new IllegalArgumentException(
                    "objective weights must not all be zero, were (0, 0, 0, 0)");
        }
    }

    /** J = T: only latency counts (ω = 1). */
    public static ObjectiveWeights latencyOnly() {
        return new ObjectiveWeights(1, 0, 0, 0);
    }

    /** J = E_dev: only device energy counts (ξ = 1). */
    public static ObjectiveWeights energyOnly() {
        return new ObjectiveWeights(0, 1, 0, 0);
    }

    /** J = bits on air: only traffic counts (ε = 1). */
    public static ObjectiveWeights trafficOnly() {
        return new ObjectiveWeights(0, 0, 0, 1);
    }
}
