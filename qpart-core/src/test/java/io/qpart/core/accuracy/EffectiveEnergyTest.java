package io.qpart.core.accuracy;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class EffectiveEnergyTest {
    static final double[] GRID = {0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1};

    /** t(Δa) = 100 Δa: a single tensor at energy m is predicted to lose m / 100. */
    static RobustnessCurve linear() {
        double[] t = new double[GRID.length];
        for (int i = 0; i < t.length; i++) {
            t[i] = 100 * GRID[i];
        }
        return new RobustnessCurve(GRID, t);
    }

    @Test
    void measuredDropCountsBothDirectionsOfChange() {
        MeasuredDrop d = new MeasuredDrop(3, 250, 12, 2);
        assertThat(d.drop()).isCloseTo(0.04, within(1e-15));
        // per sample +1 (12), -1 (2), 0 (236): variance 14/250 - 0.04^2, over 250
        assertThat(d.standardError()).isCloseTo(Math.sqrt((14 / 250.0 - 0.0016) / 250), within(1e-15));
        assertThat(new MeasuredDrop(3, 250, 0, 0).standardError()).isEqualTo(1 / 250.0);
        assertThatThrownBy(() -> new MeasuredDrop(3, 10, 8, 3)).hasMessageContaining("at most the 10 samples");
        assertThatThrownBy(() -> new MeasuredDrop(1, 10, 0, 0)).hasMessageContaining("expected bits in 2..16");
    }

    @Test
    void theChurnMarginAddsTheChangesThatCancelToTheBinomialVariance() {
        assertThat(AccuracyModel.withMargin(0.01, 1.5, 1000, 0)).isEqualTo(AccuracyModel.withMargin(0.01, 1.5, 1000));
        assertThat(AccuracyModel.withMargin(0.01, 1.5, 1000, 0.004)).isCloseTo(0.01 + 1.5 * Math.sqrt((0.01 * 0.99 + 0.004) / 1000),
                within(1e-15));
        assertThat(AccuracyModel.withMargin(0.999, 3, 10, 0.5)).isEqualTo(1.0);
        assertThatThrownBy(() -> AccuracyModel.withMargin(0.01, 1, 10, -0.1)).hasMessageContaining("churn floor");
    }

    @Test
    void forDropInvertsTheSingleTensorPrediction() {
        RobustnessCurve c = linear();
        for (double drop : new double[]{0.0005, 0.003, 0.0123, 0.07}) {
            double e = EffectiveEnergy.forDrop(c, 3, drop, 1.0);
            assertThat(e).isCloseTo(100 * drop, within(1e-9 * 100 * drop + 1e-12));
            assertThat(EffectiveEnergy.singleDrop(c, 3, e)).isCloseTo(drop, within(1e-12));
        }
    }

    @Test
    void theEnergyIsReplacedOnlyWhenTheMeasurementDisagreesBeyondTheTolerance() {
        RobustnessCurve c = linear();
        // curve: energy 1 loses 1%; measured 4% +- 1.48%: 2.03 standard errors apart
        MeasuredDrop d = new MeasuredDrop(3, 250, 12, 2);
        assertThat(EffectiveEnergy.of(c, 1.0, d, 2)).isCloseTo(4.0, within(1e-9));
        assertThat(EffectiveEnergy.of(c, 1.0, d, 3)).isEqualTo(1.0);
        assertThat(EffectiveEnergy.of(c, 1.0, d, Double.POSITIVE_INFINITY)).isEqualTo(1.0);
        // a measured net drop <= 0 says nothing an energy could express
        assertThat(EffectiveEnergy.of(c, 1.0, new MeasuredDrop(3, 250, 1, 3), 0)).isEqualTo(1.0);
        assertThatThrownBy(() -> EffectiveEnergy.of(c, 1.0, d, -1)).hasMessageContaining(">= 0");
    }

    @Test
    void energyModelPredictsWithEffectiveEnergiesAndKeepsTheMeasuredOnes() {
        GainFit fit = GainFit.fit(new int[]{4, 6}, new double[]{100 * Math.pow(4, -4), 100 * Math.pow(4, -6)});
        EnergyModel e = new EnergyModel(fit, new int[]{2, 3}, new double[]{50, 5}).withEffective(3, 9);
        assertThat(e.energy(3)).isEqualTo(9);
        assertThat(e.energy(2)).isEqualTo(50);
        assertThat(e.lowEnergies()).containsExactly(50, 5);
        assertThat(e.lowEffective()).containsExactly(50, 9);
        assertThat(e.effectiveIsMeasured()).isFalse();
        assertThatThrownBy(() -> e.withEffective(5, 1)).hasMessageContaining("not among the measured low bit-widths");
    }
}
