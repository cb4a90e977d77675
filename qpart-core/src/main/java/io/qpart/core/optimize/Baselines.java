package io.qpart.core.optimize;

import java.util.Arrays;

/**
 * The fixed bit-assignment strategies that every comparison includes (SPEC §8), each a pure
 * function of a {@link BitAllocationProblem}. The cut-level baselines of SPEC §8 are these
 * strategies run through {@link CutSearch}: server-only is cut 0; device-only float32 is the last
 * cut under {@link #float32}; partition-only is the best cut under {@link #float32}; "uniform
 * 8-bit" and "smallest uniform width" are the best cut under {@link #uniform} and
 * {@link #uniformMin}; the SQNR-style allocation is the best cut under {@link #sqnr}.
 *
 * <p>The results carry the integer bits as their {@code continuousBits} and report no work done.
 * Their {@code feasible} flag says whether D ≤ G holds; the uniform baselines give every tensor the
 * same width and therefore ignore per-tensor bounds.
 */
public final class Baselines {

    private Baselines() {
    }

    /** Every tensor at {@code bits} (in [2, 16], or 32 for float32). */
    public static BitAllocation uniform(BitAllocationProblem problem, int bits) {
        int[] assignment = new int[problem.size()];
        Arrays.fill(assignment, bits);
        return BitAllocation.score(problem, assignment);
    }

    /** {@link #uniform} as a strategy. */
    public static BitStrategy uniform(int bits) {
        return problem -> uniform(problem, bits);
    }

    /**
     * The smallest uniform width {@code b} in {@code [min_j minBits_j, max_j maxBits_j]} with
     * D ≤ G; if none meets the budget, every tensor at the top of that range, flagged infeasible.
     */
    public static BitAllocation uniformMin(BitAllocationProblem problem) {
        if (problem.size() == 0) {
            return BitAllocation.score(problem, new int[0]);
        }
        int low = Integer.MAX_VALUE;
        int high = Integer.MIN_VALUE;
        for (TensorTerm t : problem.tensors()) {
            low = Math.min(low, t.minBits());
            high = Math.max(high, t.maxBits());
        }
        for (int b = low; b < high; b++) {
            BitAllocation candidate = uniform(problem, b);
            if (candidate.feasible()) {
                return candidate;
            }
        }
        return uniform(problem, high);
    }

    /** {@link #uniformMin} as a strategy. */
    public static BitStrategy uniformMin() {
        return Baselines::uniformMin;
    }

    /**
     * SQNR-style allocation after Lin et al. (2016), as we read it: widths differ between tensors
     * by log4 of their size ratio and ignore sensitivity, so a tensor four times larger gets one
     * bit fewer (which balances each tensor's share of the total quantization noise against its
     * share of the payload). Concretely
     *
     * <pre>
     * b_j = clamp(b0 − round(log4(s_j / s_ref)), minBits_j, maxBits_j)
     * </pre>
     *
     * with {@code s_ref} the geometric mean of the sizes (our choice: the offsets then centre on
     * zero; since {@code b0} is searched, the reference only decides how halves round) and
     * {@code b0} the smallest integer offset that meets D ≤ G. If no offset does, every tensor at
     * its {@code maxBits}, flagged infeasible. {@code round} is {@link Math#round(double)}.
     */
    public static BitAllocation sqnr(BitAllocationProblem problem) {
        int n = problem.size();
        if (n == 0) {
            return BitAllocation.score(problem, new int[0]);
        }
        double meanLog = 0;
        for (TensorTerm t : problem.tensors()) {
            meanLog += Math.log(t.elements());
        }
        meanLog /= n;
        int[] offsets = new int[n];
        int lowOffset = Integer.MAX_VALUE;
        int highOffset = Integer.MIN_VALUE;
        for (int j = 0; j < n; j++) {
            TensorTerm t = problem.tensor(j);
            offsets[j] = (int) Math.round((Math.log(t.elements()) - meanLog) / Math.log(4.0));
            // below lowOffset every tensor is at minBits, from highOffset on every one at maxBits
            lowOffset = Math.min(lowOffset, t.minBits() + offsets[j]);
            highOffset = Math.max(highOffset, t.maxBits() + offsets[j]);
        }
        int[] bits = new int[n];
        for (int b0 = lowOffset; b0 <= highOffset; b0++) {
            for (int j = 0; j < n; j++) {
                TensorTerm t = problem.tensor(j);
                bits[j] = Math.max(t.minBits(), Math.min(t.maxBits(), b0 - offsets[j]));
            }
            BitAllocation candidate = BitAllocation.score(problem, bits);
            if (candidate.feasible()) {
                return candidate;
            }
        }
        return BitAllocation.score(problem, bits); // b0 = highOffset: all at maxBits
    }

    /** {@link #sqnr} as a strategy. */
    public static BitStrategy sqnr() {
        return Baselines::sqnr;
    }

    /** Every tensor left in float32 (32 bits, not quantized): D = 0. */
    public static BitAllocation float32(BitAllocationProblem problem) {
        return uniform(problem, TensorTerm.FLOAT_BITS);
    }

    /** {@link #float32} as a strategy. */
    public static BitStrategy float32() {
        return Baselines::float32;
    }
}
