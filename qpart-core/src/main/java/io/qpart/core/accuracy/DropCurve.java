package io.qpart.core.accuracy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Accuracy drop as a function of the mean noise energy on the logits, kept as its monotone
 * envelope: the breakpoints {@code (E_k, d_k)} at which the largest drop seen so far first
 * reaches a new level. Between breakpoints the drop is interpolated linearly in {@code ln E};
 * below the first one it grows in proportion to the energy; above the last one it stays at
 * the last level.
 *
 * <p>Two ways to build one (SPEC §4, robustness):
 * <ul>
 *   <li>{@link #fromScaledNoise}: the faster estimator. Given each sample's logits {@code Z_i}
 *       and a measured noise direction {@code u_i}, the prediction at energy {@code E} is the
 *       arg-max of {@code Z_i + √E · u_i}. Every margin {@code Z_iy − Z_ic} moves linearly in
 *       {@code √E}, so the set of energies at which a sample is classified correctly is one
 *       interval, computed exactly; the accuracy curve is the sweep over the interval ends, with
 *       no model run and no grid.</li>
 *   <li>{@link #fromPoints}: measured {@code (energy, drop)} pairs, such as those of real noise
 *       injected at several levels.</li>
 * </ul>
 */
public final class DropCurve {
    private final double[] energies;
    private final double[] drops;

    private final int samples;

    private DropCurve(double[] energies, double[] drops, int samples) {
        this.energies = energies;
        this.drops = drops;
        this.samples = samples;
    }

    /** Samples the curve was measured on; 0 when not known (built from points). */
    public int samples() {
        return samples;
    }

    private DropCurve withSamples(int n) {
        return new DropCurve(energies, drops, n);
    }

    /**
     * The curve of scaled noise.
     *
     * @param logits     reference logits, {@code samples × classes}, row-major
     * @param directions noise per sample, same layout; the perturbation at energy {@code E} is
     *                   {@code √E · directions}, so directions should have mean squared norm 1
     * @param labels     the class of each sample
     * @param classes    logits per sample
     * @param monotone   how the noisy curve is made monotone
     */
    public static DropCurve fromScaledNoise(float[] logits, float[] directions, int[] labels, int classes, Monotone monotone) {
        if (classes < 2) {
            throw new IllegalArgumentException("expected at least 2 classes, found " + classes);
        }
        int n = labels.length;
        if (n == 0) {
            throw new IllegalArgumentException("expected at least one sample, found none");
        }
        if (logits.length != (long) n * classes || directions.length != logits.length) {
            throw new IllegalArgumentException("expected " + n + " x " + classes + " logits and directions, found "
                    + logits.length + " and " + directions.length + " values");
        }
        int base = 0;
        double[] starts = new double[n];
        double[] ends = new double[n];
        List<double[]> ev = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int y = labels[i];
            if (y < 0 || y >= classes) {
                throw new IllegalArgumentException("label of sample " + i + " must be in 0.." + (classes - 1) + ", was " + y);
            }
            int row = i * classes;
            double lo = Double.NEGATIVE_INFINITY;
            double hi = Double.POSITIVE_INFINITY;
            for (int c = 0; c < classes; c++) {
                if (c == y) {
                    continue;
                }
                double margin = (double) logits[row + y] - logits[row + c];
                double rate = (double) directions[row + y] - directions[row + c];
                if (rate > 0) {
                    lo = Math.max(lo, -margin / rate);
                } else if (rate < 0) {
                    hi = Math.min(hi, margin / -rate);
                } else if (margin <= 0) {
                    hi = Double.NEGATIVE_INFINITY; // never correct
                }
            }
            // correct for scales s in (lo, hi), s >= 0
            if (lo < 0 && hi > 0) {
                base++;
            }
            starts[i] = lo;
            ends[i] = hi;
        }
        for (int i = 0; i < n; i++) {
            double lo = starts[i];
            double hi = ends[i];
            if (hi <= Math.max(lo, 0)) {
                continue; // never correct at any s > 0
            }
            if (lo >= 0) {
                ev.add(new double[]{lo, +1});
            }
            if (hi != Double.POSITIVE_INFINITY) {
                ev.add(new double[]{hi, -1});
            }
        }
        ev.sort((a, b) -> Double.compare(a[0], b[0]));
        List<Double> e = new ArrayList<>();
        List<Double> d = new ArrayList<>();
        int correct = base;
        for (int k = 0; k < ev.size(); ) {
            double s = ev.get(k)[0];
            while (k < ev.size() && ev.get(k)[0] == s) {
                correct += (int) ev.get(k)[1];
                k++;
            }
            if (s > 0) {
                e.add(s * s);
                d.add((double) (base - correct) / n);
            }
        }
        double[] ea = e.stream().mapToDouble(Double::doubleValue).toArray();
        double[] da = d.stream().mapToDouble(Double::doubleValue).toArray();
        return (monotone == Monotone.ENVELOPE ? envelope(ea, da) : isotonic(ea, da)).withSamples(n);
    }

    /** How a measured, noisy drop curve is made monotone. */
    public enum Monotone {
        /** The largest drop seen at or below each energy: first passage, conservative. */
        ENVELOPE,
        /**
         * The least-squares non-decreasing fit (pool adjacent violators): the expected drop,
         * without the upward bias the running maximum of a noisy curve has.
         */
        ISOTONIC
    }

    /** Running maximum; points sorted by energy. */
    private static DropCurve envelope(double[] e, double[] d) {
        List<Double> be = new ArrayList<>();
        List<Double> bd = new ArrayList<>();
        double best = 0;
        for (int i = 0; i < e.length; i++) {
            if (d[i] > best && e[i] > 0) {
                best = d[i];
                be.add(e[i]);
                bd.add(d[i]);
            }
        }
        return of(be, bd);
    }

    /**
     * Pool adjacent violators over points sorted by energy (a leading point of drop 0 anchors
     * the fit); each pooled block becomes a breakpoint at the mean log energy of its points.
     */
    private static DropCurve isotonic(double[] e, double[] d) {
        int n = e.length;
        double[] level = new double[n + 1];
        double[] weight = new double[n + 1];
        double[] logSum = new double[n + 1];
        int blocks = 0;
        for (int i = 0; i < n; i++) {
            if (!(e[i] > 0)) {
                continue;
            }
            level[blocks] = d[i];
            weight[blocks] = 1;
            logSum[blocks] = Math.log(e[i]);
            blocks++;
            while (blocks > 1 && level[blocks - 2] >= level[blocks - 1]) {
                double w = weight[blocks - 2] + weight[blocks - 1];
                level[blocks - 2] = (level[blocks - 2] * weight[blocks - 2] + level[blocks - 1] * weight[blocks - 1]) / w;
                logSum[blocks - 2] += logSum[blocks - 1];
                weight[blocks - 2] = w;
                blocks--;
            }
        }
        List<Double> be = new ArrayList<>();
        List<Double> bd = new ArrayList<>();
        for (int b = 0; b < blocks; b++) {
            if (level[b] > 0) {
                be.add(Math.exp(logSum[b] / weight[b]));
                bd.add(level[b]);
            }
        }
        return of(be, bd);
    }

    /**
     * The envelope of measured points: at each energy, the largest drop seen at that energy or
     * below. Points of zero energy are left out (nothing was perturbed).
     */
    public static DropCurve fromPoints(double[] energies, double[] drops) {
        return fromPoints(energies, drops, Monotone.ENVELOPE);
    }

    /** Measured points made monotone as {@code monotone} says; points of zero energy are left out. */
    public static DropCurve fromPoints(double[] energies, double[] drops, Monotone monotone) {
        return fromPoints(energies, drops, monotone, 0);
    }

    /** As {@link #fromPoints(double[], double[], Monotone)}, the points measured on {@code samples} samples. */
    public static DropCurve fromPoints(double[] energies, double[] drops, Monotone monotone, int samples) {
        if (samples < 0) {
            throw new IllegalArgumentException("sample count must be >= 0, was " + samples);
        }
        if (energies.length != drops.length) {
            throw new IllegalArgumentException("expected one drop per energy, found " + energies.length + " energies and " + drops.length + " drops");
        }
        Integer[] order = new Integer[energies.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
            if (!(energies[i] >= 0) || !Double.isFinite(drops[i])) {
                throw new IllegalArgumentException("expected energies >= 0 and finite drops, found (" + energies[i] + ", " + drops[i] + ")");
            }
        }
        Arrays.sort(order, (a, b) -> Double.compare(energies[a], energies[b]));
        double[] e = new double[order.length];
        double[] d = new double[order.length];
        for (int i = 0; i < order.length; i++) {
            e[i] = energies[order[i]];
            d[i] = drops[order[i]];
        }
        return (monotone == Monotone.ENVELOPE ? envelope(e, d) : isotonic(e, d)).withSamples(samples);
    }

    /**
     * A curve pieced together by energy: {@code curves[0]} below {@code from[1]},
     * {@code curves[i]} on {@code [from[i], from[i+1])}, the last one above; then the monotone
     * envelope. Lets the noise measured at each low bit-width speak for the energies around its
     * own, where scaling smaller noise up is a poor model, while the better-resolved curve of all
     * samples speaks for small energies. {@code from[0]} is ignored (0); the others increase.
     * Evaluated at every breakpoint inside each window and at the window edges.
     */
    public static DropCurve piecewise(List<DropCurve> curves, double[] from) {
        if (curves.isEmpty() || curves.size() != from.length) {
            throw new IllegalArgumentException("expected one starting energy per curve (at least one curve), found " + curves.size()
                    + " curves and " + from.length + " energies");
        }
        for (int i = 1; i < from.length; i++) {
            if (!(from[i] > 0) || (i > 1 && from[i] <= from[i - 1])) {
                throw new IllegalArgumentException("window starting energies must be > 0 and increase, found " + Arrays.toString(from));
            }
        }
        List<Double> e = new ArrayList<>();
        List<Double> d = new ArrayList<>();
        for (int i = 0; i < curves.size(); i++) {
            double lo = i == 0 ? 0 : from[i];
            double hi = i + 1 < curves.size() ? from[i + 1] : Double.POSITIVE_INFINITY;
            DropCurve c = curves.get(i);
            if (lo > 0) {
                e.add(lo);
                d.add(c.dropAt(lo));
            }
            for (double x : c.energies) {
                if (x > lo && x < hi) {
                    e.add(x);
                    d.add(c.dropAt(x));
                }
            }
            if (hi < Double.POSITIVE_INFINITY) {
                double below = Math.nextDown(hi);
                e.add(below);
                d.add(c.dropAt(below));
            }
        }
        return fromPoints(e.stream().mapToDouble(Double::doubleValue).toArray(), d.stream().mapToDouble(Double::doubleValue).toArray())
                .withSamples(curves.get(0).samples);
    }

    private static DropCurve of(List<Double> e, List<Double> d) {
        return new DropCurve(e.stream().mapToDouble(Double::doubleValue).toArray(), d.stream().mapToDouble(Double::doubleValue).toArray(), 0);
    }

    /** Energies of the breakpoints, increasing. */
    public double[] breakpointEnergies() {
        return energies.clone();
    }

    /** Drop levels of the breakpoints, strictly increasing. */
    public double[] breakpointDrops() {
        return drops.clone();
    }

    /** The largest drop the curve reaches. */
    public double maxDrop() {
        return drops.length == 0 ? 0 : drops[drops.length - 1];
    }

    /** The envelope's drop at mean noise energy {@code energy}. */
    public double dropAt(double energy) {
        if (!(energy >= 0)) {
            throw new IllegalArgumentException("noise energy must be >= 0, was " + energy);
        }
        if (drops.length == 0 || energy == 0) {
            return 0;
        }
        if (energy <= energies[0]) {
            return drops[0] * energy / energies[0];
        }
        for (int k = 1; k < energies.length; k++) {
            if (energy <= energies[k]) {
                double f = (Math.log(energy) - Math.log(energies[k - 1])) / (Math.log(energies[k]) - Math.log(energies[k - 1]));
                return drops[k - 1] + f * (drops[k] - drops[k - 1]);
            }
        }
        return drops[drops.length - 1];
    }

    /** The energy at which the envelope first reaches {@code drop}; +∞ if it never does. */
    public double energyAt(double drop) {
        if (!(drop > 0)) {
            throw new IllegalArgumentException("accuracy drop must be > 0, was " + drop);
        }
        if (drops.length == 0 || drop > drops[drops.length - 1]) {
            return Double.POSITIVE_INFINITY;
        }
        if (drop <= drops[0]) {
            return energies[0] * drop / drops[0];
        }
        for (int k = 1; k < drops.length; k++) {
            if (drop <= drops[k]) {
                double f = (drop - drops[k - 1]) / (drops[k] - drops[k - 1]);
                return Math.exp(Math.log(energies[k - 1]) + f * (Math.log(energies[k]) - Math.log(energies[k - 1])));
            }
        }
        return Double.POSITIVE_INFINITY;
    }

    /** {@code t(Δa)} on a grid of drops. */
    public RobustnessCurve robustness(double[] grid) {
        double[] g = AccuracyModel.checkDrops(grid);
        double[] t = new double[g.length];
        for (int i = 0; i < g.length; i++) {
            t[i] = energyAt(g[i]);
            if (i > 0 && t[i] < t[i - 1]) {
                t[i] = t[i - 1]; // rounding guard: the inverse of a monotone curve is monotone
            }
        }
        return new RobustnessCurve(g, t);
    }
}
