package io.qpart.serve.http;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/** A connection's buffered input: header lines and raw body bytes from one buffer. Not thread-safe: one reader, the connection's thread or its handler. */
final class ConnectionInput {
    private final InputStream in;
    private final Socket socket;
    private final byte[] buf;
    private int pos;
    private int limit;
    /** While set ({@link #deadline(long)}), every read waits at most until then, whatever arrives meanwhile. */
    private long deadlineNanos;
    private boolean timed;

    /** Reads {@code prefix} (bytes an event loop took off the connection already) before the socket. */
    ConnectionInput(Socket socket, int bufferBytes, byte[] prefix) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        int n = prefix == null ? 0 : prefix.length;
        this.buf = new byte[Math.max(bufferBytes, n)];
        if (n > 0) {
            System.arraycopy(prefix, 0, buf, 0, n);
            limit = n;
        }
    }

    /** Over bytes already in memory (no socket, no deadlines): how an event loop parses a head it holds whole. */
    ConnectionInput(InputStream in, int bufferBytes) {
        this.socket = null;
        this.in = in;
        this.buf = new byte[bufferBytes];
    }

    /** Whether bytes of a next request are buffered already (a pipelining client). */
    boolean hasBuffered() {
        return pos < limit;
    }

    /**
     * Bounds the time of the reads that follow as a whole (a request head must arrive within it,
     * however slowly its bytes trickle in), or lifts the bound with {@code 0}.
     */
    void deadline(long nanos) {
        timed = nanos != 0;
        deadlineNanos = nanos;
    }

    /** Waits for the next byte without consuming it; false at end of stream. */
    boolean awaitByte() throws IOException {
        return pos < limit || fill() > 0;
    }

    private int fill() throws IOException {
        if (timed) {
            long left = deadlineNanos - System.nanoTime();
            if (left <= 0) {
                throw new SocketTimeoutException("deadline passed");
            }
            socket.setSoTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, left / 1_000_000)));
        }
        int n = in.read(buf, 0, buf.length);
        pos = 0;
        limit = Math.max(n, 0);
        return n;
    }

    int read() throws IOException {
        if (pos >= limit && fill() <= 0) {
            return -1;
        }
        return buf[pos++] & 0xff;
    }

    /** Reads up to {@code len} bytes: what is buffered first, then straight from the socket. */
    int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (pos < limit) {
            int n = Math.min(len, limit - pos);
            System.arraycopy(buf, pos, b, off, n);
            pos += n;
            return n;
        }
        if (len >= buf.length) {
            return in.read(b, off, len);
        }
        if (fill() <= 0) {
            return -1;
        }
        return read(b, off, len);
    }

    /**
     * One line without its CRLF (a bare LF ends a line too), in ISO-8859-1; null at end of stream
     * before any byte. {@code budget[0]} is what the head may still use; a longer head is a 431.
     */
    String line(int[] budget) throws IOException, HttpProblem {
        int start = pos;
        StringBuilder spill = null;
        while (true) {
            if (pos >= limit) {
                if (pos > start) {
                    if (spill == null) {
                        spill = new StringBuilder(128);
                    }
                    spill.append(new String(buf, start, pos - start, StandardCharsets.ISO_8859_1));
                }
                if (fill() <= 0) {
                    if (spill == null) {
                        return null;
                    }
                    throw new HttpProblem(400, "the connection ended inside the request head");
                }
                start = 0;
            }
            byte c = buf[pos++];
            if (--budget[0] < 0) {
                throw new HttpProblem(431, "request head over the limit of " + budget[1] + " bytes");
            }
            if (c == '\n') {
                int end = pos - 1;
                String tail = new String(buf, start, end - start, StandardCharsets.ISO_8859_1);
                String line = spill == null ? tail : spill.append(tail).toString();
                return line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
            }
        }
    }
}
