package io.qpart.core.optimize;

import java.util.Arrays;

/**
 * A non-negative quantity that is linear in one cut's bit-widths:
 * {@code constant + Σ perBit_j b_j}. Used for a cut's latency in seconds and its device memory
 * in bytes, which the cut search checks against a deadline and a memory limit. Arrays are copied in and out.
 *
 * @param constant the part that does not depend on the bits, {@code >= 0}
 * @param perBit   the increase per bit of tensor j's width, each {@code >= 0}
 */
public record LinearForm(double constant, double[] perBit) {

    public LinearForm {
        Checks.nonNegative("linear form constant", constant);
        perBit = perBit.clone();
        for (int j = 0; j < perBit.length; j++) {
            Checks.nonNegative("linear form coefficient " + j, perBit[j]);
        }
    }

    /** {@code constant} plus nothing per bit, for {@code tensors} tensors. */
    public static LinearForm constant(double constant, int tensors) {
        return new LinearForm(constant, new double[tensors]);
    }

    @Override
    public double[] perBit() {
        return perBit.clone();
    }

    /** Number of tensors the form covers. */
    public int size() {
        return perBit.length;
    }

    /** {@code constant + Σ perBit_j b_j}; a width of 32 (float32) counts as 32. */
    public double evaluate(int[] bits) {
        Checks.length("bits", perBit.length, bits.length);
        double sum = constant;
        for (int j = 0; j < bits.length; j++) {
            sum += perBit[j] * bits[j];
        }
        return sum;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof LinearForm that && Double.compare(constant, that.constant) == 0
                && Arrays.equals(perBit, that.perBit);
    }

    @Override
    public int hashCode() {
        return 31 * Double.hashCode(constant) + Arrays.hashCode(perBit);
    }

    @Override
    public String toString() {
        return "LinearForm[constant=" + constant + ", perBit=" + Arrays.toString(perBit) + "]";
    }
}
