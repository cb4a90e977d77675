package io.qpart.core.optimize;

/**
 * One tensor of a bit-allocation problem (SPEC §4, §6): a weight tensor of the head, or the
 * activation at the cut when its bits are optimised jointly.
 *
 * @param elements   s_j (or n(k) for the activation), element count, {@code > 0}
 * @param costPerBit c_j, objective units added per bit of width, {@code > 0}
 * @param gain       g_j = p_j / t_j(Δa), degradation at zero bits, {@code >= 0}; a tensor with
 *                   gain 0 does not affect accuracy and gets {@code minBits}
 * @param minBits    lower bound on the bit-width, within the quantizer's range [2, 16]
 * @param maxBits    upper bound on the bit-width, {@code minBits <= maxBits <= 16}
 */
public record TensorTerm(long elements, double costPerBit, double gain, int minBits,
                         int maxBits) {

    /** Smallest bit-width the quantizer supports (SPEC §3). */
    public static final int QUANTIZER_MIN_BITS = 2;
    /** Largest bit-width the quantizer supports (SPEC §3). */
    public static final int QUANTIZER_MAX_BITS = 16;
    /** The bit-width that means "left in float32, not quantized". */
    public static final int FLOAT_BITS = 32;

    public TensorTerm {
        if (elements <= 0) {
            throw new IllegalArgumentException("tensor elements must be > 0, was " + elements);
        }
        Checks.positive("tensor costPerBit c_j", costPerBit);
        Checks.nonNegative("tensor gain g_j", gain);
        if (minBits < QUANTIZER_MIN_BITS || maxBits > QUANTIZER_MAX_BITS || minBits > maxBits) {
            throw new IllegalArgumentException("tensor bit bounds must satisfy "
                    + QUANTIZER_MIN_BITS + " <= minBits <= maxBits <= " + QUANTIZER_MAX_BITS
                    + ", were [" + minBits + ", " + maxBits + "]");
        }
    }

    /** A tensor with the quantizer's full range [2, 16] as bounds. */
    public static TensorTerm of(long elements, double costPerBit, double gain) {
        return new TensorTerm(elements, costPerBit, gain, QUANTIZER_MIN_BITS, QUANTIZER_MAX_BITS);
    }

    /**
     * g = p / t(Δa) (SPEC §4): the noise gain over the robustness.
     *
     * @param noiseGain  p, mean noise energy on the logits per unit of e^(−α b), {@code >= 0}
     * @param robustness t(Δa), noise energy on the logits that costs Δa accuracy, {@code > 0}
     */
    public static double gain(double noiseGain, double robustness) {
        Checks.nonNegative("noise gain p", noiseGain);
        Checks.positive("robustness t(Δa)", robustness);
        return noiseGain / robustness;
    }

    /** This tensor's term of D at {@code bits}: {@code g e^(−α b)}, and 0 for float32. */
    double degradation(double alpha, double bits) {
        return bits == FLOAT_BITS ? 0.0 : gain * Math.exp(-alpha * bits);
    }
}
