package io.qpart.onnx.table;

import io.qpart.core.data.Dataset;
import io.qpart.core.data.DatasetReader;
import io.qpart.core.table.PlanTable;
import io.qpart.core.table.TableCut;
import io.qpart.core.table.TableEntry;
import io.qpart.core.wire.HeadContainer;
import io.qpart.onnx.graph.Cut;
import io.qpart.onnx.graph.CutAnalysis;
import io.qpart.onnx.graph.ModelGraph;
import io.qpart.onnx.graph.ShapeProfile;
import io.qpart.onnx.graph.SplitBuilder;
import io.qpart.onnx.graph.SplitModel;
import io.qpart.onnx.model.OnnxModels;
import io.qpart.onnx.proto.Onnx;
import io.qpart.onnx.quant.ActivationQuantizer;
import io.qpart.onnx.quant.BitWidths;
import io.qpart.onnx.quant.HeadCodec;
import io.qpart.onnx.runtime.Evaluation;
import io.qpart.onnx.runtime.OnnxSession;
import io.qpart.onnx.runtime.Pipeline;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** SPEC §7 Algorithm 1 on the bundled MLP: every stored entry, re-measured independently, keeps its bound within Δa. */
class TableBuilderTest {
    static final Path ROOT = Path.of("..");
    static final double[] DROPS = {0.01, 0.02};

    @Test
    void everyEntryVerifiesWhenMeasuredAgain() throws Exception {
        Onnx.Model model = OnnxModels.read(ROOT.resolve("models/mlp.onnx"));
        ModelGraph graph = ModelGraph.of(model);
        CutAnalysis analysis = CutAnalysis.of(graph, ShapeProfile.measure(graph, 1));
        String input = graph.inputs().get(0);
        Dataset ds = DatasetReader.read(ROOT.resolve("data/mnist-cal.npz"), null).first(400).reshapedTo(input, new long[]{-1, 784});
        // an optimistic accuracy model (small gains, 4 bits at G = 1): the verification has to tighten G
        GainSource gains = new GainSource() {
            @Override
            public double[] weightGains(String tensor) {
                return new double[]{50, 25};
            }

            @Override
            public double[] activationGains(int cut) {
                return new double[]{50, 25};
            }
        };
        TableBuilder b = new TableBuilder(analysis, "mlp", "00".repeat(32), gains, ds, new TableBuilder.Settings(DROPS, new int[]{8}, 1, 200));
        PlanTable t = b.build(Map.of(), done -> { });
        boolean[] floatCorrect = correct(Pipeline.whole(OnnxSession.create(model.toByteArray(), 1)), input, ds);
        int entries = 0;
        for (TableCut tc : t.cuts()) {
            Cut c = analysis.cut(tc.index());
            SplitModel s = SplitBuilder.split(analysis, c);
            for (TableEntry e : tc.entries()) {
                entries++;
                OnnxSession head = null;
                if (!s.headIsEmpty()) {
                    HeadContainer h = HeadCodec.pack(s.head(), "mlp", "00".repeat(32), c, new BitWidths(e.bits()));
                    assertThat(h.byteSize()).isEqualTo(e.downloadBytes()).isEqualTo(tc.downloadBytes(e.bits()));
                    head = OnnxSession.create(HeadCodec.unpack(HeadContainer.decode(h.encode()), false).toByteArray(), 1);
                }
                OnnxSession tail = s.tailIsEmpty() ? null : OnnxSession.create(s.tail().toByteArray(), 1);
                PairedDrop d = PairedDrop.of(floatCorrect, correct(Pipeline.split(head, tail, s.crossing(), new ActivationQuantizer(8)), input, ds));
                assertThat(d.measured()).as("cut %d, dA %s", tc.index(), e.drop()).isEqualTo(e.calibrationDrop());
                assertThat(d.upperBound(TableBuilder.DEFAULT_CONFIDENCE)).as("cut %d, dA %s", tc.index(), e.drop()).isLessThanOrEqualTo(e.drop());
            }
        }
        // the full-local cut has a verified entry at both levels
        TableCut last = t.cuts().get(t.cuts().size() - 1);
        assertThat(last.entries()).hasSize(2);
        assertThat(entries).isGreaterThanOrEqualTo(2 * (t.cuts().size() - 1));
        assertThat(b.floatAccuracy()).isGreaterThan(0.9);
        assertThat(t.cuts().stream().flatMap(tc -> tc.entries().stream())).as("some entry needed a tighter G").anyMatch(e -> e.budget() < 1);
    }

    private static boolean[] correct(Pipeline p, String input, Dataset ds) {
        try (p) {
            int[] classes = Evaluation.predict(p, input, ds.inputs(), ds.sampleShape(), ds.size(), 200, false).classes();
            boolean[] ok = new boolean[classes.length];
            for (int i = 0; i < ok.length; i++) {
                ok[i] = classes[i] == ds.label(i);
            }
            return ok;
        }
    }
}
