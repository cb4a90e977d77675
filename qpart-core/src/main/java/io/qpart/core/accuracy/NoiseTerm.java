package io.qpart.core.accuracy;

import java.util.Objects;

/**
 * One quantized tensor of a configuration: the mean noise energy it adds at the bit-width it
 * gets and its robustness; contributes {@code energy / t(Δa)} to {@code D}, which with SPEC §4's
 * law is {@code (p / t(Δa)) · e^(−α b)}. Float32 (32 bits) adds no energy.
 *
 * @param name       the tensor, for reports
 * @param energy     predicted mean noise energy on the logits, >= 0
 * @param bits       2..16, or 32 for float32
 * @param robustness {@code t(Δa)}
 */
public record NoiseTerm(String name, double energy, int bits, RobustnessCurve robustness) {
    public NoiseTerm {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(robustness, "robustness");
        if (!(energy >= 0) || Double.isInfinite(energy)) {
            throw new IllegalArgumentException("tensor '" + name + "': noise energy must be finite and >= 0, was " + energy);
        }
        if (bits != AccuracyModel.FLOAT_BITS && (bits < AccuracyModel.MIN_BITS || bits > AccuracyModel.MAX_BITS)) {
            throw new IllegalArgumentException("tensor '" + name + "': expected bits in " + AccuracyModel.MIN_BITS + ".."
                    + AccuracyModel.MAX_BITS + " or " + AccuracyModel.FLOAT_BITS + ", found " + bits);
        }
        if (bits == AccuracyModel.FLOAT_BITS && energy != 0) {
            throw new IllegalArgumentException("tensor '" + name + "': float32 adds no noise, found energy " + energy);
        }
    }

    /** The SPEC §4 term of a tensor with noise gain {@code p}: energy {@code p · e^(−α b)}. */
    public static NoiseTerm ofGain(String name, double gain, int bits, RobustnessCurve robustness) {
        if (!(gain >= 0) || Double.isInfinite(gain)) {
            throw new IllegalArgumentException("tensor '" + name + "': noise gain must be finite and >= 0, was " + gain);
        }
        return new NoiseTerm(name, AccuracyModel.energy(gain, bits), bits, robustness);
    }

    /** This term's share of {@code D} at grid point {@code i}: energy over {@code t(Δa_i)}. */
    public double share(int i) {
        return energy == 0 ? 0 : energy / robustness.energy(i);
    }
}
