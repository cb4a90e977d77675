package io.qpart.serve.server;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * Request counters by route and status, errors, latency histograms, bytes in and out and the head
 * cache's counters, written in the Prometheus text exposition format (version 0.0.4). Thread-safe;
 * recording is a few atomic additions.
 */
public final class Metrics {
    /** Upper bounds of the latency buckets, seconds. */
    static final double[] BUCKETS_SECONDS = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};

    private record RouteStatus(String route, int status) {
    }

    private static final class Histogram {
        final AtomicLongArray counts = new AtomicLongArray(BUCKETS_SECONDS.length + 1);
        final LongAdder sumNanos = new LongAdder();
    }

    private final ConcurrentHashMap<RouteStatus, LongAdder> requests = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Histogram> latency = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, LongAdder> bytesIn = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, LongAdder> bytesOut = new ConcurrentHashMap<>();
    private final LongAdder errors = new LongAdder();
    private final LongAdder samples = new LongAdder();
    private final LongAdder tailRuns = new LongAdder();
    private final AtomicLong inFlight = new AtomicLong();
    private final Object recorded = new Object();

    /** Records one finished request; status 499 means the client went away before the answer. */
    public void record(String route, int status, long latencyNanos, long receivedBytes, long sentBytes) {
        requests.computeIfAbsent(new RouteStatus(route, status), k -> new LongAdder()).increment();
        if (status >= 400) {
            errors.increment();
        }
        Histogram h = latency.computeIfAbsent(route, k -> new Histogram());
        double s = latencyNanos / 1e9;
        int b = 0;
        while (b < BUCKETS_SECONDS.length && s > BUCKETS_SECONDS[b]) {
            b++;
        }
        h.counts.incrementAndGet(b);
        h.sumNanos.add(latencyNanos);
        bytesIn.computeIfAbsent(route, k -> new LongAdder()).add(receivedBytes);
        bytesOut.computeIfAbsent(route, k -> new LongAdder()).add(sentBytes);
        synchronized (recorded) {
            recorded.notifyAll();
        }
    }

    /** Waits until at least {@code count} requests of {@code route} ended with {@code status}; returns whether they did in time. */
    public boolean awaitRequests(String route, int status, long count, java.time.Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (recorded) {
            while (requests(route, status) < count) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(recorded, left);
            }
        }
        return true;
    }

    void samplesInferred(long n) {
        samples.add(n);
    }

    void tailRun() {
        tailRuns.increment();
    }

    /** ONNX Runtime calls of tails so far: {@link #samplesInferred} over this is the mean batch. */
    public long tailRuns() {
        return tailRuns.sum();
    }

    void started() {
        inFlight.incrementAndGet();
    }

    void finished() {
        inFlight.decrementAndGet();
    }

    /** Requests recorded for a route and status (for tests and the load test). */
    public long requests(String route, int status) {
        LongAdder a = requests.get(new RouteStatus(route, status));
        return a == null ? 0 : a.sum();
    }

    public long errors() {
        return errors.sum();
    }

    /** The exposition text. */
    public String render(HeadCache heads, int models) {
        StringBuilder out = new StringBuilder(4096);
        out.append("# HELP qpart_requests_total HTTP requests answered, by route and status (499: the client went away).\n");
        out.append("# TYPE qpart_requests_total counter\n");
        Map<RouteStatus, Long> sorted = new TreeMap<>((a, b) -> a.route.equals(b.route) ? Integer.compare(a.status, b.status) : a.route.compareTo(b.route));
        requests.forEach((k, v) -> sorted.put(k, v.sum()));
        sorted.forEach((k, v) -> out.append("qpart_requests_total{route=\"").append(k.route).append("\",status=\"").append(k.status)
                .append("\"} ").append(v).append('\n'));
        counter(out, "qpart_request_errors_total", "Requests answered with a 4xx or 5xx status or abandoned by the client.", errors.sum());
        out.append("# HELP qpart_request_duration_seconds Time from reading the request line to the last byte of the answer.\n");
        out.append("# TYPE qpart_request_duration_seconds histogram\n");
        new TreeMap<>(latency).forEach((route, h) -> {
            long cumulative = 0;
            for (int i = 0; i <= BUCKETS_SECONDS.length; i++) {
                cumulative += h.counts.get(i);
                String le = i < BUCKETS_SECONDS.length ? Double.toString(BUCKETS_SECONDS[i]) : "+Inf";
                out.append("qpart_request_duration_seconds_bucket{route=\"").append(route).append("\",le=\"").append(le).append("\"} ")
                        .append(cumulative).append('\n');
            }
            out.append("qpart_request_duration_seconds_sum{route=\"").append(route).append("\"} ").append(h.sumNanos.sum() / 1e9).append('\n');
            out.append("qpart_request_duration_seconds_count{route=\"").append(route).append("\"} ").append(cumulative).append('\n');
        });
        byRoute(out, "qpart_received_bytes_total", "Request body bytes received, by route.", bytesIn);
        byRoute(out, "qpart_sent_bytes_total", "Response body bytes sent, by route.", bytesOut);
        counter(out, "qpart_inferred_samples_total", "Samples run through a tail.", samples.sum());
        counter(out, "qpart_tail_runs_total", "ONNX Runtime calls of tails; inferred samples over this is the mean batch.", tailRuns.sum());
        gauge(out, "qpart_requests_in_flight", "Requests being handled now.", inFlight.get());
        gauge(out, "qpart_models", "Models served.", models);
        counter(out, "qpart_head_cache_hits_total", "Head lookups answered from the cache.", heads.hits());
        counter(out, "qpart_head_cache_misses_total", "Head lookups that built the head.", heads.misses());
        counter(out, "qpart_head_cache_evictions_total", "Heads dropped to keep the cache within its bound.", heads.evictions());
        gauge(out, "qpart_head_cache_bytes", "Bytes of the heads in the cache.", heads.bytes());
        gauge(out, "qpart_head_cache_capacity_bytes", "Bound of the head cache in bytes.", heads.capacityBytes());
        gauge(out, "qpart_head_cache_entries", "Heads in the cache.", heads.entries());
        gauge(out, "qpart_head_ids_known", "Head ids this server can serve (built or indexed).", heads.knownIds());
        Runtime rt = Runtime.getRuntime();
        gauge(out, "qpart_jvm_heap_used_bytes", "Java heap in use.", rt.totalMemory() - rt.freeMemory());
        gauge(out, "qpart_jvm_heap_after_gc_bytes", "Java heap in use after the last collection of each heap pool.", heapAfterGc());
        if (java.lang.management.ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                && os.getProcessCpuTime() >= 0) {
            out.append("# HELP qpart_process_cpu_seconds_total CPU time of the server process.\n");
            out.append("# TYPE qpart_process_cpu_seconds_total counter\n");
            out.append("qpart_process_cpu_seconds_total ").append(os.getProcessCpuTime() / 1e9).append('\n');
        }
        long rss = residentBytes();
        if (rss >= 0) {
            gauge(out, "qpart_process_resident_bytes", "Resident memory of the server process (Linux).", rss);
        }
        return out.toString();
    }

    /** Heap in use right after the most recent garbage collection (every heap pool); -1 before the first one or where the JVM does not say. */
    static long heapAfterGc() {
        java.util.Set<String> heapPools = new java.util.HashSet<>();
        for (java.lang.management.MemoryPoolMXBean p : java.lang.management.ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == java.lang.management.MemoryType.HEAP) {
                heapPools.add(p.getName());
            }
        }
        com.sun.management.GcInfo latest = null;
        for (java.lang.management.GarbageCollectorMXBean gc : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) {
            if (gc instanceof com.sun.management.GarbageCollectorMXBean g) {
                com.sun.management.GcInfo info = g.getLastGcInfo();
                if (info != null && (latest == null || info.getEndTime() > latest.getEndTime())) {
                    latest = info;
                }
            }
        }
        if (latest == null) {
            return -1;
        }
        long sum = 0;
        for (Map.Entry<String, java.lang.management.MemoryUsage> e : latest.getMemoryUsageAfterGc().entrySet()) {
            if (heapPools.contains(e.getKey())) {
                sum += e.getValue().getUsed();
            }
        }
        return sum;
    }

    /** VmRSS of this process from /proc, in bytes; -1 where there is no /proc. */
    static long residentBytes() {
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    String[] f = line.substring(6).trim().split("\\s+");
                    return Long.parseLong(f[0]) * 1024;
                }
            }
        } catch (java.io.IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    private static void counter(StringBuilder out, String name, String help, long v) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(" counter\n");
        out.append(name).append(' ').append(v).append('\n');
    }

    private static void gauge(StringBuilder out, String name, String help, long v) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(" gauge\n");
        out.append(name).append(' ').append(v).append('\n');
    }

    private static void byRoute(StringBuilder out, String name, String help, Map<String, LongAdder> m) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(" counter\n");
        new TreeMap<>(m).forEach((route, v) -> out.append(name).append("{route=\"").append(route).append("\"} ").append(v.sum()).append('\n'));
    }
}
