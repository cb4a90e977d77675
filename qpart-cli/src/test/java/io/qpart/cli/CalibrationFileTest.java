package io.qpart.cli;

import io.qpart.core.accuracy.Calibration;
import io.qpart.core.accuracy.CutCalibration;
import io.qpart.core.accuracy.EnergyModel;
import io.qpart.core.accuracy.GainFit;
import io.qpart.core.accuracy.MeasuredDrop;
import io.qpart.core.accuracy.NoiseCorrelations;
import io.qpart.core.accuracy.RobustnessCurve;
import io.qpart.core.accuracy.TensorCalibration;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The calibration file format: the committed version 2 golden file decodes and re-encodes byte for
 * byte; the version 1 golden file still decodes, its low-bit energies used as measured.
 */
class CalibrationFileTest {
    static final double[] DROPS = {0.001, 0.01};
    static final double[] CURVE = {0.001, 0.003, 0.01};

    static TensorCalibration tensor(String name, String op, long elements, int position, double gain, double[] t, double[] curve,
                                    boolean version2) {
        GainFit fit = GainFit.fit(new int[]{4, 6}, new double[]{gain * Math.pow(4, -4) * 1.1, gain * Math.pow(4, -6) / 1.1});
        EnergyModel e = new EnergyModel(fit, new int[]{2, 3}, new double[]{gain / 4, gain / 20});
        if (!version2) {
            return new TensorCalibration(name, op, elements, position, e, new RobustnessCurve(DROPS, t), new RobustnessCurve(CURVE, curve));
        }
        List<MeasuredDrop> measured = List.of(new MeasuredDrop(2, 250, 40, 1), new MeasuredDrop(3, 1000, 6, 2), new MeasuredDrop(4, 250, 1, 1),
                new MeasuredDrop(6, 250, 0, 0));
        return new TensorCalibration(name, op, elements, position, e.withEffective(3, gain / 8), new RobustnessCurve(DROPS, t),
                new RobustnessCurve(CURVE, curve), measured);
    }

    /** A small calibration with every kind of field: an unreached drop, a NaN slope-free fit, correlations. */
    static CalibrationFile golden() {
        return golden(true);
    }

    static CalibrationFile golden(boolean version2) {
        TensorCalibration w = tensor("fc.weight", "Gemm", 640, 3, 12.5, new double[]{0.25, 3.5}, new double[]{0.25, 1.0, 3.5}, version2);
        TensorCalibration a0 = tensor("input", TensorCalibration.ACTIVATION, 784, 0, 3, new double[]{0.5, Double.POSITIVE_INFINITY},
                new double[]{0.5, 2, Double.POSITIVE_INFINITY}, version2);
        TensorCalibration a1 = tensor("logits", TensorCalibration.ACTIVATION, 10, 4, 40, new double[]{1, 8}, new double[]{1, 2.5, 8}, version2);
        List<CutCalibration> cuts = List.of(new CutCalibration(0, 0, List.of("input"), 784, List.of(), a0),
                new CutCalibration(1, 4, List.of("logits"), 10, List.of("fc.weight"), a1));
        NoiseCorrelations corr = new NoiseCorrelations(new int[]{3, 6}, List.of("fc.weight", "cut 0", "cut 1"), new double[][][]{
                {{1, 0.25, -0.5}, {0.25, 1, Double.NaN}, {-0.5, Double.NaN, 1}},
                {{1, 0.125, 0}, {0.125, 1, 0}, {0, 0, 1}}});
        Calibration cal = new Calibration("scaled", 1000, 10, 0.985, DROPS, CURVE, List.of(w), cuts, corr, 4.5, 0.25);
        CalibrationFile.Provenance p = new CalibrationFile.Provenance("models/tiny.onnx", "ab".repeat(32), "data/cal.npz", "cd".repeat(32), 7,
                "0.1.0", "1.29.0", "21.0.5", "2026-11-27T06:00:00Z");
        return version2 ? new CalibrationFile(p, new int[]{4, 6}, new int[]{2, 3}, new int[]{3}, 2, 2.0, cal)
                : new CalibrationFile(p, new int[]{4, 6}, new int[]{2, 3}, 2, cal);
    }

    static String goldenText() throws IOException {
        return goldenText("calibration-v2.json");
    }

    static String goldenText(String name) throws IOException {
        try (InputStream in = CalibrationFileTest.class.getResourceAsStream(name)) {
            assertThat(in).as("golden file " + name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void goldenFileDecodesToTheKnownValuesAndEncodesByteForByte() throws IOException {
        String text = goldenText();
        CalibrationFile f = CalibrationFile.parse(text);
        assertThat(f.calibration()).isEqualTo(golden().calibration());
        assertThat(f.provenance()).isEqualTo(golden().provenance());
        assertThat(f.effectiveTolerance()).isEqualTo(2.0);
        assertThat(f.fullBits()).containsExactly(3);
        assertThat(f.calibration().weight("fc.weight").measured()).hasSize(4);
        assertThat(f.calibration().weight("fc.weight").energy().energy(3)).isEqualTo(12.5 / 8);
        assertThat(f.toJson() + "\n").isEqualTo(text);
        assertThat(golden().toJson() + "\n").isEqualTo(text);
    }

    @Test
    void versionOneFilesStillDecodeWithTheirMeasuredEnergies() throws IOException {
        CalibrationFile f = CalibrationFile.parse(goldenText("calibration-v1.json"));
        assertThat(f.calibration()).isEqualTo(golden(false).calibration());
        assertThat(f.effectiveTolerance()).isInfinite();
        assertThat(f.fullBits()).isEmpty();
        assertThat(f.calibration().weight("fc.weight").measured()).isEmpty();
        assertThat(f.calibration().weight("fc.weight").energy().energy(3)).isEqualTo(12.5 / 20);
        assertThat(f.toJson()).contains("\"version\" : 2");
    }

    @Test
    void otherFormatsVersionsAndBrokenFilesAreRefused() throws IOException {
        String text = goldenText();
        assertThatThrownBy(() -> CalibrationFile.parse(text.replace("\"version\" : 2", "\"version\" : 3")))
                .hasMessageContaining("expected version 1 to 2, found 3");
        assertThatThrownBy(() -> CalibrationFile.parse(text.replace("\"gained\" : 40", "\"gained\" : 400")))
                .hasMessageContaining("at most the 250 samples");
        assertThatThrownBy(() -> CalibrationFile.parse(text.replace("qpart-calibration", "qpart-table")))
                .hasMessageContaining("expected format 'qpart-calibration'");
        assertThatThrownBy(() -> CalibrationFile.parse(text.substring(0, text.length() / 2))).hasMessageContaining("not valid JSON");
        assertThatThrownBy(() -> CalibrationFile.parse(text.replace("\"modelSha256\"", "\"modelHash\""))).hasMessageContaining("modelSha256");
    }
}
