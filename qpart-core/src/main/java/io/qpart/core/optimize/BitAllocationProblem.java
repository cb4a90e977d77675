package io.qpart.core.optimize;

import java.util.List;
import java.util.Objects;

/**
 * One cut's bit-allocation problem (SPEC §4, §6): choose bits {@code b_j} for every tensor to
 *
 * <pre>
 * minimise   Σ_j c_j b_j
 * subject to D = Σ_j g_j e^(−α b_j) ≤ G,   minBits_j ≤ b_j ≤ maxBits_j
 * </pre>
 *
 * <p>The tensors are the head's quantized weight tensors and, when its bits are optimised
 * jointly, the activation at the cut as one more tensor. Tensors kept in float32 are not part of
 * the problem. The problem may be empty (a cut whose head quantizes nothing): then D = 0.
 *
 * @param tensors the tensors, in a fixed order that every bit array follows
 * @param budget  G, the degradation budget, {@code > 0} (default 1)
 * @param alpha   α, noise decay per bit, {@code > 0} (default ln 4: each bit quarters the noise)
 */
public record BitAllocationProblem(List<TensorTerm> tensors, double budget, double alpha) {

    /** α = ln 4 (SPEC §4). */
    public static final double DEFAULT_ALPHA = Math.log(4.0);
    /** G = 1 (SPEC §4). */
    public static final double DEFAULT_BUDGET = 1.0;

    public BitAllocationProblem {
        Objects.requireNonNull(tensors, "tensors");
        for (int j = 0; j < tensors.size(); j++) {
            if (tensors.get(j) == null) {
                throw new IllegalArgumentException("tensor " + j + " must not be null");
            }
        }
        tensors = List.copyOf(tensors);
        Checks.positive("budget G", budget);
        Checks.positive("alpha", alpha);
    }

    /** A problem with G = 1 and α = ln 4. */
    public static BitAllocationProblem of(List<TensorTerm> tensors) {
        return new BitAllocationProblem(tensors, DEFAULT_BUDGET, DEFAULT_ALPHA);
    }

    /**
     * A problem from parallel arrays, every tensor with bounds [minBits, maxBits], α = ln 4.
     */
    public static BitAllocationProblem of(long[] elements, double[] costsPerBit, double[] gains,
                                          int minBits, int maxBits, double budget) {
        Checks.length("costsPerBit", elements.length, costsPerBit.length);
        Checks.length("gains", elements.length, gains.length);
        TensorTerm[] terms = new TensorTerm[elements.length];
        for (int j = 0; j < terms.length; j++) {
            terms[j] = new TensorTerm(elements[j], costsPerBit[j], gains[j], minBits, maxBits);
        }
        return new BitAllocationProblem(List.of(terms), budget, DEFAULT_ALPHA);
    }

    /** The same tensors under budget {@code g}. */
    public BitAllocationProblem withBudget(double g) {
        return new BitAllocationProblem(tensors, g, alpha);
    }

    /** Number of tensors. */
    public int size() {
        return tensors.size();
    }

    /** Tensor {@code j}. */
    public TensorTerm tensor(int j) {
        return tensors.get(j);
    }

    /** D = Σ g_j e^(−α b_j) at real-valued bits (SPEC §4). */
    public double degradation(double[] bits) {
        Checks.length("bits", size(), bits.length);
        double sum = 0;
        for (int j = 0; j < bits.length; j++) {
            sum += tensors.get(j).degradation(alpha, bits[j]);
        }
        return sum;
    }

    /**
     * D = Σ g_j e^(−α b_j) at integer bits (SPEC §4); a width of 32 means float32 and adds 0.
     * Widths must be in [2, 16] or 32; the tensors' own bounds are not enforced here, so that
     * baselines that ignore them can be scored.
     */
    public double degradation(int[] bits) {
        checkAssignment(bits);
        double sum = 0;
        for (int j = 0; j < bits.length; j++) {
            sum += tensors.get(j).degradation(alpha, bits[j]);
        }
        return sum;
    }

    /** Σ c_j b_j at real-valued bits (SPEC §6). */
    public double cost(double[] bits) {
        Checks.length("bits", size(), bits.length);
        double sum = 0;
        for (int j = 0; j < bits.length; j++) {
            sum += tensors.get(j).costPerBit() * bits[j];
        }
        return sum;
    }

    /** Σ c_j b_j at integer bits (SPEC §6); a width of 32 costs 32 bits per element. */
    public double cost(int[] bits) {
        checkAssignment(bits);
        double sum = 0;
        for (int j = 0; j < bits.length; j++) {
            sum += tensors.get(j).costPerBit() * bits[j];
        }
        return sum;
    }

    /** Σ s_j b_j: the bits of packed codes, without metadata (SPEC §3). */
    public long payloadBits(int[] bits) {
        checkAssignment(bits);
        long sum = 0;
        for (int j = 0; j < bits.length; j++) {
            sum = Math.addExact(sum, Math.multiplyExact(tensors.get(j).elements(), bits[j]));
        }
        return sum;
    }

    /** The largest c_j, or 0 for an empty problem. */
    public double maxCostPerBit() {
        double max = 0;
        for (TensorTerm t : tensors) {
            max = Math.max(max, t.costPerBit());
        }
        return max;
    }

    void checkAssignment(int[] bits) {
        Checks.length("bits", size(), bits.length);
        for (int j = 0; j < bits.length; j++) {
            int b = bits[j];
            boolean quantized = b >= TensorTerm.QUANTIZER_MIN_BITS
                    && b <= TensorTerm.QUANTIZER_MAX_BITS;
            if (!quantized && b != TensorTerm.FLOAT_BITS) {
                throw new IllegalArgumentException("bits of tensor " + j + " must be in ["
                        + TensorTerm.QUANTIZER_MIN_BITS + ", " + TensorTerm.QUANTIZER_MAX_BITS
                        + "] or " + TensorTerm.FLOAT_BITS + " (float32), was " + b);
            }
        }
    }
}
