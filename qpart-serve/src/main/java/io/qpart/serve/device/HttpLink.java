package io.qpart.serve.device;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A small HTTP/1.1 client over one kept-alive socket whose bytes pass through a {@link Channel}
 * (so emulation paces everything the device sends and receives). One request at a time; not
 * thread-safe. Each exchange reports how long writing the request and reading the response took.
 *
 * <p>The socket blocks without a socket timeout (a timed read costs a poll and a failed read per
 * call); instead one watchdog thread for all links closes a socket that made no progress for the
 * timeout, and the exchange then fails with a {@link SocketTimeoutException}.
 */
public final class HttpLink implements AutoCloseable {
    /** Largest response body accepted. */
    static final int MAX_RESPONSE_BYTES = 256 << 20;
    private static final int MAX_HEADER_LINE = 16 << 10;

    private final String host;
    private final int port;
    private final Channel channel;
    private final int timeoutMillis;
    private volatile Socket socket;
    private InputStream in;
    private OutputStream out;
    private final byte[] buf = new byte[16 << 10];
    private int pos;
    private int limit;
    /** Bytes taken from the socket so far (buffered ones included). */
    private long readTotal;
    /** When the watchdog closes the socket, by {@link System#nanoTime()}; 0 while no exchange runs. */
    private volatile long deadline;
    private volatile boolean expired;

    /**
     * An answer and its timing.
     *
     * @param writeNanos from the first byte of the request to the last one written
     * @param waitNanos  from then to the first byte of the answer
     * @param readNanos  from then to the last byte of the answer
     * @param bytesSent     the request as written: request line, headers and body
     * @param bytesReceived the answer as read: status line, headers (and those of interim answers) and body
     */
    public record Response(int status, Map<String, String> headers, byte[] body, long writeNanos, long waitNanos, long readNanos,
                           long bytesSent, long bytesReceived) {
        public Response {
            headers = Map.copyOf(headers);
            Objects.requireNonNull(body, "body");
        }

        /** A header by lower-case name, or null. */
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        /** From the first byte sent to the last byte received. */
        public long totalNanos() {
            return writeNanos + waitNanos + readNanos;
        }
    }

    public HttpLink(URI server, Channel channel, int timeoutMillis) {
        if (!"http".equals(server.getScheme()) || server.getHost() == null) {
            throw new IllegalArgumentException("expected a server URL like http://HOST:PORT, found '" + server + "'");
        }
        this.host = server.getHost();
        this.port = server.getPort() < 0 ? 80 : server.getPort();
        this.channel = Objects.requireNonNull(channel, "channel");
        if (timeoutMillis < 1) {
            throw new IllegalArgumentException("timeout must be >= 1 ms, was " + timeoutMillis);
        }
        this.timeoutMillis = timeoutMillis;
    }

    public Channel channel() {
        return channel;
    }

    /** Sends one request and reads the whole answer; a kept-alive socket the server closed meanwhile is reopened once. */
    public Response send(String method, String path, Map<String, String> headers, byte[] body) throws IOException {
        boolean reused = socket != null;
        try {
            return exchange(method, path, headers, body);
        } catch (StaleConnection e) {
            close();
            if (!reused) {
                throw e.io;
            }
            return exchange(method, path, headers, body);
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Nothing of the answer arrived on a socket that was reused: the server may have closed it while idle. */
    private static final class StaleConnection extends IOException {
        private static final long serialVersionUID = 1L;
        final IOException io;

        StaleConnection(IOException io) {
            super(io.getMessage(), io);
            this.io = io;
        }
    }

    /** Closes the sockets of links whose exchange made no progress for their timeout. */
    private static final class Watchdog {
        static final Set<HttpLink> LINKS = ConcurrentHashMap.newKeySet();
        private static final long PERIOD_MILLIS = 20;

        static {
            Thread.ofPlatform().daemon().name("qpart-link-watchdog").start(Watchdog::loop);
        }

        private static void loop() {
            while (true) {
                try {
                    Thread.sleep(PERIOD_MILLIS);
                } catch (InterruptedException e) {
                    return;
                }
                long now = System.nanoTime();
                for (HttpLink l : LINKS) {
                    long d = l.deadline;
                    if (d != 0 && now - d > 0) {
                        l.expire();
                    }
                }
            }
        }
    }

    private void expire() {
        Socket s = socket;
        if (s != null) {
            expired = true;
            try {
                s.close();
            } catch (IOException e) {
                // closed either way
            }
        }
    }

    /** Pushes the inactivity deadline on: called whenever bytes move. */
    private void progress() {
        deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
    }

    private IOException timedOutOr(IOException e) {
        if (expired) {
            SocketTimeoutException t = new SocketTimeoutException("no progress for " + timeoutMillis + " ms");
            t.initCause(e);
            return t;
        }
        return e;
    }

    /**
     * Connects without a connect timeout on the socket itself (a timed connect leaves the socket
     * non-blocking, so every later read would poll first); the watchdog enforces it instead.
     */
    private void open() throws IOException {
        Socket s = new Socket();
        s.setTcpNoDelay(true);
        socket = s;
        expired = false;
        pos = 0;
        limit = 0;
        Watchdog.LINKS.add(this);
        progress();
        try {
            s.connect(new InetSocketAddress(host, port));
        } catch (IOException e) {
            IOException t = timedOutOr(e);
            close();
            throw t;
        } finally {
            deadline = 0;
        }
        in = channel.wrap(s.getInputStream());
        out = channel.wrap(s.getOutputStream());
    }

    private int fill() throws IOException {
        progress();
        int n;
        try {
            n = in.read(buf, 0, buf.length);
        } catch (IOException e) {
            throw timedOutOr(e);
        }
        pos = 0;
        limit = Math.max(n, 0);
        readTotal += limit;
        return n;
    }

    private int readByte() throws IOException {
        if (pos >= limit && fill() <= 0) {
            return -1;
        }
        return buf[pos++] & 0xff;
    }

    /** Exactly {@code n} bytes, or fewer when the connection ends. */
    private byte[] readN(int n) throws IOException {
        byte[] b = new byte[n];
        int at = Math.min(n, limit - pos);
        System.arraycopy(buf, pos, b, 0, at);
        pos += at;
        while (at < n) {
            progress();
            int r;
            try {
                r = in.read(b, at, n - at);
            } catch (IOException e) {
                throw timedOutOr(e);
            }
            if (r < 0) {
                return Arrays.copyOf(b, at);
            }
            readTotal += r;
            at += r;
        }
        return b;
    }

    private Response exchange(String method, String path, Map<String, String> headers, byte[] body) throws IOException {
        if (socket == null) {
            open();
        }
        byte[] request = request(method, path, host, port, headers, body);
        channel.beginUpload();
        channel.beginDownload();
        long t0 = System.nanoTime();
        try {
            progress();
            out.write(request);
            out.flush();
        } catch (IOException e) {
            throw new StaleConnection(timedOutOr(e));
        }
        long t1 = System.nanoTime();
        long consumed = consumed();
        try {
            Response r = answer(method, t0, t1);
            return new Response(r.status(), r.headers(), r.body(), r.writeNanos(), r.waitNanos(), r.readNanos(), request.length,
                    consumed() - consumed);
        } finally {
            deadline = 0;
        }
    }

    /** One request as this link writes it: request line, Host, the given headers, Content-Length when there is a body, then the body. */
    static byte[] request(String method, String path, String host, int port, Map<String, String> headers, byte[] body) {
        StringBuilder head = new StringBuilder(256);
        head.append(method).append(' ').append(path).append(" HTTP/1.1\r\n");
        head.append("Host: ").append(host).append(':').append(port).append("\r\n");
        for (Map.Entry<String, String> h : headers.entrySet()) {
            head.append(h.getKey()).append(": ").append(h.getValue()).append("\r\n");
        }
        if (body != null) {
            head.append("Content-Length: ").append(body.length).append("\r\n");
        }
        head.append("\r\n");
        byte[] top = head.toString().getBytes(StandardCharsets.ISO_8859_1);
        if (body == null || body.length == 0) {
            return top;
        }
        byte[] request = Arrays.copyOf(top, top.length + body.length);
        System.arraycopy(body, 0, request, top.length, body.length);
        return request;
    }

    /** Bytes of answers read so far: what came off the socket less what still waits in the buffer. */
    private long consumed() {
        return readTotal - (limit - pos);
    }

    private Response answer(String method, long t0, long t1) throws IOException {
        int first;
        try {
            first = readByte();
        } catch (IOException e) {
            throw new StaleConnection(e);
        }
        if (first < 0) {
            throw new StaleConnection(new IOException("the server closed the connection without answering"));
        }
        long t2 = System.nanoTime();
        String status = (char) first + line();
        String[] parts = status.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
            throw new IOException("expected an HTTP/1.1 status line, found '" + abbreviate(status) + "'");
        }
        int code;
        try {
            code = Integer.parseInt(parts[1]);
        } catch (NumberFormatException e) {
            throw new IOException("expected a numeric HTTP status, found '" + abbreviate(status) + "'");
        }
        Map<String, String> h = new LinkedHashMap<>();
        for (String l = line(); !l.isEmpty(); l = line()) {
            int colon = l.indexOf(':');
            if (colon > 0) {
                h.put(l.substring(0, colon).trim().toLowerCase(Locale.ROOT), l.substring(colon + 1).trim());
            }
        }
        if (code >= 100 && code < 200) {
            return answer(method, t0, t1); // an interim answer (100 Continue): the final one follows
        }
        byte[] payload;
        boolean noBody = method.equals("HEAD") || code == 204 || code == 304;
        if (noBody) {
            payload = new byte[0];
        } else if ("chunked".equalsIgnoreCase(h.get("transfer-encoding"))) {
            payload = chunked();
        } else if (h.containsKey("content-length")) {
            long n;
            try {
                n = Long.parseLong(h.get("content-length"));
            } catch (NumberFormatException e) {
                throw new IOException("bad Content-Length '" + h.get("content-length") + "'");
            }
            if (n < 0 || n > MAX_RESPONSE_BYTES) {
                throw new IOException("answer of " + n + " bytes is outside 0.." + MAX_RESPONSE_BYTES);
            }
            payload = readN((int) n);
            if (payload.length != n) {
                throw new IOException("the answer ended after " + payload.length + " of " + n + " bytes");
            }
        } else {
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            for (int c = readByte(); c >= 0; c = readByte()) {
                if (all.size() >= MAX_RESPONSE_BYTES) {
                    throw new IOException("answer over " + MAX_RESPONSE_BYTES + " bytes");
                }
                all.write(c);
            }
            payload = all.toByteArray();
            h.put("connection", "close");
        }
        long t3 = System.nanoTime();
        if ("close".equalsIgnoreCase(h.get("connection"))) {
            close();
        }
        return new Response(code, h, payload, t1 - t0, t2 - t1, t3 - t2, 0, 0);
    }

    private byte[] chunked() throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            String size = line();
            int semi = size.indexOf(';');
            long n;
            try {
                n = Long.parseLong((semi < 0 ? size : size.substring(0, semi)).trim(), 16);
            } catch (NumberFormatException e) {
                throw new IOException("bad chunk size '" + abbreviate(size) + "'");
            }
            if (n < 0 || body.size() + n > MAX_RESPONSE_BYTES) {
                throw new IOException("chunked answer over " + MAX_RESPONSE_BYTES + " bytes");
            }
            if (n == 0) {
                for (String l = line(); !l.isEmpty(); l = line()) {
                    // trailers are ignored
                }
                return body.toByteArray();
            }
            byte[] chunk = readN((int) n);
            if (chunk.length != n) {
                throw new IOException("the answer ended inside a chunk");
            }
            body.writeBytes(chunk);
            line();
        }
    }

    /** One header line without its line end, read from the buffer. */
    private String line() throws IOException {
        StringBuilder spill = null;
        while (true) {
            for (int i = pos; i < limit; i++) {
                if (buf[i] == '\n') {
                    int end = i > pos && buf[i - 1] == '\r' ? i - 1 : i;
                    String part = new String(buf, pos, end - pos, StandardCharsets.ISO_8859_1);
                    pos = i + 1;
                    if (spill == null) {
                        return part;
                    }
                    spill.append(part);
                    int len = spill.length();
                    return len > 0 && spill.charAt(len - 1) == '\r' && end == i ? spill.substring(0, len - 1) : spill.toString();
                }
            }
            if (spill == null) {
                spill = new StringBuilder(128);
            }
            spill.append(new String(buf, pos, limit - pos, StandardCharsets.ISO_8859_1));
            pos = limit;
            if (spill.length() > MAX_HEADER_LINE) {
                throw new IOException("an answer header line is longer than " + MAX_HEADER_LINE + " bytes");
            }
            if (fill() <= 0) {
                throw new IOException("the connection closed inside the answer's header");
            }
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }

    @Override
    public void close() {
        Watchdog.LINKS.remove(this);
        deadline = 0;
        Socket s = socket;
        if (s != null) {
            try {
                s.close();
            } catch (IOException e) {
                // closing a socket that failed: nothing left to release
            } finally {
                socket = null;
                in = null;
                out = null;
                readTotal -= limit - pos;
                pos = 0;
                limit = 0;
            }
        }
    }
}
