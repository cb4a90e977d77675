package io.qpart.core.accuracy;

import java.util.Arrays;

/**
 * Robustness {@code t(Δa)} of one tensor (SPEC §4): for each accuracy drop of a grid, the mean
 * noise energy on the logits at which the accuracy falls by that much. {@code +∞} marks a drop
 * that no noise level reached.
 *
 * @param drops    accuracy drops as fractions, strictly increasing, each in (0, 1)
 * @param energies {@code t} at each drop, in squared logit units: positive and non-decreasing
 */
public record RobustnessCurve(double[] drops, double[] energies) {
    public RobustnessCurve {
        drops = AccuracyModel.checkDrops(drops);
        energies = energies.clone();
        if (energies.length != drops.length) {
            throw new IllegalArgumentException("expected one robustness energy per drop (" + drops.length + "), found " + energies.length);
        }
        for (int i = 0; i < energies.length; i++) {
            if (!(energies[i] > 0)) {
                throw new IllegalArgumentException("robustness energies must be > 0 (or +infinity when unreached), found " + energies[i]
                        + " at drop " + drops[i]);
            }
            if (i > 0 && energies[i] < energies[i - 1]) {
                throw new IllegalArgumentException("robustness energies must not decrease as the drop grows, found " + energies[i - 1]
                        + " then " + energies[i]);
            }
        }
    }

    @Override
    public double[] drops() {
        return drops.clone();
    }

    @Override
    public double[] energies() {
        return energies.clone();
    }

    /** Grid size. */
    public int size() {
        return drops.length;
    }

    /** {@code t} at grid point {@code i}. */
    public double energy(int i) {
        return energies[i];
    }

    /** Grid drop {@code i}. */
    public double drop(int i) {
        return drops[i];
    }

    /** Whether this curve is sampled on exactly {@code grid}. */
    public boolean sameGrid(double[] grid) {
        return Arrays.equals(drops, grid);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RobustnessCurve r && Arrays.equals(drops, r.drops) && Arrays.equals(energies, r.energies);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(drops) + Arrays.hashCode(energies);
    }

    @Override
    public String toString() {
        return "RobustnessCurve[drops=" + Arrays.toString(drops) + ", energies=" + Arrays.toString(energies) + "]";
    }
}
