package io.qpart.onnx.calibrate;

import java.util.Locale;

/** How robustness {@code t(Δa)} is measured (SPEC §4). */
public enum Estimator {
    /**
     * The faster estimator: the noise each tensor's quantization actually caused on the logits,
     * scaled in Java to every energy; no model run beyond the ones that measure the gain.
     */
    SCALED,
    /**
     * Real injection: the tensor quantized at every bit-width of a range, each a model run,
     * recording (noise energy, accuracy drop) points.
     */
    INJECT;

    /** The name used on the command line and in files. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses {@link #label()}. */
    public static Estimator parse(String s) {
        for (Estimator e : values()) {
            if (e.label().equals(s)) {
                return e;
            }
        }
        throw new IllegalArgumentException("expected estimator 'scaled' or 'inject', found '" + s + "'");
    }
}
