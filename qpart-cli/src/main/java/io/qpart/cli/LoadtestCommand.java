package io.qpart.cli;

import io.qpart.core.cost.Profiles;
import io.qpart.core.data.Dataset;
import io.qpart.onnx.quant.BitWidths;
import io.qpart.onnx.runtime.HostTensor;
import io.qpart.onnx.runtime.Pipeline;
import io.qpart.serve.device.Channel;
import io.qpart.serve.device.DeviceClient;
import io.qpart.serve.device.Plan;
import io.qpart.serve.device.PlanRequest;
import io.qpart.serve.json.Json;
import io.qpart.serve.model.ConfiguredSplit;
import io.qpart.serve.model.LoadedModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code qpart loadtest}: many devices at once against a server, next to in-process split
 * inference of the same model and configuration measured in the same run (docs/BENCHMARKS.md).
 */
@Command(name = "loadtest", mixinStandardHelpOptions = true,
        description = {"Measure a server under N concurrent devices (no channel emulation), and in the same run in-process split",
                "inference of the same configuration (one thread and one pipeline per core, its best on this machine):",
                "throughput, p50/p99 latency per request (one sample, or --batch samples), CPU per sample, server memory; then the HTTP floor: the same devices",
                "asking GET /healthz back to back, the CPU one request costs without any inference."})
final class LoadtestCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--server", required = true, paramLabel = "URL", description = "The server (qpart serve).")
    URI server;

    @Option(names = "--models", required = true, paramLabel = "DIR", description = "The server's model folder (for the in-process run).")
    Path models;

    @Option(names = "--model", required = true, paramLabel = "NAME", description = "The model to load-test.")
    String model;

    @Option(names = "--devices", paramLabel = "N", description = "Concurrent devices, and threads of the in-process run (default: ${DEFAULT-VALUE}).")
    int devices = 32;

    @Option(names = "--seconds", paramLabel = "S", description = "Measured seconds of each run (default: ${DEFAULT-VALUE}).")
    double seconds = 10;

    /**
     * Ten seconds, because the JIT is not done sooner: after three seconds, C2 compiler threads
     * still took 11% of the CPU samples of each JVM in the measured window (docs/BENCHMARKS.md).
     */
    @Option(names = "--warmup", paramLabel = "S", description = "Unmeasured seconds before each run (default: ${DEFAULT-VALUE}).")
    double warmup = 10;

    @Option(names = "--accuracy-drop", paramLabel = "X", description = "Accuracy budget of the plan (default: ${DEFAULT-VALUE}).")
    double accuracyDrop = 0.01;

    @Option(names = "--device", paramLabel = "PROFILE", description = "Device profile of the plan (default: ${DEFAULT-VALUE}).")
    String device = "phone";

    @Option(names = "--channel", paramLabel = "PROFILE", description = "Channel profile of the plan; not emulated (default: ${DEFAULT-VALUE}).")
    String channel = "lte";

    @Option(names = "--cut", paramLabel = "K", description = "Force cut K.")
    Integer cut;

    @Option(names = "--data", paramLabel = "FILE", description = "Inputs to cycle through (default: ${DEFAULT-VALUE}).")
    Path data = Path.of("data", "mnist-test.npz");

    /** How the emulated devices are carried. */
    enum DeviceThreads { platform, virtual }

    @Option(names = "--device-threads", paramLabel = "KIND", description = "Threads the devices run on: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}). Each device is a DeviceClient with one connection either way; virtual threads share the cores' carrier threads, so a device waiting for its answer costs no operating-system context switch.")
    DeviceThreads deviceThreads = DeviceThreads.platform;

    @Option(names = "--in-process-threads", paramLabel = "N", description = "Threads of the in-process run; 0: one per core (default: ${DEFAULT-VALUE}).")
    int inProcessThreads = 0;

    @Option(names = "--sessions", paramLabel = "N", description = "Pipelines (head and tail sessions) the in-process threads share; 0: one per thread (default: ${DEFAULT-VALUE}).")
    int sessions = 0;

    @Option(names = "--batch", paramLabel = "N", description = {"Samples per request, as 'qpart device --batch' sends them: the head runs on N samples at",
            "once, each sample gets its own frame (its own quantization range), and the in-process run takes the same N-sample",
            "batches through the same head, per-sample quantization and tail (default: ${DEFAULT-VALUE})."})
    int batch = 1;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    /** Latencies and count of one run. */
    /** @param meanBatch samples per tail call on the server in the window (NaN in-process) */
    record Run(int threads, long samples, double seconds, long[] latencyNanos, double cpuSeconds, double serverCpuSeconds, double meanBatch) {
        double samplesPerSecond() {
            return samples / seconds;
        }

        double percentile(double q) {
            if (latencyNanos.length == 0) {
                return Double.NaN;
            }
            long[] s = latencyNanos.clone();
            Arrays.sort(s);
            int i = (int) Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1));
            return s[i] / 1e9;
        }

        Map<String, Object> toJson() {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("threads", threads);
            o.put("samples", samples);
            o.put("seconds", seconds);
            o.put("samplesPerSecond", samplesPerSecond());
            o.put("p50Seconds", percentile(0.50));
            o.put("p99Seconds", percentile(0.99));
            o.put("cpuSecondsPerSample", samples == 0 ? null : cpuSeconds / samples);
            if (!Double.isNaN(meanBatch)) {
                o.put("serverSamplesPerTailRun", meanBatch);
            }
            return o;
        }
    }

    /** One thread's work: one sample, returns nothing; the harness times it. */
    interface Work {
        void run(int sample) throws Exception;
    }

    @Override
    public Integer call() throws Exception {
        if (devices < 1 || !(seconds > 0) || warmup < 0 || batch < 1 || batch > 4096) {
            throw new IllegalArgumentException("--devices must be >= 1, --seconds > 0, --warmup >= 0 and --batch in 1..4096; found "
                    + devices + ", " + seconds + ", " + warmup + ", " + batch);
        }
        LoadedModel m = LoadedModel.load(models.resolve(model + ".onnx"), 1);
        Dataset ds = EvalCommand.loadData(m, data, null, null);
        PlanRequest req = new PlanRequest(model, accuracyDrop, device, Profiles.channel(channel), cut == null ? -1 : cut, null);
        Plan plan;
        try (DeviceClient c = new DeviceClient(server, Channel.none(), 1)) {
            plan = c.plan(req);
        } catch (io.qpart.serve.device.DeviceException e) {
            throw new IllegalStateException(e.getMessage(), e);
        } catch (java.net.ConnectException e) {
            throw new IllegalArgumentException(server + ": no server answers there (" + e.getMessage() + ")");
        }
        ConfiguredSplit conf = ConfiguredSplit.of(m, m.analysis().cut(plan.cut()), new BitWidths(plan.bits()), plan.activationBits());
        Run inProcess;
        String input = m.singleInput();
        long[] shape = plan.inputShape();
        shape[0] = batch;
        List<Pipeline> pipelines = new ArrayList<>();
        try {
            int threads = inProcessThreads == 0 ? Runtime.getRuntime().availableProcessors() : inProcessThreads;
            int n = sessions == 0 ? threads : sessions;
            for (int i = 0; i < n; i++) {
                pipelines.add(conf.pipeline(plan.activationBits(), 1));
            }
            inProcess = measure(threads, t -> {
                Pipeline p = pipelines.get(t % pipelines.size());
                return i -> p.run(Map.of(input, HostTensor.ofFloats(shape, samples(ds, i))));
            }, false, batch);
        } finally {
            for (Pipeline p : pipelines) {
                p.close();
            }
        }
        List<DeviceClient> clients = new ArrayList<>();
        List<DeviceClient.Prepared> prepared = new ArrayList<>();
        Run endToEnd;
        Run floor;
        try {
            for (int i = 0; i < devices; i++) {
                DeviceClient c = new DeviceClient(server, Channel.none(), 1);
                clients.add(c);
                prepared.add(c.prepare(req));
            }
            endToEnd = measure(devices, t -> i -> clients.get(t).infer(prepared.get(t), samples(ds, i), batch), true, batch);
            floor = measure(devices, t -> i -> clients.get(t).health(), true, 1);
        } finally {
            for (DeviceClient c : clients) {
                c.close();
            }
        }
        Map<String, Double> gauges = serverGauges();
        Map<String, Long> memory = new LinkedHashMap<>();
        for (String g : new String[]{"jvm_heap_used_bytes", "jvm_heap_after_gc_bytes", "process_resident_bytes"}) {
            if (gauges.containsKey(g)) {
                memory.put(g, gauges.get(g).longValue());
            }
        }
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("server", server.toString());
        o.put("model", model);
        o.put("devices", devices);
        o.put("batch", batch);
        o.put("cut", plan.cut());
        o.put("bits", plan.bits());
        o.put("activationBits", plan.activationBits());
        o.put("uploadBytes", plan.uploadBytes());
        o.put("cores", Runtime.getRuntime().availableProcessors());
        o.put("inProcess", inProcess.toJson());
        o.put("endToEnd", endToEnd.toJson());
        o.put("endToEndOverInProcess", endToEnd.samplesPerSecond() / inProcess.samplesPerSecond());
        o.put("httpFloor", floor.toJson());
        o.put("endToEndServerCpuSecondsPerSample", endToEnd.samples() == 0 ? null : endToEnd.serverCpuSeconds() / endToEnd.samples());
        o.put("serverMemory", memory);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(Json.write(o));
            return 0;
        }
        out.printf("model        %s, cut %d, activation %d bits, %d devices, %d in-process threads, %d cores, %d sample%s per request%n", model,
                plan.cut(), plan.activationBits(), devices, inProcess.threads(), Runtime.getRuntime().availableProcessors(), batch,
                batch == 1 ? "" : "s");
        out.printf("in-process   %10.0f samples/s   p50 %8.3f ms   p99 %8.3f ms%n", inProcess.samplesPerSecond(), 1e3 * inProcess.percentile(0.5),
                1e3 * inProcess.percentile(0.99));
        out.printf("end-to-end   %10.0f samples/s   p50 %8.3f ms   p99 %8.3f ms%n", endToEnd.samplesPerSecond(), 1e3 * endToEnd.percentile(0.5),
                1e3 * endToEnd.percentile(0.99));
        out.printf("ratio        %.2f of in-process; CPU per sample %.1f us in-process, %.1f us end-to-end (devices and server)%n",
                endToEnd.samplesPerSecond() / inProcess.samplesPerSecond(), 1e6 * inProcess.cpuSeconds() / inProcess.samples(),
                1e6 * endToEnd.cpuSeconds() / endToEnd.samples());
        out.printf("               of which the server %.1f us per sample; %.1f samples per tail run on the server%n",
                1e6 * endToEnd.serverCpuSeconds() / endToEnd.samples(), endToEnd.meanBatch());
        out.printf("http floor   %10.0f requests/s (GET /healthz, same devices)   p50 %8.3f ms; CPU per request %.1f us (devices and server)%n",
                floor.samplesPerSecond(), 1e3 * floor.percentile(0.5), 1e6 * floor.cpuSeconds() / floor.samples());
        out.printf("server       %s%n", memory);
        return 0;
    }

    /** The {@code batch} samples of request number {@code request}, row-major, cycling through the data. */
    private float[] samples(Dataset ds, int request) {
        if (batch == 1) {
            return ds.sample(Math.floorMod(request, ds.size()));
        }
        float[] first = ds.sample(Math.floorMod((long) request * batch, ds.size()));
        float[] out = new float[first.length * batch];
        System.arraycopy(first, 0, out, 0, first.length);
        for (int j = 1; j < batch; j++) {
            System.arraycopy(ds.sample(Math.floorMod((long) request * batch + j, ds.size())), 0, out, j * first.length, first.length);
        }
        return out;
    }

    /** Runs {@code devices} threads, each doing {@code work} back to back: warm-up, then the measured window. */
    private Run measure(int devices, java.util.function.IntFunction<Work> perThread, boolean withServer, int samplesPerCall) throws Exception {
        long warmNanos = (long) (warmup * 1e9);
        long runNanos = (long) (seconds * 1e9);
        CyclicBarrier start = new CyclicBarrier(devices + 1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        long[][] lat = new long[devices][];
        int[] counts = new int[devices];
        long[] window = new long[2];
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < devices; t++) {
            int id = t;
            Work w = perThread.apply(t);
            Thread.Builder builder = withServer && deviceThreads == DeviceThreads.virtual ? Thread.ofVirtual() : Thread.ofPlatform();
            threads.add(builder.name("load-" + t).start(() -> {
                long[] mine = new long[1 << 12];
                int n = 0;
                int sample = id * 7919;
                try {
                    start.await();
                    long begin = window[0];
                    long from = begin + warmNanos;
                    long to = from + runNanos;
                    for (long now = System.nanoTime(); now < to; ) {
                        long t0 = now;
                        w.run(sample++);
                        now = System.nanoTime();
                        if (t0 >= from && now <= to) {
                            if (n == mine.length) {
                                mine = Arrays.copyOf(mine, 2 * n);
                            }
                            mine[n++] = now - t0;
                        }
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
                lat[id] = Arrays.copyOf(mine, n);
                counts[id] = n;
            }));
        }
        window[0] = System.nanoTime();
        start.await();
        // CPU of the measured window: this process (and the server's, from its metrics), sampled at its edges
        Thread.sleep(Math.max(0, (window[0] + warmNanos - System.nanoTime()) / 1_000_000));
        Map<String, Double> g0 = withServer ? serverGauges() : Map.of();
        double server0 = g0.getOrDefault("process_cpu_seconds_total", 0.0);
        double cpu0 = processCpuSeconds() + server0;
        Thread.sleep(Math.max(0, (window[0] + warmNanos + runNanos - System.nanoTime()) / 1_000_000));
        Map<String, Double> g1 = withServer ? serverGauges() : Map.of();
        double server1 = g1.getOrDefault("process_cpu_seconds_total", 0.0);
        double cpu1 = processCpuSeconds() + server1;
        double tailRuns = g1.getOrDefault("tail_runs_total", 0.0) - g0.getOrDefault("tail_runs_total", 0.0);
        double meanBatch = tailRuns > 0 ? (g1.get("inferred_samples_total") - g0.get("inferred_samples_total")) / tailRuns : Double.NaN;
        for (Thread th : threads) {
            th.join();
        }
        if (failure.get() != null) {
            Throwable f = failure.get();
            throw new IllegalStateException("a load thread failed: " + Main.describe(f), f);
        }
        long total = 0;
        for (int c : counts) {
            total += c;
        }
        long[] all = new long[(int) total];
        int at = 0;
        for (long[] l : lat) {
            System.arraycopy(l, 0, all, at, l.length);
            at += l.length;
        }
        return new Run(devices, total * samplesPerCall, seconds, all, cpu1 - cpu0, server1 - server0, meanBatch);
    }

    private static double processCpuSeconds() {
        return java.lang.management.ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime() / 1e9 : 0;
    }

    /** The server's process gauges from {@code /metrics}: heap, heap after collection, resident memory, CPU seconds. */
    private Map<String, Double> serverGauges() throws IOException, InterruptedException {
        Map<String, Double> out = new LinkedHashMap<>();
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(server.resolve("/metrics")).build(), HttpResponse.BodyHandlers.ofString());
            for (String line : r.body().split("\n")) {
                for (String g : new String[]{"qpart_jvm_heap_used_bytes", "qpart_jvm_heap_after_gc_bytes", "qpart_process_resident_bytes",
                        "qpart_process_cpu_seconds_total", "qpart_inferred_samples_total", "qpart_tail_runs_total"}) {
                    if (line.startsWith(g + " ")) {
                        out.put(g.substring("qpart_".length()), Double.parseDouble(line.substring(g.length() + 1).trim()));
                    }
                }
            }
        }
        return out;
    }
}
