package io.qpart.core.accuracy;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class EnergyModelTest {
    static final GainFit FIT = GainFit.fit(new int[]{4, 6}, new double[]{100 * Math.pow(4, -4), 100 * Math.pow(4, -6)});

    @Test
    void lawFromTheFitRangeUpMeasuredEnergiesBelow() {
        EnergyModel e = new EnergyModel(FIT, new int[]{2, 3}, new double[]{50, 5});
        assertThat(e.energy(5)).isCloseTo(100 * Math.pow(4, -5), within(1e-12));
        assertThat(e.energy(4)).isCloseTo(100 * Math.pow(4, -4), within(1e-12));
        assertThat(e.energy(3)).isEqualTo(5);
        assertThat(e.energy(2)).isEqualTo(50);
        assertThat(e.energy(32)).isZero();
    }

    @Test
    void gapsInterpolateAndTheLowEndExtrapolatesLogLinearly() {
        EnergyModel e = new EnergyModel(FIT, new int[]{3}, new double[]{4});
        // below 3: the slope from 3 to 4 continues
        double e4 = 100 * Math.pow(4, -4);
        assertThat(e.energy(2)).isCloseTo(4 * (4 / e4), within(1e-9));
        EnergyModel gap = new EnergyModel(FIT, new int[]{2}, new double[]{30});
        assertThat(gap.energy(3)).isCloseTo(Math.sqrt(30 * e4), within(1e-9));
        assertThat(EnergyModel.law(FIT).energy(2)).isCloseTo(100.0 / 16, within(1e-9));
    }

    @Test
    void lowBitsMustLieBelowTheFit() {
        assertThatThrownBy(() -> new EnergyModel(FIT, new int[]{4}, new double[]{1})).hasMessageContaining("below the fit bit-widths");
        assertThatThrownBy(() -> new EnergyModel(FIT, new int[]{3, 2}, new double[]{1, 2})).hasMessageContaining("must increase");
    }
}
