package io.qpart.serve.device;

import io.qpart.serve.protocol.Api;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Many emulated devices driven from a few threads, for load tests on one machine. Every device
 * has a connection of its own and keeps one request in flight, back to back; for infer traffic
 * each device is a prepared {@link DeviceClient} (its plan, its head, its frames:
 * {@link DeviceClient#upload}). The connections are multiplexed on selector threads, the way
 * event-driven HTTP load generators drive many connections. Against a thread per device this spares the machine a thread
 * wake-up and two context switches per request, which on a loopback test are taken from the
 * server under test (docs/BENCHMARKS.md).
 *
 * <p>The requests are byte for byte those {@link DeviceClient#infer} sends; each answer is read
 * in full and its results checked ({@code class} and {@code logits} for every sample), so a
 * device whose answer is wrong fails the run. Not thread-safe; one {@link #run} at a time.
 */
public final class DeviceFleet implements AutoCloseable {
    /** Largest answer head accepted. */
    private static final int MAX_HEAD_BYTES = 64 << 10;

    /** The inputs of a device's request: {@code count} samples, row-major. */
    public interface Inputs {
        float[] samples(int device, int request);
    }

    /** What the devices send and how their answers are checked. */
    public interface Traffic {
        /** The bytes device {@code device} sends as its request number {@code request}; null: the device stops. */
        byte[] request(int device, int request) throws IOException;

        /** Checks a whole answer; throws when it is not the expected one. */
        void answer(int device, int status, byte[] body) throws IOException;
    }

    /**
     * Infer requests of {@code count} samples each, as {@link DeviceClient#infer} sends them:
     * device {@code i} is {@code clients.get(i)} with its plan {@code prepared.get(i)} (its head, its
     * per-sample frames); an answer must be 200 with a class and logits for every sample.
     */
    public Traffic infer(List<DeviceClient> clients, List<DeviceClient.Prepared> prepared, Inputs inputs, int count) {
        if (clients.size() != devices.size() || prepared.size() != devices.size()) {
            throw new IllegalArgumentException("expected a client and a plan for each of the " + devices.size() + " devices, found " + clients.size()
                    + " clients and " + prepared.size() + " plans");
        }
        List<DeviceClient> cs = List.copyOf(clients);
        List<DeviceClient.Prepared> ps = List.copyOf(prepared);
        return new Traffic() {
            @Override
            public byte[] request(int device, int request) {
                DeviceClient.Prepared p = ps.get(device);
                DeviceClient.Upload u = cs.get(device).upload(p, inputs.samples(device, request), count);
                return HttpLink.request("POST", p.plan().inferPath(), host, port, Map.of("Content-Type", Api.FRAME_MEDIA_TYPE), u.body());
            }

            @Override
            public void answer(int device, int status, byte[] body) throws IOException {
                if (status != 200) {
                    throw DeviceClient.error(status, body);
                }
                DeviceClient.readResults(body, new int[count], new float[count][]);
            }
        };
    }

    /** {@code GET /healthz}, as {@link DeviceClient#health} asks it; an answer must be 200. */
    public Traffic health() {
        byte[] request = HttpLink.request("GET", Api.HEALTHZ, host, port, Map.of(), null);
        return new Traffic() {
            @Override
            public byte[] request(int device, int n) {
                return request;
            }

            @Override
            public void answer(int device, int status, byte[] body) throws IOException {
                if (status != 200) {
                    throw DeviceClient.error(status, body);
                }
            }
        };
    }

    private final String host;
    private final int port;
    private final int threads;
    private final int timeoutMillis;
    private final List<Device> devices = new ArrayList<>();
    /** A run failed: connections may hold half an exchange, so the fleet takes no further run. */
    private boolean broken;

    private static final class Device {
        final int index;
        SocketChannel channel;
        SelectionKey key;
        ByteBuffer out;
        ByteBuffer in = ByteBuffer.allocate(4096);
        long sentAt;
        int request;
        long[] latencies = new long[1 << 12];
        int measured;
        /** The next request, made and not yet written. */
        byte[] pending;
        /** The last answer said the server closes the connection. */
        boolean closing;

        Device(int index) {
            this.index = index;
        }
    }

    /** {@code devices} devices, each on a new connection to {@code server}, spread over {@code threads} selector threads. */
    public DeviceFleet(URI server, int devices, int threads, int timeoutMillis) throws IOException {
        if (!"http".equals(server.getScheme()) || server.getHost() == null) {
            throw new IllegalArgumentException("expected a server URL like http://HOST:PORT, found '" + server + "'");
        }
        if (devices < 1 || threads < 1 || timeoutMillis < 1) {
            throw new IllegalArgumentException("devices, threads and timeout must be >= 1, found " + devices + ", " + threads + " and " + timeoutMillis);
        }
        this.host = server.getHost();
        this.port = server.getPort() < 0 ? 80 : server.getPort();
        this.threads = Math.min(threads, devices);
        this.timeoutMillis = timeoutMillis;
        try {
            for (int i = 0; i < devices; i++) {
                Device d = new Device(i);
                this.devices.add(d);
                connect(d);
            }
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Devices in this fleet. */
    public int size() {
        return devices.size();
    }

    private void connect(Device d) throws IOException {
        SocketChannel c = SocketChannel.open(new InetSocketAddress(host, port));
        c.setOption(StandardSocketOptions.TCP_NODELAY, true);
        c.configureBlocking(false);
        d.channel = c;
        d.key = null;
    }

    /**
     * Every device sends {@code traffic} back to back until {@link System#nanoTime()}
     * reaches {@code to}; returns, per device, the latencies (from the start of the request, head
     * and quantization included, to the last byte of its answer) of the requests started at or after
     * {@code from} and answered by {@code to}. Request numbers go on from one run to the next.
     */
    public long[][] run(Traffic traffic, long from, long to) throws IOException {
        if (broken) {
            throw new IllegalStateException("an earlier run of this fleet failed; open a new one");
        }
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            List<Device> mine = new ArrayList<>();
            for (int i = t; i < devices.size(); i += threads) {
                mine.add(devices.get(i));
            }
            workers.add(Thread.ofPlatform().name("qpart-fleet-" + t).start(() -> {
                try {
                    drive(mine, traffic, from, to, failure);
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }));
        }
        for (Thread w : workers) {
            try {
                w.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failure.compareAndSet(null, e);
            }
        }
        Throwable f = failure.get();
        broken = f != null;
        if (f instanceof IOException io) {
            throw io;
        }
        if (f instanceof RuntimeException re) {
            throw re;
        }
        if (f != null) {
            throw new IOException(f.toString(), f);
        }
        long[][] out = new long[devices.size()][];
        for (Device d : devices) {
            out[d.index] = Arrays.copyOf(d.latencies, d.measured);
            d.measured = 0;
        }
        return out;
    }

    private void drive(List<Device> mine, Traffic traffic, long from, long to, AtomicReference<Throwable> failure) throws IOException {
        try (Selector selector = Selector.open()) {
            for (Device d : mine) {
                if (!d.channel.isOpen()) {
                    connect(d); // the server closed it after the last answer of an earlier run
                }
                d.closing = false;
                d.key = d.channel.register(selector, SelectionKey.OP_READ, d);
            }
            int active = mine.size() - start(mine, traffic, true, selector); // every device sends its first request
            List<Device> answered = new ArrayList<>();
            long lastProgress = System.nanoTime();
            while (active > 0 && failure.get() == null) {
                int ready = selector.select(Math.min(timeoutMillis, 1000));
                long now = System.nanoTime();
                if (ready == 0) {
                    if (now - lastProgress > timeoutMillis * 1_000_000L) {
                        throw new SocketTimeoutException("no device of this thread made progress for " + timeoutMillis + " ms");
                    }
                    continue;
                }
                lastProgress = now;
                answered.clear();
                for (SelectionKey k : selector.selectedKeys()) {
                    Device d = (Device) k.attachment();
                    if (k.isValid() && k.isWritable()) {
                        write(d);
                    }
                    if (k.isValid() && k.isReadable() && read(d, traffic, from, to)) {
                        answered.add(d);
                    }
                }
                selector.selectedKeys().clear();
                active -= start(answered, traffic, System.nanoTime() < to, selector);
            }
        }
    }

    /**
     * Makes the next request of every device in {@code due} (when {@code more}; heads run, frames
     * quantized), then writes them all, so that they reach the server together, as from devices
     * that run in parallel. A device the server closed on gets a new connection first. Returns
     * how many devices stopped: no more wanted, or none left in the traffic.
     */
    private int start(List<Device> due, Traffic traffic, boolean more, Selector selector) throws IOException {
        for (Device d : due) {
            d.pending = more ? next(d, traffic) : null;
        }
        int stopped = 0;
        for (Device d : due) {
            if (d.closing) {
                d.key.cancel();
                d.channel.close();
                if (d.pending != null) {
                    connect(d);
                    d.key = d.channel.register(selector, SelectionKey.OP_READ, d);
                }
            }
            if (d.pending == null) {
                stopped++;
                continue;
            }
            d.out = ByteBuffer.wrap(d.pending);
            d.pending = null;
            write(d);
        }
        return stopped;
    }

    /** The device's next request (its clock starts here: head and quantization count), or null when it has none. */
    private static byte[] next(Device d, Traffic traffic) throws IOException {
        d.sentAt = System.nanoTime();
        byte[] request = traffic.request(d.index, d.request);
        if (request != null) {
            d.request++;
        }
        return request;
    }

    private static void write(Device d) throws IOException {
        try {
            d.channel.write(d.out);
        } catch (IOException e) {
            throw new IOException("device " + d.index + ": sending the request failed: " + e.getMessage(), e);
        }
        d.key.interestOps(d.out.hasRemaining() ? SelectionKey.OP_READ | SelectionKey.OP_WRITE : SelectionKey.OP_READ);
    }

    /** Reads what arrived; returns whether an answer is whole (checked and its latency kept). */
    private static boolean read(Device d, Traffic traffic, long from, long to) throws IOException {
        if (!d.in.hasRemaining()) {
            if (d.in.capacity() >= HttpLink.MAX_RESPONSE_BYTES) {
                throw new IOException("device " + d.index + ": answer over " + HttpLink.MAX_RESPONSE_BYTES + " bytes");
            }
            d.in = ByteBuffer.allocate(2 * d.in.capacity()).put(d.in.flip());
        }
        int r;
        try {
            r = d.channel.read(d.in);
        } catch (IOException e) {
            throw new IOException("device " + d.index + ": reading the answer failed: " + e.getMessage(), e);
        }
        if (r < 0) {
            throw new IOException("device " + d.index + ": the server closed the connection before answering");
        }
        Answer a = Answer.parse(d.in.array(), d.in.position());
        if (a == null) {
            return false;
        }
        long now = System.nanoTime();
        if (d.in.position() > a.bodyStart() + a.length()) {
            throw new IOException("device " + d.index + ": the server sent bytes after the answer");
        }
        byte[] body = Arrays.copyOfRange(d.in.array(), a.bodyStart(), a.bodyStart() + a.length());
        d.in.clear();
        try {
            traffic.answer(d.index, a.status(), body);
        } catch (IOException e) {
            throw new IOException("device " + d.index + ": " + e.getMessage(), e);
        }
        if (d.sentAt >= from && now <= to) {
            if (d.measured == d.latencies.length) {
                d.latencies = Arrays.copyOf(d.latencies, 2 * d.measured);
            }
            d.latencies[d.measured++] = now - d.sentAt;
        }
        d.closing = a.close();
        return true;
    }

    /** A whole answer in a buffer: its status, where its body starts, the body's length and whether the server closes after it. */
    record Answer(int status, int bodyStart, int length, boolean close) {
        /** The answer in {@code b[0, n)}, or null while it is not whole. */
        static Answer parse(byte[] b, int n) throws IOException {
            int end = -1;
            for (int i = 3; i < n; i++) {
                if (b[i] == '\n' && b[i - 1] == '\r' && b[i - 2] == '\n' && b[i - 3] == '\r') {
                    end = i + 1;
                    break;
                }
            }
            if (end < 0) {
                if (n > MAX_HEAD_BYTES) {
                    throw new IOException("expected an answer head of at most " + MAX_HEAD_BYTES + " bytes, found more");
                }
                return null;
            }
            String[] lines = new String(b, 0, end - 4, StandardCharsets.ISO_8859_1).split("\r\n");
            String[] status = lines[0].split(" ", 3);
            if (status.length < 2 || !status[0].startsWith("HTTP/1.") || status[1].length() != 3) {
                throw new IOException("expected an HTTP/1.1 status line, found '" + lines[0] + "'");
            }
            int code;
            try {
                code = Integer.parseInt(status[1]);
            } catch (NumberFormatException e) {
                throw new IOException("expected a numeric HTTP status, found '" + lines[0] + "'");
            }
            long length = -1;
            boolean close = false;
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                if (colon <= 0) {
                    continue;
                }
                String name = lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT);
                String value = lines[i].substring(colon + 1).trim();
                if (name.equals("content-length")) {
                    try {
                        length = Long.parseLong(value);
                    } catch (NumberFormatException e) {
                        throw new IOException("bad Content-Length '" + value + "'");
                    }
                } else if (name.equals("connection")) {
                    close = value.equalsIgnoreCase("close");
                } else if (name.equals("transfer-encoding")) {
                    throw new IOException("expected an answer with a Content-Length, found Transfer-Encoding: " + value);
                }
            }
            if (length < 0 || length > HttpLink.MAX_RESPONSE_BYTES) {
                throw new IOException("expected a Content-Length in 0.." + HttpLink.MAX_RESPONSE_BYTES + " on the answer (status " + code + "), found "
                        + (length < 0 ? "none" : length));
            }
            return n - end >= length ? new Answer(code, end, (int) length, close) : null;
        }
    }

    @Override
    public void close() {
        for (Device d : devices) {
            if (d.channel != null) {
                try {
                    d.channel.close();
                } catch (IOException e) {
                    // closing: nothing left to release
                }
            }
        }
    }
}
