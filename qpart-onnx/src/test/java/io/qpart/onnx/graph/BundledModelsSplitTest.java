package io.qpart.onnx.graph;

import io.qpart.onnx.model.OnnxModels;
import io.qpart.onnx.proto.Onnx;
import io.qpart.onnx.runtime.HostTensor;
import io.qpart.onnx.runtime.OnnxSession;
import io.qpart.onnx.runtime.Pipeline;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.qpart.onnx.testing.BundledModel;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** SPEC §2: for every cut of every bundled model, head then tail reproduces the whole model on real digits. */
class BundledModelsSplitTest {

    @ParameterizedTest
    @ValueSource(strings = {"mlp", "cnn", "resnet", "dwcnn", "vit"})
    void everyCutReproducesTheWholeModel(String name) throws Exception {
        BundledModel bm = BundledModel.load(name, 64);
        Onnx.Model model = bm.model();
        CutAnalysis analysis = bm.analysis();
        String input = bm.input();
        HostTensor x = bm.batch();

        float[] expected;
        try (OnnxSession whole = OnnxSession.create(model.toByteArray(), 2)) {
            expected = whole.run(Map.of(input, x)).values().iterator().next().floats();
        }
        assertThat(analysis.cuts().size()).as("cuts of %s", name).isGreaterThanOrEqualTo(3);
        for (Cut cut : analysis.cuts()) {
            SplitModel s = SplitBuilder.split(analysis, cut);
            // the halves are standalone: serialise, parse back, run
            Onnx.Model head = OnnxModels.parse(s.head().toByteArray(), "head");
            Onnx.Model tail = OnnxModels.parse(s.tail().toByteArray(), "tail");
            try (Pipeline p = Pipeline.split(s.headIsEmpty() ? null : OnnxSession.create(head.toByteArray(), 2),
                    s.tailIsEmpty() ? null : OnnxSession.create(tail.toByteArray(), 2), s.crossing(), null)) {
                float[] got = p.run(Map.of(input, x)).values().iterator().next().floats();
                assertThat(got).hasSameSizeAs(expected);
                float maxDiff = 0;
                for (int i = 0; i < got.length; i++) {
                    maxDiff = Math.max(maxDiff, Math.abs(got[i] - expected[i]));
                }
                assertThat(maxDiff).as("%s cut %d (%s): max abs difference", name, cut.index(), cut.tensors()).isLessThanOrEqualTo(1e-4f);
            }
        }
    }
}
