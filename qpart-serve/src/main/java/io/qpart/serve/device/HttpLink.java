package io.qpart.serve.device;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * A small HTTP/1.1 client over one kept-alive socket whose bytes pass through a {@link Channel}
 * (so emulation paces everything the device sends and receives). One request at a time; not
 * thread-safe. Each exchange reports how long writing the request and reading the response took.
 */
public final class HttpLink implements AutoCloseable {
    /** Largest response body accepted. */
    static final int MAX_RESPONSE_BYTES = 256 << 20;
    private static final int MAX_HEADER_LINE = 16 << 10;

    private final String host;
    private final int port;
    private final Channel channel;
    private final int timeoutMillis;
    private Socket socket;
    private InputStream in;
    private OutputStream out;

    /**
     * An answer and its timing.
     *
     * @param writeNanos from the first byte of the request to the last one written
     * @param waitNanos  from then to the first byte of the answer
     * @param readNanos  from then to the last byte of the answer
     */
    public record Response(int status, Map<String, String> headers, byte[] body, long writeNanos, long waitNanos, long readNanos) {
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

    private void open() throws IOException {
        Socket s = new Socket();
        s.setTcpNoDelay(true);
        s.connect(new InetSocketAddress(host, port), timeoutMillis);
        s.setSoTimeout(timeoutMillis);
        socket = s;
        in = new BufferedInputStream(channel.wrap(s.getInputStream()), 16 << 10);
        out = new BufferedOutputStream(channel.wrap(s.getOutputStream()), 16 << 10);
    }

    private Response exchange(String method, String path, Map<String, String> headers, byte[] body) throws IOException {
        if (socket == null) {
            open();
        }
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
        channel.beginUpload();
        channel.beginDownload();
        long t0 = System.nanoTime();
        try {
            out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            if (body != null) {
                out.write(body);
            }
            out.flush();
        } catch (IOException e) {
            throw new StaleConnection(e);
        }
        long t1 = System.nanoTime();
        int first;
        try {
            first = in.read();
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
        byte[] payload;
        boolean noBody = method.equals("HEAD") || code == 204 || code == 304 || (code >= 100 && code < 200);
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
            payload = in.readNBytes((int) n);
            if (payload.length != n) {
                throw new IOException("the answer ended after " + payload.length + " of " + n + " bytes");
            }
        } else {
            payload = in.readNBytes(MAX_RESPONSE_BYTES);
            h.put("connection", "close");
        }
        long t3 = System.nanoTime();
        if ("close".equalsIgnoreCase(h.get("connection"))) {
            close();
        }
        return new Response(code, h, payload, t1 - t0, t2 - t1, t3 - t2);
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
            byte[] chunk = in.readNBytes((int) n);
            if (chunk.length != n) {
                throw new IOException("the answer ended inside a chunk");
            }
            body.writeBytes(chunk);
            line();
        }
    }

    private String line() throws IOException {
        StringBuilder sb = new StringBuilder();
        while (true) {
            int c = in.read();
            if (c < 0) {
                throw new IOException("the connection closed inside the answer's header");
            }
            if (c == '\n') {
                int len = sb.length();
                return len > 0 && sb.charAt(len - 1) == '\r' ? sb.substring(0, len - 1) : sb.toString();
            }
            if (sb.length() >= MAX_HEADER_LINE) {
                throw new IOException("an answer header line is longer than " + MAX_HEADER_LINE + " bytes");
            }
            sb.append((char) c);
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }

    @Override
    public void close() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException e) {
                // closing a socket that failed: nothing left to release
            } finally {
                socket = null;
                in = null;
                out = null;
            }
        }
    }
}
