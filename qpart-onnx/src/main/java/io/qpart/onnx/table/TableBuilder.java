package io.qpart.onnx.table;

import io.qpart.core.data.Dataset;
import io.qpart.core.format.FormatException;
import io.qpart.core.optimize.BitAllocation;
import io.qpart.core.optimize.BitAllocationProblem;
import io.qpart.core.optimize.BitAllocator;
import io.qpart.core.optimize.TensorTerm;
import io.qpart.core.table.HeadTensor;
import io.qpart.core.table.PlanTable;
import io.qpart.core.table.Planner;
import io.qpart.core.table.TableCut;
import io.qpart.core.table.TableEntry;
import io.qpart.core.wire.HeadContainer;
import io.qpart.core.wire.TensorSpec;
import io.qpart.onnx.graph.Cut;
import io.qpart.onnx.graph.CutAnalysis;
import io.qpart.onnx.graph.SplitBuilder;
import io.qpart.onnx.graph.SplitModel;
import io.qpart.onnx.graph.ValueProfile;
import io.qpart.onnx.graph.WeightRef;
import io.qpart.onnx.model.Tensors;
import io.qpart.onnx.proto.Onnx;
import io.qpart.onnx.quant.ActivationQuantizer;
import io.qpart.onnx.quant.BitWidths;
import io.qpart.onnx.quant.HeadCodec;
import io.qpart.onnx.runtime.Evaluation;
import io.qpart.onnx.runtime.OnnxSession;
import io.qpart.onnx.runtime.Pipeline;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.IntConsumer;

/** Algorithm 1 of SPEC §7 for one model. */
public final class TableBuilder {
    /** Activation bit-widths stored per (cut, Δa): the lookup picks the best for each query. */
    public static final int[] DEFAULT_ACTIVATION_BITS = {4, 6, 8};
    /** Each failed verification multiplies G by this. */
    static final double TIGHTEN = 0.7;
    /** Verification attempts per entry before it is dropped as unverifiable. */
    static final int MAX_ATTEMPTS = 8;
    /**
     * After an entry verifies, G is raised by 40% (at most {@link #MAX_LOOSEN} times) while the measured
     * drop stays within this share of Δa: the accuracy model is conservative on small models,
     * and measurement, not the model, is what the table promises. The headroom left (a quarter
     * of Δa) absorbs the difference between the calibration set and unseen data.
     */
    static final double LOOSEN_MARGIN = 0.75;
    static final int MAX_LOOSEN = 6;
    static final double LOOSEN = 1.4;
    private static final double ALPHA = Math.log(4);

    /** Settings of a build. */
    public record Settings(double[] drops, int[] activationBits, int threads, int batch) {
        public Settings {
            drops = drops.clone();
            activationBits = activationBits.clone();
            if (threads < 1 || batch < 1) {
                throw new IllegalArgumentException("threads and batch must be >= 1");
            }
        }
    }

    private final CutAnalysis analysis;
    private final String modelName;
    private final String modelSha256;
    private final GainSource gains;
    private final Dataset data;
    private final String input;
    private final Settings settings;
    private final int baselineCorrect;

    public TableBuilder(CutAnalysis analysis, String modelName, String modelSha256, GainSource gains, Dataset calibration, Settings settings) {
        this.analysis = analysis;
        this.modelName = modelName;
        this.modelSha256 = modelSha256;
        this.gains = gains;
        this.data = calibration;
        this.input = analysis.graph().inputs().get(0);
        this.settings = settings;
        try (Pipeline whole = Pipeline.whole(OnnxSession.create(analysis.graph().model().toByteArray(), settings.threads()))) {
            this.baselineCorrect = correct(whole);
        }
    }

    /** Float accuracy on the calibration set, the reference every drop is measured against. */
    public double floatAccuracy() {
        return baselineCorrect / (double) data.size();
    }

    /** Builds the table; {@code progress} receives the number of entries finished. */
    public PlanTable build(Map<String, String> provenance, IntConsumer progress) {
        List<TableCut> cuts = new ArrayList<>();
        int done = 0;
        for (Cut c : analysis.cuts()) {
            SplitModel split = SplitBuilder.split(analysis, c);
            List<HeadTensor> headTensors = new ArrayList<>();
            java.util.Set<String> quantizable = new java.util.HashSet<>();
            c.headWeights().forEach(w -> quantizable.add(w.name()));
            for (Onnx.Tensor t : split.head().getGraph().getInitializerList()) {
                if (t.getDataType() == Tensors.FLOAT) {
                    headTensors.add(new HeadTensor(t.getName(), t.getDimsList().stream().mapToLong(Long::longValue).toArray(),
                            quantizable.contains(t.getName())));
                }
            }
            List<TensorSpec> crossing = new ArrayList<>();
            for (String t : c.tensors()) {
                ValueProfile vp = analysis.profile().get(t);
                crossing.add(new TensorSpec(t, vp.shape(), 32));
            }
            Map<String, double[]> weightGains = new TreeMap<>();
            for (WeightRef w : c.headWeights()) {
                weightGains.put(w.name(), gains.weightGains(w.name()));
            }
            double[] actGains = gains.activationGains(c.index());
            HeadContainer layout = split.headIsEmpty() ? null : HeadCodec.pack(split.head(), modelName, modelSha256, c, new BitWidths(Map.of()));
            List<TableEntry> entries = new ArrayList<>();
            TableCut shape = new TableCut(c.index(), c.tensors(), c.elements(), c.headMacs(), c.tailMacs(), modelName,
                    layout == null ? new TreeMap<>() : layout.metadata(), layout == null ? 0 : layout.graph().length, headTensors, crossing,
                    weightGains, actGains, List.of());
            try (OnnxSession tail = split.tailIsEmpty() ? null : OnnxSession.create(split.tail().toByteArray(), settings.threads())) {
                for (int level = 0; level < settings.drops().length; level++) {
                    for (int aBits : settings.activationBits()) {
                        TableEntry e = solveAndVerify(shape, split, tail, c, level, aBits);
                        if (e != null) {
                            entries.add(e);
                        }
                        progress.accept(++done);
                    }
                }
            }
            cuts.add(new TableCut(c.index(), c.tensors(), c.elements(), c.headMacs(), c.tailMacs(), modelName, shape.metadata(),
                    shape.graphBytes(), headTensors, crossing, weightGains, actGains, entries));
        }
        return new PlanTable(PlanTable.VERSION, modelName, modelSha256, provenance, settings.drops(), cuts);
    }

    /** Total entries a build solves (for progress bars). */
    public int entryCount() {
        return analysis.cuts().size() * settings.drops().length * settings.activationBits().length;
    }

    /** A solved configuration with its measured drop. */
    private record Trial(Map<String, Integer> bits, double g, double measured, long download, String id) {
    }

    private Trial trial(TableCut cut, SplitModel split, OnnxSession tail, Cut c, int level, int aBits, double g) {
        Map<String, Integer> bits = solve(cut, level, aBits, g);
        if (bits == null) {
            return null;
        }
        BitWidths widths = new BitWidths(bits);
        Onnx.Model head = null;
        long download = 0;
        String id = "";
        if (!split.headIsEmpty()) {
            HeadContainer container = HeadCodec.pack(split.head(), modelName, modelSha256, c, widths);
            try {
                head = HeadCodec.unpack(HeadContainer.decode(container.encode()), false);
            } catch (FormatException e) {
                throw new IllegalStateException("a freshly packed head failed to decode: " + e.getMessage(), e);
            }
            download = container.byteSize();
            id = container.id();
        }
        return new Trial(bits, g, measureDrop(head, tail, split, aBits), download, id);
    }

    private TableEntry solveAndVerify(TableCut cut, SplitModel split, OnnxSession tail, Cut c, int level, int aBits) {
        double drop = settings.drops()[level];
        Trial ok = null;
        double g = 1.0;
        for (int attempt = 0; attempt < MAX_ATTEMPTS && ok == null; attempt++, g *= TIGHTEN) {
            Trial t = trial(cut, split, tail, c, level, aBits, g);
            if (t == null) {
                return null;
            }
            if (t.measured() <= drop + 1e-12) {
                ok = t;
            }
        }
        if (ok == null) {
            return null;
        }
        for (int i = 0; i < MAX_LOOSEN && ok.measured() <= LOOSEN_MARGIN * drop; i++) {
            Trial t = trial(cut, split, tail, c, level, aBits, ok.g() * LOOSEN);
            if (t == null || t.measured() > LOOSEN_MARGIN * drop || t.download() >= ok.download() && t.bits().equals(ok.bits())) {
                break;
            }
            ok = t;
        }
        double predicted = Planner.predictedDrop(settings.drops(), cut, ok.bits(), aBits);
        return new TableEntry(drop, aBits, ok.bits(), ok.g(), predicted, ok.measured(), ok.download(), cut.uploadBytes(aBits), ok.id());
    }

    /**
     * SPEC §6 with the activation bits fixed: the weights get the budget the activation leaves,
     * cost per bit proportional to the element count (the query-independent part, which is
     * what makes the table exact). Null when the activation alone exceeds the budget.
     */
    private static Map<String, Integer> solve(TableCut cut, int level, int aBits, double g) {
        double activation = aBits >= 32 ? 0 : cut.activationGains()[level] * Math.exp(-ALPHA * aBits);
        double budget = g - activation;
        if (budget <= 0) {
            return null;
        }
        List<String> names = cut.weights();
        Map<String, Integer> bits = new LinkedHashMap<>();
        if (names.isEmpty()) {
            return bits;
        }
        Map<String, double[]> gains = cut.weightGains();
        Map<String, Long> sizes = new LinkedHashMap<>();
        cut.headTensors().forEach(t -> sizes.put(t.name(), t.elements()));
        List<TensorTerm> terms = new ArrayList<>();
        for (String n : names) {
            long s = sizes.get(n);
            terms.add(TensorTerm.of(s, s, gains.get(n)[level]));
        }
        BitAllocation a = BitAllocator.solve(new BitAllocationProblem(terms, budget, ALPHA));
        if (!a.feasible()) {
            return null;
        }
        int[] b = a.bits();
        for (int j = 0; j < names.size(); j++) {
            bits.put(names.get(j), b[j]);
        }
        return bits;
    }

    private double measureDrop(Onnx.Model head, OnnxSession tail, SplitModel split, int aBits) {
        OnnxSession h = head == null ? null : OnnxSession.create(head.toByteArray(), settings.threads());
        // the tail session is shared across entries: wrap it so the pipeline does not close it
        Pipeline p = Pipeline.split(h, null, split.crossing(), new ActivationQuantizer(aBits));
        try {
            Pipeline full = new Pipeline() {
                @Override
                public Map<String, io.qpart.onnx.runtime.HostTensor> run(Map<String, io.qpart.onnx.runtime.HostTensor> inputs) {
                    Map<String, io.qpart.onnx.runtime.HostTensor> sent = p.run(inputs);
                    return tail == null ? sent : tail.run(sent);
                }

                @Override
                public void close() {
                    p.close();
                }
            };
            try (full) {
                return (baselineCorrect - correct(full)) / (double) data.size();
            }
        } finally {
            if (h != null) {
                h.close();
            }
        }
    }

    private int correct(Pipeline p) {
        Evaluation.Predictions pred = Evaluation.predict(p, input, data.inputs(), data.sampleShape(), data.size(), settings.batch(), false);
        return Evaluation.score(pred.classes(), data.labels()).correct();
    }
}
