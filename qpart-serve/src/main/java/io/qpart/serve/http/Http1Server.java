package io.qpart.serve.http;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;

/**
 * An HTTP/1.1 server: a platform thread accepts, each connection gets a virtual thread that
 * reads a request head, frames the body, calls the {@link Handler} and, when the exchange left
 * the connection clean, waits for the next request. Requests the HTTP layer refuses (a malformed
 * head, an unsupported transfer coding, a head over the limit, too many connections) are
 * answered with {@link ErrorBody}'s rendering and the connection is closed.
 *
 * <p>Started with an {@link InlineHandler} and event loops, the connections live on the loops
 * instead ({@link EventLoop}): a loop answers the small requests the inline handler claims in
 * rounds on its own thread, and moves a connection to a virtual thread, as above, only for a
 * request it leaves to the {@link Handler}; that thread hands the connection back once idle.
 */
public final class Http1Server implements AutoCloseable {
    /** Handles one exchange; it should answer it (an exchange left unanswered closes the connection). */
    @FunctionalInterface
    public interface Handler {
        void handle(Exchange exchange) throws Exception;
    }

    /** Renders the HTTP layer's own refusals as a body of {@link Limits#errorContentType()}. */
    @FunctionalInterface
    public interface ErrorBody {
        byte[] render(int status, String message);
    }

    /**
     * What connections may do.
     *
     * @param maxHeadBytes     request line and headers together; more is answered 431
     * @param idleTimeout      an idle persistent connection is closed after this
     * @param readTimeout      a request head or body that stalls this long ends the connection
     * @param maxConnections   open connections; more are answered 503 and closed
     * @param errorContentType media type of {@link ErrorBody}'s bodies
     */
    public record Limits(int maxHeadBytes, Duration idleTimeout, Duration readTimeout, int maxConnections, String errorContentType) {
        public Limits {
            Objects.requireNonNull(idleTimeout, "idleTimeout");
            Objects.requireNonNull(readTimeout, "readTimeout");
            Objects.requireNonNull(errorContentType, "errorContentType");
            if (maxHeadBytes < 256) {
                throw new IllegalArgumentException("max head bytes must be >= 256, was " + maxHeadBytes);
            }
            if (idleTimeout.toMillis() < 1 || readTimeout.toMillis() < 1) {
                throw new IllegalArgumentException("timeouts must be at least 1 ms, were " + idleTimeout + " and " + readTimeout);
            }
            if (maxConnections < 1) {
                throw new IllegalArgumentException("max connections must be >= 1, was " + maxConnections);
            }
        }
    }

    /** Most time and bytes a connection closed before its body was read spends draining it. */
    static final long LINGER_MILLIS = 2_000;
    static final long LINGER_BYTES = 4L << 20;

    private static final DateTimeFormatter IMF_FIXDATE = DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.ENGLISH).withZone(ZoneOffset.UTC);

    private record Stamp(long second, String text) {
    }

    private final ServerSocketChannel listener;
    private final Limits limits;
    private final ErrorBody errors;
    private final Handler handler;
    private final Semaphore slots;
    private final Set<SocketChannel> open = ConcurrentHashMap.newKeySet();
    private final Thread acceptor;
    private final EventLoop[] loops;
    private volatile Stamp stamp = new Stamp(-1, "");
    private volatile boolean closed;

    private Http1Server(ServerSocketChannel listener, Limits limits, ErrorBody errors, Handler handler, InlineHandler inline, int loops)
            throws IOException {
        this.listener = listener;
        this.limits = limits;
        this.errors = errors;
        this.handler = handler;
        this.slots = new Semaphore(limits.maxConnections());
        this.acceptor = Thread.ofPlatform().daemon().name("qpart-http-accept").unstarted(this::acceptLoop);
        this.loops = new EventLoop[inline == null ? 0 : loops];
        for (int i = 0; i < this.loops.length; i++) {
            this.loops[i] = new EventLoop(this, limits, inline, "qpart-http-loop-" + i);
        }
    }

    /** Binds {@code address} (port 0 picks a free one) and starts accepting; a virtual thread per connection. */
    public static Http1Server start(InetSocketAddress address, int backlog, Limits limits, ErrorBody errors, Handler handler) throws IOException {
        return start(address, backlog, limits, errors, handler, null, 0);
    }

    /**
     * Binds {@code address} and starts accepting; with an {@code inline} handler and {@code loops}
     * at least 1, the connections live on that many event loops (see the class comment), else
     * each has a virtual thread.
     */
    public static Http1Server start(InetSocketAddress address, int backlog, Limits limits, ErrorBody errors, Handler handler, InlineHandler inline,
            int loops) throws IOException {
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(errors, "errors");
        Objects.requireNonNull(handler, "handler");
        if (loops < 0) {
            throw new IllegalArgumentException("event loops must be >= 0, was " + loops);
        }
        ServerSocketChannel s = ServerSocketChannel.open();
        Http1Server server;
        try {
            s.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            s.bind(address, backlog);
            server = new Http1Server(s, limits, errors, handler, loops == 0 ? null : inline, loops);
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
        for (EventLoop l : server.loops) {
            l.start();
        }
        server.acceptor.start();
        return server;
    }

    public InetSocketAddress address() {
        try {
            return (InetSocketAddress) listener.getLocalAddress();
        } catch (IOException e) {
            throw new IllegalStateException("the listener is closed", e);
        }
    }

    /** Event loops serving the connections; 0 when each has a virtual thread. */
    public int eventLoops() {
        return loops.length;
    }

    /** Connections open now. */
    public int openConnections() {
        return open.size();
    }

    /** Stops accepting and closes every connection; handlers still running see their sockets fail. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            listener.close();
        } catch (IOException e) {
            // the listener is gone either way
        }
        for (SocketChannel s : open) {
            closeQuietly(s);
        }
        for (EventLoop l : loops) {
            l.stop(Duration.ofSeconds(5));
        }
        try {
            acceptor.join(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Connections each event loop holds (or has lent to a thread), in loop order. */
    int[] loopConnections() {
        int[] n = new int[loops.length];
        for (int i = 0; i < loops.length; i++) {
            n[i] = loops[i].connections();
        }
        return n;
    }

    Limits limits() {
        return limits;
    }

    ErrorBody errors() {
        return errors;
    }

    /** Closes a connection for good and frees its slot; harmless when called again. */
    void released(SocketChannel s) {
        boolean held = open.remove(s);
        closeQuietly(s);
        if (held) {
            slots.release();
        }
    }

    /** Serves a connection (in blocking mode) on a virtual thread, reading {@code prefix} first; gives it back to {@code home} once idle. */
    void serveOnThread(SocketChannel s, byte[] prefix, EventLoop home) {
        Thread.ofVirtual().start(() -> serve(s, prefix, home));
    }

    /** The loop holding the fewest connections: new connections spread evenly however long each lives. */
    private EventLoop leastLoaded() {
        EventLoop best = loops[0];
        for (EventLoop l : loops) {
            if (l.connections() < best.connections()) {
                best = l;
            }
        }
        return best;
    }

    /** The Date header's value (RFC 9110 §6.6.1), formatted once a second. */
    String date() {
        long now = System.currentTimeMillis() / 1000;
        Stamp s = stamp;
        if (s.second() != now) {
            s = new Stamp(now, IMF_FIXDATE.format(Instant.ofEpochSecond(now)));
            stamp = s;
        }
        return s.text();
    }

    private void acceptLoop() {
        while (!closed) {
            SocketChannel s;
            try {
                s = listener.accept();
                s.setOption(StandardSocketOptions.TCP_NODELAY, true);
            } catch (IOException e) {
                if (closed) {
                    return;
                }
                continue; // a connection that failed while being accepted; the next one may not
            }
            if (!slots.tryAcquire()) {
                Thread.ofVirtual().start(() -> {
                    try (s) {
                        refuse(s.socket().getOutputStream(), 503, "the server has its limit of " + limits.maxConnections() + " connections open; retry later");
                    } catch (IOException e) {
                        // the client left first
                    }
                });
                continue;
            }
            open.add(s);
            if (closed) {
                released(s);
                continue;
            }
            if (loops.length == 0) {
                serveOnThread(s, null, null);
                continue;
            }
            try {
                s.configureBlocking(false);
            } catch (IOException e) {
                released(s);
                continue;
            }
            leastLoaded().add(s);
        }
    }

    private void serve(SocketChannel channel, byte[] prefix, EventLoop home) {
        boolean handedBack = false;
        try {
            Socket s = channel.socket();
            ConnectionInput in = new ConnectionInput(s, 16 << 10, prefix);
            OutputStream out = s.getOutputStream();
            int idle = (int) Math.min(Integer.MAX_VALUE, limits.idleTimeout().toMillis());
            int read = (int) Math.min(Integer.MAX_VALUE, limits.readTimeout().toMillis());
            while (!closed) {
                s.setSoTimeout(idle);
                try {
                    if (!in.awaitByte()) {
                        return;
                    }
                } catch (SocketTimeoutException e) {
                    return; // idle for too long
                }
                Exchange ex;
                try {
                    in.deadline(System.nanoTime() + read * 1_000_000L); // the whole head, not each read
                    RequestHead head = RequestHead.read(in, limits.maxHeadBytes());
                    in.deadline(0);
                    s.setSoTimeout(read);
                    if (head == null) {
                        return;
                    }
                    ex = frame(head, in, out);
                } catch (HttpProblem p) {
                    refuse(out, p.status(), p.getMessage());
                    return;
                } catch (SocketTimeoutException e) {
                    refuse(out, 408, "the request head did not arrive within " + read + " ms");
                    return;
                }
                try {
                    handler.handle(ex);
                } catch (Exception | Error t) {
                    if (!ex.answered()) {
                        byte[] b = errors.render(500, t.getClass().getSimpleName() + ": " + t.getMessage());
                        ex.closeAfterAnswer();
                        ex.respond(500, limits.errorContentType(), Map.of(), b);
                    }
                }
                if (!ex.reusable()) {
                    if (ex.answeredBeforeBody()) {
                        lingeringClose(s, in);
                    }
                    return;
                }
                if (home != null && !in.hasBuffered() && !closed) {
                    channel.configureBlocking(false); // idle again: back to its loop until the next request the loop leaves to a thread
                    handedBack = true;
                    home.giveBack(channel);
                    return;
                }
            }
        } catch (IOException | RuntimeException e) {
            // the client closed or reset the connection; nothing to answer
        } finally {
            if (!handedBack) {
                if (home != null) {
                    home.lost();
                }
                released(channel);
            }
        }
    }

    /**
     * Ends a connection whose answer went out before its request body was read (an oversized or
     * refused upload): sends FIN, then reads and drops what the client still sends, for up to
     * {@link #LINGER_MILLIS} and {@link #LINGER_BYTES}, so that closing with unread data does not
     * reset the connection before the client has read the answer (RFC 9112 §9.6).
     */
    private static void lingeringClose(Socket s, ConnectionInput in) {
        try {
            s.shutdownOutput();
            long end = System.nanoTime() + LINGER_MILLIS * 1_000_000L;
            byte[] sink = new byte[16 << 10];
            long dropped = 0;
            while (dropped < LINGER_BYTES) {
                long left = (end - System.nanoTime()) / 1_000_000L;
                if (left <= 0) {
                    return;
                }
                s.setSoTimeout((int) left);
                int n = in.read(sink, 0, sink.length);
                if (n < 0) {
                    return;
                }
                dropped += n;
            }
        } catch (IOException e) {
            // the client is gone or went quiet: close now
        }
    }

    /** How the body is framed (RFC 9112 §6.3): chunked, a Content-Length, or nothing. */
    private Exchange frame(RequestHead head, ConnectionInput in, OutputStream out) throws HttpProblem {
        List<String> te = head.headers("transfer-encoding");
        List<String> cl = head.headers("content-length");
        if (!te.isEmpty()) {
            if (!cl.isEmpty()) {
                throw new HttpProblem(400, "expected either Transfer-Encoding or Content-Length, found both");
            }
            if (head.minor() == 0) {
                throw new HttpProblem(400, "expected no Transfer-Encoding in an HTTP/1.0 request, found '" + RequestHead.abbreviate(String.join(", ", te)) + "'");
            }
            String codings = String.join(",", te).replace(" ", "").replace("\t", "");
            if (!codings.equalsIgnoreCase("chunked")) {
                throw new HttpProblem(501, "expected Transfer-Encoding: chunked (the only transfer coding supported), found '"
                        + RequestHead.abbreviate(String.join(", ", te)) + "'");
            }
            return new Exchange(this, head, in, out, true, -1);
        }
        long declared = 0;
        if (!cl.isEmpty()) {
            String first = null;
            for (String v : cl) {
                for (String part : v.split(",", -1)) {
                    String p = part.strip();
                    if (first == null) {
                        first = p;
                    } else if (!first.equals(p)) {
                        throw new HttpProblem(400, "expected one Content-Length, found '" + RequestHead.abbreviate(String.join(", ", cl)) + "'");
                    }
                }
            }
            if (first == null || first.isEmpty() || first.length() > 18 || !first.chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw new HttpProblem(400, "Content-Length must be a number of bytes, found '" + RequestHead.abbreviate(String.valueOf(first)) + "'");
            }
            declared = Long.parseLong(first);
        }
        return new Exchange(this, head, in, out, false, declared);
    }

    private void refuse(OutputStream out, int status, String message) {
        byte[] body = errors.render(status, message);
        try {
            Exchange.write(out, status, date(), limits.errorContentType(), body.length, Map.of("Cache-Control", "no-store"), "close", body, body.length);
        } catch (IOException e) {
            // the client left before the refusal
        }
    }

    private static void closeQuietly(SocketChannel s) {
        try {
            s.close();
        } catch (IOException e) {
            // already closed
        }
    }
}
