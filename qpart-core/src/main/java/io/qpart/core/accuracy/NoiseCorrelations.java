package io.qpart.core.accuracy;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Measured correlation of the noise different tensors cause on the logits, our extension of
 * SPEC §4's additivity law. The law adds energies, {@code E‖Σ_j r_j‖² ≈ Σ_j E‖r_j‖²}, which
 * holds when the noise vectors are uncorrelated. Quantization noise often is not: at low
 * bit-widths several layers shrink the same features, and their noise adds coherently. With
 * {@code ρ_jk = E⟨r_j, r_k⟩ / √(E‖r_j‖² E‖r_k‖²)} measured on the same samples,
 * {@code E‖Σ_j r_j‖² = Σ_j m_j + Σ_{j≠k} ρ_jk √(m_j m_k)}; each tensor's term of {@code D} takes
 * its own energy plus half of each cross term it is part of (see {@link #effectiveEnergies}).
 *
 * <p>{@code ρ} is measured at each bit-width of {@link #bits()} (every tensor quantized at that
 * bit-width on the same samples); a pair at bit-widths {@code b_j, b_k} uses the measured
 * bit-width nearest to their mean, the lower one on ties.
 *
 * @param bits    the bit-widths measured, increasing
 * @param names   the tensors, in matrix order
 * @param rho     {@code rho[g][j][k]}: the correlation at {@code bits[g]}, symmetric, each in [-1, 1] (NaN: not measured)
 */
public record NoiseCorrelations(int[] bits, List<String> names, double[][][] rho) {
    public NoiseCorrelations {
        bits = bits.clone();
        names = List.copyOf(names);
        if (rho.length != bits.length) {
            throw new IllegalArgumentException("expected one correlation matrix per bit-width (" + bits.length + "), found " + rho.length);
        }
        int n = names.size();
        double[][][] copy = new double[rho.length][][];
        for (int g = 0; g < rho.length; g++) {
            if (g > 0 && bits[g] <= bits[g - 1]) {
                throw new IllegalArgumentException("correlation bit-widths must increase, found " + bits[g - 1] + " then " + bits[g]);
            }
            if (rho[g].length != n) {
                throw new IllegalArgumentException("expected " + n + " x " + n + " correlations at " + bits[g] + " bits, found " + rho[g].length + " rows");
            }
            copy[g] = new double[n][];
            for (int j = 0; j < n; j++) {
                if (rho[g][j].length != n) {
                    throw new IllegalArgumentException("expected " + n + " correlations in row " + j + " at " + bits[g] + " bits, found " + rho[g][j].length);
                }
                for (double r : rho[g][j]) {
                    if (r < -1 - 1e-9 || r > 1 + 1e-9) {
                        throw new IllegalArgumentException("correlations must lie in [-1, 1], found " + r);
                    }
                }
                copy[g][j] = rho[g][j].clone();
            }
        }
        rho = copy;
        Map<String, Integer> seen = new HashMap<>();
        for (String s : names) {
            if (seen.put(s, seen.size()) != null) {
                throw new IllegalArgumentException("tensor '" + s + "' appears twice among the correlated tensors");
            }
        }
    }

    /** The key under which a cut's activation is listed. */
    public static String activationKey(int cut) {
        return "cut " + cut;
    }

    /** Correlation of the noise of {@code a} at {@code bitsA} and {@code b} at {@code bitsB}; 0 when unknown. */
    public double rho(String a, int bitsA, String b, int bitsB) {
        int i = names.indexOf(a);
        int j = names.indexOf(b);
        if (i < 0 || j < 0 || i == j) {
            return i == j && i >= 0 ? 1 : 0;
        }
        double mean = (bitsA + bitsB) / 2.0;
        int best = 0;
        for (int g = 1; g < bits.length; g++) {
            if (Math.abs(bits[g] - mean) < Math.abs(bits[best] - mean)) {
                best = g;
            }
        }
        double r = rho[best][i][j];
        return Double.isNaN(r) ? 0 : r;
    }

    /**
     * Each term's energy plus half of every cross term it shares: the energies sum to the
     * predicted {@code E‖Σ r‖²}, and with equal robustness {@code D} is that sum over {@code t}.
     * Terms whose tensors are not listed keep their own energy.
     */
    public List<NoiseTerm> effectiveEnergies(List<NoiseTerm> terms, List<String> keys) {
        if (keys.size() != terms.size()) {
            throw new IllegalArgumentException("expected one key per term (" + terms.size() + "), found " + keys.size());
        }
        NoiseTerm[] out = new NoiseTerm[terms.size()];
        for (int j = 0; j < terms.size(); j++) {
            NoiseTerm t = terms.get(j);
            double e = t.energy();
            for (int k = 0; k < terms.size(); k++) {
                NoiseTerm o = terms.get(k);
                if (k == j || t.energy() == 0 || o.energy() == 0) {
                    continue;
                }
                e += rho(keys.get(j), t.bits(), keys.get(k), o.bits()) * Math.sqrt(t.energy() * o.energy());
            }
            out[j] = new NoiseTerm(t.name(), t.bits() == AccuracyModel.FLOAT_BITS ? 0 : Math.max(0, e), t.bits(), t.robustness());
        }
        return List.of(out);
    }

    @Override
    public int[] bits() {
        return bits.clone();
    }

    @Override
    public double[][][] rho() {
        double[][][] c = new double[rho.length][][];
        for (int g = 0; g < rho.length; g++) {
            c[g] = new double[rho[g].length][];
            for (int j = 0; j < rho[g].length; j++) {
                c[g][j] = rho[g][j].clone();
            }
        }
        return c;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NoiseCorrelations c && Arrays.equals(bits, c.bits) && names.equals(c.names) && Arrays.deepEquals(rho, c.rho);
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(bits), names);
    }
}
