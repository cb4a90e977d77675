package io.qpart.core.accuracy;

/**
 * The accuracy drop measured directly when one tensor alone is quantized at one bit-width, on
 * some calibration samples: how many samples the float model classified correctly and the
 * quantized one did not ({@code gained} errors) and the reverse ({@code fixed}). Our extension
 * of SPEC §4: calibration runs these configurations anyway to measure the noise gain, and their
 * drops check (and where they disagree, correct) what the robustness curve says.
 *
 * @param bits    the bit-width, 2..16
 * @param samples samples measured, >= 1
 * @param gained  samples the quantized model gets wrong and the float model right
 * @param fixed   samples the quantized model gets right and the float model wrong
 */
public record MeasuredDrop(int bits, int samples, int gained, int fixed) {
    public MeasuredDrop {
        if (bits < AccuracyModel.MIN_BITS || bits > AccuracyModel.MAX_BITS) {
            throw new IllegalArgumentException("expected bits in " + AccuracyModel.MIN_BITS + ".." + AccuracyModel.MAX_BITS + ", found " + bits);
        }
        if (samples < 1) {
            throw new IllegalArgumentException("expected at least one measured sample, found " + samples);
        }
        if (gained < 0 || fixed < 0 || (long) gained + fixed > samples) {
            throw new IllegalArgumentException("expected errors gained and fixed >= 0 and together at most the " + samples
                    + " samples, found " + gained + " and " + fixed);
        }
    }

    /** The net drop as a fraction: errors gained minus errors fixed, over the samples. May be negative. */
    public double drop() {
        return (double) (gained - fixed) / samples;
    }

    /**
     * Standard error of {@link #drop()}: every sample changes the count by −1, 0 or +1, so the
     * variance of the net drop is {@code (g + f)/n − d²} over {@code n}; at least one sample's
     * worth ({@code 1/n}), so that a measurement with no change is not taken as exact.
     */
    public double standardError() {
        double n = samples;
        double churn = (gained + fixed) / n;
        double d = drop();
        return Math.max(1 / n, Math.sqrt(Math.max(0, churn - d * d) / n));
    }
}
