package io.qpart.onnx.calibrate;

import io.qpart.core.accuracy.AccuracyModel;
import io.qpart.core.accuracy.Calibration;
import io.qpart.core.accuracy.CutCalibration;
import io.qpart.core.accuracy.MeasuredDrop;
import io.qpart.core.accuracy.RobustnessCurve;
import io.qpart.core.accuracy.TensorCalibration;
import io.qpart.core.data.Dataset;
import io.qpart.core.data.DatasetReader;
import io.qpart.onnx.graph.CutAnalysis;
import io.qpart.onnx.graph.ModelGraph;
import io.qpart.onnx.graph.ShapeProfile;
import io.qpart.onnx.model.OnnxModels;
import io.qpart.onnx.proto.Onnx;
import io.qpart.onnx.quant.BitWidths;
import io.qpart.onnx.quant.WeightQuantizer;
import io.qpart.onnx.runtime.Evaluation;
import io.qpart.onnx.runtime.OnnxSession;
import io.qpart.onnx.runtime.Pipeline;
import io.qpart.onnx.testing.GraphFixtures;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class CalibratorTest {
    static ExecutorService pool;

    @BeforeAll
    static void start() {
        pool = Executors.newFixedThreadPool(2);
    }

    @AfterAll
    static void stop() {
        pool.shutdownNow();
    }

    static CutAnalysis analyse(Onnx.Model m) {
        ModelGraph g = ModelGraph.of(OnnxModels.parse(m.toByteArray(), "fixture"));
        return CutAnalysis.of(g, ShapeProfile.measure(g, 1));
    }

    static CalibrationSettings settings(Estimator e) {
        return CalibrationSettings.of(e, new int[]{4, 6}, new int[]{2, 3}, AccuracyModel.defaultDrops(), 32, 2)
                .withDirectionsFromAllGroups(true).withRegionalLowBits(true);
    }

    /** Random inputs labelled by the float model itself (accuracy 1), so that noise can only lower it. */
    static Dataset selfLabelled(CutAnalysis a, long[] sampleShape, int n, long seed) {
        int per = (int) Arrays.stream(sampleShape).reduce(1, (x, y) -> x * y);
        float[] x = new float[n * per];
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        Dataset unlabelled = Dataset.of(sampleShape, x, new int[n]);
        try (OnnxSession s = OnnxSession.create(a.graph().model().toByteArray(), 1); Pipeline p = Pipeline.whole(s)) {
            int[] y = Evaluation.predict(p, a.graph().inputs().get(0), x, sampleShape, n, 64, false).classes();
            return Dataset.of(sampleShape, x, y);
        }
    }

    /** Mean ‖Z_q − Z‖² over samples [from, to) with one weight quantized in the whole model. */
    /** Samples the whole model classifies right, with {@code weight} quantized at {@code bits} (32: float). */
    static boolean[] wholeModelRight(CutAnalysis a, Dataset ds, String weight, int bits) {
        String in = a.graph().inputs().get(0);
        Onnx.Model m = bits == 32 ? a.graph().model() : WeightQuantizer.fakeQuantize(a.graph().model(), new BitWidths(Map.of(weight, bits)));
        float[] z;
        try (OnnxSession s = OnnxSession.create(m.toByteArray(), 1); Pipeline p = Pipeline.whole(s)) {
            z = Evaluation.predict(p, in, ds.inputs(), ds.sampleShape(), ds.size(), 64, true).logits();
        }
        int classes = z.length / ds.size();
        boolean[] right = new boolean[ds.size()];
        for (int i = 0; i < right.length; i++) {
            int best = 0;
            for (int c = 1; c < classes; c++) {
                if (z[i * classes + c] > z[i * classes + best]) {
                    best = c;
                }
            }
            right[i] = best == ds.labels()[i];
        }
        return right;
    }

    static double wholeModelEnergy(CutAnalysis a, Dataset ds, String weight, int bits, int from, int to) {
        String in = a.graph().inputs().get(0);
        float[] z0;
        float[] z1;
        try (OnnxSession s = OnnxSession.create(a.graph().model().toByteArray(), 1); Pipeline p = Pipeline.whole(s)) {
            z0 = Evaluation.predict(p, in, ds.inputs(), ds.sampleShape(), ds.size(), 64, true).logits();
        }
        byte[] q = WeightQuantizer.fakeQuantize(a.graph().model(), new BitWidths(Map.of(weight, bits))).toByteArray();
        try (OnnxSession s = OnnxSession.create(q, 1); Pipeline p = Pipeline.whole(s)) {
            z1 = Evaluation.predict(p, in, ds.inputs(), ds.sampleShape(), ds.size(), 64, true).logits();
        }
        int classes = z0.length / ds.size();
        double e = 0;
        for (int i = from * classes; i < to * classes; i++) {
            double d = (double) z1[i] - z0[i];
            e += d * d;
        }
        return e / (to - from);
    }

    @Test
    void tailRunsFromCachedCutsMeasureWhatTheWholeModelDoes() {
        CutAnalysis a = analyse(GraphFixtures.residual());
        Dataset ds = selfLabelled(a, new long[]{8}, 200, 5);
        Calibration cal = Calibrator.calibrate(a, ds, settings(Estimator.SCALED), pool, Progress.NONE);
        assertThat(cal.floatAccuracy()).isEqualTo(1.0);
        assertThat(cal.weights()).extracting(TensorCalibration::name).containsExactly("w_in", "w_a", "w_b", "w_out");
        assertThat(cal.cuts()).hasSize(a.cuts().size());
        // groups of 50 samples: 2, 3, 4, 6 bits; w_b sits after a cut, so only a tail ran for it
        TensorCalibration wb = cal.weight("w_b");
        assertThat(wb.energy().lowEnergies()[0]).isCloseTo(wholeModelEnergy(a, ds, "w_b", 2, 0, 50), within(1e-6));
        assertThat(wb.fit().meanEnergies()[1]).isCloseTo(wholeModelEnergy(a, ds, "w_b", 6, 150, 200), within(1e-9));
        for (TensorCalibration w : cal.weights()) {
            assertThat(w.fit().gain()).as(w.name()).isPositive();
            assertIncreasing(w.robustness());
        }
        for (CutCalibration c : cal.cuts()) {
            assertIncreasing(c.activation().robustness());
        }
        assertThat(cal.correlations().names()).hasSize(cal.weights().size() + cal.cuts().size());
        assertThat(cal.calibrationSeconds()).isPositive();
        assertThat(cal.floatPassSeconds()).isPositive();
    }

    @Test
    void injectionRunsEveryBitWidthOnEverySample() {
        CutAnalysis a = analyse(GraphFixtures.shapeComputing());
        Dataset ds = selfLabelled(a, new long[]{1, 4, 4}, 60, 9);
        Calibration cal = Calibrator.calibrate(a, ds, settings(Estimator.INJECT), pool, Progress.NONE);
        assertThat(cal.estimator()).isEqualTo("inject");
        TensorCalibration k2 = cal.weight("k2");
        assertThat(k2.fit().meanEnergies()[0]).isCloseTo(wholeModelEnergy(a, ds, "k2", 4, 0, 60), within(1e-6));
        assertThat(k2.energy().lowEnergies()[1]).isCloseTo(wholeModelEnergy(a, ds, "k2", 3, 0, 60), within(1e-6));
    }

    static void assertIncreasing(RobustnessCurve t) {
        for (int i = 1; i < t.size(); i++) {
            assertThat(t.energy(i)).isGreaterThanOrEqualTo(t.energy(i - 1));
        }
    }

    @Test
    void bundledMlpHasPositiveGainsLawLikeSlopesAndGrowingRobustness() throws Exception {
        Onnx.Model m = OnnxModels.read(Path.of("..", "models", "mlp.onnx"));
        CutAnalysis a = analyse(m);
        Dataset ds = DatasetReader.read(Path.of("..", "data", "mnist-cal.npz"), null).first(200).reshapedTo("input", new long[]{-1, 784});
        List<String> seen = new java.util.ArrayList<>();
        Progress progress = new Progress() {
            @Override
            public void start(long steps) {
                seen.add("start " + steps);
            }

            @Override
            public synchronized void step() {
                seen.add("step");
            }
        };
        Calibration cal = Calibrator.calibrate(a, ds, settings(Estimator.SCALED).withFullBits(new int[]{3}), pool, progress);
        // per weight: one run per sample group (2, 3, 4, 6 bits) and one at 3 bits over every sample
        assertThat(seen.get(0)).isEqualTo("start " + (1 + 3 * 5 + a.cuts().size()));
        assertThat(seen).hasSize(1 + 1 + 3 * 5 + a.cuts().size());
        boolean[] floatRight = wholeModelRight(a, ds, null, 32);
        for (TensorCalibration w : cal.weights()) {
            assertThat(w.measured()).extracting(MeasuredDrop::bits).containsExactly(2, 3, 4, 6);
            assertThat(w.measured()).extracting(MeasuredDrop::samples).containsExactly(50, 200, 50, 50);
            // the 3-bit drop over every sample, counted against a whole-model run
            boolean[] right = wholeModelRight(a, ds, w.name(), 3);
            int gained = 0;
            int fixed = 0;
            for (int i = 0; i < right.length; i++) {
                gained += floatRight[i] && !right[i] ? 1 : 0;
                fixed += !floatRight[i] && right[i] ? 1 : 0;
            }
            assertThat(w.measured().get(1)).isEqualTo(new MeasuredDrop(3, 200, gained, fixed));
        }
        assertThat(cal.floatAccuracy()).isGreaterThan(0.9);
        for (TensorCalibration w : cal.weights()) {
            assertThat(w.fit().gain()).as(w.name()).isPositive();
            // SPEC §4 linearity: slope -ln 4 = -1.386; loose, 50 samples per bit-width
            assertThat(w.fit().slope()).as(w.name()).isBetween(-3.0, -0.5);
            assertIncreasing(w.robustness());
            assertThat(w.robustness().energy(w.robustness().size() - 1)).isGreaterThan(w.robustness().energy(0));
        }
        for (CutCalibration c : cal.cuts()) {
            if (c.index() > 0) { // the input is exactly representable at high bit-widths
                assertThat(c.activation().fit().slope()).as("cut %d", c.index()).isBetween(-3.0, -0.5);
            }
        }
    }

    @Test
    void badInputIsRefusedWithOneLine() {
        CutAnalysis chain = analyse(GraphFixtures.chain());
        Dataset empty = Dataset.of(new long[]{8}, new float[0], new int[0]);
        assertThatThrownBy(() -> Calibrator.calibrate(chain, empty, settings(Estimator.SCALED), pool, Progress.NONE))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("calibration set is empty");
        Dataset wrong = Dataset.of(new long[]{5}, new float[10], new int[2]);
        assertThatThrownBy(() -> Calibrator.calibrate(chain, wrong, settings(Estimator.SCALED), pool, Progress.NONE))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("5 values per sample").hasMessageContaining("expects 8");
        Dataset tiny = Dataset.of(new long[]{8}, new float[24], new int[3]);
        assertThatThrownBy(() -> Calibrator.calibrate(chain, tiny, settings(Estimator.SCALED), pool, Progress.NONE))
                .hasMessageContaining("at least 4 calibration samples");
        Onnx.Model noWeights = new GraphFixtures.Builder(4).input("x", -1, 8).output("y", -1, 8)
                .node("Relu", List.of("x"), List.of("y")).build();
        CutAnalysis plain = analyse(noWeights);
        Dataset ds = Dataset.of(new long[]{8}, new float[16], new int[2]);
        assertThatThrownBy(() -> Calibrator.calibrate(plain, ds, settings(Estimator.SCALED), pool, Progress.NONE))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no quantizable weight tensor");
    }
}
