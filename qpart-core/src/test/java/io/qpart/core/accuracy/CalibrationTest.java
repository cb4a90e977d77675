package io.qpart.core.accuracy;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class CalibrationTest {
    static final double[] GRID = {0.001, 0.01};

    static TensorCalibration tensor(String name, double gain, double t) {
        GainFit fit = GainFit.fit(new int[]{4, 6}, new double[]{gain * Math.pow(4, -4), gain * Math.pow(4, -6)});
        RobustnessCurve r = new RobustnessCurve(GRID, new double[]{t * GRID[0], t * GRID[1]});
        return new TensorCalibration(name, "Gemm", 10, 0, EnergyModel.law(fit), r, r);
    }

    /** Cut 0 has no head weight, cut 1 has w1, cut 2 has w1 and w2. */
    static Calibration calibration(NoiseCorrelations corr) {
        TensorCalibration w1 = tensor("w1", 100, 50);
        TensorCalibration w2 = tensor("w2", 400, 200);
        List<CutCalibration> cuts = List.of(
                new CutCalibration(0, 0, List.of("x"), 4, List.of(), tensor("x", 10, 100)),
                new CutCalibration(1, 1, List.of("h"), 8, List.of("w1"), tensor("h", 20, 100)),
                new CutCalibration(2, 2, List.of("z"), 2, List.of("w1", "w2"), tensor("z", 30, 100)));
        return new Calibration("scaled", 100, 2, 0.9, GRID, GRID, List.of(w1, w2), cuts, corr, 1, 0.1);
    }

    @Test
    void theChurnFloorPoolsTheCancellingChangesOfEverySingleTensorMeasurement() {
        assertThat(calibration(null).churnFloor()).isZero();
        Calibration c = calibration(null);
        TensorCalibration w1 = c.weight("w1");
        TensorCalibration measured = new TensorCalibration("w1", "Gemm", 10, 0, w1.energy(), w1.robustness(), w1.curve(),
                List.of(new MeasuredDrop(2, 50, 20, 3), new MeasuredDrop(3, 50, 1, 2)));
        Calibration m = new Calibration("scaled", 100, 2, 0.9, GRID, GRID, List.of(measured, c.weight("w2")), c.cuts(), null, 1, 0.1);
        // 2 min(20, 3) + 2 min(1, 2) = 8 cancelling changes in 100 measured samples
        assertThat(m.churnFloor()).isCloseTo(0.08, within(1e-15));
        assertThat(m.withChurnMargin(0.01, 1)).isCloseTo(0.01 + Math.sqrt((0.01 * 0.99 + 0.08) / 100), within(1e-15));
    }

    @Test
    void termsCoverTheHeadAndTheActivation() {
        Calibration c = calibration(null);
        List<NoiseTerm> t = c.terms(1, Map.of("w1", 4, "w2", 4), 8);
        assertThat(t).extracting(NoiseTerm::name).containsExactly("w1", "h"); // w2 is in the tail
        assertThat(t.get(0).energy()).isCloseTo(100 * Math.pow(4, -4), within(1e-12));
        assertThat(c.terms(1, Map.of(), 32)).isEmpty();
        assertThat(c.predict(0, Map.of(), 32, 1).drop()).isZero();
        assertThat(c.uniform(2, 5)).containsOnlyKeys("w1", "w2");
        assertThat(c.ratio()).isCloseTo(10, within(1e-12));
    }

    @Test
    void correlationsChangeEnergiesOnlyWhenAsked() {
        NoiseCorrelations corr = new NoiseCorrelations(new int[]{4}, List.of("w1", "w2"), new double[][][]{{{1, 0.5}, {0.5, 1}}});
        Calibration c = calibration(corr);
        List<NoiseTerm> plain = c.terms(2, Map.of("w1", 4, "w2", 4), 32, false);
        List<NoiseTerm> correlated = c.terms(2, Map.of("w1", 4, "w2", 4), 32, true);
        double cross = 0.5 * Math.sqrt(plain.get(0).energy() * plain.get(1).energy());
        assertThat(correlated.get(0).energy()).isCloseTo(plain.get(0).energy() + cross, within(1e-12));
        assertThat(c.predict(2, Map.of("w1", 4, "w2", 4), 32, 1, true).drop())
                .isGreaterThan(c.predict(2, Map.of("w1", 4, "w2", 4), 32, 1, false).drop());
    }

    @Test
    void unknownNamesAndCutsAreRefused() {
        Calibration c = calibration(null);
        assertThatThrownBy(() -> c.terms(1, Map.of("nope", 4), 32)).hasMessageContaining("not calibrated weights").hasMessageContaining("nope");
        assertThatThrownBy(() -> c.cut(3)).hasMessageContaining("cut 3 is not in the calibration: it has cuts 0..2");
        assertThatThrownBy(() -> c.weight("x")).hasMessageContaining("not a calibrated weight");
    }

    @Test
    void cutsMustBeInOrderAndHeadWeightsCalibrated() {
        TensorCalibration w1 = tensor("w1", 100, 50);
        assertThatThrownBy(() -> new Calibration("scaled", 10, 2, 0.9, GRID, GRID, List.of(w1),
                List.of(new CutCalibration(1, 0, List.of("x"), 1, List.of(), w1)), null, 1, 1)).hasMessageContaining("in order");
        assertThatThrownBy(() -> new Calibration("scaled", 10, 2, 0.9, GRID, GRID, List.of(w1),
                List.of(new CutCalibration(0, 0, List.of("x"), 1, List.of("w9"), w1)), null, 1, 1)).hasMessageContaining("w9");
    }
}
