package io.qpart.core.accuracy;

import java.util.Arrays;

/**
 * The noise gain of one tensor (SPEC §4 linearity law {@code E‖r‖² ≈ p · e^(−α b)}), fitted
 * from mean noise energies measured at a few bit-widths.
 *
 * @param gain      {@code p}: the least-squares fit of {@code ln m = ln p − α b} with
 *                  {@code α = ln 4} fixed; 0 when no measurement saw any noise
 * @param slope     the free least-squares slope of {@code ln m} against {@code b}; the law
 *                  predicts {@code −ln 4 ≈ −1.386}; NaN with fewer than two distinct bit-widths
 *                  that saw noise
 * @param bits      the bit-widths measured
 * @param meanEnergies the mean noise energy measured at each bit-width (same order)
 */
public record GainFit(double gain, double slope, int[] bits, double[] meanEnergies) {
    public GainFit {
        bits = bits.clone();
        meanEnergies = meanEnergies.clone();
        if (bits.length != meanEnergies.length) {
            throw new IllegalArgumentException("expected one mean energy per bit-width, found " + bits.length
                    + " bit-widths and " + meanEnergies.length + " energies");
        }
        if (!(gain >= 0) || Double.isInfinite(gain)) {
            throw new IllegalArgumentException("noise gain must be finite and >= 0, was " + gain);
        }
        for (double m : meanEnergies) {
            if (!(m >= 0) || Double.isInfinite(m)) {
                throw new IllegalArgumentException("mean noise energies must be finite and >= 0, found " + m);
            }
        }
    }

    /**
     * Fits {@code p} and the free slope. Measurements of zero energy (a bit-width at which the
     * tensor is represented exactly) carry no information on a log scale and are left out.
     */
    public static GainFit fit(int[] bits, double[] meanEnergies) {
        if (bits.length == 0) {
            throw new IllegalArgumentException("expected at least one measured bit-width, found none");
        }
        if (bits.length != meanEnergies.length) {
            throw new IllegalArgumentException("expected one mean energy per bit-width, found " + bits.length
                    + " bit-widths and " + meanEnergies.length + " energies");
        }
        double sumLogGain = 0;
        int used = 0;
        double sumB = 0;
        double sumY = 0;
        for (int i = 0; i < bits.length; i++) {
            if (meanEnergies[i] > 0) {
                double y = Math.log(meanEnergies[i]);
                sumLogGain += y + AccuracyModel.ALPHA * bits[i]; // SPEC §4: ln p = ln m + α b
                sumB += bits[i];
                sumY += y;
                used++;
            }
        }
        if (used == 0) {
            return new GainFit(0, Double.NaN, bits, meanEnergies);
        }
        double gain = Math.exp(sumLogGain / used);
        double meanB = sumB / used;
        double meanY = sumY / used;
        double sxx = 0;
        double sxy = 0;
        for (int i = 0; i < bits.length; i++) {
            if (meanEnergies[i] > 0) {
                double dx = bits[i] - meanB;
                sxx += dx * dx;
                sxy += dx * (Math.log(meanEnergies[i]) - meanY);
            }
        }
        double slope = sxx > 0 ? sxy / sxx : Double.NaN;
        return new GainFit(gain, slope, bits, meanEnergies);
    }

    /** The fitted mean noise energy at {@code b} bits: {@code p · e^(−α b)} (SPEC §4). */
    public double energyAt(int b) {
        return AccuracyModel.energy(gain, b);
    }

    @Override
    public int[] bits() {
        return bits.clone();
    }

    @Override
    public double[] meanEnergies() {
        return meanEnergies.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GainFit f && Double.compare(gain, f.gain) == 0 && Double.compare(slope, f.slope) == 0
                && Arrays.equals(bits, f.bits) && Arrays.equals(meanEnergies, f.meanEnergies);
    }

    @Override
    public int hashCode() {
        return 31 * Double.hashCode(gain) + Arrays.hashCode(bits);
    }

    @Override
    public String toString() {
        return "GainFit[p=" + gain + ", slope=" + slope + ", bits=" + Arrays.toString(bits) + ", m=" + Arrays.toString(meanEnergies) + "]";
    }
}
