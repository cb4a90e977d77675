package io.qpart.core.accuracy;

import java.util.Arrays;
import java.util.List;

/**
 * SPEC §4: the predicted accuracy drop of a configuration.
 *
 * <pre>
 * D(Δa) = Σ_j (p_j / t_j(Δa)) · e^(−α b_j)          (activation at the cut: one more term)
 * </pre>
 *
 * A configuration meets a budget {@code Δa} when {@code D(Δa) ≤ G}; its predicted drop is the
 * {@code Δa} at which {@code D(Δa) = G}. {@code D} is known on the grid the robustness curves
 * share; between grid points {@code ln D} is interpolated linearly in {@code ln Δa}. Below the
 * first grid point the drop scales down in proportion ({@code Δa_0 · D(Δa_0) / G}, the
 * behaviour of {@code t} proportional to {@code Δa}); above the last, {@code ln D} is
 * extrapolated from the last two points and the result is flagged.
 */
public final class AccuracyModel {
    /** SPEC §4: each extra bit quarters the noise energy, {@code α = ln 4}. */
    public static final double ALPHA = Math.log(4);
    /** SPEC §4 constraint bound {@code G}. */
    public static final double DEFAULT_G = 1.0;
    /**
     * Safety margin of predictions, in binomial standard errors of the calibration estimate
     * (ours; chosen by two-fold validation on the calibration split, see docs/FIDELITY.md): a
     * drop {@code d} estimated on {@code n} samples is reported as {@code d + 1.5 √(d (1 − d) / n)}.
     */
    public static final double DEFAULT_MARGIN_STANDARD_ERRORS = 1.5;
    /** Default grid of accuracy drops (ours, SPEC §7's default): 0.1%, 0.25%, 0.5%, 1%, 2%. */
    private static final double[] DEFAULT_DROPS = {0.001, 0.0025, 0.005, 0.01, 0.02};
    /** Smallest bit-width a term may have (SPEC §3). */
    public static final int MIN_BITS = 2;
    /** Largest bit-width a term may have (SPEC §3). */
    public static final int MAX_BITS = 16;
    /** The bit-width meaning float32, no noise (SPEC §3). */
    public static final int FLOAT_BITS = 32;

    private AccuracyModel() {
    }

    /** The default drop grid (a copy). */
    public static double[] defaultDrops() {
        return DEFAULT_DROPS.clone();
    }

    /**
     * {@code drop} plus {@code standardErrors} binomial standard errors of a drop measured on
     * {@code samples} samples, at most 1.
     */
    public static double withMargin(double drop, double standardErrors, int samples) {
        if (!(drop >= 0 && drop <= 1)) {
            throw new IllegalArgumentException("drop must be a fraction in [0, 1], was " + drop);
        }
        if (!(standardErrors >= 0) || samples < 1) {
            throw new IllegalArgumentException("expected standard errors >= 0 and samples >= 1, found " + standardErrors + " and " + samples);
        }
        return Math.min(1, drop + standardErrors * Math.sqrt(drop * (1 - drop) / samples));
    }

    /**
     * {@code drop} plus {@code standardErrors} standard errors of a net drop measured on
     * {@code samples} samples whose changes go both ways: the variance of a net drop is
     * {@code (c − d²)/n} with {@code c} the fraction of samples that change at all; with
     * {@code c = d + churnFloor} (every sample that a quantization fixes is matched by one more it
     * breaks) that is {@code (d (1 − d) + churnFloor)/n}. With {@code churnFloor = 0} this is
     * {@link #withMargin(double, double, int)}. At most 1.
     */
    public static double withMargin(double drop, double standardErrors, int samples, double churnFloor) {
        if (!(churnFloor >= 0 && churnFloor <= 1)) {
            throw new IllegalArgumentException("churn floor must be a fraction in [0, 1], was " + churnFloor);
        }
        double plain = withMargin(drop, 0, samples); // validates
        return Math.min(1, plain + standardErrors * Math.sqrt((drop * (1 - drop) + churnFloor) / samples));
    }

    /** SPEC §4 linearity law: mean noise energy {@code p · e^(−α b)}; 0 for float32. */
    public static double energy(double gain, int bits) {
        return bits == FLOAT_BITS ? 0 : gain * Math.exp(-ALPHA * bits);
    }

    /**
     * A grid of drops refined for prediction: {@code perDecade} log-spaced points from the
     * smallest drop of {@code grid} up to {@code maxDrop}, merged with {@code grid}.
     */
    public static double[] refinedGrid(double[] grid, double maxDrop, int perDecade) {
        double[] g = checkDrops(grid);
        if (!(maxDrop > 0 && maxDrop < 1)) {
            throw new IllegalArgumentException("largest drop must be in (0, 1), was " + maxDrop);
        }
        if (perDecade < 1) {
            throw new IllegalArgumentException("points per decade must be >= 1, was " + perDecade);
        }
        java.util.TreeSet<Double> all = new java.util.TreeSet<>();
        for (double d : g) {
            all.add(d);
        }
        double lo = g[0];
        int steps = (int) Math.ceil(Math.log10(maxDrop / lo) * perDecade);
        for (int i = 1; i <= steps; i++) {
            double d = lo * Math.pow(10, (double) i / perDecade);
            if (d > maxDrop) {
                d = maxDrop;
            }
            // keep grid points apart from a user point by more than rounding
            double near = nearest(all, d);
            if (Math.abs(Math.log(near / d)) > 1e-3) {
                all.add(d);
            }
        }
        return all.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static double nearest(java.util.TreeSet<Double> s, double d) {
        Double f = s.floor(d);
        Double c = s.ceiling(d);
        if (f == null) {
            return c;
        }
        if (c == null) {
            return f;
        }
        return d - f < c - d ? f : c;
    }

    /** Validates a drop grid: non-empty, strictly increasing, each in (0, 1). Returns a copy. */
    public static double[] checkDrops(double[] drops) {
        if (drops.length == 0) {
            throw new IllegalArgumentException("expected at least one accuracy drop in the grid, found none");
        }
        for (int i = 0; i < drops.length; i++) {
            if (!(drops[i] > 0 && drops[i] < 1)) {
                throw new IllegalArgumentException("accuracy drops must be fractions in (0, 1), found " + drops[i]);
            }
            if (i > 0 && drops[i] <= drops[i - 1]) {
                throw new IllegalArgumentException("accuracy drops must increase strictly, found " + drops[i - 1] + " then " + drops[i]);
            }
        }
        return drops.clone();
    }

    /** {@code D} at every point of the terms' common grid (SPEC §4). */
    public static double[] d(List<NoiseTerm> terms, double[] grid) {
        double[] g = checkDrops(grid);
        double[] d = new double[g.length];
        for (NoiseTerm t : terms) {
            if (!t.robustness().sameGrid(g)) {
                throw new IllegalArgumentException("tensor '" + t.name() + "': expected robustness on the grid " + Arrays.toString(g)
                        + ", found " + Arrays.toString(t.robustness().drops()));
            }
            for (int i = 0; i < g.length; i++) {
                d[i] += t.share(i);
            }
        }
        return d;
    }

    /** The predicted drop of a configuration with bound {@code G} (SPEC §4). */
    public static DropPrediction predict(List<NoiseTerm> terms, double[] grid, double g) {
        if (!(g > 0) || Double.isInfinite(g)) {
            throw new IllegalArgumentException("bound G must be finite and > 0, was " + g);
        }
        double[] a = checkDrops(grid);
        double[] d = d(terms, a);
        return new DropPrediction(invert(a, d, g), bound(d, g), a, d);
    }

    static DropPrediction.Bound bound(double[] d, double g) {
        if (d[0] <= g) {
            return DropPrediction.Bound.BELOW_GRID;
        }
        return d[d.length - 1] <= g ? DropPrediction.Bound.WITHIN_GRID : DropPrediction.Bound.ABOVE_GRID;
    }

    /** The Δa with D(Δa) = g, by the rules in the class comment. */
    static double invert(double[] a, double[] d, double g) {
        int n = a.length;
        if (d[0] <= g) {
            return a[0] * d[0] / g; // proportional below the grid
        }
        for (int i = 1; i < n; i++) {
            if (d[i] <= g) {
                if (d[i] == 0) {
                    // beyond a[i-1] no noise level reaches the drop: interpolate D linearly
                    return a[i - 1] + (d[i - 1] - g) / d[i - 1] * (a[i] - a[i - 1]);
                }
                double f = (Math.log(d[i - 1]) - Math.log(g)) / (Math.log(d[i - 1]) - Math.log(d[i]));
                return Math.exp(Math.log(a[i - 1]) + f * (Math.log(a[i]) - Math.log(a[i - 1])));
            }
        }
        if (n == 1) {
            return Math.min(1.0, a[0] * d[0] / g); // one point: proportional both ways
        }
        double slope = (Math.log(d[n - 1]) - Math.log(d[n - 2])) / (Math.log(a[n - 1]) - Math.log(a[n - 2]));
        if (!(slope < 0)) {
            return 1.0; // D does not fall with Δa: nothing short of losing everything
        }
        double x = Math.log(a[n - 1]) + (Math.log(g) - Math.log(d[n - 1])) / slope;
        return Math.min(1.0, Math.exp(x));
    }
}
