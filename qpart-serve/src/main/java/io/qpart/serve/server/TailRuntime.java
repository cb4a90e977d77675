package io.qpart.serve.server;

import ai.onnxruntime.OnnxJavaType;
import io.qpart.core.wire.ActivationFrame;
import io.qpart.core.wire.WireTensor;
import io.qpart.onnx.graph.SplitModel;
import io.qpart.onnx.runtime.HostTensor;
import io.qpart.onnx.runtime.OnnxSession;
import io.qpart.serve.protocol.CrossingTensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The server side of one (model, cut): the float32 tail in one ONNX Runtime session, shared by
 * every request (SPEC §1 step 3). A request's frames are checked against the crossing tensors,
 * dequantized (SPEC §3), stacked into one batch where the tensors allow it, and run; the first
 * output gives each sample's logits and class. At the last cut the tail is empty and the
 * dequantized crossing tensors are the outputs.
 */
final class TailRuntime implements AutoCloseable {
    /** Most float elements one request may carry across its frames (64 MiB as float32). */
    static final long MAX_REQUEST_ELEMENTS = 1L << 24;

    /** Logits and class of each sample of a request, in order. */
    record Result(int[] classes, float[][] logits) {
    }

    private final String model;
    private final int cut;
    private final OnnxSession tail;
    private final List<CrossingTensor> crossing;
    private final boolean batchable;
    private final Batcher batcher = new Batcher();
    private final ThreadLocal<Scratch> scratch = ThreadLocal.withInitial(Scratch::new);

    private final Metrics metrics;

    TailRuntime(ServedModel m, int cut, int threads, Metrics metrics) {
        this.metrics = metrics;
        this.model = m.name();
        this.cut = cut;
        SplitModel split = m.split(cut);
        this.tail = split.tailIsEmpty() ? null : OnnxSession.create(split.tail().toByteArray(), threads);
        this.crossing = m.crossing(cut);
        this.batchable = m.batchable(cut);
    }

    List<CrossingTensor> crossing() {
        return crossing;
    }

    /**
     * One request's frames, checked against the crossing tensors and not yet dequantized: each
     * frame's tensors in {@link #crossing} order, its rows, and the request's samples.
     */
    record Prepared(List<WireTensor[]> frames, int[] rows, int samples) {
    }

    /** Runs the frames of one request; a frame whose tensors are not those of this cut is refused (400). */
    Result run(List<ActivationFrame> frames) {
        Prepared p = prepare(frames);
        return batchable && tail != null ? batcher.run(p) : runTogether(List.of(p)).get(0);
    }

    /**
     * Runs several requests on the calling thread, stacked into as few tail calls as
     * {@link Batcher#MAX_BATCH_SAMPLES} allows where the tensors are batchable (how an event
     * loop runs the requests of one round). Returns one result per request, in order.
     */
    List<Result> runTogether(List<Prepared> requests) {
        List<WireTensor[]> parts = new ArrayList<>();
        List<Integer> partRows = new ArrayList<>();
        int total = 0;
        for (Prepared p : requests) {
            parts.addAll(p.frames());
            for (int r : p.rows()) {
                partRows.add(r);
            }
            total += p.samples();
        }
        float[][] logits = new float[total][];
        int at = 0;
        if (!batchable || tail == null) {
            for (WireTensor[] f : parts) {
                Map<String, HostTensor> in = dequantize(f);
                float[][] rows = logits(tail == null ? in : runTail(in), rowsOf(in));
                System.arraycopy(rows, 0, logits, at, rows.length);
                at += rows.length;
            }
        } else {
            int i = 0;
            while (i < parts.size()) {
                int j = i;
                int n = 0;
                while (j < parts.size() && (j == i || n + partRows.get(j) <= Batcher.MAX_BATCH_SAMPLES)) {
                    n += partRows.get(j);
                    j++;
                }
                Map<String, HostTensor> in = stack(parts.subList(i, j), n);
                float[][] rows = logits(runTail(in), n);
                System.arraycopy(rows, 0, logits, at, n);
                at += n;
                i = j;
            }
        }
        List<Result> out = new ArrayList<>(requests.size());
        at = 0;
        for (Prepared p : requests) {
            float[][] mine = Arrays.copyOfRange(logits, at, at + p.samples());
            at += p.samples();
            out.add(new Result(classes(mine), mine));
        }
        return out;
    }

    /** Checks and dequantizes a request's frames; a frame whose tensors are not those of this cut is refused (400), too many values 413. */
    Prepared prepare(List<ActivationFrame> frames) {
        List<WireTensor[]> inputs = new ArrayList<>();
        int[] rows = new int[frames.size()];
        int samples = 0;
        long elements = 0;
        for (int f = 0; f < frames.size(); f++) {
            elements += frameElements(frames.get(f));
            if (elements > MAX_REQUEST_ELEMENTS) {
                throw new HttpError(413, "the request's frames hold more than " + MAX_REQUEST_ELEMENTS + " values; send fewer samples per request");
            }
            WireTensor[] in = check(frames.get(f), f);
            rows[f] = Math.toIntExact(in[0].shape()[0]);
            samples = Math.addExact(samples, rows[f]);
            inputs.add(in);
        }
        return new Prepared(List.copyOf(inputs), rows, samples);
    }

    private static int[] classes(float[][] logits) {
        int[] classes = new int[logits.length];
        for (int i = 0; i < logits.length; i++) {
            float[] row = logits[i];
            int best = 0;
            for (int j = 1; j < row.length; j++) {
                if (row[j] > row[best]) {
                    best = j;
                }
            }
            classes[i] = best;
        }
        return classes;
    }

    /** One ONNX Runtime call of the tail, counted ({@code qpart_tail_runs_total}). */
    private Map<String, HostTensor> runTail(Map<String, HostTensor> in) {
        metrics.tailRun();
        return tail.run(in);
    }

    private static int rowsOf(Map<String, HostTensor> in) {
        return Math.toIntExact(in.values().iterator().next().shape()[0]);
    }

    /** The first output as {@code n} rows of logits. */
    private float[][] logits(Map<String, HostTensor> out, int n) {
        HostTensor first = out.values().iterator().next();
        long[] s = first.shape();
        if (first.type() != OnnxJavaType.FLOAT || s.length != 2 || s[0] != n) {
            throw new IllegalStateException("model '" + model + "': expected float logits of shape [" + n + ", classes] as the first output, found "
                    + first.type() + " " + Arrays.toString(s));
        }
        int c = Math.toIntExact(s[1]);
        FloatBuffer fb = first.data().duplicate().order(ByteOrder.nativeOrder()).asFloatBuffer();
        float[][] rows = new float[n][c];
        for (float[] row : rows) {
            fb.get(row);
        }
        return rows;
    }

    /**
     * Runs the tail for concurrent requests together (group commit) on {@link #RUNS} platform
     * threads of its own: a request queues and parks; an idle tail thread takes everything queued
     * (up to {@link #MAX_BATCH_SAMPLES}), stacks it along the batch dimension and runs it, and
     * requests that arrive meanwhile form the next batch. One tail thread per core lets a tail
     * that dominates the server's time use every core, and because the tails run on their own
     * threads, the virtual threads that carry the connections never wait behind a native ONNX
     * Runtime call. An idle server adds one thread hand-off; a busy one makes fewer, larger calls.
     * Each request is woken once, when its batch is done. Requests are checked before they queue,
     * so a batch holds only valid inputs; should the run itself fail, every request of the batch
     * gets the error.
     */
    private final class Batcher {
        /** Most samples one tail call stacks. */
        static final int MAX_BATCH_SAMPLES = 256;
        /** Tail threads of one (model, cut): batches that run at once. */
        static final int RUNS = Math.max(1, Runtime.getRuntime().availableProcessors());

        private final ReentrantLock lock = new ReentrantLock();
        private final Condition work = lock.newCondition();
        private final ArrayDeque<Pending> queue = new ArrayDeque<>();
        private final List<Thread> threads = new ArrayList<>();
        private int idle;
        private boolean stopped;

        private static final class Pending {
            final Prepared request;
            final int samples;
            final Thread thread = Thread.currentThread();
            Result result;
            Throwable error;
            volatile boolean done;

            Pending(Prepared request) {
                this.request = request;
                this.samples = request.samples();
            }
        }

        Result run(Prepared request) {
            Pending me = new Pending(request);
            lock.lock();
            try {
                if (stopped) {
                    throw new HttpError(503, "the server is shutting down");
                }
                if (threads.isEmpty()) {
                    for (int t = 0; t < RUNS; t++) {
                        threads.add(Thread.ofPlatform().daemon().name("qpart-tail-" + model + "-" + cut + "-" + t).start(this::loop));
                    }
                }
                queue.add(me);
                if (idle > 0) {
                    work.signal();
                }
            } finally {
                lock.unlock();
            }
            boolean interrupted = false;
            while (!me.done) {
                LockSupport.park(this);
                interrupted |= Thread.interrupted(); // kept for the caller; a watchdog answers timeouts
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            return result(me);
        }

        /** A tail thread: runs what is queued, batch after batch, until stopped. */
        private void loop() {
            while (true) {
                List<Pending> batch = new ArrayList<>();
                int n = 0;
                lock.lock();
                try {
                    while (queue.isEmpty() && !stopped) {
                        idle++;
                        work.awaitUninterruptibly();
                        idle--;
                    }
                    if (queue.isEmpty()) {
                        return; // stopped and drained
                    }
                    while (!queue.isEmpty() && (batch.isEmpty() || n + queue.peek().samples <= MAX_BATCH_SAMPLES)) {
                        Pending p = queue.poll();
                        batch.add(p);
                        n += p.samples;
                    }
                    if (!queue.isEmpty() && idle > 0) {
                        work.signal(); // more than one batch waits: another tail thread takes the rest
                    }
                } finally {
                    lock.unlock();
                }
                runBatch(batch);
                for (Pending p : batch) {
                    p.done = true;
                    LockSupport.unpark(p.thread);
                }
            }
        }

        /** Lets the tail threads finish what is queued and end; waits for them (up to 10 s) so that the session can close. */
        void stop() {
            List<Thread> running;
            lock.lock();
            try {
                stopped = true;
                work.signalAll();
                running = List.copyOf(threads);
            } finally {
                lock.unlock();
            }
            long deadline = System.nanoTime() + 10_000_000_000L;
            for (Thread t : running) {
                try {
                    t.join(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }

        private Result result(Pending p) {
            if (p.error instanceof RuntimeException e) {
                throw e;
            }
            if (p.error instanceof Error e) {
                throw e;
            }
            return p.result;
        }

        /** Runs outside the lock, as an event loop runs a round ({@link #runTogether}); fills in every request's result or error. */
        private void runBatch(List<Pending> batch) {
            try {
                List<Prepared> requests = new ArrayList<>(batch.size());
                for (Pending p : batch) {
                    requests.add(p.request);
                }
                List<Result> results = runTogether(requests);
                for (int i = 0; i < batch.size(); i++) {
                    batch.get(i).result = results.get(i);
                }
            } catch (RuntimeException | Error e) {
                for (Pending p : batch) {
                    p.error = e;
                }
            }
        }
    }

    /** A checked frame's tensors as float32 inputs (SPEC §3 dequantization). */
    private Map<String, HostTensor> dequantize(WireTensor[] frame) {
        Map<String, HostTensor> in = new LinkedHashMap<>();
        for (int k = 0; k < frame.length; k++) {
            in.put(crossing.get(k).name(), HostTensor.ofFloats(frame[k].shape(), frame[k].values()));
        }
        return in;
    }

    /**
     * Checked frames dequantized (SPEC §3) straight into one batch per crossing tensor, in
     * native memory that ONNX Runtime reads without a further copy.
     */
    private Map<String, HostTensor> stack(List<WireTensor[]> frames, int samples) {
        Map<String, HostTensor> out = new LinkedHashMap<>();
        Scratch mine = scratch.get();
        for (int k = 0; k < crossing.size(); k++) {
            CrossingTensor c = crossing.get(k);
            int values = Math.toIntExact(Math.multiplyExact(c.elementsPerSample(), samples));
            ByteBuffer buf = mine.direct(k, values);
            float[] floats = mine.floats(values);
            int at = 0;
            for (WireTensor[] f : frames) {
                f[k].valuesInto(floats, at);
                at += (int) f[k].elementCount();
            }
            buf.asFloatBuffer().put(floats, 0, values);
            long[] shape = c.shape();
            shape[0] = samples;
            out.put(c.name(), new HostTensor(OnnxJavaType.FLOAT, shape, buf));
        }
        return out;
    }

    /**
     * A thread's buffers for {@link #stack}, kept from one batch to the next: the batch is
     * dequantized into a float array, then copied once into native memory that ONNX Runtime
     * reads in place. The input tensors live only for the tail call on this thread, so the
     * next batch on the thread may overwrite them. Batches larger than {@link #MAX_BYTES} get
     * buffers of their own, so a thread keeps at most that much per crossing tensor.
     */
    private static final class Scratch {
        static final int MAX_BYTES = 1 << 22;
        private ByteBuffer[] direct = new ByteBuffer[0];
        private float[] floats = new float[0];

        ByteBuffer direct(int k, int values) {
            int bytes = Math.multiplyExact(values, Float.BYTES);
            if (bytes > MAX_BYTES) {
                return ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
            }
            if (k >= direct.length) {
                direct = Arrays.copyOf(direct, k + 1);
            }
            if (direct[k] == null || direct[k].capacity() < bytes) {
                direct[k] = ByteBuffer.allocateDirect(Math.min(MAX_BYTES, Math.max(bytes, 2 * (direct[k] == null ? 0 : direct[k].capacity()))))
                        .order(ByteOrder.nativeOrder());
            }
            return direct[k].slice(0, bytes).order(ByteOrder.nativeOrder());
        }

        float[] floats(int values) {
            if (values * (long) Float.BYTES > MAX_BYTES) {
                return new float[values];
            }
            if (floats.length < values) {
                floats = new float[Math.min(MAX_BYTES / Float.BYTES, Math.max(values, 2 * floats.length))];
            }
            return floats;
        }
    }

    /** Checks a frame against the crossing tensors; returns its tensors in crossing order. */
    private WireTensor[] check(ActivationFrame frame, int index) {
        if (frame.tensors().size() != crossing.size()) {
            throw new HttpError(400, "frame " + index + ": model '" + model + "' at cut " + cut + " expects " + crossing.size() + " tensor(s) "
                    + crossing + ", found " + frame.tensors().size());
        }
        WireTensor[] in = new WireTensor[crossing.size()];
        long batch = -1;
        for (int k = 0; k < crossing.size(); k++) {
            CrossingTensor c = crossing.get(k);
            WireTensor t = find(frame, c.name());
            if (t == null) {
                throw new HttpError(400, "frame " + index + ": model '" + model + "' at cut " + cut + " expects tensor '" + c.name() + "', found "
                        + names(frame));
            }
            long[] s = t.shape();
            if (!c.matches(s) || (batch >= 0 && s[0] != batch) || (!batchable && s[0] != 1)) {
                throw new HttpError(400, "frame " + index + ": tensor '" + c.name() + "' must have shape " + Arrays.toString(c.shape())
                        + (batchable ? " with any batch >= 1 shared by the frame's tensors" : "") + ", found " + Arrays.toString(s));
            }
            batch = s[0];
            in[k] = t;
        }
        return in;
    }

    private static long frameElements(ActivationFrame f) {
        long n = 0;
        for (WireTensor t : f.tensors()) {
            n += t.elementCount();
        }
        return n;
    }

    private static WireTensor find(ActivationFrame f, String name) {
        for (WireTensor t : f.tensors()) {
            if (t.name().equals(name)) {
                return t;
            }
        }
        return null;
    }

    private static List<String> names(ActivationFrame f) {
        List<String> n = new ArrayList<>();
        for (WireTensor t : f.tensors()) {
            n.add(t.name());
        }
        return n;
    }

    @Override
    public void close() {
        batcher.stop();
        if (tail != null) {
            tail.close();
        }
    }
}
