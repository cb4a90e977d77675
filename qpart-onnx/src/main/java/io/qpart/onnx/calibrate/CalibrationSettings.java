package io.qpart.onnx.calibrate;

import io.qpart.core.accuracy.AccuracyModel;
import io.qpart.core.accuracy.DropCurve;
import io.qpart.core.quant.Quantizer;

import java.util.Arrays;
import java.util.Objects;

/**
 * How to calibrate (SPEC §4).
 *
 * @param estimator  how robustness is measured
 * @param fitBits    bit-widths at which the noise gain is measured (distinct, 2..16)
 * @param lowBits    bit-widths below the fit range whose energies are measured and used as they are (may be empty)
 * @param injectBits bit-widths run by {@link Estimator#INJECT} (distinct, 2..16; the fit bits are added)
 * @param drops      the reported grid of accuracy drops (fractions)
 * @param curveDrops the refined grid predictions read (fractions, containing {@code drops})
 * @param batchSize  samples per inference call
 * @param workers    sessions run at once (one ONNX Runtime thread each)
 * @param directionsFromAllGroups {@link Estimator#SCALED}: build robustness from every sample's noise (true) or only from
 *                   the samples quantized at the fit bit-widths (false)
 * @param regionalLowBits {@link Estimator#SCALED}: around the energy each low bit-width produces, read robustness from the
 *                   noise of that and lower low bit-widths only ({@link io.qpart.core.accuracy.DropCurve#piecewise})
 * @param monotone   how measured drop curves are made monotone
 * @param effectiveTolerance at the low bit-widths, replace a tensor's energy by its effective energy when the drop
 *                   measured there and the curve's prediction differ by more than this many standard errors of the
 *                   measurement ({@link io.qpart.core.accuracy.EffectiveEnergy}); {@code +∞}: never
 * @param fullBits   {@link Estimator#SCALED}: low bit-widths at which every weight also runs on every sample, so that its
 *                   drop there is measured on all samples rather than one group (may be empty)
 */
public record CalibrationSettings(Estimator estimator, int[] fitBits, int[] lowBits, int[] injectBits, double[] drops, double[] curveDrops,
                                  int batchSize, int workers, boolean directionsFromAllGroups, boolean regionalLowBits,
                                  DropCurve.Monotone monotone, double effectiveTolerance, int[] fullBits) {
    /** Fit bit-widths by default (ours; docs/FIDELITY.md shows why). */
    public static final int[] DEFAULT_FIT_BITS = {4, 6};
    /** Bit-widths measured below the fit range by default (ours; docs/FIDELITY.md shows why). */
    public static final int[] DEFAULT_LOW_BITS = {2, 3};
    /** Bit-widths {@link Estimator#INJECT} runs by default: 2..8. */
    public static final int[] DEFAULT_INJECT_BITS = {2, 3, 4, 5, 6, 7, 8};
    /**
     * Default tolerance, in standard errors of the measured drop, before a low-bit energy is
     * replaced by its effective energy (ours; docs/FIDELITY.md shows how it was chosen).
     */
    public static final double DEFAULT_EFFECTIVE_TOLERANCE = 2.0;
    /**
     * Low bit-widths measured on every sample for every weight by default: none (ours; 3 bits
     * cost a third more calibration time for no measurable gain on the calibration split,
     * docs/FIDELITY.md).
     */
    public static final int[] DEFAULT_FULL_BITS = {};
    /** Largest drop of the refined grid: 95 percentage points, beyond any classifier's reach. */
    public static final double CURVE_MAX_DROP = 0.95;
    /** Points per decade of the refined grid. */
    public static final int CURVE_POINTS_PER_DECADE = 16;

    public CalibrationSettings {
        Objects.requireNonNull(estimator, "estimator");
        fitBits = checkBits(fitBits, "fit bit-widths");
        lowBits = lowBits.length == 0 ? new int[0] : checkBits(lowBits, "low bit-widths");
        if (lowBits.length > 0 && lowBits[lowBits.length - 1] >= fitBits[0]) {
            throw new IllegalArgumentException("low bit-widths must lie below the fit bit-widths (from " + fitBits[0] + "), found "
                    + lowBits[lowBits.length - 1]);
        }
        injectBits = union(union(checkBits(injectBits, "injection bit-widths"), fitBits), lowBits);
        drops = AccuracyModel.checkDrops(drops);
        curveDrops = AccuracyModel.checkDrops(curveDrops);
        for (double d : drops) {
            if (Arrays.binarySearch(curveDrops, d) < 0) {
                throw new IllegalArgumentException("expected the refined grid to contain every reported drop, " + d + " is missing");
            }
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be >= 1, was " + batchSize);
        }
        if (workers < 1) {
            throw new IllegalArgumentException("workers must be >= 1, was " + workers);
        }
        fullBits = fullBits.length == 0 ? new int[0] : checkBits(fullBits, "full-sample bit-widths");
        for (int b : fullBits) {
            if (Arrays.binarySearch(lowBits, b) < 0) {
                throw new IllegalArgumentException("full-sample bit-widths must be among the low bit-widths " + Arrays.toString(lowBits)
                        + ", found " + b);
            }
        }
        if (!(effectiveTolerance >= 0)) {
            throw new IllegalArgumentException("effective-energy tolerance must be >= 0 standard errors (or infinite: off), was "
                    + effectiveTolerance);
        }
    }

    /**
     * The settings docs/FIDELITY.md validates: the refined grid runs from the smallest drop to
     * 95%; robustness from every sample's noise, the low bit-widths speaking for their own
     * energies, made monotone by isotonic regression.
     */
    public static CalibrationSettings of(Estimator estimator, int[] fitBits, int[] lowBits, double[] drops, int batchSize, int workers) {
        double[] grid = AccuracyModel.checkDrops(drops);
        double max = Math.max(CURVE_MAX_DROP, grid[grid.length - 1]);
        double[] curve = grid[grid.length - 1] >= CURVE_MAX_DROP ? grid : AccuracyModel.refinedGrid(grid, max, CURVE_POINTS_PER_DECADE);
        return new CalibrationSettings(estimator, fitBits, lowBits, DEFAULT_INJECT_BITS, grid, curve, batchSize, workers, true, true,
                DropCurve.Monotone.ISOTONIC, DEFAULT_EFFECTIVE_TOLERANCE, commonBits(DEFAULT_FULL_BITS, lowBits));
    }

    private static int[] checkBits(int[] bits, String what) {
        if (bits.length == 0) {
            throw new IllegalArgumentException("expected at least one of the " + what + ", found none");
        }
        int[] b = bits.clone();
        Arrays.sort(b);
        for (int i = 0; i < b.length; i++) {
            if (b[i] < Quantizer.MIN_BITS || b[i] > Quantizer.MAX_BITS) {
                throw new IllegalArgumentException(what + " must be in " + Quantizer.MIN_BITS + ".." + Quantizer.MAX_BITS + ", found " + b[i]);
            }
            if (i > 0 && b[i] == b[i - 1]) {
                throw new IllegalArgumentException(what + " must be distinct, found " + b[i] + " twice");
            }
        }
        return b;
    }

    private static int[] union(int[] a, int[] b) {
        return java.util.stream.IntStream.concat(Arrays.stream(a), Arrays.stream(b)).distinct().sorted().toArray();
    }

    @Override
    public int[] fitBits() {
        return fitBits.clone();
    }

    /** The bit-widths the {@link Estimator#SCALED} sample groups get: low bits, then fit bits. */
    public int[] groupBits() {
        return union(lowBits, fitBits);
    }

    /** A copy with the robustness source changed. */
    public CalibrationSettings withDirectionsFromAllGroups(boolean all) {
        return new CalibrationSettings(estimator, fitBits, lowBits, injectBits, drops, curveDrops, batchSize, workers, all, regionalLowBits,
                monotone, effectiveTolerance, fullBits);
    }

    /** A copy with the regional low-bit curves switched on or off. */
    public CalibrationSettings withRegionalLowBits(boolean on) {
        return new CalibrationSettings(estimator, fitBits, lowBits, injectBits, drops, curveDrops, batchSize, workers, directionsFromAllGroups, on,
                monotone, effectiveTolerance, fullBits);
    }

    /** A copy with another way of making curves monotone. */
    public CalibrationSettings withMonotone(DropCurve.Monotone m) {
        return new CalibrationSettings(estimator, fitBits, lowBits, injectBits, drops, curveDrops, batchSize, workers, directionsFromAllGroups,
                regionalLowBits, m, effectiveTolerance, fullBits);
    }

    /** A copy with another effective-energy tolerance ({@code +∞}: measured energies as they are). */
    public CalibrationSettings withEffectiveTolerance(double z) {
        return new CalibrationSettings(estimator, fitBits, lowBits, injectBits, drops, curveDrops, batchSize, workers, directionsFromAllGroups,
                regionalLowBits, monotone, z, fullBits);
    }

    /** A copy with other full-sample bit-widths (each among the low bit-widths; empty: none). */
    public CalibrationSettings withFullBits(int[] bits) {
        return new CalibrationSettings(estimator, fitBits, lowBits, injectBits, drops, curveDrops, batchSize, workers, directionsFromAllGroups,
                regionalLowBits, monotone, effectiveTolerance, bits);
    }

    /** The full-sample bit-widths: the weights' extra runs over every sample. */
    @Override
    public int[] fullBits() {
        return fullBits.clone();
    }

    private static int[] commonBits(int[] a, int[] b) {
        return Arrays.stream(a).filter(x -> Arrays.stream(b).anyMatch(y -> y == x)).toArray();
    }

    @Override
    public int[] lowBits() {
        return lowBits.clone();
    }

    @Override
    public int[] injectBits() {
        return injectBits.clone();
    }

    @Override
    public double[] drops() {
        return drops.clone();
    }

    @Override
    public double[] curveDrops() {
        return curveDrops.clone();
    }
}
