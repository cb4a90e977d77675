package io.qpart.onnx.graph;

import io.qpart.onnx.model.OnnxModels;
import io.qpart.onnx.proto.Onnx;
import io.qpart.onnx.runtime.HostTensor;
import io.qpart.onnx.runtime.OnnxSession;
import io.qpart.onnx.runtime.Pipeline;
import io.qpart.onnx.testing.GraphFixtures;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SplitFixturesTest {

    private static CutAnalysis analyse(Onnx.Model m) {
        Onnx.Model parsed = OnnxModels.parse(m.toByteArray(), "fixture");
        ModelGraph g = ModelGraph.of(parsed);
        return CutAnalysis.of(g, ShapeProfile.measure(g, 1));
    }

    private static HostTensor random(long seed, long... shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        float[] v = new float[(int) n];
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return HostTensor.ofFloats(shape, v);
    }

    /** Every cut's head + tail reproduces the whole model on a batch of 3. */
    private static void assertEveryCutComposes(CutAnalysis a, String input, HostTensor x) {
        float[] expected;
        try (OnnxSession whole = OnnxSession.create(a.graph().model().toByteArray(), 1)) {
            expected = whole.run(Map.of(input, x)).values().iterator().next().floats();
        }
        for (Cut cut : a.cuts()) {
            SplitModel s = SplitBuilder.split(a, cut);
            OnnxSession head = s.headIsEmpty() ? null : OnnxSession.create(s.head().toByteArray(), 1);
            OnnxSession tail = s.tailIsEmpty() ? null : OnnxSession.create(s.tail().toByteArray(), 1);
            try (Pipeline p = Pipeline.split(head, tail, s.crossing(), null)) {
                float[] got = p.run(Map.of(input, x)).values().iterator().next().floats();
                assertThat(got).as("cut %d", cut.index()).hasSameSizeAs(expected);
                for (int i = 0; i < got.length; i++) {
                    assertThat(Math.abs(got[i] - expected[i])).as("cut %d element %d", cut.index(), i).isLessThanOrEqualTo(1e-5f);
                }
            }
            // the empty halves are still models that ONNX Runtime loads
            try (OnnxSession h = OnnxSession.create(s.head().toByteArray(), 1); OnnxSession t = OnnxSession.create(s.tail().toByteArray(), 1)) {
                assertThat(h.outputNames()).containsExactlyInAnyOrderElementsOf(cut.tensors());
                assertThat(t.inputNames()).containsExactlyInAnyOrderElementsOf(cut.tensors());
            }
        }
    }

    @Test
    void chainCutsBetweenLayers() {
        CutAnalysis a = analyse(GraphFixtures.chain());
        // Gemm+Relu pairs merge: cuts after a1, after a2, plus offload and local
        assertThat(a.cuts()).extracting(Cut::tensors).containsExactly(List.of("x"), List.of("a1"), List.of("a2"), List.of("logits"));
        assertThat(a.cuts()).extracting(Cut::elements).containsExactly(8L, 16L, 12L, 4L);
        long total = 8 * 16 + 16 + 16 * 12 + 12 + 12 * 4; // Gemm: out x K; Relu: one op per element
        assertThat(a.totalMacs()).isEqualTo(total);
        assertThat(a.cut(1).headMacs()).isEqualTo(8 * 16 + 16);
        assertThat(a.cut(1).tailMacs()).isEqualTo(total - a.cut(1).headMacs());
        assertThat(a.cut(1).headWeights()).extracting(WeightRef::name).containsExactly("w1");
        assertThat(a.cut(1).headParams()).isEqualTo(8 * 16 + 16);
        assertThat(a.cut(3).headWeights()).extracting(WeightRef::name).containsExactly("w1", "w2", "w3");
        assertThat(a.cut(0).headMacs()).isZero();
        assertEveryCutComposes(a, "x", random(11, 3, 8));
    }

    @Test
    void residualBranchOffersOnlySingleTensorCuts() {
        CutAnalysis a = analyse(GraphFixtures.residual());
        // inside the block both h and the branch cross: no cut there
        assertThat(a.cuts()).extracting(Cut::tensors).containsExactly(List.of("x"), List.of("h"), List.of("r2"), List.of("logits"));
        assertEveryCutComposes(a, "x", random(12, 3, 8));
    }

    @Test
    void shapeOnlyValuesAreNotActivationsAndAreRecomputedOnTheTail() {
        CutAnalysis a = analyse(GraphFixtures.shapeComputing());
        ModelGraph g = a.graph();
        assertThat(g.isActivationValue("a_shape")).isFalse();
        assertThat(g.isActivationValue("flat_shape")).isFalse();
        assertThat(a.cuts()).extracting(Cut::tensors).containsExactly(List.of("img"), List.of("a"), List.of("flat"), List.of("g"), List.of("logits"));
        SplitModel s = SplitBuilder.split(a, a.cut(2));
        assertThat(s.tail().getGraph().getNodeList()).extracting(Onnx.Node::getOpType).doesNotContain("Conv");
        assertThat(s.tail().getGraph().getInputList()).extracting(Onnx.ValueInfo::getName).containsExactly("flat");
        // the output shape comes from Shape(a), a head-side value: rebuilt from the batch of 'flat'
        assertThat(s.tail().getGraph().getNodeList()).extracting(Onnx.Node::getOpType).contains("Slice", "Mul", "Add").doesNotContain("Conv", "Relu");
        assertEveryCutComposes(a, "img", random(13, 3, 1, 4, 4));
    }

    @Test
    void cutOutOfRangeNamesTheValidRange() {
        CutAnalysis a = analyse(GraphFixtures.chain());
        assertThatThrownBy(() -> a.cut(9)).isInstanceOf(IllegalArgumentException.class).hasMessage("cut 9 is out of range: this model has cuts 0..3");
    }
}
