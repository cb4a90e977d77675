package io.qpart.core.accuracy;

import java.util.List;

/**
 * Effective noise energy of a tensor at a bit-width: the energy at which its robustness curve
 * gives the drop measured with the tensor alone at that bit-width. Our extension of SPEC §4.
 *
 * <p>The robustness curve is built from scaled noise and reads a drop off the tensor's mean
 * energy; at 2 or 3 bits the error is structured (most values collapse onto the zero point) and
 * the drop it causes can differ from what scaled noise of the same energy causes. Calibration
 * measures that drop anyway. Where the two disagree by more than {@code z} standard errors of
 * the measurement, the tensor's energy at that bit-width is replaced by the energy the curve
 * needs to give the measured drop: the single-tensor prediction then reproduces the
 * measurement, and in a mixture the tensor contributes {@code E_eff / t(Δa)} to {@code D}, the
 * share of the budget its measured drop takes.
 */
public final class EffectiveEnergy {
    private static final int BISECTIONS = 200;

    private EffectiveEnergy() {
    }

    /** Predicted drop of one tensor alone at mean energy {@code energy} (SPEC §4, {@code G = 1}). */
    public static double singleDrop(RobustnessCurve curve, int bits, double energy) {
        return AccuracyModel.predict(List.of(new NoiseTerm("single", energy, bits, curve)), curve.drops(), AccuracyModel.DEFAULT_G).drop();
    }

    /**
     * The energy whose single-tensor prediction on {@code curve} is {@code drop}: the predicted
     * drop grows with the energy, so bisection in {@code ln E} finds it. Returns the largest
     * energy tried (1e12 times {@code start}) when the curve never predicts that much.
     *
     * @param start an energy to start from, > 0 (the measured energy)
     */
    public static double forDrop(RobustnessCurve curve, int bits, double drop, double start) {
        if (!(drop > 0 && drop <= 1)) {
            throw new IllegalArgumentException("drop must be in (0, 1], was " + drop);
        }
        if (!(start > 0) || Double.isInfinite(start)) {
            throw new IllegalArgumentException("start energy must be finite and > 0, was " + start);
        }
        double lo = start;
        double hi = start;
        while (singleDrop(curve, bits, lo) > drop && lo > start * 1e-12) {
            lo /= 16;
        }
        while (singleDrop(curve, bits, hi) < drop) {
            if (hi > start * 1e12) {
                return hi;
            }
            hi *= 16;
        }
        for (int i = 0; i < BISECTIONS && hi / lo > 1 + 1e-12; i++) {
            double mid = Math.sqrt(lo * hi);
            if (singleDrop(curve, bits, mid) < drop) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return Math.sqrt(lo * hi);
    }

    /**
     * The energy predictions should use for a tensor measured at {@code energy} with drop
     * {@code measured}: {@code energy} when the curve's prediction at it lies within {@code z}
     * standard errors of the measured drop (or when the measured drop is not positive, which no
     * energy expresses), else {@link #forDrop}.
     *
     * @param z standard errors of tolerance, >= 0; {@code +∞} never replaces
     */
    public static double of(RobustnessCurve curve, double energy, MeasuredDrop measured, double z) {
        if (!(z >= 0)) {
            throw new IllegalArgumentException("tolerance must be >= 0 standard errors, was " + z);
        }
        if (!(energy > 0) || Double.isInfinite(z) || !(measured.drop() > 0)) {
            return energy;
        }
        double predicted = singleDrop(curve, measured.bits(), energy);
        if (Math.abs(predicted - measured.drop()) <= z * measured.standardError()) {
            return energy;
        }
        return forDrop(curve, measured.bits(), measured.drop(), energy);
    }
}
