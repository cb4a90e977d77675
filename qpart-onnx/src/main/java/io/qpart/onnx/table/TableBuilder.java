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
import io.qpart.onnx.runtime.HostTensor;
import io.qpart.onnx.runtime.OnnxSession;
import io.qpart.onnx.runtime.Pipeline;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.IntConsumer;

/** Algorithm 1 of SPEC §7 for one model. */
public final class TableBuilder {
    /** Activation bit-widths stored per (cut, Δa): the lookup picks the best for each query. */
    public static final int[] DEFAULT_ACTIVATION_BITS = {2, 3, 4, 6, 8};
    /** Each failed verification multiplies G by this. */
    static final double TIGHTEN = 0.7;
    /**
     * Verification attempts per entry before it is dropped as unverifiable: 0.7^15 ≈ 0.005, about
     * 3.8 more bits on every weight than G = 1, enough to reach a configuration that changes
     * almost no prediction.
     */
    static final int MAX_ATTEMPTS = 16;
    /**
     * After an entry verifies at G = 1, G is raised by 40% (at most {@link #MAX_LOOSEN} times)
     * while the entry still verifies: the accuracy model is conservative on small models, and
     * measurement, not the model, is what the table promises.
     */
    static final int MAX_LOOSEN = 6;
    static final double LOOSEN = 1.4;
    /**
     * Then G is bisected (geometrically) this many times between the last G that verified and
     * the first that did not, so that the step of 1.4 (or 1 / 0.7) does not waste the headroom.
     */
    static final int REFINE = 2;
    /** Default confidence of the verification's upper bound (ours, see {@link PairedDrop}). */
    public static final double DEFAULT_CONFIDENCE = 0.95;
    private static final double ALPHA = Math.log(4);

    /**
     * Settings of a build.
     *
     * @param confidence an entry verifies when the one-sided upper confidence bound of its drop
     *                   at this level, measured on the calibration digits, is at most Δa
     *                   ({@link PairedDrop#upperBound(double)}); in (0.5, 1)
     */
    public record Settings(double[] drops, int[] activationBits, int threads, int batch, double confidence) {
        public Settings {
            drops = drops.clone();
            activationBits = activationBits.clone();
            if (activationBits.length == 0 || java.util.Arrays.stream(activationBits).distinct().count() != activationBits.length) {
                throw new IllegalArgumentException("activation bit-widths must be a non-empty list without repeats, was "
                        + java.util.Arrays.toString(activationBits));
            }
            for (int a : activationBits) {
                if (!((a >= 2 && a <= 16) || a == 32)) {
                    throw new IllegalArgumentException("activation bit-widths must be 2..16 or 32 (float32), found " + a);
                }
            }
            if (threads < 1 || batch < 1) {
                throw new IllegalArgumentException("threads and batch must be >= 1");
            }
            if (!(confidence > 0.5 && confidence < 1)) {
                throw new IllegalArgumentException("confidence must be in (0.5, 1), was " + confidence);
            }
        }

        /** Settings at {@link #DEFAULT_CONFIDENCE}. */
        public Settings(double[] drops, int[] activationBits, int threads, int batch) {
            this(drops, activationBits, threads, batch, DEFAULT_CONFIDENCE);
        }

        @Override
        public double[] drops() {
            return drops.clone();
        }

        @Override
        public int[] activationBits() {
            return activationBits.clone();
        }
    }

    private final CutAnalysis analysis;
    private final String modelName;
    private final String modelSha256;
    private final GainSource gains;
    private final Dataset data;
    private final String input;
    private final Settings settings;
    private final boolean[] floatCorrect;
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
            this.floatCorrect = correct(whole);
        }
        int n = 0;
        for (boolean ok : floatCorrect) {
            n += ok ? 1 : 0;
        }
        this.baselineCorrect = n;
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
                // a configuration measured once is not measured again: levels of one cut often solve to the same bits
                Map<String, Trial> measured = new HashMap<>();
                for (int level = 0; level < settings.drops().length; level++) {
                    boolean certifiable = settings.drops()[level] >= smallestCertifiableDrop();
                    for (int aBits : settings.activationBits()) {
                        TableEntry e = certifiable ? solveAndVerify(shape, split, tail, c, level, aBits, measured) : null;
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

    /**
     * The smallest Δa an entry can verify with on these calibration digits: the upper bound of a
     * configuration that changes no prediction ({@link PairedDrop}), z² / (n + z²). A level below
     * it gets no entries: a configuration could pass only by gaining digits by chance, which is
     * the noise the bound is there to keep out.
     */
    public double smallestCertifiableDrop() {
        return new PairedDrop(0, 0, data.size()).upperBound(settings.confidence());
    }

    /** Total entries a build solves (for progress bars). */
    public int entryCount() {
        return analysis.cuts().size() * settings.drops().length * settings.activationBits().length;
    }

    /** A solved configuration with its paired comparison against the float model. */
    private record Trial(Map<String, Integer> bits, double g, PairedDrop drop, long download, String id) {
        Trial at(double newG) {
            return new Trial(bits, newG, drop, download, id);
        }
    }

    private Trial trial(TableCut cut, SplitModel split, OnnxSession tail, Cut c, int level, int aBits, double g, Map<String, Trial> measured) {
        Map<String, Integer> bits = solve(cut, level, aBits, g);
        if (bits == null) {
            return null;
        }
        String key = aBits + " " + new TreeMap<>(bits);
        Trial known = measured.get(key);
        if (known != null) {
            return known.at(g);
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
        Trial t = new Trial(bits, g, measureDrop(head, tail, split, aBits), download, id);
        measured.put(key, t);
        return t;
    }

    /** SPEC §7 verification: the upper confidence bound of the drop on the calibration digits meets Δa. */
    private boolean verifies(Trial t, double drop) {
        return t != null && t.drop().upperBound(settings.confidence()) <= drop + 1e-12;
    }

    /**
     * Algorithm 1's verification loop for one entry. G starts at 1 (SPEC §4). While the entry does
     * not verify, G is multiplied by 0.7; once it verifies at G = 1, G is raised by 40% while it
     * still verifies; finally G is bisected between the last G that verified and the first that
     * did not. Of the configurations that verified, the smallest download is stored.
     */
    private TableEntry solveAndVerify(TableCut cut, SplitModel split, OnnxSession tail, Cut c, int level, int aBits,
            Map<String, Trial> measured) {
        double drop = settings.drops()[level];
        Trial best = null;
        double g = 1.0;
        double failed = Double.POSITIVE_INFINITY;
        for (int attempt = 0; attempt < MAX_ATTEMPTS && best == null; attempt++) {
            Trial t = trial(cut, split, tail, c, level, aBits, g, measured);
            if (t == null) {
                return null;
            }
            if (verifies(t, drop)) {
                best = t;
            } else {
                failed = g;
                g *= TIGHTEN;
            }
        }
        if (best == null) {
            return null;
        }
        double passed = best.g();
        for (int i = 0; i < MAX_LOOSEN && failed == Double.POSITIVE_INFINITY; i++) {
            Trial t = trial(cut, split, tail, c, level, aBits, passed * LOOSEN, measured);
            if (verifies(t, drop)) {
                passed = t.g();
                best = smaller(best, t);
            } else {
                failed = passed * LOOSEN;
            }
        }
        for (int i = 0; i < REFINE && failed < Double.POSITIVE_INFINITY; i++) {
            double mid = Math.sqrt(passed * failed);
            Trial t = trial(cut, split, tail, c, level, aBits, mid, measured);
            if (verifies(t, drop)) {
                passed = mid;
                best = smaller(best, t);
            } else {
                failed = mid;
            }
        }
        double predicted = Planner.predictedDrop(settings.drops(), cut, best.bits(), aBits);
        return new TableEntry(drop, aBits, best.bits(), best.g(), predicted, best.drop().measured(), best.download(),
                cut.uploadBytes(aBits), best.id());
    }

    private static Trial smaller(Trial a, Trial b) {
        return b.download() < a.download() ? b : a;
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

    private PairedDrop measureDrop(Onnx.Model head, OnnxSession tail, SplitModel split, int aBits) {
        OnnxSession h = head == null ? null : OnnxSession.create(head.toByteArray(), settings.threads());
        // the tail session is shared across entries: wrap it so the pipeline does not close it
        Pipeline p = Pipeline.split(h, null, split.crossing(), new ActivationQuantizer(aBits));
        try {
            Pipeline full = new Pipeline() {
                @Override
                public Map<String, HostTensor> run(Map<String, HostTensor> inputs) {
                    Map<String, HostTensor> sent = p.run(inputs);
                    return tail == null ? sent : tail.run(sent);
                }

                @Override
                public void close() {
                    p.close();
                }
            };
            try (full) {
                return PairedDrop.of(floatCorrect, correct(full));
            }
        } finally {
            if (h != null) {
                h.close();
            }
        }
    }

    /** Per calibration digit: whether {@code p} classifies it correctly. */
    private boolean[] correct(Pipeline p) {
        Evaluation.Predictions pred = Evaluation.predict(p, input, data.inputs(), data.sampleShape(), data.size(), settings.batch(), false);
        int[] classes = pred.classes();
        int[] labels = data.labels();
        boolean[] ok = new boolean[classes.length];
        for (int i = 0; i < ok.length; i++) {
            ok[i] = classes[i] == labels[i];
        }
        return ok;
    }
}
