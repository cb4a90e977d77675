package io.qpart.onnx.quant;

import io.qpart.core.wire.HeadContainer;
import io.qpart.core.wire.WireTensor;
import io.qpart.onnx.graph.Cut;
import io.qpart.onnx.graph.CutAnalysis;
import io.qpart.onnx.graph.SplitBuilder;
import io.qpart.onnx.graph.SplitModel;
import io.qpart.onnx.graph.WeightRef;
import io.qpart.onnx.model.Tensors;
import io.qpart.onnx.proto.Onnx;
import io.qpart.onnx.runtime.HostTensor;
import io.qpart.onnx.runtime.OnnxSession;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.qpart.onnx.testing.BundledModel;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The head's graph structure travels compacted (SPEC §3 payload) and computes exactly what the head computes. */
class HeadCodecTest {

    @ParameterizedTest
    @ValueSource(strings = {"mlp", "cnn", "resnet", "dwcnn", "vit"})
    void compactedHeadsComputeTheSameOutputsBitForBitAndKeepTheirInterfaceNames(String name) throws Exception {
        BundledModel bm = BundledModel.load(name, 16);
        Onnx.Model model = bm.model();
        CutAnalysis analysis = bm.analysis();
        String input = bm.input();
        HostTensor x = bm.batch();
        for (Cut cut : analysis.cuts()) {
            SplitModel s = SplitBuilder.split(analysis, cut);
            if (s.headIsEmpty()) {
                continue;
            }
            Map<String, Integer> bits = new HashMap<>();
            for (WeightRef w : cut.headWeights()) {
                bits.put(w.name(), 5);
            }
            HeadContainer c = HeadCodec.pack(s.head(), name, "00".repeat(32), cut, new BitWidths(bits));
            Onnx.Model unpacked = HeadCodec.unpack(HeadContainer.decode(c.encode()), false);

            // reference: the uncompacted head with the same reconstructed weights
            Onnx.Graph.Builder ref = s.head().getGraph().toBuilder().clearInitializer();
            for (Onnx.Tensor t : s.head().getGraph().getInitializerList()) {
                WireTensor w = t.getDataType() == Tensors.FLOAT ? c.tensor(t.getName()).orElseThrow() : null;
                ref.addInitializer(w == null ? t : Tensors.floatTensor(t.getName(), w.shape(), w.values()));
            }
            Map<String, float[]> expected = run(s.head().toBuilder().setGraph(ref).build(), input, x);
            Map<String, float[]> got = run(unpacked, input, x);
            assertThat(got.keySet()).as("%s cut %d outputs", name, cut.index()).isEqualTo(Set.copyOf(cut.tensors()));
            for (String t : cut.tensors()) {
                assertThat(got.get(t)).as("%s cut %d, %s", name, cut.index(), t).isEqualTo(expected.get(t));
            }

            Onnx.Graph g = unpacked.getGraph();
            assertThat(g.getInput(0).getName()).isEqualTo(input);
            Set<String> containerNames = new HashSet<>();
            c.tensors().forEach(t -> containerNames.add(t.name()));
            for (Onnx.Tensor t : s.head().getGraph().getInitializerList()) {
                if (t.getDataType() == Tensors.FLOAT) {
                    assertThat(containerNames).contains(t.getName());
                }
            }
            assertThat(g.getValueInfoCount()).isZero();
            assertThat(g.getNodeList()).allSatisfy(n -> assertThat(n.getName()).isEmpty());
            // the compacted structure is smaller than the head's own structure, deflated the same way
            Onnx.Model plain = s.head().toBuilder().setGraph(s.head().getGraph().toBuilder().clearInitializer()
                    .addAllInitializer(s.head().getGraph().getInitializerList().stream().filter(t -> t.getDataType() != Tensors.FLOAT).toList()))
                    .build();
            assertThat(c.graph().length).as("%s cut %d graph bytes", name, cut.index()).isLessThan(HeadCodec.deflate(plain.toByteArray()).length);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 51, 52, 53, 2755, 2756})
    void shortNamesAreDistinctIdentifiersThatAvoidNamesInUse(int skip) {
        Set<String> taken = Set.of("a", "b", "Z", "aa");
        HeadCodec.ShortNames names = new HeadCodec.ShortNames(taken);
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < skip + 3000; i++) {
            String n = names.next();
            assertThat(n).matches("[A-Za-z]+").isNotIn(taken);
            assertThat(seen.add(n)).as("repeated %s", n).isTrue();
        }
    }

    private static Map<String, float[]> run(Onnx.Model m, String input, HostTensor x) {
        try (OnnxSession s = OnnxSession.create(m.toByteArray(), 1)) {
            Map<String, float[]> out = new HashMap<>();
            s.run(Map.of(input, x)).forEach((k, v) -> out.put(k, v.floats()));
            return out;
        }
    }
}
