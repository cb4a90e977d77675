package io.qpart.cli;

import io.qpart.cli.report.Csv;
import io.qpart.cli.report.SvgPlot;
import io.qpart.core.cost.CostModel;
import io.qpart.core.table.Strategy;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * A sweep of one quantity over log-spaced values: at each value every strategy's best cut and
 * its cost (SPEC §7, Algorithm 2); where the optimal cut changes, the switching value is located
 * by bisection on the logarithm of the quantity (60 steps).
 */
abstract class SweepExperiment extends ExperimentCommand.Base {
    @Option(names = "--points", paramLabel = "N", description = "Values in the sweep, log-spaced (default: ${DEFAULT-VALUE}).")
    int points = 37;

    /** Lowest and highest swept value. */
    abstract double[] bounds();

    /** The cost model at swept value {@code x}. */
    abstract CostModel costAt(double x);

    /** CSV column of the swept value (with its unit). */
    abstract String column();

    /** Axis title of the swept value (with its unit). */
    abstract String axis();

    /** What was swept, for captions. */
    abstract String sweptWhat();

    /** The profile's own value of the swept quantity, marked on the plots. */
    abstract double nominal();

    /** Further CSV columns describing the cost model at x (names). */
    abstract List<String> extraColumns();

    abstract List<Object> extraValues(double x);

    /** A transition of the optimal cut. */
    record Transition(Strategy strategy, int fromCut, int toCut, double at) {
    }

    static double[] logSpace(double lo, double hi, int n) {
        if (!(lo > 0) || !(hi > lo)) {
            throw new IllegalArgumentException("a sweep needs 0 < low < high, found " + lo + " and " + hi);
        }
        if (n < 2) {
            throw new IllegalArgumentException("--points must be >= 2, was " + n);
        }
        double[] x = new double[n];
        double a = Math.log10(lo);
        double b = Math.log10(hi);
        for (int i = 0; i < n; i++) {
            x[i] = Math.pow(10, a + (b - a) * i / (n - 1));
        }
        x[0] = lo;
        x[n - 1] = hi;
        return x;
    }

    /** Where strategy {@code s}'s optimal cut changes between consecutive sweep values. */
    List<Transition> transitions(Scenario sc, Strategy s, double[] xs, int[] cuts) {
        List<Transition> out = new ArrayList<>();
        for (int i = 0; i + 1 < xs.length; i++) {
            if (cuts[i] == cuts[i + 1]) {
                continue;
            }
            double lo = Math.log(xs[i]);
            double hi = Math.log(xs[i + 1]);
            int to = cuts[i + 1];
            for (int it = 0; it < 60; it++) {
                double mid = (lo + hi) / 2;
                int c = sc.best(s, costAt(Math.exp(mid))).cut();
                if (c == cuts[i]) {
                    lo = mid;
                } else {
                    hi = mid;
                    to = c;
                }
            }
            out.add(new Transition(s, cuts[i], to, Math.exp(hi)));
        }
        return out;
    }

    @Override
    void run(ExperimentCommand.Output o) throws Exception {
        double[] b = bounds();
        double[] xs = logSpace(b[0], b[1], points);
        Scenario sc = scenario();
        Map<Strategy, Scenario.Point[]> res = new EnumMap<>(Strategy.class);
        List<String> header = new ArrayList<>(List.of(column()));
        header.addAll(extraColumns());
        header.addAll(List.of("strategy", "cut", "activationBits", "downloadBytes", "uploadBytes", "latencySeconds", "deviceEnergyJoules", "objective",
                "predictedDrop", "fallback"));
        Csv csv = new Csv(header);
        for (Strategy s : Strategy.values()) {
            res.put(s, new Scenario.Point[xs.length]);
        }
        for (int i = 0; i < xs.length; i++) {
            CostModel cm = costAt(xs[i]);
            for (Strategy s : Strategy.values()) {
                Scenario.Point p = sc.best(s, cm);
                res.get(s)[i] = p;
                List<Object> row = new ArrayList<>();
                row.add(xs[i]);
                row.addAll(extraValues(xs[i]));
                row.addAll(List.of(s.id(), p.cut(), p.decision().activationBits(), p.downloadBytes(sc.headHeld()), p.decision().uploadBytes(),
                        p.cost().totalSeconds(), p.cost().deviceEnergyJoules(), p.cost().objective(), p.decision().predictedDrop(), p.fallback()));
                csv.row(row.toArray());
            }
        }
        o.csv(name(), csv);
        Map<Strategy, List<Transition>> moves = new EnumMap<>(Strategy.class);
        Csv tcsv = new Csv("strategy", "fromCut", "toCut", column());
        for (Strategy s : Strategy.values()) {
            int[] cuts = new int[xs.length];
            for (int i = 0; i < xs.length; i++) {
                cuts[i] = res.get(s)[i].cut();
            }
            List<Transition> t = transitions(sc, s, xs, cuts);
            moves.put(s, t);
            t.forEach(tr -> tcsv.row(s.id(), tr.fromCut(), tr.toCut(), tr.at()));
        }
        o.csv(name() + "-transitions", tcsv);

        o.parametersTable(sweepParameters(xs));
        o.page.h2("Where the optimal cut moves");
        List<String> lines = new ArrayList<>();
        for (Strategy s : Strategy.values()) {
            List<Transition> t = moves.get(s);
            StringBuilder sb = new StringBuilder(s.id()).append(": cut ").append(res.get(s)[0].cut()).append(" at ").append(fmt(xs[0]));
            for (Transition tr : t) {
                sb.append(String.format(Locale.ROOT, "; cut %d → %d at %s", tr.fromCut(), tr.toCut(), fmt(tr.at())));
            }
            sb.append(t.isEmpty() ? " (never moves)" : "").append('.');
            lines.add(sb.toString());
        }
        o.page.list(lines);

        String caption = String.format(Locale.ROOT, "%s swept log-spaced over %d values; %s, Δa = %s%%%s. Dashed line: the profile's own value.",
                sweptWhat(), xs.length, context(), PartitionExperiment.pct(drop), headHeld ? ", heads held" : "");
        SvgPlot cutPlot = plot("Optimal cut (" + modelName + ")", "optimal cut index", xs, res, p -> p.cut(), SvgPlot.Render.STEP).integerY();
        o.plot("cut", cutPlot, "Each strategy's optimal cut. " + caption);
        o.plot("objective", plot("Objective at the optimal cut (" + modelName + ")", objectiveLabel(), xs, res, p -> p.cost().objective(),
                SvgPlot.Render.LINE).yLog(), "Objective J at each strategy's optimal cut. " + caption);
        o.plot("latency", plot("Latency at the optimal cut (" + modelName + ")", "latency T (s)", xs, res, p -> p.cost().totalSeconds(),
                SvgPlot.Render.LINE).yLog(), "End-to-end latency at each strategy's optimal cut. " + caption);
        o.plot("energy", plot("Device energy at the optimal cut (" + modelName + ")", "device energy E_dev (J)", xs, res,
                p -> p.cost().deviceEnergyJoules(), SvgPlot.Render.LINE).yLog(), "Device energy at each strategy's optimal cut. " + caption);

        Map<String, Object> summary = new LinkedHashMap<>();
        Map<String, Object> tj = new LinkedHashMap<>();
        for (Strategy s : Strategy.values()) {
            List<Map<String, Object>> l = new ArrayList<>();
            for (Transition tr : moves.get(s)) {
                l.add(Map.of("fromCut", tr.fromCut(), "toCut", tr.toCut(), column(), tr.at()));
            }
            tj.put(s.id(), Map.of("firstCut", res.get(s)[0].cut(), "transitions", l));
        }
        summary.put("optimalCut", tj);
        Scenario.Point[] q = res.get(Strategy.QPART);
        Map<String, Object> gains = new LinkedHashMap<>();
        for (Strategy s : Strategy.values()) {
            if (s == Strategy.QPART) {
                continue;
            }
            double lo = Double.POSITIVE_INFINITY;
            double hi = 0;
            for (int i = 0; i < xs.length; i++) {
                double r = res.get(s)[i].cost().objective() / q[i].cost().objective();
                lo = Math.min(lo, r);
                hi = Math.max(hi, r);
            }
            gains.put(s.id(), Map.of("minObjectiveOverQpart", lo, "maxObjectiveOverQpart", hi));
        }
        summary.put("baselineObjectiveOverQpart", gains);
        o.page.h2("Baselines against QPART");
        List<List<String>> rows = new ArrayList<>();
        gains.forEach((k, v) -> {
            @SuppressWarnings("unchecked") Map<String, Double> m = (Map<String, Double>) v;
            rows.add(List.of(k, String.format(Locale.ROOT, "%.3f", m.get("minObjectiveOverQpart")), String.format(Locale.ROOT, "%.3f",
                    m.get("maxObjectiveOverQpart"))));
        });
        o.page.table(List.of("baseline", "lowest objective / QPART's", "highest objective / QPART's"), rows);
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("rows", csv.records());
        results.put("transitions", tcsv.records());
        o.finish(results, summary, Map.of(), Map.of());
        StringBuilder sb = new StringBuilder();
        for (Transition tr : moves.get(Strategy.QPART)) {
            sb.append(String.format(Locale.ROOT, " %d→%d at %s;", tr.fromCut(), tr.toCut(), fmt(tr.at())));
        }
        stdout().printf("%s %s: QPART cut %d at %s;%s%n", name(), modelName, q[0].cut(), fmt(xs[0]), sb.length() == 0 ? " never moves" : sb);
    }

    /** Device, channel or both, for captions. */
    abstract String context();

    /** A value with its unit, for text. */
    abstract String fmt(double x);

    Map<String, Object> sweepParameters(double[] xs) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("swept", sweptWhat());
        m.put("range", fmt(xs[0]) + " to " + fmt(xs[xs.length - 1]) + ", " + xs.length + " values, log-spaced");
        return m;
    }

    SvgPlot plot(String title, String yLabel, double[] xs, Map<Strategy, Scenario.Point[]> res, ToDoubleFunction<Scenario.Point> f,
                 SvgPlot.Render render) {
        SvgPlot p = new SvgPlot(title, axis(), yLabel).xLog();
        int i = 0;
        for (Strategy s : Strategy.values()) {
            double[] y = new double[xs.length];
            for (int k = 0; k < xs.length; k++) {
                y[k] = f.applyAsDouble(res.get(s)[k]);
            }
            p.add(new SvgPlot.Series(s.id(), xs, y, SvgPlot.style(i++), render));
        }
        double n = nominal();
        if (n >= xs[0] && n <= xs[xs.length - 1]) {
            p.vline(n, "profile: " + fmt(n));
        }
        return p;
    }

    /** SI-prefixed value. */
    static String si(double v, String unit) {
        String[] pre = {"", "k", "M", "G", "T", "P"};
        int k = 0;
        double x = v;
        while (Math.abs(x) >= 1000 && k < pre.length - 1) {
            x /= 1000;
            k++;
        }
        return String.format(Locale.ROOT, "%.3g %s%s", x, pre[k], unit);
    }
}
