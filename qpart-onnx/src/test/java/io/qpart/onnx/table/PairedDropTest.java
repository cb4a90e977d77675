package io.qpart.onnx.table;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class PairedDropTest {

    @Test
    void normalQuantilesMatchTabulatedValues() {
        assertThat(PairedDrop.normalQuantile(0.9)).isCloseTo(1.2815515655446004, within(1e-8));
        assertThat(PairedDrop.normalQuantile(0.95)).isCloseTo(1.6448536269514722, within(1e-8));
        assertThat(PairedDrop.normalQuantile(0.975)).isCloseTo(1.959963984540054, within(1e-8));
        assertThat(PairedDrop.normalQuantile(0.99)).isCloseTo(2.3263478740408408, within(1e-8));
        assertThat(PairedDrop.normalQuantile(0.999)).isCloseTo(3.090232306167813, within(1e-8));
    }

    @Test
    void countsPairsDigitByDigit() {
        boolean[] f = {true, true, true, false, false, true};
        boolean[] q = {true, false, false, true, false, true};
        PairedDrop d = PairedDrop.of(f, q);
        assertThat(d).isEqualTo(new PairedDrop(2, 1, 6));
        assertThat(d.measured()).isCloseTo(1 / 6.0, within(1e-15));
    }

    @Test
    void upperBoundByHand() {
        // nothing changed on 2,000 digits: the score bound is z² / (n + z²)
        double z2 = 1.6448536269514722 * 1.6448536269514722;
        assertThat(new PairedDrop(0, 0, 2000).upperBound(0.95)).isCloseTo(z2 / (2000 + z2), within(1e-10)).isCloseTo(0.001351, within(1e-6));
        // at the bound the score statistic is exactly -z
        PairedDrop d = new PairedDrop(25, 15, 2000);
        assertThat(d.score(d.upperBound(0.95))).isCloseTo(-1.6448536269514722, within(1e-8));
        assertThat(d.score(d.measured())).isCloseTo(0, within(1e-12));
        // 25 lost, 15 gained (point 0.5 pp): 1.05 pp, wider than the plain Wald bound (1.03 pp)
        double wald = d.measured() + 1.6448536269514722 * Math.sqrt(40 - 100 / 2000.0) / 2000;
        assertThat(d.upperBound(0.95)).isCloseTo(0.010506, within(2e-6)).isGreaterThan(wald);
        // the bound lies above the point estimate and grows with the confidence
        PairedDrop e = new PairedDrop(12, 3, 1000);
        assertThat(e.upperBound(0.9)).isGreaterThan(e.measured()).isLessThan(e.upperBound(0.99));
    }

    @Test
    void boundCoversTheTrueDropAtItsConfidence() {
        // seeded simulation: digits lost with probability 1.2%, gained with 0.4%: true drop 0.8%
        Random rnd = new Random(20261127L);
        int runs = 4000;
        int n = 2000;
        for (double[] p : new double[][]{{0.012, 0.004}, {0.002, 0.0}, {0.001, 0.0}, {0.015, 0.0}, {0.03, 0.02}}) {
            double truth = p[0] - p[1];
            int below = 0;
            for (int r = 0; r < runs; r++) {
                int lost = 0;
                int gained = 0;
                for (int i = 0; i < n; i++) {
                    double u = rnd.nextDouble();
                    if (u < p[0]) {
                        lost++;
                    } else if (u < p[0] + p[1]) {
                        gained++;
                    }
                }
                if (new PairedDrop(lost, gained, n).upperBound(0.95) < truth) {
                    below++;
                }
            }
            // a 95% upper bound misses the truth about 5% of the time, not 10%
            assertThat(below / (double) runs).as("miss rate at lost %.3f gained %.3f", p[0], p[1]).isLessThan(0.07);
        }
    }

    @Test
    void refusesImpossibleCounts() {
        assertThatThrownBy(() -> new PairedDrop(-1, 0, 10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PairedDrop(6, 5, 10)).hasMessageContaining("lost + gained");
        assertThatThrownBy(() -> new PairedDrop(0, 0, 10).upperBound(0.4)).hasMessageContaining("(0.5, 1)");
        assertThatThrownBy(() -> PairedDrop.of(new boolean[2], new boolean[3])).hasMessageContaining("same digits");
    }
}
