package io.qpart.core.accuracy;

import java.util.Arrays;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Mean noise energy a tensor adds to the logits at a given bit-width.
 *
 * <p>From the lowest fit bit-width up, SPEC §4's linearity law {@code p · e^(−α b)} with the
 * fitted gain. Below it the law fails on real tensors: with a handful of levels most values
 * collapse onto the zero point and the error stops being small, uniform noise (measured: 2 bits
 * gave 3 to 30 times the law on the bundled models). There the energies measured at the low
 * bit-widths are used as they are, interpolated log-linearly between measured bit-widths and
 * extrapolated from the two lowest below them. This is our extension of SPEC §4, documented in
 * docs/accuracy.md.
 *
 * <p>Predictions read the <em>effective</em> energies at the low bit-widths: the measured energy,
 * or, where the drop measured at that bit-width disagreed with what the robustness curve makes of
 * the measured energy, the energy at which the curve gives the measured drop
 * ({@link EffectiveEnergy}).
 *
 * @param fit            the gain fit (its lowest bit-width starts the law's range)
 * @param lowBits        bit-widths measured below the fit range, increasing (may be empty)
 * @param lowEnergies    mean energy measured at each of {@code lowBits}
 * @param lowEffective   energy predictions use at each of {@code lowBits}
 */
public record EnergyModel(GainFit fit, int[] lowBits, double[] lowEnergies, double[] lowEffective) {
    public EnergyModel {
        Objects.requireNonNull(fit, "fit");
        lowBits = lowBits.clone();
        lowEnergies = lowEnergies.clone();
        lowEffective = lowEffective.clone();
        if (lowBits.length != lowEnergies.length || lowBits.length != lowEffective.length) {
            throw new IllegalArgumentException("expected one measured and one effective energy per low bit-width, found " + lowBits.length
                    + " bit-widths, " + lowEnergies.length + " measured and " + lowEffective.length + " effective energies");
        }
        for (double e : lowEffective) {
            if (!(e >= 0) || Double.isInfinite(e)) {
                throw new IllegalArgumentException("effective low-bit energies must be finite and >= 0, found " + e);
            }
        }
        int minFit = minFitBits(fit);
        for (int i = 0; i < lowBits.length; i++) {
            if (lowBits[i] >= minFit) {
                throw new IllegalArgumentException("low bit-widths must lie below the fit bit-widths (from " + minFit + "), found " + lowBits[i]);
            }
            if (i > 0 && lowBits[i] <= lowBits[i - 1]) {
                throw new IllegalArgumentException("low bit-widths must increase, found " + lowBits[i - 1] + " then " + lowBits[i]);
            }
            if (!(lowEnergies[i] >= 0) || Double.isInfinite(lowEnergies[i])) {
                throw new IllegalArgumentException("low-bit energies must be finite and >= 0, found " + lowEnergies[i]);
            }
        }
    }

    /** Measured low-bit energies used as they are (effective = measured). */
    public EnergyModel(GainFit fit, int[] lowBits, double[] lowEnergies) {
        this(fit, lowBits, lowEnergies, lowEnergies);
    }

    /** The law alone, nothing measured below the fit range. */
    public static EnergyModel law(GainFit fit) {
        return new EnergyModel(fit, new int[0], new double[0]);
    }

    /** A copy whose effective energy at low bit-width {@code bits} is {@code energy}. */
    public EnergyModel withEffective(int bits, double energy) {
        double[] e = lowEffective.clone();
        for (int i = 0; i < lowBits.length; i++) {
            if (lowBits[i] == bits) {
                e[i] = energy;
                return new EnergyModel(fit, lowBits, lowEnergies, e);
            }
        }
        throw new IllegalArgumentException("bit-width " + bits + " is not among the measured low bit-widths " + Arrays.toString(lowBits));
    }

    /** Whether every effective energy equals the measured one. */
    public boolean effectiveIsMeasured() {
        return Arrays.equals(lowEnergies, lowEffective);
    }

    private static int minFitBits(GainFit fit) {
        int[] b = fit.bits();
        int m = Integer.MAX_VALUE;
        for (int x : b) {
            m = Math.min(m, x);
        }
        return m;
    }

    /** The noise gain {@code p}. */
    public double gain() {
        return fit.gain();
    }

    /** Predicted mean noise energy at {@code bits}; 0 for float32. */
    public double energy(int bits) {
        if (bits == AccuracyModel.FLOAT_BITS) {
            return 0;
        }
        int minFit = minFitBits(fit);
        if (bits >= minFit || lowBits.length == 0) {
            return fit.energyAt(bits); // SPEC §4 linearity law
        }
        TreeMap<Integer, Double> points = new TreeMap<>();
        for (int i = 0; i < lowBits.length; i++) {
            if (lowEffective[i] > 0) {
                points.put(lowBits[i], lowEffective[i]);
            }
        }
        double anchor = fit.energyAt(minFit);
        if (anchor > 0) {
            points.put(minFit, anchor);
        }
        if (points.isEmpty()) {
            return 0;
        }
        Double exact = points.get(bits);
        if (exact != null) {
            return exact;
        }
        Integer below = points.lowerKey(bits);
        Integer above = points.higherKey(bits);
        if (below != null && above != null) {
            return logLinear(below, points.get(below), above, points.get(above), bits);
        }
        if (above == null) {
            return fit.energyAt(bits);
        }
        Integer next = points.higherKey(above);
        if (next == null) {
            return points.get(above) * Math.exp(AccuracyModel.ALPHA * (above - bits)); // one point: the law's slope
        }
        return logLinear(above, points.get(above), next, points.get(next), bits);
    }

    private static double logLinear(int b0, double e0, int b1, double e1, int b) {
        double f = (double) (b - b0) / (b1 - b0);
        return Math.exp(Math.log(e0) + f * (Math.log(e1) - Math.log(e0)));
    }

    @Override
    public int[] lowBits() {
        return lowBits.clone();
    }

    @Override
    public double[] lowEnergies() {
        return lowEnergies.clone();
    }

    @Override
    public double[] lowEffective() {
        return lowEffective.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EnergyModel e && fit.equals(e.fit) && Arrays.equals(lowBits, e.lowBits) && Arrays.equals(lowEnergies, e.lowEnergies)
                && Arrays.equals(lowEffective, e.lowEffective);
    }

    @Override
    public int hashCode() {
        return 31 * fit.hashCode() + Arrays.hashCode(lowBits);
    }
}
