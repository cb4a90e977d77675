package io.qpart.core.accuracy;

/**
 * The predicted accuracy drop of one configuration (SPEC §4) and {@code D} on the grid it came
 * from.
 *
 * @param drop  predicted drop as a fraction, in [0, 1]
 * @param bound where the drop lies relative to the grid
 * @param grid  the drops at which {@code D} was evaluated
 * @param d     {@code D(Δa)} at each grid point
 */
public record DropPrediction(double drop, Bound bound, double[] grid, double[] d) {
    /** Where a predicted drop lies relative to the grid it was read from. */
    public enum Bound {
        /** Below the smallest grid drop: scaled down in proportion. */
        BELOW_GRID,
        /** Interpolated between grid points. */
        WITHIN_GRID,
        /** Above the largest grid drop: extrapolated, a rough figure. */
        ABOVE_GRID
    }

    public DropPrediction {
        if (!(drop >= 0 && drop <= 1)) {
            throw new IllegalArgumentException("predicted drop must be a fraction in [0, 1], was " + drop);
        }
        java.util.Objects.requireNonNull(bound, "bound");
        grid = grid.clone();
        d = d.clone();
        if (grid.length != d.length) {
            throw new IllegalArgumentException("expected one D per grid point (" + grid.length + "), found " + d.length);
        }
    }

    /** The drop in percentage points. */
    public double dropPp() {
        return 100 * drop;
    }

    @Override
    public double[] grid() {
        return grid.clone();
    }

    @Override
    public double[] d() {
        return d.clone();
    }
}
