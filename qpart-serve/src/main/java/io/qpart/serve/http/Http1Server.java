package io.qpart.serve.http;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
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

    private static final DateTimeFormatter IMF_FIXDATE = DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.ENGLISH).withZone(ZoneOffset.UTC);

    private record Stamp(long second, String text) {
    }

    private final ServerSocket listener;
    private final Limits limits;
    private final ErrorBody errors;
    private final Handler handler;
    private final Semaphore slots;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final Thread acceptor;
    private volatile Stamp stamp = new Stamp(-1, "");
    private volatile boolean closed;

    private Http1Server(ServerSocket listener, Limits limits, ErrorBody errors, Handler handler) {
        this.listener = listener;
        this.limits = limits;
        this.errors = errors;
        this.handler = handler;
        this.slots = new Semaphore(limits.maxConnections());
        this.acceptor = Thread.ofPlatform().daemon().name("qpart-http-accept").unstarted(this::acceptLoop);
    }

    /** Binds {@code address} (port 0 picks a free one) and starts accepting. */
    public static Http1Server start(InetSocketAddress address, int backlog, Limits limits, ErrorBody errors, Handler handler) throws IOException {
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(errors, "errors");
        Objects.requireNonNull(handler, "handler");
        ServerSocket s = new ServerSocket();
        try {
            s.setReuseAddress(true);
            s.bind(address, backlog);
        } catch (IOException e) {
            s.close();
            throw e;
        }
        Http1Server server = new Http1Server(s, limits, errors, handler);
        server.acceptor.start();
        return server;
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) listener.getLocalSocketAddress();
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
        for (Socket s : open) {
            closeQuietly(s);
        }
        try {
            acceptor.join(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
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
            Socket s;
            try {
                s = listener.accept();
            } catch (IOException e) {
                if (closed) {
                    return;
                }
                continue; // a connection that failed while being accepted; the next one may not
            }
            if (!slots.tryAcquire()) {
                Thread.ofVirtual().start(() -> {
                    try (s) {
                        refuse(s.getOutputStream(), 503, "the server has its limit of " + limits.maxConnections() + " connections open; retry later");
                    } catch (IOException e) {
                        // the client left first
                    }
                });
                continue;
            }
            open.add(s);
            if (closed) {
                closeQuietly(s);
            }
            Thread.ofVirtual().start(() -> serve(s));
        }
    }

    private void serve(Socket s) {
        try {
            s.setTcpNoDelay(true);
            ConnectionInput in = new ConnectionInput(s, 16 << 10);
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
                    return;
                }
            }
        } catch (IOException e) {
            // the client closed or reset the connection; nothing to answer
        } finally {
            open.remove(s);
            closeQuietly(s);
            slots.release();
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

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // already closed
        }
    }
}
