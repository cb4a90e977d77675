package io.qpart.cli;

import io.qpart.cli.report.Csv;
import io.qpart.cli.report.SvgPlot;
import io.qpart.core.cost.CostModel;
import io.qpart.core.table.Strategy;
import picocli.CommandLine.Command;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/** {@code qpart experiment partition}: the objective and its parts against the cut at a fixed device and channel (SPEC §9). */
@Command(name = "partition", mixinStandardHelpOptions = true,
        description = {"Objective, latency, device energy and payload against the cut, for QPART and every baseline,",
                "at a fixed device and channel; each strategy's chosen cut is marked."})
final class PartitionExperiment extends ExperimentCommand.Base {
    static final String NAME = "partition";

    @Override
    String name() {
        return NAME;
    }

    @Override
    void run(ExperimentCommand.Output o) throws Exception {
        Scenario sc = scenario();
        CostModel cm = costModel();
        int cuts = planTable.cuts().size();
        Map<Strategy, Scenario.Point> best = sc.bestOfEach(cm);
        Csv csv = new Csv("strategy", "cut", "activationBits", "downloadBytes", "fp32DownloadBytes", "payloadPercent", "uploadBytes",
                "fp32UploadBytes", "downloadSeconds", "deviceSeconds", "uploadSeconds", "serverSeconds", "latencySeconds", "deviceEnergyJoules",
                "objective", "predictedDrop", "calibrationDrop", "chosen");
        Map<Strategy, Scenario.Point[]> byCut = new LinkedHashMap<>();
        for (Strategy s : Strategy.values()) {
            Scenario.Point[] row = new Scenario.Point[cuts];
            for (int k = 0; k < cuts; k++) {
                Scenario.Point p = sc.at(s, k, cm);
                row[k] = p;
                if (p == null) {
                    continue;
                }
                var c = p.cost();
                var d = p.decision();
                csv.row(s.id(), k, d.activationBits(), p.downloadBytes(sc.headHeld()), d.fp32DownloadBytes(), p.payloadPercent(), d.uploadBytes(),
                        d.fp32UploadBytes(), c.downloadSeconds(), c.deviceSeconds(), c.uploadSeconds(), c.serverSeconds(), c.totalSeconds(),
                        c.deviceEnergyJoules(), c.objective(), d.predictedDrop(), d.calibrationDrop(),
                        !best.get(s).fallback() && best.get(s).cut() == k);
            }
            byCut.put(s, row);
        }
        o.csv(NAME, csv);

        Scenario.Point q = best.get(Strategy.QPART);
        o.parametersTable(Map.of("cuts", "0 (full offload) .. " + (cuts - 1) + " (full local)"));
        o.page.h2("Findings");
        List<String> lines = new ArrayList<>();
        lines.add(String.format(Locale.ROOT, "QPART chooses cut %d (activation %d bits), objective %.6g, latency %.4g s, device energy %.4g J.",
                q.cut(), q.decision().activationBits(), q.cost().objective(), q.cost().totalSeconds(), q.cost().deviceEnergyJoules()));
        Map<String, Object> summary = new LinkedHashMap<>();
        Map<String, Object> chosen = new LinkedHashMap<>();
        for (Strategy s : Strategy.values()) {
            Scenario.Point p = best.get(s);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("cut", p.cut());
            m.put("fallback", p.fallback());
            m.put("objective", p.cost().objective());
            m.put("latencySeconds", p.cost().totalSeconds());
            m.put("deviceEnergyJoules", p.cost().deviceEnergyJoules());
            m.put("objectiveOverQpart", p.cost().objective() / q.cost().objective());
            chosen.put(s.id(), m);
            if (s != Strategy.QPART) {
                lines.add(String.format(Locale.ROOT, "%s: cut %d%s, objective %.6g (%.3f× QPART's).", s.id(), p.cut(),
                        p.fallback() ? " (nothing met the budget: full offload)" : "", p.cost().objective(), p.cost().objective() / q.cost().objective()));
            }
        }
        summary.put("chosen", chosen);
        o.page.list(lines);

        double[] x = new double[cuts];
        for (int k = 0; k < cuts; k++) {
            x[k] = k;
        }
        String where = String.format(Locale.ROOT, "%s on %s, Δa = %s%%%s", device, channel, pct(drop), headHeld ? ", heads held" : "");
        o.plot("objective", plot("Objective against the cut (" + modelName + ")", objectiveLabel(), x, byCut, p -> p.cost().objective(), q.cut()),
                "Objective J per cut, " + where + ". Each strategy at its best configuration for that cut; missing points: the strategy has no "
                        + "configuration there (server-only exists at cut 0 only, device-only at the last cut). Dashed line: QPART's choice.");
        o.plot("latency", plot("End-to-end latency against the cut (" + modelName + ")", "latency T (s)", x, byCut, p -> p.cost().totalSeconds(), q.cut()),
                "Latency T = T_dl + T_dev + T_ul + T_srv per cut, " + where + ".");
        o.plot("energy", plot("Device energy against the cut (" + modelName + ")", "device energy E_dev (J)", x, byCut,
                p -> p.cost().deviceEnergyJoules(), q.cut()), "Device energy (compute, transmit, receive) per cut, " + where + ".");
        o.plot("payload", plot("Bytes on air against the cut (" + modelName + ")", "download + upload (bytes)", x, byCut,
                p -> p.downloadBytes(sc.headHeld()) + p.decision().uploadBytes(), q.cut()),
                "Bytes on air per request (head download as sent plus the activation upload), " + where + ".");
        o.page.h2("Chosen cut per strategy");
        List<List<String>> rows = new ArrayList<>();
        for (Strategy s : Strategy.values()) {
            Scenario.Point p = best.get(s);
            rows.add(List.of(s.id(), String.valueOf(p.cut()), String.valueOf(p.decision().activationBits()),
                    String.valueOf(p.downloadBytes(sc.headHeld())), String.valueOf(p.decision().uploadBytes()),
                    String.format(Locale.ROOT, "%.4g", p.cost().totalSeconds()), String.format(Locale.ROOT, "%.4g", p.cost().deviceEnergyJoules()),
                    String.format(Locale.ROOT, "%.6g", p.cost().objective()), String.format(Locale.ROOT, "%.2f", 100 * p.decision().predictedDrop())));
        }
        o.page.table(List.of("strategy", "cut", "activation bits", "download (B)", "upload (B)", "latency (s)", "device energy (J)", "objective",
                "predicted drop (pp)"), rows);
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("rows", csv.records());
        o.finish(results, summary, Map.of(), Map.of());
        stdout().printf("partition %s: QPART cut %d, objective %.6g%n", modelName, q.cut(), q.cost().objective());
    }

    static String pct(double fraction) {
        return String.valueOf(Math.round(fraction * 1e6) / 1e4);
    }

    private static SvgPlot plot(String title, String yLabel, double[] x, Map<Strategy, Scenario.Point[]> byCut, ToDoubleFunction<Scenario.Point> f,
                                int chosen) {
        SvgPlot p = new SvgPlot(title, "cut index (0 = full offload, last = full local)", yLabel).integerX().yLog();
        int i = 0;
        for (Map.Entry<Strategy, Scenario.Point[]> e : byCut.entrySet()) {
            double[] y = new double[x.length];
            for (int k = 0; k < y.length; k++) {
                Scenario.Point pt = e.getValue()[k];
                y[k] = pt == null ? Double.NaN : f.applyAsDouble(pt);
            }
            boolean single = e.getKey() == Strategy.SERVER_ONLY || e.getKey() == Strategy.DEVICE_ONLY;
            p.add(new SvgPlot.Series(e.getKey().id(), x, y, SvgPlot.style(i++), single ? SvgPlot.Render.SCATTER : SvgPlot.Render.LINE));
        }
        p.vline(chosen, "QPART: cut " + chosen);
        return p;
    }
}
