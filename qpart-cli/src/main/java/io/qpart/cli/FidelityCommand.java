package io.qpart.cli;

import io.qpart.serve.model.LoadedModel;
import io.qpart.serve.json.Json;
import io.qpart.core.accuracy.AccuracyModel;
import io.qpart.core.accuracy.Calibration;
import io.qpart.core.accuracy.CutCalibration;
import io.qpart.core.accuracy.TensorCalibration;
import io.qpart.core.data.Dataset;
import io.qpart.core.format.FormatException;
import io.qpart.core.quant.Quantizer;
import io.qpart.onnx.calibrate.Configuration;
import io.qpart.onnx.calibrate.ConfigurationMeter;
import io.qpart.onnx.runtime.Evaluation;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** {@code qpart fidelity}: predicted against measured accuracy drop (SPEC §9). */
@Command(name = "fidelity", mixinStandardHelpOptions = true,
        description = {"Compare the drops a calibration predicts with the drops measured on test data (SPEC §9):",
                "(a) each weight alone at 2..8 bits (whole model on the device) and each cut's activation alone at 2..8 bits;",
                "(b) seeded random mixed configurations: a random cut, random bits per head weight, random activation bits.",
                "Measured drops run head, per-sample activation quantization and tail as 'qpart eval --cut K --bits-file F --activation-bits A'."})
final class FidelityCommand implements Callable<Integer> {
    /** A prediction is optimistic when it is below the measured drop by more than this (percentage points). */
    static final double OPTIMISTIC_MARGIN_PP = 0.25;
    /** Bit-widths of the single-tensor sweep. */
    static final int MIN_SWEEP_BITS = 2;
    static final int MAX_SWEEP_BITS = 8;
    /**
     * Mixed configurations (ours): a base bit-width uniform in 3..8 per configuration, each head
     * weight at base-1..base+2 clamped to 3..8 (allocations give similar bits to similar
     * tensors), except that with probability 0.1 a weight gets any bit-width 2..8.
     */
    static final int MIXED_MIN_BITS = 3;
    static final double MIXED_ANY_BITS_PROBABILITY = 0.1;
    /** Activation bit-widths drawn for mixed configurations (32 = float32). */
    static final int[] MIXED_ACTIVATION_BITS = {4, 5, 6, 7, 8, 32};
    /** Range of the budgets drawn (log-uniform) for budget-driven configurations: 0.1% to 5%. */
    static final double BUDGET_MIN = 0.001;
    static final double BUDGET_MAX = 0.05;

    @Spec
    CommandSpec spec;

    @Mixin
    Common common;

    @Parameters(index = "0", paramLabel = "MODEL.onnx", description = "The ONNX model the calibration was made for.")
    Path model;

    @Option(names = "--calibration", required = true, paramLabel = "CAL.json", description = "A file written by 'qpart calibrate'.")
    Path calibration;

    @Option(names = "--data", required = true, paramLabel = "TEST_FILE", description = "Labelled test data, disjoint from the calibration data.")
    Path data;

    @Option(names = "--labels", paramLabel = "FILE", description = "Labels for .npy or IDX data.")
    Path labels;

    @Option(names = "--samples", paramLabel = "N", description = "Use only the first N test samples.")
    Integer samples;

    @Option(names = "--held-out", description = {"Measure on the samples of the data file that the calibration did not draw (validation",
            "on the calibration split; the file must be the one calibrated on, which its hash checks)."})
    boolean heldOut;

    @Option(names = "--configs", paramLabel = "N", description = "Random mixed configurations (default: ${DEFAULT-VALUE}).")
    int configs = 50;

    @Option(names = "--budget-configs", paramLabel = "N", description = "Budget-driven mixed configurations (default: ${DEFAULT-VALUE}).")
    int budgetConfigs = 50;

    @Option(names = "--seed", paramLabel = "S", description = "Seed of the mixed configurations (default: ${DEFAULT-VALUE}).")
    long seed = 1;

    @Option(names = "--no-single", description = "Skip the single-tensor sweep (a).")
    boolean noSingle;

    @Option(names = "--margin", paramLabel = "Z", description = "Compare the predicted drop plus Z standard errors of the calibration estimate (default: ${DEFAULT-VALUE}; 0 compares the raw estimate).")
    double margin = AccuracyModel.DEFAULT_MARGIN_STANDARD_ERRORS;

    @Option(names = "--margin-model", paramLabel = "M",
            description = {"Standard error of the margin: 'churn' (a net drop whose changes go both ways, the calibration's",
                    "measured share of changes that cancel added to d (1 - d); default) or 'binomial' (d (1 - d) alone)."})
    String marginModel = "binomial";

    @Option(names = "--energy-additivity", description = "Predict with SPEC §4's plain additivity of energies, ignoring the measured noise correlations.")
    boolean energyAdditivity;

    @Option(names = "--out", paramLabel = "DIR", description = "Write fidelity.png and fidelity-zoom.png (scatter plots), fidelity.csv and fidelity.json here.")
    Path out;

    @Option(names = "--batch", paramLabel = "B", description = "Samples per inference call (default: ${DEFAULT-VALUE}).")
    int batch = Evaluation.DEFAULT_BATCH;

    @Option(names = "--json", description = "Print the summary as one JSON object.")
    boolean json;

    /** One compared configuration. */
    record Point(String kind, int cut, String tensor, int bits, Map<String, Integer> weightBits, int activationBits, double predictedPp,
                 double estimatePp, double measuredPp) {
        double errorPp() {
            return predictedPp - measuredPp;
        }

        boolean optimistic() {
            return predictedPp < measuredPp - OPTIMISTIC_MARGIN_PP;
        }

        boolean single() {
            return kind.equals("weight") || kind.equals("activation");
        }
    }

    /** Mean absolute error and optimistic fraction of some points. */
    record Summary(int configurations, double meanAbsoluteErrorPp, double optimisticFraction, double maxAbsoluteErrorPp, double meanErrorPp) {
        static Summary of(List<Point> points) {
            double abs = 0;
            double signed = 0;
            double max = 0;
            int optimistic = 0;
            for (Point p : points) {
                abs += Math.abs(p.errorPp());
                signed += p.errorPp();
                max = Math.max(max, Math.abs(p.errorPp()));
                optimistic += p.optimistic() ? 1 : 0;
            }
            int n = points.size();
            return new Summary(n, n == 0 ? 0 : abs / n, n == 0 ? 0 : (double) optimistic / n, max, n == 0 ? 0 : signed / n);
        }
    }

    @Override
    public Integer call() throws IOException, FormatException {
        if (!(margin >= 0)) {
            throw new IllegalArgumentException("--margin must be >= 0, was " + margin);
        }
        if (configs < 0 || budgetConfigs < 0) {
            throw new IllegalArgumentException("--configs and --budget-configs must be >= 0, were " + configs + " and " + budgetConfigs);
        }
        if (batch < 1) {
            throw new IllegalArgumentException("--batch must be >= 1, was " + batch);
        }
        CalibrationFile file = CalibrationFile.read(calibration);
        LoadedModel m = LoadedModel.load(model, common.threads());
        if (!m.sha256().equals(file.provenance().modelSha256())) {
            throw new IllegalArgumentException(calibration + " was made for another model (sha256 " + file.provenance().modelSha256().substring(0, 12)
                    + "..., " + file.provenance().model() + "), not " + model + " (sha256 " + m.sha256().substring(0, 12) + "...)");
        }
        Calibration cal = file.calibration();
        if (cal.cuts().size() != m.analysis().cuts().size()) {
            throw new IllegalArgumentException(calibration + " has " + cal.cuts().size() + " cuts, the model " + m.analysis().cuts().size()
                    + "; recalibrate with this version");
        }
        Dataset ds = heldOut ? heldOut(m, file) : EvalCommand.loadData(m, data, labels, samples);

        List<Point> plan = plan(cal);
        List<Configuration> measure = new ArrayList<>();
        for (Point p : plan) {
            measure.add(Configuration.of(p.cut(), p.weightBits(), p.activationBits()));
        }
        ConfigurationMeter meter = new ConfigurationMeter(m.analysis(), ds, batch);
        int floatCorrect = meter.floatCorrect();
        int[] correct;
        try (ExecutorService pool = Executors.newFixedThreadPool(common.threads());
             ConsoleProgress progress = ConsoleProgress.open("fidelity", json)) {
            correct = meter.correct(measure, pool, progress);
        }
        int n = ds.size();
        List<Point> points = new ArrayList<>();
        for (int i = 0; i < plan.size(); i++) {
            Point p = plan.get(i);
            double measuredPp = 100.0 * (floatCorrect - correct[i]) / n;
            points.add(new Point(p.kind(), p.cut(), p.tensor(), p.bits(), p.weightBits(), p.activationBits(), p.predictedPp(), p.estimatePp(),
                    measuredPp));
        }
        Map<String, Object> summary = summary(file, ds, (double) floatCorrect / n, points);
        if (out != null) {
            Files.createDirectories(out);
            writeCsv(out.resolve("fidelity.csv"), points);
            Map<String, Object> all = new LinkedHashMap<>(summary);
            all.put("points", points.stream().map(FidelityCommand::pointJson).toList());
            Files.writeString(out.resolve("fidelity.json"), Json.write(all) + "\n");
            FidelityPlot.write(out, "fidelity", points, model.getFileName().toString());
        }
        report(summary, points);
        return 0;
    }

    /** The samples of {@code --data} the calibration left out; refuses another file. */
    private Dataset heldOut(LoadedModel m, CalibrationFile file) throws IOException, FormatException {
        if (samples != null && samples < 1) {
            throw new IllegalArgumentException("--samples must be >= 1, was " + samples);
        }
        Dataset all = EvalCommand.loadData(m, data, labels, null);
        int used = file.calibration().samples();
        long s = file.provenance().seed();
        if (!CalibrateCommand.select(all, used, s).sha256().equals(file.provenance().dataSha256())) {
            throw new IllegalArgumentException("--held-out: " + data + " is not the data " + calibration + " was calibrated on (its "
                    + used + " samples drawn with seed " + s + " hash differently)");
        }
        Dataset rest = CalibrateCommand.complement(all, used, s);
        if (rest.size() == 0) {
            throw new IllegalArgumentException("--held-out: the calibration used every sample of " + data + "; none is left to measure on");
        }
        return samples == null ? rest : rest.first(Math.min(samples, rest.size()));
    }

    /** Every configuration to compare, with its prediction; measured drops are filled in later. */
    List<Point> plan(Calibration cal) {
        List<Point> plan = new ArrayList<>();
        int last = cal.cuts().size() - 1;
        if (!noSingle) {
            for (TensorCalibration w : cal.weights()) {
                for (int b = MIN_SWEEP_BITS; b <= MAX_SWEEP_BITS; b++) {
                    Map<String, Integer> bits = Map.of(w.name(), b);
                    plan.add(point(cal, "weight", last, w.name(), b, bits, Quantizer.NOT_QUANTIZED_BITS));
                }
            }
            for (CutCalibration c : cal.cuts()) {
                for (int b = MIN_SWEEP_BITS; b <= MAX_SWEEP_BITS; b++) {
                    plan.add(point(cal, "activation", c.index(), c.activation().name(), b, Map.of(), b));
                }
            }
        }
        List<Integer> withWeights = new ArrayList<>();
        for (CutCalibration c : cal.cuts()) {
            if (!c.headWeights().isEmpty()) {
                withWeights.add(c.index());
            }
        }
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int i = 0; i < configs && !withWeights.isEmpty(); i++) {
            int cut = withWeights.get(rnd.nextInt(withWeights.size()));
            int base = MIXED_MIN_BITS + rnd.nextInt(MAX_SWEEP_BITS - MIXED_MIN_BITS + 1);
            Map<String, Integer> bits = new LinkedHashMap<>();
            for (String h : cal.cut(cut).headWeights()) {
                int b;
                if (rnd.nextDouble() < MIXED_ANY_BITS_PROBABILITY) {
                    b = MIN_SWEEP_BITS + rnd.nextInt(MAX_SWEEP_BITS - MIN_SWEEP_BITS + 1);
                } else {
                    b = Math.max(MIXED_MIN_BITS, Math.min(MAX_SWEEP_BITS, base - 1 + rnd.nextInt(4)));
                }
                bits.put(h, b);
            }
            int a = MIXED_ACTIVATION_BITS[rnd.nextInt(MIXED_ACTIVATION_BITS.length)];
            plan.add(point(cal, "mixed", cut, null, base, bits, a));
        }
        SplittableRandom brnd = new SplittableRandom(seed ^ 0x5DEECE66DL);
        for (int i = 0; i < budgetConfigs && !withWeights.isEmpty(); i++) {
            int cut = withWeights.get(brnd.nextInt(withWeights.size()));
            double target = Math.exp(Math.log(BUDGET_MIN) + brnd.nextDouble() * (Math.log(BUDGET_MAX) - Math.log(BUDGET_MIN)));
            List<String> head = cal.cut(cut).headWeights();
            boolean quantizeActivation = brnd.nextInt(MIXED_ACTIVATION_BITS.length) != 0;
            int terms = head.size() + (quantizeActivation ? 1 : 0);
            double share = target / terms;
            Map<String, Integer> bits = new LinkedHashMap<>();
            for (String h : head) {
                int b = MAX_SWEEP_BITS;
                for (int c = MIN_SWEEP_BITS; c <= MAX_SWEEP_BITS; c++) {
                    if (cal.predict(cut, Map.of(h, c), Quantizer.NOT_QUANTIZED_BITS, AccuracyModel.DEFAULT_G, false).drop() <= share) {
                        b = c;
                        break;
                    }
                }
                bits.put(h, Math.min(MAX_SWEEP_BITS, b + brnd.nextInt(2)));
            }
            int a = Quantizer.NOT_QUANTIZED_BITS;
            if (quantizeActivation) {
                a = MAX_SWEEP_BITS;
                for (int c = 4; c <= MAX_SWEEP_BITS; c++) {
                    if (cal.predict(cut, Map.of(), c, AccuracyModel.DEFAULT_G, false).drop() <= share) {
                        a = c;
                        break;
                    }
                }
                a = Math.min(MAX_SWEEP_BITS, a + brnd.nextInt(2));
            }
            plan.add(point(cal, "budget", cut, null, (int) Math.round(target * 1e4), bits, a));
        }
        return plan;
    }

    private Point point(Calibration cal, String kind, int cut, String tensor, int bits, Map<String, Integer> weightBits, int act) {
        double estimate = cal.predict(cut, weightBits, act, AccuracyModel.DEFAULT_G, !energyAdditivity).drop();
        double upper = churnMargin() ? cal.withChurnMargin(estimate, margin) : cal.withMargin(estimate, margin);
        return new Point(kind, cut, tensor, bits, weightBits, act, 100 * upper, 100 * estimate, Double.NaN);
    }

    private boolean churnMargin() {
        return switch (marginModel) {
            case "churn" -> true;
            case "binomial" -> false;
            default -> throw new IllegalArgumentException("--margin-model: expected 'churn' or 'binomial', found '" + marginModel + "'");
        };
    }

    private Map<String, Object> summary(CalibrationFile file, Dataset ds, double floatAccuracy, List<Point> points) {
        Summary all = Summary.of(points);
        Summary single = Summary.of(points.stream().filter(Point::single).toList());
        Summary mixed = Summary.of(points.stream().filter(p -> p.kind().equals("mixed")).toList());
        Summary budget = Summary.of(points.stream().filter(p -> p.kind().equals("budget")).toList());
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("model", model.toString());
        o.put("calibration", calibration.toString());
        o.put("estimator", file.calibration().estimator());
        o.put("data", data.toString());
        o.put("heldOut", heldOut);
        o.put("dataSha256", ds.sha256());
        o.put("samples", ds.size());
        o.put("seed", seed);
        o.put("floatAccuracy", floatAccuracy);
        o.put("configurations", all.configurations());
        o.put("meanAbsoluteErrorPp", all.meanAbsoluteErrorPp());
        o.put("optimisticFraction", all.optimisticFraction());
        o.put("maxAbsoluteErrorPp", all.maxAbsoluteErrorPp());
        o.put("meanErrorPp", all.meanErrorPp());
        o.put("single", summaryJson(single));
        o.put("mixed", summaryJson(mixed));
        o.put("budget", summaryJson(budget));
        o.put("optimisticMarginPp", OPTIMISTIC_MARGIN_PP);
        o.put("marginStandardErrors", margin);
        o.put("marginModel", marginModel);
        o.put("churnFloor", file.calibration().churnFloor());
        o.put("correlated", !energyAdditivity && file.calibration().correlations() != null);
        List<Point> raw = points.stream().map(p -> new Point(p.kind(), p.cut(), p.tensor(), p.bits(), p.weightBits(), p.activationBits(),
                p.estimatePp(), p.estimatePp(), p.measuredPp())).toList();
        o.put("raw", summaryJson(Summary.of(raw)));
        return o;
    }

    private static Map<String, Object> summaryJson(Summary s) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("configurations", s.configurations());
        o.put("meanAbsoluteErrorPp", s.meanAbsoluteErrorPp());
        o.put("optimisticFraction", s.optimisticFraction());
        o.put("maxAbsoluteErrorPp", s.maxAbsoluteErrorPp());
        o.put("meanErrorPp", s.meanErrorPp());
        return o;
    }

    private static Map<String, Object> pointJson(Point p) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("kind", p.kind());
        o.put("cut", p.cut());
        if (p.tensor() != null) {
            o.put("tensor", p.tensor());
        }
        o.put("bits", p.single() ? p.bits() : p.weightBits());
        o.put("activationBits", p.activationBits());
        o.put("predictedPp", p.predictedPp());
        o.put("estimatePp", p.estimatePp());
        o.put("measuredPp", p.measuredPp());
        return o;
    }

    private static void writeCsv(Path f, List<Point> points) throws IOException {
        StringBuilder sb = new StringBuilder("kind,cut,tensor,bits,activation_bits,predicted_pp,estimate_pp,measured_pp\n");
        for (Point p : points) {
            String bits = p.single() ? String.valueOf(p.bits())
                    : String.join(" ", p.weightBits().values().stream().map(String::valueOf).toList());
            sb.append(p.kind()).append(',').append(p.cut()).append(',').append(csv(p.tensor() == null ? "" : p.tensor())).append(',')
                    .append(bits).append(',').append(p.activationBits()).append(',').append(p.predictedPp()).append(',')
                    .append(p.estimatePp()).append(',').append(p.measuredPp()).append('\n');
        }
        Files.writeString(f, sb.toString());
    }

    private static String csv(String s) {
        return s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }

    private void report(Map<String, Object> summary, List<Point> points) {
        PrintWriter o = spec.commandLine().getOut();
        if (json) {
            o.println(Json.write(summary));
            return;
        }
        o.printf("model        %s, calibration %s (%s estimator)%n", model, calibration, summary.get("estimator"));
        o.printf("test data    %s: %d samples, float accuracy %.4f%n", data, summary.get("samples"), (double) summary.get("floatAccuracy"));
        o.printf("%-10s %4s %-30s %5s %5s %11s %11s%n", "kind", "cut", "tensor", "bits", "act", "predicted", "measured");
        for (Point p : points) {
            String t = p.tensor() == null ? "" : p.tensor().length() > 30 ? "..." + p.tensor().substring(p.tensor().length() - 27) : p.tensor();
            o.printf("%-10s %4d %-30s %5s %5s %8.3f pp %8.3f pp%s%n", p.kind(), p.cut(), t,
                    p.single() ? String.valueOf(p.bits()) : "~" + p.bits(),
                    p.activationBits() == Quantizer.NOT_QUANTIZED_BITS ? "f32" : String.valueOf(p.activationBits()),
                    p.predictedPp(), p.measuredPp(), p.optimistic() ? "  optimistic" : "");
        }
        for (String k : List.of("single", "mixed", "budget")) {
            @SuppressWarnings("unchecked")
            Map<String, Object> s = (Map<String, Object>) summary.get(k);
            o.printf("%-12s %d configurations: mean |error| %.3f pp, max %.3f pp, mean error %+.3f pp, optimistic (> %.2f pp) %.1f%%%n", k,
                    s.get("configurations"), (double) s.get("meanAbsoluteErrorPp"), (double) s.get("maxAbsoluteErrorPp"),
                    (double) s.get("meanErrorPp"), OPTIMISTIC_MARGIN_PP, 100 * (double) s.get("optimisticFraction"));
        }
        o.printf("all          %d configurations: mean |error| %.3f pp, optimistic %.1f%%%n", summary.get("configurations"),
                (double) summary.get("meanAbsoluteErrorPp"), 100 * (double) summary.get("optimisticFraction"));
        if (out != null) {
            o.printf("wrote        %s (fidelity.png, fidelity-zoom.png, fidelity.csv, fidelity.json)%n", out);
        }
    }
}
