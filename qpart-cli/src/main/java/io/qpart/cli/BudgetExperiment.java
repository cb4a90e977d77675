package io.qpart.cli;

import io.qpart.cli.report.Csv;
import io.qpart.cli.report.SvgPlot;
import io.qpart.core.cost.CostModel;
import io.qpart.core.table.Strategy;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** {@code qpart experiment budget}: payload and accuracy drop against the budget Δa, QPART against every baseline (SPEC §9). */
@Command(name = "budget", mixinStandardHelpOptions = true,
        description = {"Sweep the accuracy budget Δa over the table's grid: head payload (%% of float32) and accuracy drop for QPART",
                "and every baseline, at one cut (default: the last, the whole model on the device) or each strategy's best cut.",
                "The drop is measured on test data as 'qpart plan --verify' measures it (--no-measure skips it)."})
final class BudgetExperiment extends ExperimentCommand.Base {
    @Option(names = "--cut", paramLabel = "K|last|best", description = "Cut to compare at: an index, 'last' or 'best' (default: ${DEFAULT-VALUE}).")
    String cut = "last";

    @Option(names = "--data", paramLabel = "FILE", description = "Labelled test data for the measured drop (default: ${DEFAULT-VALUE}).")
    Path data = Path.of("data", "mnist-test.npz");

    @Option(names = "--no-measure", description = "Do not measure the drop on test data.")
    boolean noMeasure;

    @Override
    String name() {
        return "budget";
    }

    /** The cut to compare at, or -1 for each strategy's best. */
    int cutIndex() {
        int last = planTable.cuts().size() - 1;
        return switch (cut) {
            case "last" -> last;
            case "best" -> -1;
            default -> {
                int k;
                try {
                    k = Integer.parseInt(cut);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("--cut expects a cut index, 'last' or 'best', found '" + cut + "'");
                }
                if (k < 0 || k > last) {
                    throw new IllegalArgumentException("--cut " + k + " is out of range: this model has cuts 0.." + last);
                }
                yield k;
            }
        };
    }

    @Override
    void run(ExperimentCommand.Output o) throws Exception {
        int k = cutIndex();
        CostModel cm = costModel();
        double[] grid = planTable.drops();
        DropMeter meter = null;
        if (!noMeasure) {
            if (!java.nio.file.Files.isRegularFile(modelFile)) {
                throw new IllegalArgumentException(modelFile + ": no such model; measuring the drop needs the .onnx file (or pass --no-measure)");
            }
            meter = DropMeter.open(modelFile, data, planTable, common.threads());
        }
        Csv csv = new Csv("maxAccuracyDrop", "strategy", "cut", "activationBits", "downloadBytes", "fp32DownloadBytes", "payloadPercent", "uploadBytes",
                "fp32UploadBytes", "predictedDrop", "calibrationDrop", "measuredDrop", "objective", "latencySeconds", "deviceEnergyJoules");
        Map<Strategy, double[]> payload = new EnumMap<>(Strategy.class);
        Map<Strategy, double[]> measured = new EnumMap<>(Strategy.class);
        Map<Strategy, double[]> predicted = new EnumMap<>(Strategy.class);
        Map<Strategy, Scenario.Point[]> points = new EnumMap<>(Strategy.class);
        for (Strategy s : Strategy.values()) {
            payload.put(s, new double[grid.length]);
            measured.put(s, new double[grid.length]);
            predicted.put(s, new double[grid.length]);
            points.put(s, new Scenario.Point[grid.length]);
        }
        PrintWriterProgress progress = new PrintWriterProgress(spec.commandLine().getErr(), meter != null);
        for (int i = 0; i < grid.length; i++) {
            Scenario sc = new Scenario(planTable, grid[i], headHeld);
            for (Strategy s : Strategy.values()) {
                Scenario.Point p;
                if (s == Strategy.SERVER_ONLY || s == Strategy.DEVICE_ONLY || k < 0) {
                    p = sc.best(s, cm);
                } else {
                    p = sc.at(s, k, cm);
                }
                points.get(s)[i] = p;
                if (p == null) {
                    payload.get(s)[i] = Double.NaN;
                    measured.get(s)[i] = Double.NaN;
                    predicted.get(s)[i] = Double.NaN;
                    csv.row(grid[i], s.id(), k, null, null, null, null, null, null, null, null, null, null, null, null);
                    continue;
                }
                var d = p.decision();
                double m = Double.NaN;
                if (meter != null) {
                    progress.say(String.format(Locale.ROOT, "measuring Δa %s%% %s (cut %d)", PartitionExperiment.pct(grid[i]), s.id(), d.cut()));
                    m = meter.measure(d);
                }
                payload.get(s)[i] = p.payloadPercent();
                measured.get(s)[i] = 100 * m;
                predicted.get(s)[i] = 100 * d.predictedDrop();
                csv.row(grid[i], s.id(), d.cut(), d.activationBits(), d.downloadBytes(), d.fp32DownloadBytes(), p.payloadPercent(), d.uploadBytes(),
                        d.fp32UploadBytes(), d.predictedDrop(), d.calibrationDrop(), m, p.cost().objective(), p.cost().totalSeconds(),
                        p.cost().deviceEnergyJoules());
            }
        }
        progress.done();
        o.csv("budget", csv);

        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("cut", k < 0 ? "each strategy's best" : k + (k == planTable.cuts().size() - 1 ? " (full local)" : ""));
        extra.put("grid", java.util.Arrays.toString(grid));
        extra.put("measuredOn", meter == null ? "not measured (--no-measure)" : data + " (" + meter.samples() + " samples, float32 accuracy "
                + String.format(Locale.ROOT, "%.4f", meter.floatAccuracy()) + ")");
        o.parametersTable(extra);

        o.page.h2("Findings");
        List<String> lines = new ArrayList<>();
        Map<String, Object> summary = new LinkedHashMap<>();
        List<Map<String, Object>> perDrop = new ArrayList<>();
        int within = 0;
        int measuredCells = 0;
        for (int i = 0; i < grid.length; i++) {
            Scenario.Point q = points.get(Strategy.QPART)[i];
            if (q == null) {
                continue;
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("maxAccuracyDrop", grid[i]);
            m.put("qpartPayloadPercent", payload.get(Strategy.QPART)[i]);
            m.put("qpartMeasuredDropPp", finite(measured.get(Strategy.QPART)[i]));
            if (meter != null) {
                measuredCells++;
                if (measured.get(Strategy.QPART)[i] <= 100 * grid[i] + 1e-9) {
                    within++;
                }
            }
            perDrop.add(m);
            lines.add(String.format(Locale.ROOT, "Δa %s%%: QPART head %s of float32 (cut %d)%s.", PartitionExperiment.pct(grid[i]),
                    Double.isNaN(payload.get(Strategy.QPART)[i]) ? "n/a" : String.format(Locale.ROOT, "%.2f%%", payload.get(Strategy.QPART)[i]),
                    q.cut(), meter == null ? "" : String.format(Locale.ROOT, ", measured drop %.2f pp", measured.get(Strategy.QPART)[i])));
        }
        if (meter != null) {
            lines.add(String.format(Locale.ROOT, "QPART's measured drop is within its budget at %d of %d grid points (one test sample = %.3f pp).", within,
                    measuredCells, 100.0 / meter.samples()));
            summary.put("qpartWithinBudget", within);
            summary.put("measuredGridPoints", measuredCells);
            summary.put("testSamples", meter.samples());
        }
        summary.put("perDrop", perDrop);
        o.page.list(lines);

        double[] xs = new double[grid.length];
        for (int i = 0; i < grid.length; i++) {
            xs[i] = 100 * grid[i];
        }
        String where = String.format(Locale.ROOT, "%s; costs for %s on %s.", k < 0 ? "Each strategy at its best cut"
                : "At cut " + k + " (server-only and device-only at their own cuts)", device, channel);
        o.plot("payload", plot("Head payload against the budget (" + modelName + ")", "head payload (% of float32 head)", xs, payload, false)
                        .yFromZero(),
                "Head container bytes as a percentage of the same head in float32. " + where
                        + " Server-only has no head (not plotted); device-only and partition-only are float32 (100%).");
        if (meter != null) {
            SvgPlot mp = plot("Measured accuracy drop against the budget (" + modelName + ")", "measured drop on test (pp)", xs, measured, true);
            o.plot("measured-drop", mp, "Accuracy drop measured on " + data + " (" + meter.samples() + " samples) against the float32 model; the "
                    + "grey line is the budget (drop = Δa). " + where);
            double top = 2.5 * xs[xs.length - 1];
            SvgPlot zoom = plot("Measured accuracy drop, 0 to " + PartitionExperiment.pct(top / 100) + " pp (" + modelName + ")",
                    "measured drop on test (pp)", xs, measured, true).yRange(-0.5, top);
            o.plot("measured-drop-zoom", zoom, "The same, with the drop axis cut at " + PartitionExperiment.pct(top / 100)
                    + " pp so that drops near the budget can be read; lines leaving the frame continue above it.");
        }
        o.plot("predicted-drop", plot("Predicted accuracy drop against the budget (" + modelName + ")", "predicted drop (pp)", xs, predicted, true),
                "The accuracy model's drop for each decision (SPEC §4); grey line: the budget. " + where);

        o.page.h2("All decisions");
        List<List<String>> rows = new ArrayList<>();
        for (int i = 0; i < grid.length; i++) {
            for (Strategy s : Strategy.values()) {
                Scenario.Point p = points.get(s)[i];
                if (p == null) {
                    rows.add(List.of(PartitionExperiment.pct(grid[i]) + "%", s.id(), "-", "-", "-", "-", "-", "-"));
                    continue;
                }
                rows.add(List.of(PartitionExperiment.pct(grid[i]) + "%", s.id(), String.valueOf(p.cut()), String.valueOf(p.decision().activationBits()),
                        String.valueOf(p.decision().downloadBytes()), Double.isNaN(payload.get(s)[i]) ? "-" : String.format(Locale.ROOT, "%.2f%%",
                                payload.get(s)[i]), String.format(Locale.ROOT, "%.2f", predicted.get(s)[i]),
                        Double.isNaN(measured.get(s)[i]) ? "-" : String.format(Locale.ROOT, "%.2f", measured.get(s)[i])));
            }
        }
        o.page.table(List.of("Δa", "strategy", "cut", "activation bits", "head bytes", "% of float32", "predicted drop (pp)", "measured drop (pp)"), rows);
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("rows", csv.records());
        Map<String, Path> files = meter == null ? Map.of() : Map.of("data " + data, data);
        o.finish(results, summary, files, Map.of());
    }

    private static Object finite(double v) {
        return Double.isFinite(v) ? v : null;
    }

    private static SvgPlot plot(String title, String yLabel, double[] xs, Map<Strategy, double[]> values, boolean budgetLine) {
        SvgPlot p = new SvgPlot(title, "accuracy budget Δa (percentage points)", yLabel).xLog();
        int i = 0;
        for (Strategy s : Strategy.values()) {
            boolean single = s == Strategy.SERVER_ONLY || s == Strategy.DEVICE_ONLY;
            p.add(new SvgPlot.Series(s.id(), xs, values.get(s), SvgPlot.style(i++), single ? SvgPlot.Render.SCATTER : SvgPlot.Render.LINE));
        }
        if (budgetLine) {
            p.add(new SvgPlot.Series("budget (drop = Δa)", xs, xs, new SvgPlot.Style("#999999", "1,2", SvgPlot.Marker.NONE), SvgPlot.Render.LINE));
        }
        return p;
    }

    /** Progress lines on stderr while measuring. */
    private record PrintWriterProgress(java.io.PrintWriter err, boolean on) {
        void say(String s) {
            if (on) {
                err.println("qpart: " + s);
                err.flush();
            }
        }

        void done() {
        }
    }
}
