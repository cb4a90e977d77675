package io.qpart.core.optimize;

import java.util.Arrays;

/**
 * The bits chosen for one {@link BitAllocationProblem}, how good they are and what it took to
 * find them. Arrays are copied in and out.
 *
 * @param continuousBits      the real-valued solution before rounding (for a fixed strategy,
 *                            the integer bits themselves)
 * @param bits                the integer bit-width of every tensor (32 = float32)
 * @param degradation         D at the integer bits (SPEC §4)
 * @param cost                Σ c_j b_j at the integer bits (SPEC §6)
 * @param payloadBits         Σ s_j b_j at the integer bits: packed code bits, no metadata
 * @param feasible            whether D ≤ G holds at the integer bits
 * @param bisectionIterations bisection steps spent on the multiplier (0 when none were needed)
 * @param greedySteps         one-bit reductions made after rounding up (SPEC §6)
 * @param exchangeSteps       improving exchange moves made after the greedy (our refinement)
 */
public record BitAllocation(double[] continuousBits, int[] bits, double degradation, double cost,
                            long payloadBits, boolean feasible, int bisectionIterations,
                            int greedySteps, int exchangeSteps) {

    public BitAllocation {
        if (continuousBits.length != bits.length) {
            throw new IllegalArgumentException("continuousBits and bits must have the same length,"
                    + " had " + continuousBits.length + " and " + bits.length);
        }
        continuousBits = continuousBits.clone();
        bits = bits.clone();
        Checks.nonNegative("degradation D", degradation);
        Checks.nonNegative("cost", cost);
        if (payloadBits < 0) {
            throw new IllegalArgumentException("payloadBits must be >= 0, was " + payloadBits);
        }
        if (bisectionIterations < 0 || greedySteps < 0 || exchangeSteps < 0) {
            throw new IllegalArgumentException("work counts must be >= 0, were "
                    + bisectionIterations + " bisection iterations, " + greedySteps
                    + " greedy steps and " + exchangeSteps + " exchange steps");
        }
    }

    /** Scores {@code bits} on {@code problem}: D, cost, payload and feasibility (D ≤ G). */
    public static BitAllocation score(BitAllocationProblem problem, double[] continuousBits,
                                      int[] bits, int bisectionIterations, int greedySteps,
                                      int exchangeSteps) {
        double degradation = problem.degradation(bits);
        return new BitAllocation(continuousBits, bits, degradation, problem.cost(bits),
                problem.payloadBits(bits), degradation <= problem.budget(), bisectionIterations,
                greedySteps, exchangeSteps);
    }

    /** Scores a fixed integer assignment (no relaxation, no search). */
    public static BitAllocation score(BitAllocationProblem problem, int[] bits) {
        double[] asReal = new double[bits.length];
        for (int j = 0; j < bits.length; j++) {
            asReal[j] = bits[j];
        }
        return score(problem, asReal, bits, 0, 0, 0);
    }

    @Override
    public double[] continuousBits() {
        return continuousBits.clone();
    }

    @Override
    public int[] bits() {
        return bits.clone();
    }

    /** Number of tensors. */
    public int size() {
        return bits.length;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof BitAllocation that
                && Arrays.equals(continuousBits, that.continuousBits)
                && Arrays.equals(bits, that.bits)
                && Double.compare(degradation, that.degradation) == 0
                && Double.compare(cost, that.cost) == 0
                && payloadBits == that.payloadBits
                && feasible == that.feasible
                && bisectionIterations == that.bisectionIterations
                && greedySteps == that.greedySteps
                && exchangeSteps == that.exchangeSteps;
    }

    @Override
    public int hashCode() {
        int h = Arrays.hashCode(continuousBits);
        h = 31 * h + Arrays.hashCode(bits);
        h = 31 * h + Double.hashCode(degradation);
        h = 31 * h + Double.hashCode(cost);
        h = 31 * h + Long.hashCode(payloadBits);
        h = 31 * h + Boolean.hashCode(feasible);
        h = 31 * h + bisectionIterations;
        h = 31 * h + greedySteps;
        return 31 * h + exchangeSteps;
    }

    @Override
    public String toString() {
        return "BitAllocation[bits=" + Arrays.toString(bits) + ", continuousBits="
                + Arrays.toString(continuousBits) + ", degradation=" + degradation + ", cost="
                + cost + ", payloadBits=" + payloadBits + ", feasible=" + feasible
                + ", bisectionIterations=" + bisectionIterations + ", greedySteps="
                + greedySteps + ", exchangeSteps=" + exchangeSteps + "]";
    }
}
