package io.qpart.serve.device;

import io.qpart.serve.http.Http1Server;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The device's HTTP link: byte accounting of what the connection carries, reuse, and the inactivity timeout. */
class HttpLinkTest {
    private static Http1Server server;

    @BeforeAll
    static void start() throws IOException {
        Http1Server.Limits limits = new Http1Server.Limits(4096, Duration.ofSeconds(5), Duration.ofSeconds(5), 16, "text/plain");
        server = Http1Server.start(new InetSocketAddress("127.0.0.1", 0), 16, limits, (status, message) -> message.getBytes(StandardCharsets.UTF_8), ex -> {
            byte[] body = ex.body().readAllBytes();
            if (ex.rawPath().equals("/slow")) {
                try {
                    Thread.sleep(3_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            ex.respond(200, "text/plain", Map.of("X-Echo", "yes"), ("got " + body.length + " bytes on " + ex.rawPath()).getBytes(StandardCharsets.UTF_8));
        });
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static URI uri() {
        return URI.create("http://127.0.0.1:" + server.address().getPort());
    }

    /** Sends {@code request} by hand and returns the answer's raw bytes (read by its Content-Length). */
    private static byte[] rawAnswer(byte[] request) throws IOException {
        try (Socket s = new Socket("127.0.0.1", server.address().getPort())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(request);
            s.getOutputStream().flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream raw = new ByteArrayOutputStream();
            StringBuilder line = new StringBuilder();
            int length = 0;
            for (int c = in.read(); c >= 0; c = in.read()) {
                raw.write(c);
                if (c != '\n') {
                    line.append((char) c);
                    continue;
                }
                String l = line.toString().trim();
                line.setLength(0);
                if (l.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                    length = Integer.parseInt(l.substring("content-length:".length()).trim());
                }
                if (l.isEmpty()) {
                    break;
                }
            }
            raw.writeBytes(in.readNBytes(length));
            return raw.toByteArray();
        }
    }

    @Test
    void countsExactlyTheBytesOnTheWireOverAReusedConnection() throws IOException {
        byte[] body = new byte[1234];
        try (HttpLink link = new HttpLink(uri(), Channel.none(), 10_000)) {
            for (int i = 0; i < 3; i++) {
                HttpLink.Response r = link.send("POST", "/up?i=" + i, Map.of("Content-Type", "application/octet-stream"), body);
                String head = "POST /up?i=" + i + " HTTP/1.1\r\nHost: 127.0.0.1:" + server.address().getPort()
                        + "\r\nContent-Type: application/octet-stream\r\nContent-Length: 1234\r\n\r\n";
                assertThat(r.status()).isEqualTo(200);
                assertThat(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo("got 1234 bytes on /up");
                assertThat(r.bytesSent()).isEqualTo(head.length() + body.length);
                byte[] request = (head.replace("\r\n\r\n", "\r\nConnection: close\r\n\r\n")).getBytes(StandardCharsets.ISO_8859_1);
                byte[] all = java.util.Arrays.copyOf(request, request.length + body.length);
                // the hand-made request asks to close, so its answer carries one more header line than the link's
                int closeLine = "Connection: close\r\n".length();
                assertThat(r.bytesReceived()).isEqualTo(rawAnswer(all).length - closeLine);
            }
        }
    }

    @Test
    void aServerThatStallsTimesOutAsATimeout() {
        try (HttpLink link = new HttpLink(uri(), Channel.none(), 500)) {
            assertThatThrownBy(() -> link.send("GET", "/slow", Map.of(), null))
                    .isInstanceOf(SocketTimeoutException.class).hasMessageContaining("no progress for 500 ms");
        }
    }

    @Test
    void nobodyListeningIsAClearConnectError() throws IOException {
        int port;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
            port = free.getLocalPort();
        }
        try (HttpLink link = new HttpLink(URI.create("http://127.0.0.1:" + port), Channel.none(), 2_000)) {
            assertThatThrownBy(() -> link.send("GET", "/x", Map.of(), null)).isInstanceOf(java.net.ConnectException.class);
        }
    }
}
