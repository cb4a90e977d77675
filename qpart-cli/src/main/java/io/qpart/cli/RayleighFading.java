package io.qpart.cli;

import java.util.SplittableRandom;

/**
 * A Rayleigh fading channel gain by Clarke's model, simulated as a sum of sinusoids
 * (Jakes-style; this form with randomised arrival angles and phases is our own choice):
 *
 * <pre>
 * h(t) = (1/√M) Σ_{n=1..M} exp(j (2π f_D t cos α_n + φ_n)),   α_n = (2π n − π + θ) / M
 * </pre>
 *
 * with θ and every φ_n drawn uniformly in [−π, π) from the seed. For large M, h is close to a
 * zero-mean complex Gaussian with E|h|² = 1 and autocorrelation J0(2π f_D τ), so the power gain
 * |h|² is close to exponential with mean 1. Deterministic for a seed.
 */
final class RayleighFading {
    private final double dopplerHz;
    private final double[] dopplerCos;
    private final double[] phase;

    RayleighFading(double dopplerHz, int sinusoids, long seed) {
        if (!(dopplerHz > 0) || !Double.isFinite(dopplerHz)) {
            throw new IllegalArgumentException("Doppler frequency must be > 0 Hz, was " + dopplerHz);
        }
        if (sinusoids < 4) {
            throw new IllegalArgumentException("the sum of sinusoids needs at least 4 terms, was " + sinusoids);
        }
        this.dopplerHz = dopplerHz;
        SplittableRandom r = new SplittableRandom(seed);
        double theta = -Math.PI + 2 * Math.PI * r.nextDouble();
        dopplerCos = new double[sinusoids];
        phase = new double[sinusoids];
        for (int n = 0; n < sinusoids; n++) {
            dopplerCos[n] = Math.cos((2 * Math.PI * (n + 1) - Math.PI + theta) / sinusoids);
            phase[n] = -Math.PI + 2 * Math.PI * r.nextDouble();
        }
    }

    /** The power gain |h(t)|² at time {@code t} seconds. */
    double powerGain(double t) {
        double re = 0;
        double im = 0;
        double w = 2 * Math.PI * dopplerHz * t;
        for (int n = 0; n < phase.length; n++) {
            double a = w * dopplerCos[n] + phase[n];
            re += Math.cos(a);
            im += Math.sin(a);
        }
        return (re * re + im * im) / phase.length;
    }

    /** Clarke's coherence time 0.423 / f_D (the lag at which the envelope correlation falls to about one half), seconds. */
    double coherenceSeconds() {
        return 0.423 / dopplerHz;
    }

    /**
     * E[log2(1 + snr·X)] for X exponential with mean 1 (the ergodic capacity of a Rayleigh
     * channel per hertz): e^{1/snr} E1(1/snr) / ln 2.
     */
    static double meanLog2Capacity(double snr) {
        if (!(snr > 0)) {
            throw new IllegalArgumentException("mean SNR must be > 0 (a power ratio), was " + snr);
        }
        double x = 1 / snr;
        return Math.exp(x) * e1(x) / Math.log(2);
    }

    /** The exponential integral E1(x) for x > 0 (series below 1, continued fraction above). */
    static double e1(double x) {
        if (!(x > 0)) {
            throw new IllegalArgumentException("E1 needs x > 0, was " + x);
        }
        if (x <= 1) {
            double sum = 0;
            double term = 1;
            for (int k = 1; k < 200; k++) {
                term *= -x / k;
                double add = -term / k;
                sum += add;
                if (Math.abs(add) < 1e-17 * Math.abs(sum)) {
                    break;
                }
            }
            return -0.5772156649015329 - Math.log(x) + sum;
        }
        double tiny = 1e-300;
        double b = x + 1;
        double c = 1 / tiny;
        double d = 1 / b;
        double h = d;
        for (int i = 1; i < 500; i++) {
            double a = -(double) i * i;
            b += 2;
            d = 1 / (a * d + b);
            c = b + a / c;
            double del = c * d;
            h *= del;
            if (Math.abs(del - 1) < 1e-15) {
                break;
            }
        }
        return h * Math.exp(-x);
    }
}
