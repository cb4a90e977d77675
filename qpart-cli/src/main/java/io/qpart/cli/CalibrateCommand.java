package io.qpart.cli;

import io.qpart.serve.model.LoadedModel;
import io.qpart.serve.json.Json;
import ai.onnxruntime.OrtEnvironment;
import io.qpart.core.accuracy.AccuracyModel;
import io.qpart.core.accuracy.Calibration;
import io.qpart.core.accuracy.CutCalibration;
import io.qpart.core.accuracy.RobustnessCurve;
import io.qpart.core.accuracy.TensorCalibration;
import io.qpart.core.data.Dataset;
import io.qpart.core.format.FormatException;
import io.qpart.onnx.calibrate.CalibrationSettings;
import io.qpart.onnx.calibrate.Calibrator;
import io.qpart.onnx.calibrate.Estimator;
import io.qpart.onnx.runtime.Evaluation;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** {@code qpart calibrate}: the SPEC §4 accuracy-degradation model of a model, measured on calibration data. */
@Command(name = "calibrate", mixinStandardHelpOptions = true,
        description = {"Measure the noise gain p and robustness t(Δa) of every quantizable weight and of the activation at every cut (SPEC §4).",
                "Writes a versioned JSON file with provenance that 'qpart predict' and 'qpart fidelity' read.",
                "Samples are drawn from the data file in a seeded random order; use data disjoint from any test set."})
final class CalibrateCommand implements Callable<Integer> {
    /** Default number of calibration samples (ours). */
    static final int DEFAULT_SAMPLES = 1000;
    /** Default seed of the sample selection (ours). */
    static final long DEFAULT_SEED = 1;

    @Spec
    CommandSpec spec;

    @Mixin
    Common common;

    @Parameters(index = "0", paramLabel = "MODEL.onnx", description = "The ONNX model.")
    Path model;

    @Option(names = "--data", required = true, paramLabel = "CAL_FILE", description = "Labelled calibration data: .npz (x, y), .npy or IDX.")
    Path data;

    @Option(names = "--labels", paramLabel = "FILE", description = "Labels for .npy or IDX data.")
    Path labels;

    @Option(names = "--out", required = true, paramLabel = "CAL.json", description = "Where to write the calibration.")
    Path out;

    @Option(names = "--samples", paramLabel = "N", description = "Calibration samples (default: ${DEFAULT-VALUE}; all if the file has fewer).")
    int samples = DEFAULT_SAMPLES;

    @Option(names = "--seed", paramLabel = "S", description = "Seed of the sample selection (default: ${DEFAULT-VALUE}).")
    long seed = DEFAULT_SEED;

    @Option(names = "--drops", paramLabel = "LIST", split = ",",
            description = "Accuracy drops of the robustness grid, fractions or percentages (default: 0.1%%,0.25%%,0.5%%,1%%,2%%).")
    List<String> drops;

    @Option(names = "--fit-bits", paramLabel = "LIST", split = ",", description = "Bit-widths of the noise-gain fit (default: 4,6).")
    int[] fitBits = CalibrationSettings.DEFAULT_FIT_BITS.clone();

    @Option(names = "--low-bits", paramLabel = "LIST", split = ",",
            description = "Bit-widths below the fit whose measured energies replace the law (default: 2,3; 'none' for the law alone).")
    List<String> lowBits;

    @Option(names = "--estimator", paramLabel = "E",
            description = "Robustness estimator: 'scaled' (measured noise scaled in Java, default) or 'inject' (a model run per bit-width 2..8).")
    String estimator = Estimator.SCALED.label();

    @Option(names = "--effective-tolerance", paramLabel = "Z",
            description = {"Replace a low-bit energy by its effective energy (the one at which the robustness curve gives the drop",
                    "measured at that bit-width) when the two drops differ by more than Z standard errors of the measurement",
                    "(default: 2; 'none' keeps the measured energies)."})
    String effectiveTolerance;

    @Option(names = "--full-bits", paramLabel = "LIST", split = ",",
            description = {"Low bit-widths at which every weight also runs on every calibration sample (one more tail pass each), so",
                    "that its drop there is measured on all samples rather than one group (default: none)."})
    List<String> fullBits;

    @Option(names = "--batch", paramLabel = "B", description = "Samples per inference call (default: ${DEFAULT-VALUE}).")
    int batch = Evaluation.DEFAULT_BATCH;

    @Option(names = "--json", description = "Print the summary as one JSON object.")
    boolean json;

    @Override
    public Integer call() throws IOException, FormatException {
        if (samples < 1) {
            throw new IllegalArgumentException("--samples must be >= 1, was " + samples);
        }
        CalibrationSettings settings = CalibrationSettings.of(Estimator.parse(estimator), fitBits, parseLowBits(lowBits), parseDrops(drops), batch,
                common.threads()).withEffectiveTolerance(parseTolerance(effectiveTolerance));
        if (fullBits != null) {
            settings = settings.withFullBits(parseBits(fullBits, "--full-bits", CalibrationSettings.DEFAULT_FULL_BITS));
        }
        LoadedModel m = LoadedModel.load(model, common.threads());
        Dataset all = EvalCommand.loadData(m, data, labels, null);
        Dataset ds = select(all, samples, seed);
        Calibration cal;
        try (ExecutorService pool = Executors.newFixedThreadPool(settings.workers());
             ConsoleProgress progress = ConsoleProgress.open("calibrate", json)) {
            cal = Calibrator.calibrate(m.analysis(), ds, settings, pool, progress);
        }
        CalibrationFile file = new CalibrationFile(new CalibrationFile.Provenance(model.toString(), m.sha256(), data.toString(), ds.sha256(), seed,
                qpartVersion(), OrtEnvironment.getEnvironment().getVersion(), Runtime.version().toString(),
                Instant.now().truncatedTo(ChronoUnit.SECONDS).toString()), settings.fitBits(), settings.lowBits(), settings.fullBits(),
                settings.workers(), settings.effectiveTolerance(), cal);
        file.write(out);
        report(file, all.size());
        return 0;
    }

    /** {@code count} samples in a seeded random order (all of them when the set is smaller). */
    static Dataset select(Dataset all, int count, long seed) {
        int[] order = order(all.size(), seed);
        return gather(all, java.util.Arrays.copyOf(order, Math.min(count, order.length)));
    }

    /** The samples {@link #select} leaves out, in file order. */
    static Dataset complement(Dataset all, int count, long seed) {
        int[] order = order(all.size(), seed);
        int[] rest = java.util.Arrays.copyOfRange(order, Math.min(count, order.length), order.length);
        java.util.Arrays.sort(rest);
        return gather(all, rest);
    }

    /** A seeded random permutation of 0..n-1 (Fisher-Yates). */
    static int[] order(int n, long seed) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }

    static Dataset gather(Dataset all, int[] indices) {
        int per = all.valuesPerSample();
        float[] x = new float[Math.multiplyExact(indices.length, per)];
        int[] y = new int[indices.length];
        for (int i = 0; i < indices.length; i++) {
            all.copyInputs(indices[i], indices[i] + 1, x, i * per);
            y[i] = all.label(indices[i]);
        }
        return Dataset.of(all.sampleShape(), x, y);
    }

    static double parseTolerance(String s) {
        if (s == null) {
            return CalibrationSettings.DEFAULT_EFFECTIVE_TOLERANCE;
        }
        if (s.trim().equals("none")) {
            return Double.POSITIVE_INFINITY;
        }
        double z;
        try {
            z = Double.parseDouble(s.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--effective-tolerance: expected a number of standard errors >= 0 or 'none', found '" + s + "'");
        }
        if (!(z >= 0) || Double.isInfinite(z)) {
            throw new IllegalArgumentException("--effective-tolerance: expected a number of standard errors >= 0 or 'none', found '" + s + "'");
        }
        return z;
    }

    static int[] parseLowBits(List<String> items) {
        return parseBits(items, "--low-bits", CalibrationSettings.DEFAULT_LOW_BITS);
    }

    /** A list of bit-widths or 'none'; {@code defaults} when not given. */
    static int[] parseBits(List<String> items, String option, int[] defaults) {
        if (items == null) {
            return defaults.clone();
        }
        if (items.size() == 1 && items.get(0).trim().equals("none")) {
            return new int[0];
        }
        int[] b = new int[items.size()];
        for (int i = 0; i < b.length; i++) {
            try {
                b[i] = Integer.parseInt(items.get(i).trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(option + ": expected bit-widths or 'none', found '" + items.get(i) + "'");
            }
        }
        return b;
    }

    /** Drops given as fractions ({@code 0.01}) or percentages ({@code 1%}). */
    static double[] parseDrops(List<String> items) {
        if (items == null || items.isEmpty()) {
            return AccuracyModel.defaultDrops();
        }
        double[] d = new double[items.size()];
        for (int i = 0; i < d.length; i++) {
            String s = items.get(i).trim();
            try {
                d[i] = s.endsWith("%") ? Double.parseDouble(s.substring(0, s.length() - 1).trim()) / 100 : Double.parseDouble(s);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--drops: expected a fraction (0.01) or a percentage (1%), found '" + s + "'");
            }
        }
        java.util.Arrays.sort(d);
        try {
            return AccuracyModel.checkDrops(d);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--drops: " + e.getMessage());
        }
    }

    static String qpartVersion() {
        String v = Main.class.getPackage().getImplementationVersion();
        return v == null ? "development build" : v;
    }

    static String percent(double fraction) {
        return CalibrationFile.key(fraction * 100) + "%";
    }

    /** How many low-bit energies (weights and activations, all low bit-widths) were replaced by effective ones. */
    static int replacedEnergies(Calibration c) {
        int n = 0;
        List<TensorCalibration> all = new java.util.ArrayList<>(c.weights());
        c.cuts().forEach(k -> all.add(k.activation()));
        for (TensorCalibration t : all) {
            double[] m = t.energy().lowEnergies();
            double[] e = t.energy().lowEffective();
            for (int i = 0; i < m.length; i++) {
                n += m[i] != e[i] ? 1 : 0;
            }
        }
        return n;
    }

    /** @param available samples in the data file, of which the calibration drew {@code file}'s count */
    private void report(CalibrationFile file, int available) {
        Calibration c = file.calibration();
        PrintWriter o = spec.commandLine().getOut();
        int replaced = replacedEnergies(c);
        if (json) {
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("out", out.toString());
            j.put("samples", c.samples());
            j.put("samplesAvailable", available);
            j.put("floatAccuracy", c.floatAccuracy());
            j.put("weights", c.weights().size());
            j.put("cuts", c.cuts().size());
            j.put("calibrationSeconds", c.calibrationSeconds());
            j.put("floatPassSeconds", c.floatPassSeconds());
            j.put("ratio", c.ratio());
            j.put("effectiveEnergies", replaced);
            o.println(Json.write(j));
            return;
        }
        double[] grid = c.drops();
        o.printf("model        %s (sha256 %s)%n", model, file.provenance().modelSha256().substring(0, 16));
        // samples left unused are named: more of them tighten every measured drop and the margin (docs/FIDELITY.md)
        boolean unused = available > c.samples();
        o.printf("data         %s: %s samples, seed %d, float accuracy %.4f%s%n", data,
                unused ? c.samples() + " of its " + available : Integer.toString(c.samples()), seed, c.floatAccuracy(),
                unused ? " (--samples " + available + " uses them all: tighter estimates)" : "");
        o.printf("estimator    %s, gain fit at %s bits (alpha = ln 4)%n", c.estimator(), java.util.Arrays.toString(file.fitBits()));
        StringBuilder head = new StringBuilder(String.format("%-28s %-10s %10s %10s %7s", "tensor", "op", "elements", "p", "slope"));
        for (double d : grid) {
            head.append(String.format(" %10s", "t(" + percent(d) + ")"));
        }
        o.println(head);
        for (TensorCalibration t : c.weights()) {
            o.println(row(t.name(), t.op(), t.elements(), t));
        }
        for (CutCalibration k : c.cuts()) {
            o.println(row("cut " + k.index() + " activation", "", k.elements(), k.activation()));
        }
        o.printf("low bits     %d of the energies at %s bits replaced by effective ones (measured drop > %s standard errors off the curve)%n",
                replaced, java.util.Arrays.toString(file.lowBits()),
                Double.isInfinite(file.effectiveTolerance()) ? "infinite" : String.valueOf(file.effectiveTolerance()));
        o.printf("time         calibration %.2f s, one float32 pass %.3f s: ratio %.1fx (%d workers)%n", c.calibrationSeconds(),
                c.floatPassSeconds(), c.ratio(), file.workers());
        o.printf("wrote        %s%n", out);
    }

    private static String row(String name, String op, long elements, TensorCalibration t) {
        String n = name.length() > 28 ? "..." + name.substring(name.length() - 25) : name;
        StringBuilder sb = new StringBuilder(String.format("%-28s %-10s %10d %10.4g %7s", n, op, elements, t.fit().gain(),
                Double.isNaN(t.fit().slope()) ? "-" : String.format("%.3f", t.fit().slope())));
        RobustnessCurve r = t.robustness();
        for (int i = 0; i < r.size(); i++) {
            sb.append(Double.isFinite(r.energy(i)) ? String.format(" %10.3g", r.energy(i)) : String.format(" %10s", "never"));
        }
        return sb.toString();
    }
}
