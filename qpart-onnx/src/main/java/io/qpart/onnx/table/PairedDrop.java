package io.qpart.onnx.table;

/**
 * The accuracy drop of a quantized configuration against the float model, measured on the same
 * {@code samples} digits (SPEC §7 verification), as a paired comparison: {@code lost} digits the
 * float model classifies correctly and the configuration does not, {@code gained} the reverse.
 * The measured drop is {@code (lost - gained) / samples}; one digit more or less moves it by
 * {@code 1 / samples}, so a point estimate that meets Δa on the calibration digits can exceed it
 * on unseen ones.
 *
 * <p>{@link #upperBound(double)} is a one-sided upper confidence bound of the true drop: Tango's
 * score interval for a difference of matched proportions (Tango, Statistics in Medicine 17,
 * 1998), which keeps its coverage when only a handful of digits change, where Wald-type
 * intervals fall short (a seeded simulation in the tests checks it). Its consequence: when no
 * prediction changes on n digits, the bound is z² / (n + z²), 0.135 percentage points for
 * 2,000 digits at 95%, so a budget below that cannot be certified on that many digits.
 *
 * @param lost    digits the float model gets right and the configuration wrong, {@code >= 0}
 * @param gained  digits the float model gets wrong and the configuration right, {@code >= 0}
 * @param samples digits compared, {@code >= lost + gained} and {@code >= 1}
 */
public record PairedDrop(int lost, int gained, int samples) {
    /** The name of the bound {@link #upperBound(double)} computes, as tables record it in their provenance. */
    public static final String BOUND = "Tango score interval";

    public PairedDrop {
        if (lost < 0 || gained < 0) {
            throw new IllegalArgumentException("discordant counts must be >= 0, were lost " + lost + ", gained " + gained);
        }
        if (samples < 1 || (long) lost + gained > samples) {
            throw new IllegalArgumentException("samples must be >= 1 and >= lost + gained (" + ((long) lost + gained) + "), was " + samples);
        }
    }

    /** Compares per-digit correctness of the float model and of a configuration on the same digits. */
    public static PairedDrop of(boolean[] floatCorrect, boolean[] quantizedCorrect) {
        if (floatCorrect.length != quantizedCorrect.length) {
            throw new IllegalArgumentException("both sides must score the same digits, were " + floatCorrect.length + " and "
                    + quantizedCorrect.length);
        }
        int lost = 0;
        int gained = 0;
        for (int i = 0; i < floatCorrect.length; i++) {
            if (floatCorrect[i] && !quantizedCorrect[i]) {
                lost++;
            } else if (!floatCorrect[i] && quantizedCorrect[i]) {
                gained++;
            }
        }
        return new PairedDrop(lost, gained, floatCorrect.length);
    }

    /** The measured drop, a fraction (negative: the configuration got more digits right). */
    public double measured() {
        return (lost - gained) / (double) samples;
    }

    /**
     * One-sided upper confidence bound of the true drop at {@code confidence} (e.g. 0.95), a
     * fraction: the largest δ with Tango's score statistic
     * {@code (lost - gained - n δ) / sqrt(n (2 q + δ (1 - δ)))} at least {@code -z}, where
     * {@code q} is the maximum-likelihood probability of a gained digit given δ and z the
     * standard normal quantile at {@code confidence}. Found by bisection on [measured, 1].
     */
    public double upperBound(double confidence) {
        double z = normalQuantile(confidence);
        double lo = measured();
        double hi = 1;
        for (int i = 0; i < 64; i++) {
            double mid = 0.5 * (lo + hi);
            if (score(mid) > -z) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return hi;
    }

    /** Tango's score statistic for the hypothesis that the true drop is {@code delta}. */
    double score(double delta) {
        double n = samples;
        double a = 2 * n;
        double b = -lost - gained + (2 * n - lost + gained) * delta;
        double c = -gained * delta * (1 - delta);
        double q = (-b + Math.sqrt(Math.max(0, b * b - 4 * a * c))) / (2 * a);
        double variance = n * (2 * q + delta * (1 - delta));
        double numerator = lost - gained - n * delta;
        return variance <= 0 ? Math.signum(numerator) * Double.MAX_VALUE : numerator / Math.sqrt(variance);
    }

    /**
     * Standard normal quantile for {@code p} in (0.5, 1): Acklam's rational approximation (relative
     * error below 1.2e-9), which is plenty for a confidence level.
     */
    static double normalQuantile(double p) {
        if (!(p > 0.5 && p < 1)) {
            throw new IllegalArgumentException("confidence must be in (0.5, 1), was " + p);
        }
        double[] a = {-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02,
                -3.066479806614716e+01, 2.506628277459239e+00};
        double[] b = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01,
                -1.328068155288572e+01};
        double[] c = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00,
                4.374664141464968e+00, 2.938163982698783e+00};
        double[] d = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00};
        double high = 1 - 0.02425;
        if (p <= high) {
            double q = p - 0.5;
            double r = q * q;
            return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q
                    / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
        }
        double q = Math.sqrt(-2 * Math.log(1 - p));
        return -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
                / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
    }
}
