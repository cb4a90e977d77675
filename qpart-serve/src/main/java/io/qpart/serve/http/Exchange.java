package io.qpart.serve.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * One request and its answer on a persistent connection. The handler reads the request body
 * through {@link #body()} (sending {@code 100 Continue} first when the client asked for it) and
 * answers once with {@link #respond}; another thread (a watchdog) may answer instead, so
 * {@link #respond} is safe to race: the first answer wins and later ones are refused.
 */
public final class Exchange {
    /** Answers up to this size go out in the same socket write as their header. */
    private static final int ONE_WRITE_BYTES = 256 << 10;
    private static final byte[] CONTINUE = "HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);

    private final RequestHead head;
    private final ConnectionInput in;
    private final OutputStream out;
    private final Http1Server server;
    private final boolean chunked;
    private final long declared;
    private final boolean expectContinue;
    private final Body body;
    private final Object writeLock = new Object();
    private boolean answered;
    private boolean continueSent;
    private boolean closeAfter;
    private boolean broken;

    Exchange(Http1Server server, RequestHead head, ConnectionInput in, OutputStream out, boolean chunked, long declared) {
        this.server = server;
        this.head = head;
        this.in = in;
        this.out = out;
        this.chunked = chunked;
        this.declared = declared;
        this.expectContinue = head.minor() >= 1 && "100-continue".equalsIgnoreCase(head.header("expect"));
        this.body = new Body();
        this.closeAfter = head.lists("connection", "close") || (head.minor() == 0 && !head.lists("connection", "keep-alive"));
    }

    public String method() {
        return head.method();
    }

    /** The request target's path, percent-encoded as sent. */
    public String rawPath() {
        return head.rawPath();
    }

    /** The request target's query without '?', or null. */
    public String rawQuery() {
        return head.rawQuery();
    }

    /** The first value of a request header (any case), or null. */
    public String header(String name) {
        return head.header(name);
    }

    /** The body's declared Content-Length, or -1 (none, or chunked). */
    public long declaredLength() {
        return declared;
    }

    /**
     * The request body, framed by Content-Length or chunked encoding; empty when there is none.
     * A body that ends before its declared length reads as a short one; broken chunk framing
     * throws {@link MalformedBodyException}.
     */
    public InputStream body() {
        return body;
    }

    /** Body bytes read so far. */
    public long bodyBytesRead() {
        return body.count;
    }

    /** Asks for the connection to close after the answer (for example after refusing an oversized body). */
    public void closeAfterAnswer() {
        synchronized (writeLock) {
            closeAfter = true;
        }
    }

    public boolean answered() {
        synchronized (writeLock) {
            return answered;
        }
    }

    /**
     * Answers the request; returns the body bytes sent (none for HEAD, 204 and 304). Returns -1
     * without writing when the request was answered already.
     *
     * @throws IOException the client is gone; the connection is then closed
     */
    public long respond(int status, String contentType, Map<String, String> headers, byte[] content) throws IOException {
        if (status < 200 || status > 599) {
            throw new IllegalArgumentException("a final status is 200..599, was " + status);
        }
        synchronized (writeLock) {
            if (answered) {
                return -1;
            }
            answered = true;
            boolean noBody = status == 204 || status == 304;
            boolean sendBody = !noBody && !head.method().equals("HEAD");
            if (!body.complete()) {
                closeAfter = true; // what is left of the body would be read as the next request
            }
            String connection = closeAfter ? "close" : head.minor() == 0 ? "keep-alive" : null;
            int n = sendBody ? content.length : 0;
            try {
                write(out, status, server.date(), noBody ? null : contentType, noBody ? -1 : content.length, headers, connection, content, n);
            } catch (IOException e) {
                broken = true;
                throw e;
            }
            return n;
        }
    }

    /** Whether the answer went out whole and the body was left unread: the client may still be sending it. */
    boolean answeredBeforeBody() {
        synchronized (writeLock) {
            return answered && !broken && !body.complete();
        }
    }

    /** After the handler: whether the connection can carry the next request (answered, body consumed, nothing broken). */
    boolean reusable() {
        synchronized (writeLock) {
            if (!answered || broken || closeAfter) {
                return false;
            }
        }
        return body.complete();
    }

    /** A whole answer in one array: head ({@link #top}) and all of {@code content}. */
    static byte[] message(int status, String date, String contentType, Map<String, String> headers, String connection, byte[] content) {
        return join(top(status, date, contentType, content.length, headers, connection), content, content.length);
    }

    private static byte[] join(byte[] top, byte[] content, int n) {
        byte[] all = new byte[top.length + n];
        System.arraycopy(top, 0, all, 0, top.length);
        System.arraycopy(content, 0, all, top.length, n);
        return all;
    }

    /** An answer's status line and header section, ending with the empty line. */
    static byte[] top(int status, String date, String contentType, long length, Map<String, String> headers, String connection) {
        StringBuilder h = new StringBuilder(160);
        h.append("HTTP/1.1 ").append(status).append(' ').append(reason(status)).append("\r\n");
        h.append("Date: ").append(date).append("\r\n");
        if (contentType != null) {
            h.append("Content-Type: ").append(contentType).append("\r\n");
        }
        if (length >= 0) {
            h.append("Content-Length: ").append(length).append("\r\n");
        }
        for (Map.Entry<String, String> e : headers.entrySet()) {
            h.append(e.getKey()).append(": ").append(e.getValue()).append("\r\n");
        }
        if (connection != null) {
            h.append("Connection: ").append(connection).append("\r\n");
        }
        h.append("\r\n");
        return h.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    /**
     * Writes one answer: status line, Date, Content-Type and Content-Length (when {@code length}
     * is not negative), {@code headers}, Connection (when not null), then the first {@code n}
     * bytes of {@code content}; in one socket write up to {@link #ONE_WRITE_BYTES}.
     */
    static void write(OutputStream out, int status, String date, String contentType, long length, Map<String, String> headers, String connection,
            byte[] content, int n) throws IOException {
        byte[] top = top(status, date, contentType, length, headers, connection);
        if (n <= ONE_WRITE_BYTES) {
            out.write(join(top, content, n));
        } else {
            out.write(top);
            out.write(content, 0, n);
        }
        out.flush();
    }

    private void sendContinue() throws IOException {
        synchronized (writeLock) {
            if (answered || continueSent) {
                return;
            }
            continueSent = true;
            out.write(CONTINUE);
            out.flush();
        }
    }

    static String reason(int status) {
        return switch (status) {
            case 100 -> "Continue";
            case 200 -> "OK";
            case 204 -> "No Content";
            case 304 -> "Not Modified";
            case 400 -> "Bad Request";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 408 -> "Request Timeout";
            case 411 -> "Length Required";
            case 413 -> "Content Too Large";
            case 422 -> "Unprocessable Content";
            case 431 -> "Request Header Fields Too Large";
            case 499 -> "Client Closed Request";
            case 500 -> "Internal Server Error";
            case 501 -> "Not Implemented";
            case 503 -> "Service Unavailable";
            case 504 -> "Gateway Timeout";
            case 505 -> "HTTP Version Not Supported";
            default -> status < 300 ? "OK" : status < 400 ? "Redirection" : status < 500 ? "Client Error" : "Server Error";
        };
    }

    /** The request body: Content-Length bytes, or chunks until the last one (RFC 9112 §7.1). */
    private final class Body extends InputStream {
        private long remaining = chunked ? 0 : Math.max(declared, 0);
        private boolean lastChunkSeen = !chunked;
        private boolean ended;
        long count;

        boolean complete() {
            return ended || (remaining == 0 && lastChunkSeen);
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            if (complete()) {
                return -1;
            }
            if (expectContinue && !continueSent) {
                sendContinue();
            }
            if (remaining == 0) {
                nextChunk();
                if (complete()) {
                    return -1;
                }
            }
            int n = in.read(b, off, (int) Math.min(len, remaining));
            if (n < 0) {
                ended = true;
                broken = true;
                return -1;
            }
            remaining -= n;
            count += n;
            if (chunked && remaining == 0) {
                expectLineEnd();
            }
            return n;
        }

        private void nextChunk() throws IOException {
            String size = chunkLine();
            int semi = size.indexOf(';');
            String hex = (semi < 0 ? size : size.substring(0, semi)).strip();
            long n;
            try {
                if (hex.isEmpty() || hex.length() > 15) {
                    throw new NumberFormatException();
                }
                n = Long.parseLong(hex, 16);
            } catch (NumberFormatException e) {
                throw new MalformedBodyException("expected a chunk size in hex, found '" + RequestHead.abbreviate(size) + "'");
            }
            if (n == 0) {
                for (String t = chunkLine(); !t.isEmpty(); t = chunkLine()) {
                    // trailer fields carry nothing the API uses
                }
                lastChunkSeen = true;
                return;
            }
            remaining = n;
        }

        private void expectLineEnd() throws IOException {
            String rest = chunkLine();
            if (!rest.isEmpty()) {
                throw new MalformedBodyException("expected CRLF after a chunk's data, found '" + RequestHead.abbreviate(rest) + "'");
            }
        }

        private String chunkLine() throws IOException {
            try {
                String l = in.line(new int[]{4096, 4096});
                if (l == null) {
                    ended = true;
                    broken = true;
                    throw new MalformedBodyException("the connection ended inside a chunked body");
                }
                return l;
            } catch (HttpProblem p) {
                throw new MalformedBodyException("chunked body: " + p.getMessage());
            }
        }
    }
}
