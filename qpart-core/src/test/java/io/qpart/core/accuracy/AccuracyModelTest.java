package io.qpart.core.accuracy;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class AccuracyModelTest {
    static final double[] GRID = {0.001, 0.0025, 0.005, 0.01, 0.02};

    /** t(Δa) = c · Δa on the grid. */
    static RobustnessCurve linear(double c) {
        double[] t = new double[GRID.length];
        for (int i = 0; i < t.length; i++) {
            t[i] = c * GRID[i];
        }
        return new RobustnessCurve(GRID, t);
    }

    @Test
    void inversionFindsTheDropWhereDEqualsOne() {
        // one term, energy m, t = 100 Δa: D = m / (100 Δa) = 1 at Δa = m / 100 (log-log interpolation is exact)
        NoiseTerm term = new NoiseTerm("w", 0.7, 6, linear(100));
        DropPrediction p = AccuracyModel.predict(List.of(term), GRID, 1);
        assertThat(p.drop()).isCloseTo(0.007, within(1e-12));
        assertThat(p.bound()).isEqualTo(DropPrediction.Bound.WITHIN_GRID);
        assertThat(p.dropPp()).isCloseTo(0.7, within(1e-10));
        // G < 1 asks for a larger drop for the same energy (safety)
        assertThat(AccuracyModel.predict(List.of(term), GRID, 0.5).drop()).isCloseTo(0.014, within(1e-12));
    }

    @Test
    void belowTheGridTheDropScalesDownInProportion() {
        NoiseTerm term = new NoiseTerm("w", 0.02, 8, linear(100)); // D(0.001) = 0.2
        DropPrediction p = AccuracyModel.predict(List.of(term), GRID, 1);
        assertThat(p.bound()).isEqualTo(DropPrediction.Bound.BELOW_GRID);
        assertThat(p.drop()).isCloseTo(0.0002, within(1e-15));
        assertThat(AccuracyModel.predict(List.of(), GRID, 1).drop()).isZero();
    }

    @Test
    void aboveTheGridTheDropIsExtrapolatedAndFlagged() {
        NoiseTerm term = new NoiseTerm("w", 4, 3, linear(100)); // D = 1 at 0.04, beyond 0.02
        DropPrediction p = AccuracyModel.predict(List.of(term), GRID, 1);
        assertThat(p.bound()).isEqualTo(DropPrediction.Bound.ABOVE_GRID);
        assertThat(p.drop()).isCloseTo(0.04, within(1e-12));
    }

    @Test
    void dIsAdditiveOverTerms() {
        NoiseTerm a = NoiseTerm.ofGain("a", 50, 5, linear(80));
        NoiseTerm b = NoiseTerm.ofGain("b", 900, 7, linear(300));
        double[] da = AccuracyModel.d(List.of(a), GRID);
        double[] db = AccuracyModel.d(List.of(b), GRID);
        double[] dab = AccuracyModel.d(List.of(a, b), GRID);
        for (int i = 0; i < GRID.length; i++) {
            assertThat(dab[i]).isCloseTo(da[i] + db[i], within(1e-12));
            // SPEC §4: the share of a term is (p / t) e^(-α b)
            assertThat(da[i]).isCloseTo(50 / (80 * GRID[i]) * Math.exp(-AccuracyModel.ALPHA * 5), within(1e-12));
        }
        assertThat(NoiseTerm.ofGain("f", 50, 32, linear(80)).energy()).isZero();
    }

    @Test
    void unreachableDropsContributeNothing() {
        double[] t = {0.1, 0.2, 0.4, Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY};
        NoiseTerm term = new NoiseTerm("w", 0.3, 4, new RobustnessCurve(GRID, t));
        DropPrediction p = AccuracyModel.predict(List.of(term), GRID, 1);
        // D = 3, 1.5, 0.75, 0, 0: crosses 1 between 0.0025 and 0.005
        assertThat(p.drop()).isBetween(0.0025, 0.005);
        assertThat(p.d()[3]).isZero();
    }

    @Test
    void refinedGridKeepsTheUserGridAndSpansToTheMaximum() {
        double[] g = AccuracyModel.refinedGrid(GRID, 0.5, 16);
        for (double d : GRID) {
            assertThat(g).contains(d);
        }
        assertThat(g[0]).isEqualTo(0.001);
        assertThat(g[g.length - 1]).isCloseTo(0.5, within(1e-12));
        for (int i = 1; i < g.length; i++) {
            assertThat(g[i]).isGreaterThan(g[i - 1]);
        }
    }

    @Test
    void gridsAndTermsAreValidated() {
        assertThatThrownBy(() -> AccuracyModel.checkDrops(new double[]{0.01, 0.005})).hasMessageContaining("increase strictly");
        assertThatThrownBy(() -> AccuracyModel.checkDrops(new double[]{1.5})).hasMessageContaining("(0, 1)");
        assertThatThrownBy(() -> new NoiseTerm("w", -1, 4, linear(1))).hasMessageContaining(">= 0");
        assertThatThrownBy(() -> new NoiseTerm("w", 1, 1, linear(1))).hasMessageContaining("bits in 2..16");
        NoiseTerm other = new NoiseTerm("w", 1, 4, new RobustnessCurve(new double[]{0.01}, new double[]{1}));
        assertThatThrownBy(() -> AccuracyModel.d(List.of(other), GRID)).hasMessageContaining("robustness on the grid");
        assertThatThrownBy(() -> new RobustnessCurve(GRID, new double[]{1, 2, 1, 3, 4})).hasMessageContaining("must not decrease");
    }
}
