package io.qpart.core.accuracy;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class GainFitTest {
    @Test
    void recoversTheGainAndTheSlopeOfTheLaw() {
        double p = 37.5;
        int[] bits = {3, 4, 5, 6};
        double[] m = new double[bits.length];
        for (int i = 0; i < bits.length; i++) {
            m[i] = p * Math.exp(-AccuracyModel.ALPHA * bits[i]);
        }
        GainFit f = GainFit.fit(bits, m);
        assertThat(f.gain()).isCloseTo(p, within(1e-9 * p));
        assertThat(f.slope()).isCloseTo(-Math.log(4), within(1e-12));
        assertThat(f.energyAt(7)).isCloseTo(p * Math.pow(4, -7), within(1e-15));
    }

    @Test
    void noisyMeasurementsGiveTheGeometricMeanGainAndTheirOwnSlope() {
        int[] bits = {4, 6};
        double p = 12;
        double[] m = {p * Math.pow(4, -4) * 1.2, p * Math.pow(4, -6) / 1.2};
        GainFit f = GainFit.fit(bits, m);
        assertThat(f.gain()).isCloseTo(p, within(1e-9)); // ±ln 1.2 cancels
        assertThat(f.slope()).isCloseTo((Math.log(m[1]) - Math.log(m[0])) / 2, within(1e-12));
        // a slope other than the law's is reported as measured
        double[] steep = {Math.exp(-1.2 * 4), Math.exp(-1.2 * 6)};
        assertThat(GainFit.fit(bits, steep).slope()).isCloseTo(-1.2, within(1e-12));
    }

    @Test
    void zeroEnergiesAreLeftOutOfTheFit() {
        GainFit f = GainFit.fit(new int[]{4, 8}, new double[]{2.0, 0.0});
        assertThat(f.gain()).isCloseTo(2.0 * 256, within(1e-9));
        assertThat(f.slope()).isNaN();
        GainFit none = GainFit.fit(new int[]{4, 6}, new double[]{0, 0});
        assertThat(none.gain()).isZero();
        assertThat(none.energyAt(3)).isZero();
    }

    @Test
    void refusesMismatchedOrNegativeInput() {
        assertThatThrownBy(() -> GainFit.fit(new int[]{4}, new double[]{1, 2})).hasMessageContaining("one mean energy per bit-width");
        assertThatThrownBy(() -> GainFit.fit(new int[0], new double[0])).hasMessageContaining("at least one");
        assertThatThrownBy(() -> new GainFit(1, -1, new int[]{4}, new double[]{-1})).hasMessageContaining(">= 0");
    }
}
