package io.qpart.cli;

import io.qpart.cli.report.Csv;
import io.qpart.cli.report.SvgPlot;
import io.qpart.core.cost.ChannelProfile;
import io.qpart.core.cost.CostModel;
import io.qpart.core.table.Decision;
import io.qpart.core.table.Strategy;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code qpart experiment fading}: the table's decision, made once for the average channel,
 * against re-optimising at every request's instantaneous rate on a Rayleigh block-fading channel
 * (SPEC §9).
 */
@Command(name = "fading", mixinStandardHelpOptions = true,
        description = {"Rayleigh block fading (Clarke's model as a seeded sum of sinusoids, 10 Hz Doppler by default): one request every",
                "--interval-ms, each sees one channel gain g; rate = B log2(1 + SNR·g) per direction, with B set so that the mean rate",
                "equals the --channel profile's. How often, and by how much, the decision made once for the mean channel is worse",
                "than re-optimising at the instantaneous rate."})
final class FadingExperiment extends ExperimentCommand.Base {
    @Option(names = "--doppler-hz", paramLabel = "HZ", description = "Maximum Doppler frequency f_D (default: ${DEFAULT-VALUE}).")
    double dopplerHz = 10;

    @Option(names = "--requests", paramLabel = "N", description = "Requests in the time series (default: ${DEFAULT-VALUE}).")
    int requests = 20000;

    @Option(names = "--interval-ms", paramLabel = "MS", description = "Time between requests, milliseconds (default: ${DEFAULT-VALUE}).")
    double intervalMs = 5;

    @Option(names = "--snr-db", paramLabel = "DB", description = "Mean SNR (default: ${DEFAULT-VALUE} dB).")
    double snrDb = 20;

    @Option(names = "--sinusoids", paramLabel = "M", description = "Terms of the sum of sinusoids (default: ${DEFAULT-VALUE}).")
    int sinusoids = 32;

    /** What the series showed. */
    record Stats(int requests, int worse, double meanRatio, double p50, double p90, double p95, double p99, double maxRatio, double meanGain,
                 double lag1Correlation, int otherCut) {
        double worseFraction() {
            return worse / (double) requests;
        }
    }

    @Override
    String name() {
        return "fading";
    }

    @Override
    void run(ExperimentCommand.Output o) throws Exception {
        if (requests < 2) {
            throw new IllegalArgumentException("--requests must be >= 2, was " + requests);
        }
        if (!(intervalMs > 0) || !Double.isFinite(intervalMs)) {
            throw new IllegalArgumentException("--interval-ms must be > 0, was " + intervalMs);
        }
        if (!Double.isFinite(snrDb)) {
            throw new IllegalArgumentException("--snr-db must be a finite number, was " + snrDb);
        }
        RayleighFading fading = new RayleighFading(dopplerHz, sinusoids, seed);
        Scenario sc = scenario();
        CostModel mean = costModel();
        ChannelProfile ch = mean.channel();
        double snr = Math.pow(10, snrDb / 10);
        double perHz = RayleighFading.meanLog2Capacity(snr);
        double bUp = ch.uplinkBitsPerSecond() / perHz;
        double bDown = ch.downlinkBitsPerSecond() / perHz;
        Scenario.Point fixedPoint = sc.best(Strategy.QPART, mean);
        Decision fixed = fixedPoint.decision();

        Csv csv = new Csv("request", "timeSeconds", "powerGain", "uplinkBitsPerSecond", "downlinkBitsPerSecond", "fixedCut", "fixedObjective",
                "fixedLatencySeconds", "reoptCut", "reoptActivationBits", "reoptObjective", "reoptLatencySeconds", "ratio");
        double[] ratio = new double[requests];
        double[] t = new double[requests];
        double[] gain = new double[requests];
        double[] down = new double[requests];
        double[] reoptCut = new double[requests];
        double[] fixedCut = new double[requests];
        for (int i = 0; i < requests; i++) {
            t[i] = i * intervalMs / 1000;
            gain[i] = fading.powerGain(t[i]);
            double g = Math.max(gain[i], 1e-12);
            double up = bUp * Math.log1p(snr * g) / Math.log(2);
            down[i] = bDown * Math.log1p(snr * g) / Math.log(2);
            CostModel now = new CostModel(mean.device(), new ChannelProfile("fading", Math.max(up, 1e-3), Math.max(down[i], 1e-3)), mean.server(),
                    mean.weights());
            Scenario.Point rp = sc.best(Strategy.QPART, now);
            Decision re = rp.decision();
            var fc = sc.price(fixed, now);
            ratio[i] = fc.objective() / rp.cost().objective();
            reoptCut[i] = re.cut();
            fixedCut[i] = fixed.cut();
            csv.row(i, t[i], gain[i], up, down[i], fixed.cut(), fc.objective(), fc.totalSeconds(), re.cut(), re.activationBits(), rp.cost().objective(),
                    rp.cost().totalSeconds(), ratio[i]);
        }
        o.csv("fading", csv);
        Stats st = stats(ratio, gain, reoptCut, fixed.cut());

        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("dopplerHz", dopplerHz);
        extra.put("coherenceSeconds (0.423/f_D)", fading.coherenceSeconds());
        extra.put("intervalSeconds", intervalMs / 1000);
        extra.put("requests", requests + " (" + fmt3(requests * intervalMs / 1000) + " s of channel)");
        extra.put("meanSnrDb", snrDb);
        extra.put("sinusoids", sinusoids);
        extra.put("bandwidthHz (uplink, downlink)", fmt3(bUp) + ", " + fmt3(bDown));
        extra.put("decision for the mean channel", "cut " + fixed.cut() + ", activation " + fixed.activationBits() + " bits, objective "
                + fmt3(fixedPoint.cost().objective()));
        extra.put("seed", seed);
        o.parametersTable(extra);
        o.page.h2("Channel model");
        o.page.list(List.of(
                "Gain: Clarke's model as a sum of " + sinusoids + " sinusoids, h(t) = (1/√M) Σ exp(j(2π f_D t cos α_n + φ_n)), "
                        + "α_n = (2πn − π + θ)/M, θ and φ_n uniform from seed " + seed + "; power gain g = |h|², mean 1.",
                "Block fading: a request sees one gain, sampled at its start; requests every " + fmt3(intervalMs) + " ms, "
                        + "against a coherence time of about " + fmt3(1000 * fading.coherenceSeconds()) + " ms at f_D = " + fmt3(dopplerHz) + " Hz.",
                "Rate: R = B log2(1 + SNR·g) per direction, mean SNR " + fmt3(snrDb) + " dB, the same gain on both directions (a reciprocal link); "
                        + "B is set so that the mean rate E[R] equals the '" + channel + "' profile's rate (B = R̄ / E[log2(1 + SNR·g)], "
                        + "the Rayleigh ergodic capacity e^{1/SNR} E1(1/SNR) / ln 2 per hertz).",
                "Fixed: the planner's QPART decision for the mean rates, made once. Re-optimised: the planner's decision at each request's rates. "
                        + (headHeld ? "The device holds every head already (steady state): no request pays a download."
                        : "Every request pays its head download, as the planner prices it.")));
        o.page.h2("Findings");
        List<String> lines = new ArrayList<>();
        lines.add(String.format(Locale.ROOT, "The fixed decision is worse than re-optimising in %d of %d requests (%.2f%%); "
                        + "re-optimising picks another cut in %d requests (%.2f%%).", st.worse(), st.requests(), 100 * st.worseFraction(), st.otherCut(),
                100.0 * st.otherCut() / st.requests()));
        lines.add(String.format(Locale.ROOT, "Objective of the fixed decision over the re-optimised one: mean %.4f, median %.4f, 90th percentile %.4f, "
                + "95th %.4f, 99th %.4f, largest %.4f.", st.meanRatio(), st.p50(), st.p90(), st.p95(), st.p99(), st.maxRatio()));
        lines.add(String.format(Locale.ROOT, "Check of the simulated channel: mean power gain %.4f (model: 1), correlation of consecutive gains %.4f.",
                st.meanGain(), st.lag1Correlation()));
        o.page.list(lines);

        double[] sorted = ratio.clone();
        Arrays.sort(sorted);
        double[] cx = new double[sorted.length];
        double[] cy = new double[sorted.length];
        int n = 0;
        for (int i = 0; i < sorted.length; i++) {
            if (i + 1 < sorted.length && sorted[i + 1] == sorted[i]) {
                continue;
            }
            cx[n] = sorted[i] - 1;
            cy[n] = (sorted.length - 1 - i) / (double) sorted.length;
            n++;
        }
        double[] ex = Arrays.copyOf(cx, n);
        double[] ey = Arrays.copyOf(cy, n);
        SvgPlot ccdf = new SvgPlot("How much worse the fixed decision is (" + modelName + ")",
                "excess objective of the fixed decision, J_fixed / J_reoptimised − 1", "fraction of requests exceeding it").xLog().yLog();
        ccdf.add(new SvgPlot.Series("QPART, fixed vs re-optimised", ex, ey, SvgPlot.style(0), SvgPlot.Render.STEP));
        o.plot("ratio-ccdf", ccdf, String.format(Locale.ROOT, "Complementary distribution of the excess objective over %d requests (requests where "
                + "the two agree, excess 0, are below the plotted range: %.2f%% of them).", requests, 100 - 100 * st.worseFraction()));
        int shown = Math.min(requests, (int) Math.ceil(2000 / intervalMs));
        double[] ts = Arrays.copyOf(t, shown);
        SvgPlot rate = new SvgPlot("Downlink rate over time (" + modelName + ")", "time (s)", "downlink rate (bit/s)").yLog();
        rate.add(new SvgPlot.Series("instantaneous rate", ts, Arrays.copyOf(down, shown), SvgPlot.style(0), SvgPlot.Render.LINE));
        double[] meanLine = new double[shown];
        Arrays.fill(meanLine, ch.downlinkBitsPerSecond());
        rate.add(new SvgPlot.Series("mean rate (profile)", ts, meanLine, SvgPlot.style(1), SvgPlot.Render.LINE));
        o.plot("rate", rate, "The first " + fmt3(shown * intervalMs / 1000) + " s of the simulated downlink rate.");
        SvgPlot cuts = new SvgPlot("Cut chosen over time (" + modelName + ")", "time (s)", "cut index").integerY();
        cuts.add(new SvgPlot.Series("re-optimised per request", ts, Arrays.copyOf(reoptCut, shown), SvgPlot.style(0), SvgPlot.Render.STEP));
        cuts.add(new SvgPlot.Series("fixed (mean channel)", ts, Arrays.copyOf(fixedCut, shown), SvgPlot.style(1), SvgPlot.Render.LINE));
        o.plot("cut", cuts, "The cut of the re-optimised decision against the fixed one over the same " + fmt3(shown * intervalMs / 1000) + " s.");

        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("requests", st.requests());
        summary.put("worse", st.worse());
        summary.put("worseFraction", st.worseFraction());
        summary.put("otherCut", st.otherCut());
        summary.put("ratio", Map.of("mean", st.meanRatio(), "p50", st.p50(), "p90", st.p90(), "p95", st.p95(), "p99", st.p99(), "max", st.maxRatio()));
        summary.put("meanPowerGain", st.meanGain());
        summary.put("lag1Correlation", st.lag1Correlation());
        summary.put("fixedCut", fixed.cut());
        summary.put("bandwidthHz", Map.of("uplink", bUp, "downlink", bDown));
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("csv", "fading.csv (one row per request)");
        o.finish(results, summary, Map.of(), Map.of("fading", String.valueOf(seed)));
        stdout().printf(Locale.ROOT, "fading %s: fixed decision worse in %.2f%% of %d requests; ratio median %.4f, p99 %.4f, max %.4f%n", modelName,
                100 * st.worseFraction(), st.requests(), st.p50(), st.p99(), st.maxRatio());
    }

    @Override
    Map<String, Object> parameters() {
        Map<String, Object> p = super.parameters();
        p.put("dopplerHz", dopplerHz);
        p.put("requests", requests);
        p.put("intervalMs", intervalMs);
        p.put("snrDb", snrDb);
        p.put("sinusoids", sinusoids);
        p.put("seed", seed);
        return p;
    }

    static Stats stats(double[] ratio, double[] gain, double[] reoptCut, int fixedCut) {
        int n = ratio.length;
        int worse = 0;
        int other = 0;
        double sum = 0;
        for (int i = 0; i < n; i++) {
            if (ratio[i] > 1 + 1e-9) {
                worse++;
            }
            if ((int) reoptCut[i] != fixedCut) {
                other++;
            }
            sum += ratio[i];
        }
        double[] s = ratio.clone();
        Arrays.sort(s);
        double mg = 0;
        for (double g : gain) {
            mg += g;
        }
        mg /= n;
        double num = 0;
        double den = 0;
        for (int i = 0; i < n; i++) {
            den += (gain[i] - mg) * (gain[i] - mg);
            if (i + 1 < n) {
                num += (gain[i] - mg) * (gain[i + 1] - mg);
            }
        }
        return new Stats(n, worse, sum / n, q(s, 0.5), q(s, 0.9), q(s, 0.95), q(s, 0.99), s[n - 1], mg, den == 0 ? 0 : num / den, other);
    }

    /** The q-quantile of sorted values (nearest rank). */
    static double q(double[] sorted, double q) {
        int i = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    static String fmt3(double v) {
        return String.format(Locale.ROOT, "%.4g", v);
    }
}
