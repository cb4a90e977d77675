package io.qpart.onnx.calibrate;

import io.qpart.core.accuracy.Calibration;
import io.qpart.core.accuracy.CutCalibration;
import io.qpart.core.accuracy.DropCurve;
import io.qpart.core.accuracy.EffectiveEnergy;
import io.qpart.core.accuracy.EnergyModel;
import io.qpart.core.accuracy.GainFit;
import io.qpart.core.accuracy.MeasuredDrop;
import io.qpart.core.accuracy.NoiseCorrelations;
import io.qpart.core.accuracy.RobustnessCurve;
import io.qpart.core.accuracy.TensorCalibration;
import io.qpart.core.data.Dataset;
import io.qpart.onnx.graph.Cut;
import io.qpart.onnx.graph.CutAnalysis;
import io.qpart.onnx.graph.ModelGraph;
import io.qpart.onnx.graph.SplitBuilder;
import io.qpart.onnx.graph.ValueProfile;
import io.qpart.onnx.graph.WeightRef;
import io.qpart.onnx.model.ModelException;
import io.qpart.onnx.proto.Onnx;
import io.qpart.onnx.quant.BitWidths;
import io.qpart.onnx.quant.WeightQuantizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.function.IntPredicate;
import java.util.function.IntUnaryOperator;

/**
 * Calibrates the SPEC §4 accuracy-degradation model of one model on one calibration set.
 *
 * <p>Plan of work (the cost is what makes calibration usable, SPEC §7):
 * <ol>
 *   <li>One float pass of the whole model, with every cut's crossing tensors as extra outputs:
 *       the reference logits {@code Z} and a cache of what crosses each cut.</li>
 *   <li>A weight whose first consumer sits at activation position {@code q} is quantized in the
 *       tail of the last cut at or before {@code q}, and only that tail runs, on the cached
 *       crossing tensors. An activation is quantized per sample at its cut and runs the cut's
 *       tail.</li>
 *   <li>{@link Estimator#SCALED}: the samples are split into as many contiguous groups as there
 *       are fit bit-widths, group {@code g} quantized with {@code fitBits[g]}: each tensor costs
 *       one tail pass over the samples whatever the number of fit bit-widths. The gain is fitted
 *       from the groups' mean energies; robustness comes from each sample's measured noise,
 *       normalised by its group's mean energy and scaled to every energy in Java
 *       ({@link DropCurve#fromScaledNoise}).</li>
 *   <li>{@link Estimator#INJECT}: every sample at every bit-width of a range, robustness from the
 *       measured (energy, drop) points.</li>
 *   <li>Every run also yields the single-tensor drop at its bit-width (errors gained and fixed
 *       against the float model on the same samples); with {@link CalibrationSettings#fullBits()}
 *       a weight runs once more at those bit-widths on the samples outside their group. Where a
 *       low-bit drop disagrees with the curve, the energy there becomes the effective energy
 *       ({@link EffectiveEnergy}).</li>
 * </ol>
 * Runs are spread over the executor, one single-threaded ONNX Runtime session per job.
 */
public final class Calibrator {
    private final CutAnalysis analysis;
    private final ModelGraph graph;
    private final Dataset data;
    private final CalibrationSettings settings;
    private final ExecutorService pool;
    private final String input;
    private final String logitsName;
    private final int classes;
    private final int samples;

    private Calibrator(CutAnalysis analysis, Dataset data, CalibrationSettings settings, ExecutorService pool) {
        this.analysis = analysis;
        this.graph = analysis.graph();
        this.data = data;
        this.settings = settings;
        this.pool = pool;
        this.samples = data.size();
        if (samples == 0) {
            throw new IllegalArgumentException("the calibration set is empty; expected at least one labelled sample");
        }
        if (graph.weights().isEmpty()) {
            throw new IllegalArgumentException("the model has no quantizable weight tensor (a float initializer at input 1 of Conv, "
                    + "ConvTranspose, Gemm or MatMul); there is nothing to calibrate");
        }
        this.input = singleInput(graph);
        checkDataFits(analysis, input, data);
        this.logitsName = graph.outputs().get(0);
        this.classes = classesOf(analysis, logitsName);
        int groups = settings.estimator() == Estimator.SCALED ? settings.groupBits().length : 1;
        if (samples < groups) {
            throw new IllegalArgumentException("expected at least " + groups + " calibration samples (one per measured bit-width), found " + samples);
        }
        for (Cut c : analysis.cuts()) {
            for (String t : c.tensors()) {
                if (!analysis.profile().get(t).batchLeading()) {
                    throw new ModelException("cannot calibrate cut " + c.index() + ": crossing tensor '" + t
                            + "' does not have the batch as its leading dimension");
                }
            }
        }
    }

    static String singleInput(ModelGraph graph) {
        if (graph.inputs().size() != 1) {
            throw new ModelException("expected a model with one data input, found " + graph.inputs().size() + " " + graph.inputs());
        }
        return graph.inputs().get(0);
    }

    static void checkDataFits(CutAnalysis analysis, String input, Dataset data) {
        long expected = analysis.profile().get(input).elementsPerSample();
        if (data.valuesPerSample() != expected) {
            throw new IllegalArgumentException("data has " + data.valuesPerSample() + " values per sample (shape "
                    + Arrays.toString(data.sampleShape()) + "); the model input '" + input + "' expects " + expected);
        }
    }

    static int classesOf(CutAnalysis analysis, String logitsName) {
        ValueProfile lp = analysis.profile().get(logitsName);
        if (lp.rank() != 2 || !lp.batchLeading()) {
            throw new ModelException("expected the model's first output '" + logitsName + "' to be logits of shape [batch, classes], found "
                    + lp);
        }
        int c = Math.toIntExact(lp.dim(1));
        if (c < 2) {
            throw new ModelException("expected at least 2 classes in output '" + logitsName + "', found " + c);
        }
        return c;
    }

    /**
     * Calibrates every quantizable weight and every cut activation.
     *
     * @param pool     runs the jobs; give it {@code settings.workers()} threads
     * @param progress told of every finished model run
     */
    public static Calibration calibrate(CutAnalysis analysis, Dataset data, CalibrationSettings settings, ExecutorService pool,
                                        Progress progress) {
        return new Calibrator(analysis, data, settings, pool).run(progress);
    }

    private record Job(String what, long cost, Callable<float[]> work) {
    }

    private Calibration run(Progress progress) {
        long t0 = System.nanoTime();
        List<Cut> cuts = analysis.cuts();
        List<WeightRef> weights = graph.weights();
        int groups = settings.estimator() == Estimator.SCALED ? settings.groupBits().length : 1;
        int[] runBits = settings.estimator() == Estimator.SCALED ? settings.groupBits() : settings.injectBits();
        int jobsPerWeight = settings.estimator() == Estimator.SCALED ? groups : runBits.length;
        int jobsPerCut = settings.estimator() == Estimator.SCALED ? 1 : runBits.length;
        int[] fullBits = settings.estimator() == Estimator.SCALED ? settings.fullBits() : new int[0];
        progress.start(1L + (long) weights.size() * (jobsPerWeight + fullBits.length) + (long) cuts.size() * jobsPerCut);

        ReferencePass ref = ReferencePass.run(analysis, data, input, logitsName, classes, settings.batchSize(), settings.workers(), pool);
        progress.step();
        int[] labels = data.labels();
        int floatCorrect = BatchRunner.correct(ref.logits(), classes, labels, 0);
        double floatAccuracy = (double) floatCorrect / samples;

        int[] groupStart = new int[groups + 1];
        for (int g = 0; g <= groups; g++) {
            groupStart[g] = (int) ((long) g * samples / groups);
        }
        int[] groupOf = new int[samples];
        for (int g = 0; g < groups; g++) {
            Arrays.fill(groupOf, groupStart[g], groupStart[g + 1], g);
        }

        Onnx.Model[] tails = new Onnx.Model[cuts.size()];
        for (Cut c : cuts) {
            tails[c.index()] = SplitBuilder.split(analysis, c).tail();
        }
        long totalMacs = Math.max(1, analysis.totalMacs());

        // jobs: for each tensor, the runs whose logits it needs
        List<Job> jobs = new ArrayList<>();
        List<int[]> jobTarget = new ArrayList<>(); // {tensor index (weights first, then cuts), run index, from, to}
        for (int j = 0; j < weights.size(); j++) {
            WeightRef w = weights.get(j);
            Cut c = cutBefore(cuts, w.position());
            Onnx.Model tail = tails[c.index()];
            Map<String, Rows> in = ref.crossing(c);
            for (int r = 0; r < jobsPerWeight; r++) {
                int bits = runBits[r];
                int from = groups > 1 ? groupStart[r] : 0;
                int to = groups > 1 ? groupStart[r + 1] : samples;
                long cost = (c.tailMacs() + totalMacs / 100) * (to - from);
                jobs.add(new Job(w.name() + "@" + bits, cost, () -> {
                    byte[] bytes = WeightQuantizer.fakeQuantize(tail, new BitWidths(Map.of(w.name(), bits))).toByteArray();
                    try (CalSession s = CalSession.create(bytes)) {
                        return BatchRunner.logits(s, logitsName, in, from, to, settings.batchSize(), null, classes);
                    }
                }));
                jobTarget.add(new int[]{j, r, from, to});
            }
            // the low bit-widths whose drop every sample measures: one more tail pass each, over the
            // samples outside the group that already ran at that bit-width (their rows stay 0)
            for (int f = 0; f < fullBits.length; f++) {
                int bits = fullBits[f];
                int g = Arrays.binarySearch(runBits, bits);
                int skipFrom = groups > 1 ? groupStart[g] : 0;
                int skipTo = groups > 1 ? groupStart[g + 1] : 0;
                long cost = (c.tailMacs() + totalMacs / 100) * (samples - (skipTo - skipFrom));
                jobs.add(new Job(w.name() + "@" + bits + " (all samples)", cost, () -> {
                    byte[] bytes = WeightQuantizer.fakeQuantize(tail, new BitWidths(Map.of(w.name(), bits))).toByteArray();
                    float[] z = new float[samples * classes];
                    try (CalSession s = CalSession.create(bytes)) {
                        if (skipFrom > 0) {
                            float[] a = BatchRunner.logits(s, logitsName, in, 0, skipFrom, settings.batchSize(), null, classes);
                            System.arraycopy(a, 0, z, 0, a.length);
                        }
                        if (skipTo < samples) {
                            float[] b = BatchRunner.logits(s, logitsName, in, skipTo, samples, settings.batchSize(), null, classes);
                            System.arraycopy(b, 0, z, skipTo * classes, b.length);
                        }
                    }
                    return z;
                }));
                jobTarget.add(new int[]{j, -1 - f, skipFrom, skipTo});
            }
        }
        for (Cut c : cuts) {
            Onnx.Model tail = tails[c.index()];
            boolean empty = tail.getGraph().getNodeCount() == 0;
            Map<String, Rows> in = ref.crossing(c);
            for (int r = 0; r < jobsPerCut; r++) {
                int fixed = runBits[r];
                IntUnaryOperator bitsOfRow = settings.estimator() == Estimator.SCALED ? row -> runBits[groupOf[row]] : row -> fixed;
                long cost = (c.tailMacs() + totalMacs / 100) * samples;
                jobs.add(new Job("cut " + c.index() + "@" + (settings.estimator() == Estimator.SCALED ? "groups" : fixed), cost, () -> {
                    if (empty) {
                        return BatchRunner.logits(null, logitsName, in, 0, samples, settings.batchSize(), bitsOfRow, classes);
                    }
                    try (CalSession s = CalSession.create(tail.toByteArray())) {
                        return BatchRunner.logits(s, logitsName, in, 0, samples, settings.batchSize(), bitsOfRow, classes);
                    }
                }));
                jobTarget.add(new int[]{weights.size() + c.index(), r, 0, samples});
            }
        }

        // longest first, so that the workers finish together
        Integer[] order = new Integer[jobs.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingLong((Integer i) -> jobs.get(i).cost()).reversed());
        List<Future<float[]>> futures = new ArrayList<>(Collections.nCopies(jobs.size(), (Future<float[]>) null));
        for (int i : order) {
            Job job = jobs.get(i);
            futures.set(i, pool.submit(() -> {
                float[] z = job.work().call();
                progress.step();
                return z;
            }));
        }
        int tensors = weights.size() + cuts.size();
        int runsPerTensor = Math.max(jobsPerWeight, jobsPerCut);
        float[][][] noisy = new float[tensors][runsPerTensor][];
        float[][][] full = new float[weights.size()][fullBits.length][];
        for (int i = 0; i < jobs.size(); i++) {
            int[] t = jobTarget.get(i);
            float[] z = Jobs.await(futures.get(i), jobs.get(i).what(), futures);
            if (t[1] < 0) {
                full[t[0]][-1 - t[1]] = z;
            } else if (groups > 1) {
                if (noisy[t[0]][0] == null) {
                    noisy[t[0]][0] = new float[samples * classes];
                }
                System.arraycopy(z, 0, noisy[t[0]][0], t[2] * classes, z.length);
            } else {
                noisy[t[0]][t[1]] = z;
            }
        }

        Assembler asm = new Assembler(ref.logits(), labels, classes, floatAccuracy, settings, groupOf, runBits);
        List<TensorCalibration> weightCals = new ArrayList<>();
        for (int j = 0; j < weights.size(); j++) {
            WeightRef w = weights.get(j);
            weightCals.add(asm.tensor(w.name(), w.op(), w.params(), w.position(), noisy[j], fullBits, full[j]));
        }
        List<CutCalibration> cutCals = new ArrayList<>();
        for (Cut c : cuts) {
            TensorCalibration act = asm.tensor(String.join(", ", c.tensors()), TensorCalibration.ACTIVATION, c.elements(), c.position(),
                    noisy[weights.size() + c.index()], new int[0], new float[0][]);
            cutCals.add(new CutCalibration(c.index(), c.position(), c.tensors(), c.elements(),
                    c.headWeights().stream().map(WeightRef::name).toList(), act));
        }
        NoiseCorrelations correlations = correlations(noisy, ref.logits(), groupOf, groups, runBits, weights, cuts);
        double calibrationSeconds = (System.nanoTime() - t0) / 1e9;
        double floatPassSeconds = ReferencePass.timeFloatPass(graph.model().toByteArray(), input, data, logitsName, classes,
                settings.batchSize(), settings.workers(), pool);
        return new Calibration(settings.estimator().label(), samples, classes, floatAccuracy, settings.drops(), settings.curveDrops(),
                weightCals, cutCals, correlations, calibrationSeconds, floatPassSeconds);
    }

    /**
     * Correlations of the measured noise of every pair of tensors, per measured bit-width, over
     * the samples quantized at that bit-width (our extension of SPEC §4 additivity).
     */
    private NoiseCorrelations correlations(float[][][] noisy, float[] reference, int[] groupOf, int groups, int[] runBits,
                                           List<WeightRef> weights, List<Cut> cuts) {
        int t = weights.size() + cuts.size();
        List<String> names = new ArrayList<>();
        weights.forEach(w -> names.add(w.name()));
        cuts.forEach(c -> names.add(NoiseCorrelations.activationKey(c.index())));
        int[] bits = runBits.clone();
        double[][][] rho = new double[bits.length][t][t];
        int n = samples;
        for (int g = 0; g < bits.length; g++) {
            // the samples and the run that hold bit-width bits[g]
            int run = groups > 1 ? 0 : g;
            int group = groups > 1 ? g : -1;
            float[][] r = new float[t][];
            for (int j = 0; j < t; j++) {
                float[] z = noisy[j][run];
                float[] d = new float[z.length];
                for (int k = 0; k < z.length; k++) {
                    d[k] = z[k] - reference[k];
                }
                r[j] = d;
            }
            double[][] dot = new double[t][t];
            for (int i = 0; i < n; i++) {
                if (group >= 0 && groupOf[i] != group) {
                    continue;
                }
                int off = i * classes;
                for (int j = 0; j < t; j++) {
                    float[] rj = r[j];
                    for (int k = j; k < t; k++) {
                        float[] rk = r[k];
                        double s = 0;
                        for (int c = 0; c < classes; c++) {
                            s += (double) rj[off + c] * rk[off + c];
                        }
                        dot[j][k] += s;
                    }
                }
            }
            for (int j = 0; j < t; j++) {
                for (int k = j; k < t; k++) {
                    double denom = Math.sqrt(dot[j][j] * dot[k][k]);
                    double v = denom > 0 ? Math.max(-1, Math.min(1, dot[j][k] / denom)) : Double.NaN;
                    rho[g][j][k] = v;
                    rho[g][k][j] = v;
                }
            }
        }
        return new NoiseCorrelations(bits, names, rho);
    }

    /** The last cut at or before activation position {@code position}. */
    static Cut cutBefore(List<Cut> cuts, int position) {
        Cut best = cuts.get(0);
        for (Cut c : cuts) {
            if (c.position() <= position) {
                best = c;
            }
        }
        return best;
    }

    /** Turns measured logits into gain fits and robustness curves. */
    private static final class Assembler {
        private final float[] reference;
        private final int[] labels;
        private final int classes;
        private final double floatAccuracy;
        private final CalibrationSettings settings;
        private final int[] groupOf;
        private final int[] runBits;
        /** Whether the float model classifies each sample right. */
        private final boolean[] floatRight;

        Assembler(float[] reference, int[] labels, int classes, double floatAccuracy, CalibrationSettings settings, int[] groupOf,
                  int[] runBits) {
            this.reference = reference;
            this.labels = labels;
            this.classes = classes;
            this.floatAccuracy = floatAccuracy;
            this.settings = settings;
            this.groupOf = groupOf;
            this.runBits = runBits;
            int[] predicted = BatchRunner.classes(reference, classes);
            this.floatRight = new boolean[labels.length];
            for (int i = 0; i < labels.length; i++) {
                floatRight[i] = predicted[i] == labels[i];
            }
        }

        /** The drop measured on the samples {@code use} accepts, against the float model on the same samples. */
        private MeasuredDrop measured(int bits, float[] z, IntPredicate use) {
            int[] predicted = BatchRunner.classes(z, classes);
            int n = 0;
            int gained = 0;
            int fixed = 0;
            for (int i = 0; i < labels.length; i++) {
                if (!use.test(i)) {
                    continue;
                }
                n++;
                boolean right = predicted[i] == labels[i];
                gained += floatRight[i] && !right ? 1 : 0;
                fixed += !floatRight[i] && right ? 1 : 0;
            }
            return new MeasuredDrop(bits, n, gained, fixed);
        }

        /** Low-bit energies replaced by effective ones where the measured drop disagrees with the curve. */
        private EnergyModel effective(EnergyModel model, RobustnessCurve curve, List<MeasuredDrop> measured) {
            EnergyModel m = model;
            int[] low = model.lowBits();
            double[] energy = model.lowEnergies();
            for (int l = 0; l < low.length; l++) {
                for (MeasuredDrop d : measured) {
                    if (d.bits() == low[l]) {
                        m = m.withEffective(low[l], EffectiveEnergy.of(curve, energy[l], d, settings.effectiveTolerance()));
                    }
                }
            }
            return m;
        }

        /**
         * @param fullBits bit-widths also run on every sample ({@code fullRuns[f]} the logits), whose measured drops
         *                 replace those of the groups
         */
        TensorCalibration tensor(String name, String op, long elements, int position, float[][] runs, int[] fullBits, float[][] fullRuns) {
            int n = labels.length;
            EnergyModel model;
            DropCurve curve;
            List<MeasuredDrop> measured = new ArrayList<>();
            if (settings.estimator() == Estimator.SCALED) {
                float[] z = runs[0];
                int groups = runBits.length;
                for (int g = 0; g < groups; g++) {
                    int group = g;
                    measured.add(measured(runBits[g], z, i -> groupOf[i] == group));
                }
                double[] energy = new double[groups];
                int[] count = new int[groups];
                for (int i = 0; i < n; i++) {
                    double e = 0;
                    for (int c = 0; c < classes; c++) {
                        double d = (double) z[i * classes + c] - reference[i * classes + c];
                        e += d * d;
                    }
                    energy[groupOf[i]] += e;
                    count[groupOf[i]]++;
                }
                for (int g = 0; g < groups; g++) {
                    energy[g] /= count[g];
                }
                model = energyModel(runBits, energy);
                boolean[] all = new boolean[groups];
                Arrays.fill(all, true);
                DropCurve base = scaledCurve(z, groupOf, energy, settings.directionsFromAllGroups() ? all : fitGroups(runBits));
                // each low bit-width speaks for the energies around its own (SPEC §4 allows faster estimators)
                List<DropCurve> pieces = new ArrayList<>(List.of(base));
                List<Double> from = new ArrayList<>(List.of(0.0));
                int[] low = settings.lowBits();
                for (int g = groups - 2; g >= 0 && settings.regionalLowBits(); g--) {
                    double start = Math.sqrt(energy[g] * energy[g + 1]);
                    if (Arrays.binarySearch(low, runBits[g]) < 0 || !(start > from.get(from.size() - 1))) {
                        continue;
                    }
                    // the window of low bit-width g rests on the noise of g and of every lower low bit-width
                    boolean[] only = new boolean[groups];
                    for (int h = 0; h <= g; h++) {
                        only[h] = Arrays.binarySearch(low, runBits[h]) >= 0;
                    }
                    pieces.add(scaledCurve(z, groupOf, energy, only));
                    from.add(start);
                }
                curve = DropCurve.piecewise(pieces, from.stream().mapToDouble(Double::doubleValue).toArray());
            } else {
                double[] energy = new double[runBits.length];
                double[] drop = new double[runBits.length];
                for (int r = 0; r < runBits.length; r++) {
                    float[] z = runs[r];
                    double e = 0;
                    for (int k = 0; k < z.length; k++) {
                        double d = (double) z[k] - reference[k];
                        e += d * d;
                    }
                    energy[r] = e / n;
                    drop[r] = floatAccuracy - (double) BatchRunner.correct(z, classes, labels, 0) / n;
                    measured.add(measured(runBits[r], z, i -> true));
                }
                model = energyModel(runBits, energy);
                curve = DropCurve.fromPoints(energy, drop, settings.monotone());
            }
            for (int f = 0; f < fullBits.length; f++) {
                int bits = fullBits[f];
                measured.removeIf(d -> d.bits() == bits);
                // the group that ran at these bits keeps its rows; the full-sample run holds the others
                float[] all = fullRuns[f].clone();
                int g = Arrays.binarySearch(runBits, bits);
                for (int i = 0; i < n; i++) {
                    if (runBits.length > 1 && groupOf[i] == g) {
                        System.arraycopy(runs[0], i * classes, all, i * classes, classes);
                    }
                }
                measured.add(measured(bits, all, i -> true));
            }
            measured.sort(Comparator.comparingInt(MeasuredDrop::bits));
            RobustnessCurve fine = curve.robustness(settings.curveDrops());
            return new TensorCalibration(name, op, elements, position, effective(model, fine, measured), curve.robustness(settings.drops()),
                    fine, measured);
        }

        private boolean[] fitGroups(int[] bits) {
            boolean[] use = new boolean[bits.length];
            for (int g = 0; g < bits.length; g++) {
                use[g] = Arrays.binarySearch(settings.fitBits(), bits[g]) >= 0;
            }
            return use;
        }

        /** Drop curve of the samples of the chosen groups, each sample's noise normalised by its group's mean energy. */
        private DropCurve scaledCurve(float[] z, int[] groupOf, double[] energy, boolean[] useGroup) {
            int n = labels.length;
            int used = 0;
            for (int i = 0; i < n; i++) {
                used += useGroup[groupOf[i]] ? 1 : 0;
            }
            float[] u = new float[used * classes];
            float[] zr = new float[used * classes];
            int[] y = new int[used];
            int k = 0;
            for (int i = 0; i < n; i++) {
                if (!useGroup[groupOf[i]]) {
                    continue;
                }
                double m = energy[groupOf[i]];
                double scale = m > 0 ? 1 / Math.sqrt(m) : 0;
                for (int c = 0; c < classes; c++) {
                    int src = i * classes + c;
                    u[k * classes + c] = (float) (((double) z[src] - reference[src]) * scale);
                    zr[k * classes + c] = reference[src];
                }
                y[k++] = labels[i];
            }
            return DropCurve.fromScaledNoise(zr, u, y, classes, settings.monotone());
        }

        /** The gain fit at the fit bit-widths plus the energies measured at the low ones. */
        EnergyModel energyModel(int[] bits, double[] energy) {
            int[] fitBits = settings.fitBits();
            double[] fitEnergy = new double[fitBits.length];
            for (int f = 0; f < fitBits.length; f++) {
                fitEnergy[f] = energy[Arrays.binarySearch(bits, fitBits[f])];
            }
            int[] low = settings.lowBits();
            double[] lowEnergy = new double[low.length];
            for (int l = 0; l < low.length; l++) {
                lowEnergy[l] = energy[Arrays.binarySearch(bits, low[l])];
            }
            return new EnergyModel(GainFit.fit(fitBits, fitEnergy), low, lowEnergy);
        }
    }
}
