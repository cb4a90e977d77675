package io.qpart.cli;

import io.qpart.core.cost.Profiles;
import io.qpart.core.data.Dataset;
import io.qpart.onnx.quant.BitWidths;
import io.qpart.onnx.runtime.HostTensor;
import io.qpart.onnx.runtime.Pipeline;
import io.qpart.serve.device.Channel;
import io.qpart.serve.device.DeviceClient;
import io.qpart.serve.device.DeviceFleet;
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
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code qpart loadtest}: many devices at once against a server, next to in-process split
 * inference of the same model and configuration measured in the same run (docs/BENCHMARKS.md).
 */
@Command(name = "loadtest", mixinStandardHelpOptions = true,
        description = {"Measure a server under N concurrent devices (no channel emulation; each its own connection and one request in flight,",
                "by default multiplexed on one selector thread per core: --device-threads), and in the same run in-process split",
                "inference of the same configuration (one thread and one pipeline per core, its best on this machine):",
                "throughput, p50/p99 latency per request (one sample, or --batch samples), CPU per sample, server memory; then the HTTP floor: the same devices",
                "asking GET /healthz back to back, the CPU one request costs without any inference.",
                "On the server's own machine, start it as 'chrt -b 0 qpart loadtest ...' (tools/bench-serve.sh does) so that the devices'",
                "wake-ups do not preempt the server; the output names the scheduling policy it ran under."})
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
    enum DeviceThreads { loop, platform, virtual }

    @Option(names = "--device-threads", paramLabel = "KIND", description = {"Threads the devices run on: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).",
            "Each device is a DeviceClient with a connection of its own and one request in flight either way. loop: the devices'",
            "connections share --device-loops selector threads, the way event-driven HTTP load generators work, so a device",
            "waiting for its answer costs no thread of its own; platform: a thread per device, blocking on its socket;",
            "virtual: a virtual thread per device."})
    DeviceThreads deviceThreads = DeviceThreads.loop;

    @Option(names = "--device-loops", paramLabel = "N", description = "Selector threads of --device-threads loop; 0: one per core (default: ${DEFAULT-VALUE}).")
    int deviceLoops = 0;

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
        check(devices >= 1, "--devices must be >= 1", devices);
        check(seconds > 0, "--seconds must be > 0", seconds);
        check(warmup >= 0, "--warmup must be >= 0", warmup);
        check(batch >= 1 && batch <= 4096, "--batch must be in 1..4096", batch);
        check(deviceLoops >= 0, "--device-loops must be >= 0", deviceLoops);
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
        int loops = deviceLoops == 0 ? Runtime.getRuntime().availableProcessors() : deviceLoops;
        String carried = switch (deviceThreads) {
            case loop -> Math.min(loops, devices) + " selector thread" + (Math.min(loops, devices) == 1 ? "" : "s");
            case platform -> "a thread each";
            case virtual -> "a virtual thread each";
        };
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
            inProcess = measure(threads, threads(threads, t -> {
                Pipeline p = pipelines.get(t % pipelines.size());
                return i -> p.run(Map.of(input, HostTensor.ofFloats(shape, samples(ds, i))));
            }, false), false, batch);
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
            if (deviceThreads == DeviceThreads.loop) {
                try (DeviceFleet fleet = new DeviceFleet(server, devices, loops, DeviceClient.DEFAULT_TIMEOUT_MILLIS)) {
                    DeviceFleet.Traffic infer = fleet.infer(clients, prepared, (d, r) -> samples(ds, d * 7919 + r), batch);
                    endToEnd = measure(devices, (from, to) -> fleet.run(infer, from, to), true, batch);
                    floor = measure(devices, (from, to) -> fleet.run(fleet.health(), from, to), true, 1);
                }
            } else {
                endToEnd = measure(devices, threads(devices, t -> i -> clients.get(t).infer(prepared.get(t), samples(ds, i), batch), true), true,
                        batch);
                floor = measure(devices, threads(devices, t -> i -> clients.get(t).health(), true), true, 1);
            }
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
        o.put("deviceThreads", deviceThreads.name());
        if (deviceThreads == DeviceThreads.loop) {
            o.put("deviceLoops", Math.min(loops, devices));
        }
        o.put("batch", batch);
        o.put("schedulingPolicy", schedulingPolicy());
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
        out.printf("model        %s, cut %d, activation %d bits, %d devices (%s), %d in-process threads, %d cores, %d sample%s per request, %s scheduling%n",
                model, plan.cut(), plan.activationBits(), devices, carried, inProcess.threads(), Runtime.getRuntime().availableProcessors(), batch,
                batch == 1 ? "" : "s", schedulingPolicy());
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

    /**
     * This process's Linux scheduling policy (field 41 of /proc/self/stat): "normal", or
     * "batch" under {@code chrt -b 0}, as tools/bench-serve.sh runs it; "unknown" elsewhere.
     */
    static String schedulingPolicy() {
        try {
            return policyOf(java.nio.file.Files.readString(Path.of("/proc/self/stat")));
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    /** The policy in a /proc/PID/stat line (the command name, in parentheses, may hold spaces and parentheses). */
    static String policyOf(String stat) {
        try {
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" +");
            return switch (Integer.parseInt(f[38])) {
                case 0 -> "normal";
                case 1 -> "fifo";
                case 2 -> "rr";
                case 3 -> "batch";
                case 5 -> "idle";
                default -> "unknown";
            };
        } catch (RuntimeException e) {
            return "unknown";
        }
    }

    private static void check(boolean ok, String expected, Object found) {
        if (!ok) {
            throw new IllegalArgumentException(expected + "; found " + found);
        }
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

    /** Load that runs until {@code to}; returns per device the latencies of the calls started at or after {@code from} and done by {@code to}. */
    interface Load {
        long[][] run(long from, long to) throws Exception;
    }

    /** {@code devices} threads, each doing its {@code work} back to back. */
    private Load threads(int devices, java.util.function.IntFunction<Work> perThread, boolean withServer) {
        return (from, to) -> {
            AtomicReference<Throwable> failure = new AtomicReference<>();
            long[][] lat = new long[devices][];
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
                }));
            }
            for (Thread th : threads) {
                th.join();
            }
            if (failure.get() != null) {
                Throwable f = failure.get();
                throw new IllegalStateException("a load thread failed: " + Main.describe(f), f);
            }
            return lat;
        };
    }

    /** Runs {@code load}: warm-up, then the measured window, sampling this process's CPU (and the server's) at the window's edges. */
    private Run measure(int devices, Load load, boolean withServer, int samplesPerCall) throws Exception {
        long warmNanos = (long) (warmup * 1e9);
        long runNanos = (long) (seconds * 1e9);
        long begin = System.nanoTime();
        long from = begin + warmNanos;
        long to = from + runNanos;
        AtomicReference<Object> result = new AtomicReference<>();
        Thread runner = Thread.ofPlatform().name("load").start(() -> {
            try {
                result.set(load.run(from, to));
            } catch (Throwable e) {
                result.set(e);
            }
        });
        Thread.sleep(Math.max(0, (from - System.nanoTime()) / 1_000_000));
        Map<String, Double> g0 = withServer ? serverGauges() : Map.of();
        double server0 = g0.getOrDefault("process_cpu_seconds_total", 0.0);
        double cpu0 = processCpuSeconds() + server0;
        Thread.sleep(Math.max(0, (to - System.nanoTime()) / 1_000_000));
        Map<String, Double> g1 = withServer ? serverGauges() : Map.of();
        double server1 = g1.getOrDefault("process_cpu_seconds_total", 0.0);
        double cpu1 = processCpuSeconds() + server1;
        double tailRuns = g1.getOrDefault("tail_runs_total", 0.0) - g0.getOrDefault("tail_runs_total", 0.0);
        double meanBatch = tailRuns > 0 ? (g1.get("inferred_samples_total") - g0.get("inferred_samples_total")) / tailRuns : Double.NaN;
        runner.join();
        if (result.get() instanceof Throwable f) {
            if (f instanceof Exception e) {
                throw e;
            }
            throw new IllegalStateException(Main.describe(f), f);
        }
        long[][] lat = (long[][]) result.get();
        long total = 0;
        for (long[] l : lat) {
            total += l.length;
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
