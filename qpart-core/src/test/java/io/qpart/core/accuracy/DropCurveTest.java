package io.qpart.core.accuracy;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class DropCurveTest {
    /** Two samples, two classes, hand-computable flip points. */
    @Test
    void scaledNoiseFlipsEachSampleWhereItsMarginCloses() {
        // sample 0: margin 1 toward class 0, noise moves 0.5 per unit scale toward class 1 -> flips at s = 2, E = 4
        // sample 1: margin 3, noise 1.0 per unit scale -> flips at s = 3, E = 9
        float[] z = {1, 0, 3, 0};
        float[] u = {-0.25f, 0.25f, -0.5f, 0.5f};
        int[] y = {0, 0};
        DropCurve c = DropCurve.fromScaledNoise(z, u, y, 2, DropCurve.Monotone.ENVELOPE);
        assertThat(c.breakpointEnergies()).containsExactly(4.0, 9.0);
        assertThat(c.breakpointDrops()).containsExactly(0.5, 1.0);
        assertThat(c.energyAt(0.5)).isCloseTo(4, within(1e-9));
        assertThat(c.energyAt(1.0)).isCloseTo(9, within(1e-9));
        assertThat(c.energyAt(0.25)).isCloseTo(2, within(1e-9)); // proportional below the first breakpoint
        // between breakpoints: linear in ln E
        double mid = Math.exp((Math.log(4) + Math.log(9)) / 2);
        assertThat(c.energyAt(0.75)).isCloseTo(mid, within(1e-9));
        assertThat(c.dropAt(mid)).isCloseTo(0.75, within(1e-12));
        assertThat(c.dropAt(100)).isEqualTo(1.0);
    }

    @Test
    void wrongSamplesThatBecomeRightLowerTheDropAndTheEnvelopeIgnoresIt() {
        // sample 0 correct, flips at E = 4; sample 1 wrong (margin -1), becomes right at s = 1 (E = 1) and stays right
        float[] z = {1, 0, 0, 1};
        float[] u = {-0.25f, 0.25f, 0.5f, -0.5f};
        DropCurve env = DropCurve.fromScaledNoise(z, u, new int[]{0, 0}, 2, DropCurve.Monotone.ENVELOPE);
        assertThat(env.maxDrop()).isZero(); // net drop never exceeds 0: -0.5 then 0
        assertThat(env.energyAt(0.1)).isInfinite();
    }

    @Test
    void isotonicFitAveragesNoiseInsteadOfTrackingItsMaximum() {
        double[] e = {1, 2, 3, 4, 5, 6};
        double[] d = {0.01, 0.03, 0.01, 0.02, 0.05, 0.04};
        DropCurve env = DropCurve.fromPoints(e, d, DropCurve.Monotone.ENVELOPE);
        assertThat(env.breakpointDrops()).containsExactly(0.01, 0.03, 0.05);
        DropCurve iso = DropCurve.fromPoints(e, d, DropCurve.Monotone.ISOTONIC);
        // pools: {0.01}, {0.03, 0.01, 0.02} -> 0.02, {0.05, 0.04} -> 0.045
        assertThat(iso.breakpointDrops()).containsExactly(0.01, 0.02, 0.045);
        assertThat(iso.breakpointEnergies()[1]).isCloseTo(Math.exp((Math.log(2) + Math.log(3) + Math.log(4)) / 3), within(1e-12));
        for (double x = 0.5; x < 10; x += 0.25) {
            assertThat(iso.dropAt(x)).isLessThanOrEqualTo(env.dropAt(x) + 1e-12);
        }
    }

    @Test
    void robustnessIsTheMonotoneInverseOnAGrid() {
        SplittableRandom rnd = new SplittableRandom(11);
        int n = 400;
        int classes = 4;
        float[] z = new float[n * classes];
        float[] u = new float[n * classes];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = rnd.nextInt(classes);
            for (int c = 0; c < classes; c++) {
                z[i * classes + c] = (float) (rnd.nextGaussian() + (c == y[i] ? 3 : 0));
                u[i * classes + c] = (float) (rnd.nextGaussian() / 2);
            }
        }
        DropCurve c = DropCurve.fromScaledNoise(z, u, y, classes, DropCurve.Monotone.ISOTONIC);
        double[] grid = AccuracyModel.refinedGrid(AccuracyModel.defaultDrops(), 0.5, 8);
        RobustnessCurve t = c.robustness(grid);
        for (int i = 1; i < t.size(); i++) {
            assertThat(t.energy(i)).isGreaterThanOrEqualTo(t.energy(i - 1));
        }
        for (int i = 0; i < t.size(); i++) {
            if (Double.isFinite(t.energy(i)) && t.drop(i) <= c.maxDrop()) {
                assertThat(c.dropAt(t.energy(i))).isCloseTo(t.drop(i), within(1e-9));
            }
        }
    }

    @Test
    void piecewiseTakesEachCurveInItsWindow() {
        DropCurve low = DropCurve.fromPoints(new double[]{1, 10, 100}, new double[]{0.01, 0.02, 0.03}, DropCurve.Monotone.ENVELOPE, 1000);
        DropCurve high = DropCurve.fromPoints(new double[]{1, 10, 100}, new double[]{0.02, 0.10, 0.50});
        DropCurve p = DropCurve.piecewise(List.of(low, high), new double[]{0, 10});
        assertThat(p.dropAt(1)).isCloseTo(0.01, within(1e-12));
        assertThat(p.dropAt(100)).isCloseTo(0.50, within(1e-12));
        assertThat(p.samples()).isEqualTo(1000);
        // the envelope keeps the curve monotone across a window edge where the next curve is lower
        DropCurve down = DropCurve.piecewise(List.of(high, low), new double[]{0, 10});
        assertThat(down.dropAt(50)).isGreaterThanOrEqualTo(down.dropAt(9));
        assertThatThrownBy(() -> DropCurve.piecewise(List.of(low, high), new double[]{0})).hasMessageContaining("one starting energy per curve");
    }

    @Test
    void refusesBadShapes() {
        assertThatThrownBy(() -> DropCurve.fromScaledNoise(new float[4], new float[3], new int[]{0, 0}, 2, DropCurve.Monotone.ENVELOPE))
                .hasMessageContaining("expected 2 x 2");
        assertThatThrownBy(() -> DropCurve.fromScaledNoise(new float[2], new float[2], new int[]{5}, 2, DropCurve.Monotone.ENVELOPE))
                .hasMessageContaining("label of sample 0");
    }
}
