package io.qpart.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.qpart.cli.report.Csv;
import io.qpart.cli.report.HtmlPage;
import io.qpart.cli.report.Provenance;
import io.qpart.cli.report.SvgPlot;
import io.qpart.core.cost.ChannelProfile;
import io.qpart.core.cost.Profiles;
import io.qpart.core.data.Dataset;
import io.qpart.core.data.DatasetReader;
import io.qpart.core.table.Strategy;
import io.qpart.serve.device.Channel;
import io.qpart.serve.device.DeviceClient;
import io.qpart.serve.device.DeviceException;
import io.qpart.serve.device.DeviceRun;
import io.qpart.serve.device.Plan;
import io.qpart.serve.device.PlanRequest;
import io.qpart.serve.json.Json;
import io.qpart.serve.server.ModelCatalog;
import io.qpart.serve.server.QpartServer;
import io.qpart.serve.server.ServedModel;
import io.qpart.serve.server.ServerConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * {@code qpart demo}: an embedded server on loopback with the bundled models and tables, and a
 * fleet of emulated devices (device × channel × accuracy budget) running real split inference
 * through it: the server's plan, the head downloaded and the activations uploaded over a
 * connection paced to the channel's rates, the tail's answer. Prints a decision table and a
 * headline, and writes an HTML report.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Start a server on loopback with the bundled models, run a fleet of emulated devices through real split",
                "inference (plan, head download and activation upload paced to each channel's rates, tail on the server),",
                "measure accuracy on the test split, compare with every baseline, and write an HTML report (default qpart-report/).",
                "Profiles and objective weights are this project's defaults, not the paper's (docs/decision.md)."})
final class DemoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    Common common;

    @Option(names = "--out", paramLabel = "DIR", description = "Report folder (default: ${DEFAULT-VALUE}).")
    Path out = Path.of("qpart-report");

    @Option(names = "--models", paramLabel = "DIR", description = "Folder of NAME.onnx models with NAME.qpt tables (default: ${DEFAULT-VALUE}).")
    Path models = Path.of("models");

    @Option(names = "--data", paramLabel = "FILE", description = "Labelled test data (default: ${DEFAULT-VALUE}).")
    Path data = Path.of("data", "mnist-test.npz");

    @Option(names = "--fleet", paramLabel = "DEV/CH,...", split = ",",
            description = "Device/channel profile pairs (default: iot/nbiot,phone/lte,jetson/wifi).")
    List<String> fleet = List.of("iot/nbiot", "phone/lte", "jetson/wifi");

    @Option(names = "--budgets", paramLabel = "X,...", split = ",", description = "Accuracy budgets as fractions (default: 0.005,0.01,0.02).")
    List<Double> budgets = List.of(0.005, 0.01, 0.02);

    @Option(names = "--samples", paramLabel = "N", description = "Most samples each device sends over its paced channel (default: ${DEFAULT-VALUE}).")
    int samples = 100;

    @Option(names = "--pace-seconds", paramLabel = "S",
            description = "Modelled seconds of paced requests per device; fewer samples on slow channels (default: ${DEFAULT-VALUE}).")
    double paceSeconds = 0.5;

    @Option(names = "--accuracy-samples", paramLabel = "N", description = "Test samples for the measured accuracy (default: all).")
    Integer accuracySamples;

    @Option(names = "--baseline-seconds", paramLabel = "S",
            description = "Run a baseline over the paced channel when its modelled time is at most S (default: ${DEFAULT-VALUE}); else modelled only.")
    double baselineSeconds = 0.5;

    /** One device of the fleet running one model. */
    record Member(String model, String device, String channel, double budget) {
        Member {
            java.util.Objects.requireNonNull(model, "model");
            java.util.Objects.requireNonNull(device, "device");
            java.util.Objects.requireNonNull(channel, "channel");
            if (!(budget > 0 && budget < 1)) {
                throw new IllegalArgumentException("accuracy budget must be a fraction in (0, 1), was " + budget);
            }
        }

        String label() {
            return model + " " + device + "/" + channel + " " + PartitionExperiment.pct(budget) + "%";
        }
    }

    /** What one strategy did for one member. */
    record Outcome(Member member, String strategy, Plan plan, JsonNode decision, boolean ran, int pacedSamples, double measuredLatencyPerSample,
                   double measuredUploadPerSample, double measuredDownloadSeconds, double modelledUploadPerSample, double measuredDrop,
                   int accuracySamples, String note, double wireModelledUploadPerSample) {
        double latency() {
            return decision.get("latencySeconds").asDouble();
        }

        double energy() {
            return decision.get("deviceEnergyJoules").asDouble();
        }

        double objective() {
            return decision.get("objective").asDouble();
        }

        long bytes() {
            return decision.get("downloadBytes").asLong() + decision.get("uploadBytes").asLong();
        }

        /** Float32 bytes of the same request: the head too, unless the device holds it. */
        long fp32Bytes() {
            boolean held = decision.path("headHeld").asBoolean(false);
            return (held ? 0 : decision.get("fp32DownloadBytes").asLong()) + decision.get("fp32UploadBytes").asLong();
        }
    }

    private PrintWriter outw;
    private PrintWriter errw;
    private long started;

    @Override
    public Integer call() throws Exception {
        started = System.nanoTime();
        outw = spec.commandLine().getOut();
        errw = spec.commandLine().getErr();
        validate();
        List<String[]> pairs = new ArrayList<>();
        for (String f : fleet) {
            String[] p = f.split("/", -1);
            if (p.length != 2) {
                throw new IllegalArgumentException("--fleet expects DEVICE/CHANNEL pairs such as phone/lte, found '" + f + "'");
            }
            Profiles.device(p[0]);
            Profiles.channel(p[1]);
            pairs.add(p);
        }
        if (!Files.isRegularFile(data)) {
            throw new IllegalArgumentException(data + ": no such data file; expected labelled test data (--data)");
        }
        Files.createDirectories(out);
        Dataset all = DatasetReader.read(data, null);
        List<ServedModel> served = ModelCatalog.load(models, 1, line -> say("skipped " + line));
        say("starting a server on loopback with " + served.stream().map(ServedModel::name).toList());
        List<Outcome> outcomes = new ArrayList<>();
        Map<String, Double> floatAcc = new LinkedHashMap<>();
        double readySeconds;
        try (QpartServer server = QpartServer.start(served, ServerConfig.loopback())) {
            if (!server.awaitReady(120, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the embedded server did not index its heads within 120 s");
            }
            readySeconds = (System.nanoTime() - started) / 1e9;
            say(String.format(Locale.ROOT, "server ready on %s after %.1f s", server.uri(), readySeconds));
            int total = served.size() * pairs.size() * budgets.size();
            int done = 0;
            Map<String, int[]> accCache = new HashMap<>();
            for (ServedModel m : served) {
                Dataset ds = all.reshapedTo(m.model().singleInput(), m.model().inputShape(m.model().singleInput()));
                Dataset acc = accuracySamples == null ? ds : ds.first(Math.min(accuracySamples, ds.size()));
                int floatCorrect = correct(server, new Member(m.name(), "phone", "lte", budgets.get(0)), "server-only", acc, accCache, -1, null);
                floatAcc.put(m.name(), floatCorrect / (double) acc.size());
                for (String[] p : pairs) {
                    for (double b : budgets) {
                        Member mem = new Member(m.name(), p[0], p[1], b);
                        Outcome q = runStrategy(server, mem, "qpart", ds, acc, accCache, floatCorrect, true);
                        outcomes.add(q);
                        boolean middle = b == budgets.get(budgets.size() / 2);
                        for (Strategy s : Strategy.values()) {
                            if (s != Strategy.QPART) {
                                outcomes.add(runStrategy(server, mem, s.id(), ds, acc, accCache, floatCorrect, middle));
                            }
                        }
                        Outcome w = runHeld(server, m, mem, q, ds, acc, accCache, floatCorrect);
                        if (w != null) {
                            outcomes.add(w);
                        }
                        done++;
                        say(String.format(Locale.ROOT, "[%d/%d] %-28s cut %d, act %d bits, %s bytes on air (%.1f%% of float32), drop %.2f pp "
                                        + "(budget %s pp), %d paced requests, %.0f s elapsed", done, total, mem.label(), q.plan().cut(),
                                q.plan().activationBits(), String.format(Locale.ROOT, "%,d", q.bytes()), 100.0 * q.bytes() / q.fp32Bytes(),
                                100 * q.measuredDrop(), PartitionExperiment.pct(b), q.pacedSamples(), (System.nanoTime() - started) / 1e9));
                    }
                }
            }
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        report(outcomes, floatAcc, seconds, readySeconds);
        return 0;
    }

    private void validate() {
        if (samples < 1) {
            throw new IllegalArgumentException("--samples must be >= 1, was " + samples);
        }
        if (accuracySamples != null && accuracySamples < 1) {
            throw new IllegalArgumentException("--accuracy-samples must be >= 1, was " + accuracySamples);
        }
        if (!(paceSeconds > 0) || !(baselineSeconds >= 0)) {
            throw new IllegalArgumentException("--pace-seconds must be > 0 and --baseline-seconds >= 0, were " + paceSeconds + " and " + baselineSeconds);
        }
        if (budgets.isEmpty() || fleet.isEmpty()) {
            throw new IllegalArgumentException("--budgets and --fleet must each name at least one value");
        }
        for (double b : budgets) {
            if (!(b > 0 && b < 1)) {
                throw new IllegalArgumentException("--budgets expects fractions in (0, 1) (0.01 = one percentage point), found " + b);
            }
        }
    }

    private void say(String s) {
        errw.println("qpart demo: " + s);
        errw.flush();
    }

    private static PlanRequest request(Member m, String strategy) {
        PlanRequest r = PlanRequest.of(m.model(), m.budget(), m.device(), Profiles.channel(m.channel()));
        return strategy.equals("qpart") ? r : r.withStrategy(strategy);
    }

    /** Correct answers of a strategy's configuration on {@code acc}, through the server without pacing; identical configurations once. */
    private int correct(QpartServer server, Member m, String strategy, Dataset acc, Map<String, int[]> cache, int prefetchCut, Plan expect)
            throws IOException {
        try (DeviceClient c = new DeviceClient(server.uri(), Channel.none(), common.threads())) {
            if (prefetchCut >= 0) {
                c.prepare(request(m, strategy).withForcedCut(prefetchCut));
            }
            DeviceClient.Prepared p = c.prepare(request(m, strategy));
            if (expect != null && (p.plan().cut() != expect.cut() || !p.plan().bits().equals(expect.bits())
                    || p.plan().activationBits() != expect.activationBits())) {
                throw new IllegalStateException("the server planned " + m.label() + " differently on a second request");
            }
            String key = m.model() + "|" + p.plan().cut() + "|" + p.plan().activationBits() + "|" + new TreeMap<>(p.plan().bits());
            int[] hit = cache.get(key);
            if (hit != null) {
                return hit[0];
            }
            DeviceRun r = DeviceRun.run(c, p, acc, 100);
            cache.put(key, new int[]{r.correct()});
            return r.correct();
        }
    }

    private Outcome runStrategy(QpartServer server, Member m, String strategy, Dataset ds, Dataset acc, Map<String, int[]> cache, int floatCorrect,
                                boolean runIt) throws IOException {
        ChannelProfile ch = Profiles.channel(m.channel());
        Plan plan;
        try (DeviceClient probe = new DeviceClient(server.uri(), Channel.none(), 1)) {
            plan = probe.plan(request(m, strategy));
        }
        JsonNode d = plan.decision();
        Plan.Stages st = plan.modelled();
        double perSample = st.deviceSeconds() + st.uploadSeconds() + st.serverSeconds();
        boolean qpart = strategy.equals("qpart");
        int n = (int) Math.max(3, Math.min(samples, Math.floor(paceSeconds / Math.max(perSample, 1e-9))));
        double modelledRun = st.downloadSeconds() + n * perSample;
        String note = "";
        boolean ran = false;
        double lat = Double.NaN;
        double up = Double.NaN;
        double down = Double.NaN;
        double wireUp = Double.NaN;
        if (plan.fallback()) {
            note = "nothing met the budget: full offload";
        }
        if (!qpart && (!runIt || modelledRun > baselineSeconds)) {
            note = (note.isEmpty() ? "" : note + "; ") + (runIt ? String.format(Locale.ROOT, "modelled only (a paced run would take %.1f s)", modelledRun)
                    : "modelled only");
        } else {
            try (DeviceClient c = new DeviceClient(server.uri(), Channel.emulate(ch), 1)) {
                DeviceClient.Prepared p = c.prepare(request(m, strategy));
                DeviceRun r = DeviceRun.run(c, p, ds.first(Math.min(n, ds.size())), 1);
                ran = true;
                n = r.samples();
                lat = (r.headNanos() + r.quantizeNanos() + r.uploadNanos() + r.serverNanos()) / 1e9 / r.samples();
                up = r.uploadNanos() / 1e9 / r.samples();
                down = r.downloadNanos() / 1e9;
                wireUp = r.wireModelledUploadSeconds();
            } catch (DeviceException e) {
                throw new IllegalStateException(m.label() + " " + strategy + ": " + e.getMessage(), e);
            }
        }
        double drop = Double.NaN;
        int accN = 0;
        if (qpart) {
            int got = correct(server, m, strategy, acc, cache, -1, plan);
            drop = (floatCorrect - got) / (double) acc.size();
            accN = acc.size();
        }
        return new Outcome(m, strategy, plan, d, ran, ran ? n : 0, lat, up, down, st.uploadSeconds(), drop, accN, note, wireUp);
    }

    /**
     * The steady state of a device that keeps its heads: when the planner's best cut with every
     * head held differs from the cold decision, the device fetches that head once over its paced
     * channel (a plan with that cut forced), then asks again naming the head it holds; the
     * server's unforced answer is run. Skipped (null) when the fetch would take longer than
     * {@code --baseline-seconds} twice over.
     */
    private Outcome runHeld(QpartServer server, ServedModel sm, Member m, Outcome cold, Dataset ds, Dataset acc, Map<String, int[]> cache,
                            int floatCorrect) throws IOException {
        io.qpart.core.cost.CostModel cm = new io.qpart.core.cost.CostModel(Profiles.device(m.device()), Profiles.channel(m.channel()),
                Profiles.server(io.qpart.serve.json.Query.DEFAULT_SERVER), io.qpart.serve.json.Query.DEFAULT_WEIGHTS);
        int k = new Scenario(sm.table(), m.budget(), true).best(Strategy.QPART, cm).cut();
        if (k == cold.plan().cut()) {
            return null;
        }
        PlanRequest req = request(m, "qpart");
        try (DeviceClient c = new DeviceClient(server.uri(), Channel.emulate(Profiles.channel(m.channel())), 1)) {
            Plan fetch = c.plan(req.withForcedCut(k));
            if (fetch.modelled().downloadSeconds() > 2 * baselineSeconds) {
                heldSkipped.add(String.format(Locale.ROOT, "%s: fetching the head of cut %d (%,d bytes) would take %.1f s", m.label(), k,
                        fetch.downloadBytes(), fetch.modelled().downloadSeconds()));
                return null;
            }
            DeviceClient.Prepared pre = c.prepare(req.withForcedCut(k));
            DeviceClient.Prepared p = c.prepare(req);
            Plan.Stages st = p.plan().modelled();
            double perSample = st.deviceSeconds() + st.uploadSeconds() + st.serverSeconds();
            int n = (int) Math.max(3, Math.min(samples, Math.floor(paceSeconds / Math.max(perSample, 1e-9))));
            DeviceRun r = DeviceRun.run(c, p, ds.first(Math.min(n, ds.size())), 1);
            int got = correct(server, m, "qpart", acc, cache, k, p.plan());
            double lat = (r.headNanos() + r.quantizeNanos() + r.uploadNanos() + r.serverNanos()) / 1e9 / r.samples();
            return new Outcome(m, "qpart-held", p.plan(), p.plan().decision(), true, r.samples(), lat, r.uploadNanos() / 1e9 / r.samples(),
                    pre.downloadNanos() / 1e9, st.uploadSeconds(), (floatCorrect - got) / (double) acc.size(), acc.size(),
                    String.format(Locale.ROOT, "head of cut %d fetched once (%,d bytes, %.3f s measured)", k, pre.downloadedBytes(), pre.downloadNanos() / 1e9), r.wireModelledUploadSeconds());
        } catch (DeviceException e) {
            throw new IllegalStateException(m.label() + " with a held head: " + e.getMessage(), e);
        }
    }

    private final List<String> heldSkipped = new ArrayList<>();

    // ---- report

    private static double geoMean(List<Double> v) {
        double s = 0;
        for (double x : v) {
            s += Math.log(x);
        }
        return Math.exp(s / v.size());
    }

    private static double median(List<Double> v) {
        double[] a = v.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return a.length == 0 ? Double.NaN : a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
    }

    private void report(List<Outcome> outcomes, Map<String, Double> floatAcc, double seconds, double readySeconds) throws IOException {
        List<Outcome> q = outcomes.stream().filter(o -> o.strategy().equals("qpart")).toList();
        // decision table
        String fmt = "%-7s %-13s %6s %4s %4s %10s %9s %8s %8s %11s %11s %10s%n";
        outw.printf(fmt, "model", "device/chan", "budget", "cut", "act", "bytes", "% fp32", "pred pp", "meas pp", "latency s", "energy J", "paced n");
        outw.println("(rows marked * : the device holds the head it fetched once; bytes are then the upload alone)");
        List<Outcome> shown = outcomes.stream().filter(o -> o.strategy().startsWith("qpart")).toList();
        for (Outcome o : shown) {
            Member m = o.member();
            outw.printf(Locale.ROOT, "%-7s %-13s %5s%%%s%3d %4d %,10d %8.2f%% %8.2f %8.2f %11.4g %11.4g %10d%n", m.model(), m.device() + "/" + m.channel(),
                    PartitionExperiment.pct(m.budget()), o.strategy().equals("qpart-held") ? " *" : "  ", o.plan().cut(), o.plan().activationBits(), o.bytes(), 100.0 * o.bytes() / o.fp32Bytes(),
                    100 * o.plan().predictedDrop(), 100 * o.measuredDrop(), o.latency(), o.energy(), o.pacedSamples());
        }
        // headline
        List<Double> payload = q.stream().map(o -> 100.0 * o.bytes() / o.fp32Bytes()).toList();
        long within = q.stream().filter(o -> o.measuredDrop() <= o.member().budget() + 1e-12).count();
        double worstDrop = q.stream().mapToDouble(Outcome::measuredDrop).max().orElse(Double.NaN);
        List<String> headline = new ArrayList<>();
        headline.add(String.format(Locale.ROOT, "Payload: QPART sends %.1f%% of the float32 bytes at the same cut (median over %d runs; %.1f%% to %.1f%%).",
                median(payload), q.size(), payload.stream().mapToDouble(Double::doubleValue).min().orElse(0),
                payload.stream().mapToDouble(Double::doubleValue).max().orElse(0)));
        headline.add(String.format(Locale.ROOT, "Accuracy: measured drop within the budget in %d of %d runs; largest %.2f pp (%d test samples, one sample = %.3f pp).",
                within, q.size(), 100 * worstDrop, q.get(0).accuracySamples(), 100.0 / q.get(0).accuracySamples()));
        Map<String, double[]> vs = new LinkedHashMap<>();
        for (Strategy s : Strategy.values()) {
            if (s == Strategy.QPART) {
                continue;
            }
            List<Double> lat = new ArrayList<>();
            List<Double> en = new ArrayList<>();
            int better = 0;
            for (Outcome o : q) {
                Outcome b = outcomes.stream().filter(x -> x.member().equals(o.member()) && x.strategy().equals(s.id())).findFirst().orElseThrow();
                lat.add(b.latency() / o.latency());
                en.add(b.energy() / o.energy());
                if (o.objective() <= b.objective() * (1 + 1e-12)) {
                    better++;
                }
            }
            vs.put(s.id(), new double[]{geoMean(lat), geoMean(en), better, q.size()});
            headline.add(String.format(Locale.ROOT, "Against %s: latency %.2f×, device energy %.2f× QPART's (geometric means, modelled); QPART's objective "
                    + "is lower or equal in %d of %d runs.", s.id(), geoMean(lat), geoMean(en), better, q.size()));
        }
        List<Double> upRatio = outcomes.stream().filter(o -> o.ran() && o.modelledUploadPerSample() > 1e-4)
                .map(o -> o.measuredUploadPerSample() / o.modelledUploadPerSample()).toList();
        if (!upRatio.isEmpty()) {
            // on fast channels a request's fixed cost (system calls, the pacer's wake-ups: about half a
            // millisecond here) dwarfs sub-millisecond transfer times; from 10 ms on it is under 5%
            List<Double> wireRatio = outcomes.stream().filter(o -> o.ran() && o.wireModelledUploadPerSample() >= 0.01)
                    .map(o -> o.measuredUploadPerSample() / o.wireModelledUploadPerSample()).toList();
            headline.add(String.format(Locale.ROOT, "Real transfers: measured upload time over modelled, median %.2f over %d paced runs with uploads above 0.1 ms; "
                    + "over the model applied to the bytes on the wire (HTTP request line and headers included), median %s over %d runs with uploads above 10 ms.",
                    median(upRatio), upRatio.size(), wireRatio.isEmpty() ? "-" : String.format(Locale.ROOT, "%.3f", median(wireRatio)), wireRatio.size()));
        }
        List<Outcome> held = outcomes.stream().filter(o -> o.strategy().equals("qpart-held")).toList();
        if (!held.isEmpty()) {
            List<Double> ratio = new ArrayList<>();
            for (Outcome h : held) {
                Outcome cold = q.stream().filter(o -> o.member().equals(h.member())).findFirst().orElseThrow();
                ratio.add(h.latency() / cold.latency());
            }
            long heldWithin = held.stream().filter(o -> o.measuredDrop() <= o.member().budget() + 1e-12).count();
            headline.add(String.format(Locale.ROOT, "Heads kept (steady state): in %d runs the device fetched a quantized head once and the server "
                            + "then split the model (cuts %s); latency per request %.2f× the cold decision's (geometric mean, modelled); measured drop "
                            + "within the budget in %d of %d.", held.size(), held.stream().map(o -> String.valueOf(o.plan().cut())).distinct().toList(),
                    geoMean(ratio), heldWithin, held.size()));
        }
        if (!heldSkipped.isEmpty()) {
            headline.add("Steady state not run where fetching the head over the paced channel takes too long: " + heldSkipped.size() + " runs"
                    + " (listed in the report).");
        }
        headline.add(String.format(Locale.ROOT, "Demo time: %.1f s (server ready after %.1f s).", seconds, readySeconds));
        outw.println();
        headline.forEach(outw::println);
        outw.println("report: " + out.resolve("index.html"));
        outw.flush();

        // files
        Csv fleetCsv = new Csv("model", "device", "channel", "maxAccuracyDrop", "strategy", "cut", "activationBits", "downloadBytes", "uploadBytes",
                "fp32DownloadBytes", "fp32UploadBytes", "predictedDrop", "measuredDrop", "accuracySamples", "modelledLatencySeconds",
                "modelledDeviceEnergyJoules", "objective", "ran", "pacedSamples", "measuredDownloadSeconds", "measuredLatencyPerSampleSeconds",
                "measuredUploadPerSampleSeconds", "modelledUploadPerSampleSeconds", "wireModelledUploadPerSampleSeconds", "note");
        for (Outcome o : outcomes) {
            Member m = o.member();
            fleetCsv.row(m.model(), m.device(), m.channel(), m.budget(), o.strategy(), o.plan().cut(), o.plan().activationBits(),
                    o.decision().get("downloadBytes").asLong(), o.decision().get("uploadBytes").asLong(), o.decision().get("fp32DownloadBytes").asLong(),
                    o.decision().get("fp32UploadBytes").asLong(), o.plan().predictedDrop(), o.measuredDrop(), o.accuracySamples() == 0 ? null : o.accuracySamples(),
                    o.latency(), o.energy(), o.objective(), o.ran(), o.pacedSamples(), o.measuredDownloadSeconds(), o.measuredLatencyPerSample(),
                    o.measuredUploadPerSample(), o.modelledUploadPerSample(), o.wireModelledUploadPerSample(), o.note());
        }
        fleetCsv.write(out.resolve("fleet.csv"));
        Map<String, Path> hashed = new LinkedHashMap<>();
        try (var s = Files.list(models)) {
            for (Path p : s.filter(p -> p.toString().endsWith(".onnx") || p.toString().endsWith(".qpt")).sorted().toList()) {
                hashed.put(p.toString(), p);
            }
        }
        hashed.put(data.toString(), data);
        List<String> args = spec.root().commandLine().getParseResult().originalArgs();
        Provenance prov = Provenance.collect(Provenance.commandLine("qpart", args), hashed, Map.of(), Map.of("none", "the demo draws nothing at random"),
                new Main.Version().getVersion()[0]);
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("headline", headline);
        j.put("seconds", seconds);
        j.put("floatAccuracy", floatAcc);
        Map<String, Object> vj = new LinkedHashMap<>();
        vs.forEach((k, v) -> vj.put(k, Map.of("latencyOverQpart", v[0], "energyOverQpart", v[1], "qpartLowerOrEqualObjective", (int) v[2], "runs",
                (int) v[3])));
        j.put("baselines", vj);
        j.put("runs", fleetCsv.records());
        j.put("provenance", prov.toJson());
        Files.writeString(out.resolve("demo.json"), Json.write(j) + "\n");

        HtmlPage page = new HtmlPage("QPART-J demo: a fleet of devices through split inference");
        page.p("An embedded server on loopback served " + floatAcc.keySet() + " from their verified tables. Each device of the fleet asked "
                + "the server for a plan (SPEC §7, Algorithm 2), downloaded its quantized head, ran it, and uploaded quantized activations to the "
                + "server's tail, over a connection paced to its channel profile's uplink and downlink rates. Accuracy was measured through the "
                + "same server on the test split (without pacing). Baselines (SPEC §8) were planned by the same server; each ran over the paced "
                + "channel when that took at most " + baselineSeconds + " s (modelled), otherwise only its modelled cost is shown.");
        page.raw("<p class=\"note\">Device, channel and server profiles and the objective weights (ω = 1/s, ξ = 1/J) are this project's defaults, "
                + "not the paper's (docs/decision.md). Latency and energy below are modelled (SPEC §5) unless marked measured; compute on this "
                + "machine does not run at the profiles' speeds, transfers do run at the channels' rates.</p>");
        page.h2("Headline");
        page.list(headline);
        page.h2("Decisions (QPART)");
        page.p("Rows marked 'held' are the same device after it fetched a quantized head once and named it in its next plan request: "
                + "the download then costs nothing and the server splits the model.");
        List<List<String>> rows = new ArrayList<>();
        for (Outcome o : shown) {
            Member m = o.member();
            rows.add(List.of(m.model(), m.device() + "/" + m.channel() + (o.strategy().equals("qpart-held") ? " (held)" : ""),
                    PartitionExperiment.pct(m.budget()) + "%", String.valueOf(o.plan().cut()),
                    String.valueOf(o.plan().activationBits()), String.format(Locale.ROOT, "%,d", o.decision().get("downloadBytes").asLong()),
                    String.format(Locale.ROOT, "%,d", o.decision().get("uploadBytes").asLong()), String.format(Locale.ROOT, "%.2f%%", 100.0 * o.bytes() / o.fp32Bytes()),
                    String.format(Locale.ROOT, "%.2f", 100 * o.plan().predictedDrop()), String.format(Locale.ROOT, "%.2f", 100 * o.measuredDrop()),
                    String.format(Locale.ROOT, "%.4g", o.latency()), String.format(Locale.ROOT, "%.4g", o.energy()),
                    o.ran() ? String.format(Locale.ROOT, "%.4g", o.measuredLatencyPerSample()) : "-", String.valueOf(o.pacedSamples())));
        }
        page.table(List.of("model", "device/channel", "budget", "cut", "act. bits", "download (B)", "upload (B)", "bytes, % of float32",
                "predicted drop (pp)", "measured drop (pp)", "latency (s, modelled)", "device energy (J, modelled)", "per request (s, measured)",
                "paced requests"), rows);
        page.h2("Against the baselines");
        List<List<String>> brows = new ArrayList<>();
        vs.forEach((k, v) -> brows.add(List.of(k, String.format(Locale.ROOT, "%.2f", v[0]), String.format(Locale.ROOT, "%.2f", v[1]),
                (int) v[2] + " of " + (int) v[3])));
        page.table(List.of("baseline", "latency / QPART's (geo. mean)", "device energy / QPART's (geo. mean)", "QPART's objective lower or equal"), brows);
        plots(page, outcomes, q);
        if (!heldSkipped.isEmpty()) {
            page.h3("Steady state not run");
            page.list(heldSkipped);
        }
        page.h2("Float32 accuracy on the test data (through the server, cut 0)");
        List<List<String>> frows = new ArrayList<>();
        floatAcc.forEach((k, v) -> frows.add(List.of(k, String.format(Locale.ROOT, "%.4f", v))));
        page.table(List.of("model", "accuracy"), frows);
        page.h2("Files");
        page.list(List.of("fleet.csv: every run (QPART and baselines)", "demo.json: headline, baselines, runs, provenance", "*.svg: the plots"));
        page.provenance(prov);
        page.write(out.resolve("index.html"));
    }

    private void plots(HtmlPage page, List<Outcome> all, List<Outcome> q) throws IOException {
        Strategy[] ss = Strategy.values();
        double[] x = new double[q.size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = i + 1;
        }
        SvgPlot lat = new SvgPlot("Modelled latency of the first request, every run", "run (see the decision table, in order)", "latency T (s)")
                .integerX().yLog();
        SvgPlot en = new SvgPlot("Modelled device energy of the first request, every run", "run (see the decision table, in order)",
                "device energy E_dev (J)").integerX().yLog();
        for (int k = 0; k < ss.length; k++) {
            double[] yl = new double[q.size()];
            double[] ye = new double[q.size()];
            for (int i = 0; i < q.size(); i++) {
                Member m = q.get(i).member();
                String id = ss[k].id();
                Outcome o = all.stream().filter(a -> a.member().equals(m) && a.strategy().equals(id)).findFirst().orElseThrow();
                yl[i] = o.latency();
                ye[i] = o.energy();
            }
            lat.add(new SvgPlot.Series(ss[k].id(), x, yl, SvgPlot.style(k), SvgPlot.Render.SCATTER));
            en.add(new SvgPlot.Series(ss[k].id(), x, ye, SvgPlot.style(k), SvgPlot.Render.SCATTER));
        }
        save(page, "latency", lat, "Modelled end-to-end latency of a device's first request (head download included) for QPART and every baseline.");
        save(page, "energy", en, "Modelled device energy of a device's first request for QPART and every baseline.");
        List<Outcome> ran = all.stream().filter(o -> o.ran() && o.modelledUploadPerSample() > 1e-4).toList();
        if (!ran.isEmpty()) {
            SvgPlot up = new SvgPlot("Upload time per request: measured against modelled", "modelled upload time (s)", "measured upload time (s)")
                    .xLog().yLog();
            double lo = Double.POSITIVE_INFINITY;
            double hi = 0;
            int k = 0;
            for (Strategy s : ss) {
                List<Outcome> r = ran.stream().filter(o -> o.strategy().equals(s.id())).toList();
                double[] mx = r.stream().mapToDouble(Outcome::modelledUploadPerSample).toArray();
                double[] my = r.stream().mapToDouble(Outcome::measuredUploadPerSample).toArray();
                for (int i = 0; i < mx.length; i++) {
                    lo = Math.min(lo, Math.min(mx[i], my[i]));
                    hi = Math.max(hi, Math.max(mx[i], my[i]));
                }
                up.add(new SvgPlot.Series(s.id(), mx, my, SvgPlot.style(k++), SvgPlot.Render.SCATTER));
            }
            up.add(new SvgPlot.Series("measured = modelled", new double[]{lo, hi}, new double[]{lo, hi}, new SvgPlot.Style("#999999", "1,2",
                    SvgPlot.Marker.NONE), SvgPlot.Render.LINE));
            save(page, "upload", up, "Each paced run's measured upload time per request against the cost model's T_ul = 8·bytes/R_ul: the "
                    + "emulated channel carries the real frames at the profile's rate (HTTP headers and connection overhead add to the measured time).");
        }
        double[] pred = q.stream().mapToDouble(o -> 100 * o.plan().predictedDrop()).toArray();
        double[] meas = q.stream().mapToDouble(o -> 100 * o.measuredDrop()).toArray();
        double top = Math.max(Arrays.stream(pred).max().orElse(1), Arrays.stream(meas).max().orElse(1));
        SvgPlot dp = new SvgPlot("Accuracy drop: predicted against measured (QPART)", "predicted drop (pp)", "measured drop on test (pp)");
        dp.add(new SvgPlot.Series("QPART runs", pred, meas, SvgPlot.style(0), SvgPlot.Render.SCATTER));
        dp.add(new SvgPlot.Series("measured = predicted", new double[]{0, top}, new double[]{0, top}, new SvgPlot.Style("#999999", "1,2",
                SvgPlot.Marker.NONE), SvgPlot.Render.LINE));
        save(page, "drop", dp, "Predicted drop (the accuracy model, SPEC §4) against the drop measured through the server on the test data.");
    }

    private void save(HtmlPage page, String stem, SvgPlot p, String caption) throws IOException {
        String svg = p.render();
        Files.writeString(out.resolve(stem + ".svg"), svg);
        page.figure(svg, caption);
    }
}
