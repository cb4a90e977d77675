package io.qpart.core.accuracy;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class NoiseCorrelationsTest {
    static final RobustnessCurve T = new RobustnessCurve(new double[]{0.01}, new double[]{1});

    static NoiseCorrelations twoTensors(double rhoAt3, double rhoAt6) {
        return new NoiseCorrelations(new int[]{3, 6}, List.of("a", "b"),
                new double[][][]{{{1, rhoAt3}, {rhoAt3, 1}}, {{1, rhoAt6}, {rhoAt6, 1}}});
    }

    @Test
    void effectiveEnergiesSumToTheEnergyOfTheSummedNoise() {
        NoiseCorrelations c = twoTensors(0.5, 0.1);
        List<NoiseTerm> terms = List.of(new NoiseTerm("a", 4, 3, T), new NoiseTerm("b", 9, 3, T));
        List<NoiseTerm> eff = c.effectiveEnergies(terms, List.of("a", "b"));
        // |r_a + r_b|^2 = 4 + 9 + 2 * 0.5 * 2 * 3
        assertThat(eff.get(0).energy() + eff.get(1).energy()).isCloseTo(19, within(1e-12));
        assertThat(eff.get(0).energy()).isCloseTo(4 + 3, within(1e-12));
    }

    @Test
    void aPairUsesTheBitWidthNearestToItsMean() {
        NoiseCorrelations c = twoTensors(0.5, 0.1);
        assertThat(c.rho("a", 3, "b", 4)).isEqualTo(0.5);
        assertThat(c.rho("a", 5, "b", 8)).isEqualTo(0.1);
        assertThat(c.rho("a", 4, "b", 5)).isEqualTo(0.5); // 4.5 is as near 3 as 6: the lower bit-width
        assertThat(c.rho("a", 4, "x", 5)).isZero();
        assertThat(c.rho("a", 4, "a", 5)).isEqualTo(1);
    }

    @Test
    void anticorrelationNeverMakesAnEnergyNegative() {
        NoiseCorrelations c = twoTensors(-1, -1);
        List<NoiseTerm> eff = c.effectiveEnergies(List.of(new NoiseTerm("a", 1, 3, T), new NoiseTerm("b", 9, 3, T)), List.of("a", "b"));
        assertThat(eff.get(0).energy()).isZero();
        assertThat(eff.get(1).energy()).isCloseTo(6, within(1e-12));
    }

    @Test
    void validatesTheMatrices() {
        assertThatThrownBy(() -> new NoiseCorrelations(new int[]{3}, List.of("a"), new double[][][]{{{2}}})).hasMessageContaining("[-1, 1]");
        assertThatThrownBy(() -> new NoiseCorrelations(new int[]{3}, List.of("a", "a"), new double[][][]{{{1, 0}, {0, 1}}}))
                .hasMessageContaining("twice");
    }
}
