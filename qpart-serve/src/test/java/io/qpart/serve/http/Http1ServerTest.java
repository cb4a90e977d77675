package io.qpart.serve.http;

import io.qpart.serve.RawHttp;
import io.qpart.serve.RawHttp.Answer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.zip.CRC32;

import static org.assertj.core.api.Assertions.assertThat;

/** The HTTP layer on loopback, spoken to byte for byte; a virtual thread per connection ({@link Http1ServerLoopTest}: event loops). */
class Http1ServerTest {
    static Http1Server server;
    static int port;
    /** How {@link #serve} starts servers: with this inline handler on this many event loops, or (null) a thread per connection. */
    static InlineHandler inline;
    static int loops;

    /** Echoes what it received: method, path, query, body length and CRC-32. */
    static void echo(Exchange ex) throws IOException {
        if (ex.rawPath().equals("/boom")) {
            throw new IllegalStateException("handler failed");
        }
        if (ex.rawPath().equals("/unread")) {
            ex.respond(404, "text/plain", Map.of(), "not read".getBytes(StandardCharsets.US_ASCII));
            return;
        }
        byte[] body;
        try {
            body = ex.body().readAllBytes();
        } catch (MalformedBodyException e) {
            ex.respond(400, "text/plain", Map.of(), ("malformed: " + e.getMessage()).getBytes(StandardCharsets.UTF_8));
            return;
        }
        CRC32 crc = new CRC32();
        crc.update(body);
        String text = ex.method() + " " + ex.rawPath() + " " + ex.rawQuery() + " " + body.length + " " + Long.toHexString(crc.getValue());
        ex.respond(200, "text/plain", Map.of("X-Test", "yes"), text.getBytes(StandardCharsets.US_ASCII));
    }

    @BeforeAll
    static void start() throws IOException {
        inline = null;
        loops = 0;
        startShared();
    }

    static void startShared() throws IOException {
        Http1Server.Limits limits = new Http1Server.Limits(1024, Duration.ofSeconds(2), Duration.ofSeconds(5), 64, "text/plain");
        server = serve(limits, (status, message) -> ("error " + status + ": " + message).getBytes(StandardCharsets.UTF_8));
        port = server.address().getPort();
    }

    static Http1Server serve(Http1Server.Limits limits, Http1Server.ErrorBody errors) throws IOException {
        return Http1Server.start(new InetSocketAddress("127.0.0.1", 0), 64, limits, errors, Http1ServerTest::echo, inline, loops);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static Answer read(InputStream in, boolean head) throws IOException {
        return RawHttp.read(in, head);
    }

    static Socket connect() throws IOException {
        Socket s = new Socket("127.0.0.1", port);
        s.setSoTimeout(10_000);
        return s;
    }

    static void write(Socket s, String text) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write(text.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    static String crc(byte[] b) {
        CRC32 c = new CRC32();
        c.update(b);
        return Long.toHexString(c.getValue());
    }

    @Test
    void oneConnectionCarriesManyRequestsIncludingPipelinedOnes() throws IOException {
        try (Socket s = connect()) {
            InputStream in = s.getInputStream();
            write(s, "GET /a?x=1 HTTP/1.1\r\nHost: h\r\n\r\n");
            Answer a = read(in, false);
            assertThat(a.status()).isEqualTo(200);
            assertThat(a.text()).isEqualTo("GET /a x=1 0 0");
            assertThat(a.headers()).containsKeys("date", "content-length").doesNotContainKey("connection");
            assertThat(a.headers().get("x-test")).isEqualTo("yes");
            // two requests in one write: answered in order on the same connection
            write(s, "POST /b HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhelloPOST /c HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc");
            assertThat(read(in, false).text()).isEqualTo("POST /b null 5 " + crc("hello".getBytes(StandardCharsets.US_ASCII)));
            assertThat(read(in, false).text()).isEqualTo("POST /c null 3 " + crc("abc".getBytes(StandardCharsets.US_ASCII)));
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 8191, 70_000})
    void chunkedBodiesArriveWhole(int size) throws IOException {
        byte[] body = new byte[size];
        new SplittableRandom(size).nextBytes(body);
        try (Socket s = connect()) {
            OutputStream out = s.getOutputStream();
            out.write("POST /up HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            SplittableRandom r = new SplittableRandom(size + 1L);
            for (int off = 0; off < size; ) {
                int n = Math.min(size - off, 1 + r.nextInt(5000));
                out.write((Integer.toHexString(n) + (r.nextBoolean() ? ";ext=1" : "") + "\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(body, off, n);
                out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                off += n;
            }
            out.write("0\r\nTrailer: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            Answer a = read(s.getInputStream(), false);
            assertThat(a.text()).isEqualTo("POST /up null " + size + " " + crc(body));
            // the connection stays usable after a chunked body
            write(s, "GET /next HTTP/1.1\r\nHost: h\r\n\r\n");
            assertThat(read(s.getInputStream(), false).text()).isEqualTo("GET /next null 0 0");
        }
    }

    @Test
    void brokenChunkFramingIsReported() throws IOException {
        try (Socket s = connect()) {
            write(s, "POST /up HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n");
            Answer a = read(s.getInputStream(), false);
            assertThat(a.status()).isEqualTo(400);
            assertThat(a.text()).contains("expected a chunk size in hex, found 'zz'");
        }
    }

    @Test
    void expectContinueGetsAnInterimAnswerBeforeTheBody() throws IOException {
        try (Socket s = connect()) {
            InputStream in = s.getInputStream();
            write(s, "POST /up HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n");
            Answer interim = read(in, false);
            assertThat(interim.status()).isEqualTo(100);
            write(s, "data");
            assertThat(read(in, false).text()).isEqualTo("POST /up null 4 " + crc("data".getBytes(StandardCharsets.US_ASCII)));
        }
    }

    @Test
    void anAnswerBeforeTheBodyWasReadClosesTheConnection() throws IOException {
        try (Socket s = connect()) {
            InputStream in = s.getInputStream();
            write(s, "POST /unread HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\n0123456789GET /x HTTP/1.1\r\n\r\n");
            Answer a = read(in, false);
            assertThat(a.status()).isEqualTo(404);
            assertThat(a.headers().get("connection")).isEqualTo("close");
            assertThat(in.read()).isEqualTo(-1);
        }
    }

    @Test
    void http10ClosesUnlessAskedToKeepAlive() throws IOException {
        try (Socket s = connect()) {
            write(s, "GET /old HTTP/1.0\r\n\r\n");
            InputStream in = s.getInputStream();
            assertThat(read(in, false).headers().get("connection")).isEqualTo("close");
            assertThat(in.read()).isEqualTo(-1);
        }
        try (Socket s = connect()) {
            InputStream in = s.getInputStream();
            write(s, "GET /old HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
            assertThat(read(in, false).headers().get("connection")).isEqualTo("keep-alive");
            write(s, "GET /again HTTP/1.1\r\nConnection: close\r\n\r\n");
            Answer a = read(in, false);
            assertThat(a.text()).startsWith("GET /again");
            assertThat(a.headers().get("connection")).isEqualTo("close");
            assertThat(in.read()).isEqualTo(-1);
        }
    }

    @Test
    void headAnswersCarryNoBody() throws IOException {
        try (Socket s = connect()) {
            InputStream in = s.getInputStream();
            write(s, "HEAD /h HTTP/1.1\r\nHost: h\r\n\r\nGET /after HTTP/1.1\r\nHost: h\r\n\r\n");
            Answer a = read(in, true);
            assertThat(a.status()).isEqualTo(200);
            assertThat(Integer.parseInt(a.headers().get("content-length"))).isPositive();
            assertThat(read(in, false).text()).isEqualTo("GET /after null 0 0");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "GARBAGE\r\n\r\n|400|expected a request line",
            "GET /x HTTP/2.0\r\n\r\n|505|HTTP/2.0",
            "GET /x FTP/1.0\r\n\r\n|400|expected HTTP/1.1",
            "GET x HTTP/1.1\r\n\r\n|400|starting with '/'",
            "GET /x HTTP/1.1\r\nno colon here\r\n\r\n|400|'Name: value'",
            "GET /x HTTP/1.1\r\nA: b\r\n  folded\r\n\r\n|400|folded",
            "POST /x HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n|400|found both",
            "POST /x HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n|501|only transfer coding",
            "POST /x HTTP/1.1\r\nContent-Length: 3, 4\r\n\r\n|400|one Content-Length",
            "POST /x HTTP/1.1\r\nContent-Length: -3\r\n\r\n|400|number of bytes",
            "POST /x HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n|400|HTTP/1.0"})
    void malformedHeadsAreRefusedWithOneLine(String testCase) throws IOException {
        String[] p = testCase.split("\\|");
        try (Socket s = connect()) {
            write(s, p[0]);
            InputStream in = s.getInputStream();
            Answer a = read(in, false);
            assertThat(a.status()).isEqualTo(Integer.parseInt(p[1]));
            assertThat(a.text()).contains(p[2]).doesNotContain("\n");
            assertThat(a.headers().get("connection")).isEqualTo("close");
            assertThat(in.read()).isEqualTo(-1);
        }
        // and the server goes on serving
        try (Socket s = connect()) {
            write(s, "GET /ok HTTP/1.1\r\n\r\n");
            assertThat(read(s.getInputStream(), false).status()).isEqualTo(200);
        }
    }

    @Test
    void aHeadOverTheLimitIs431() throws IOException {
        try (Socket s = connect()) {
            write(s, "GET /x HTTP/1.1\r\nX-Big: " + "a".repeat(2000) + "\r\n\r\n");
            Answer a = read(s.getInputStream(), false);
            assertThat(a.status()).isEqualTo(431);
            assertThat(a.text()).contains("over the limit of 1024 bytes");
        }
    }

    @Test
    void aFailingHandlerGets500AndTheServerGoesOn() throws IOException {
        try (Socket s = connect()) {
            write(s, "GET /boom HTTP/1.1\r\n\r\n");
            Answer a = read(s.getInputStream(), false);
            assertThat(a.status()).isEqualTo(500);
            assertThat(a.text()).contains("IllegalStateException: handler failed");
        }
        try (Socket s = connect()) {
            write(s, "GET /ok HTTP/1.1\r\n\r\n");
            assertThat(read(s.getInputStream(), false).status()).isEqualTo(200);
        }
    }

    @Test
    void idleConnectionsAreClosed() throws IOException {
        try (Socket s = connect()) {
            write(s, "GET /x HTTP/1.1\r\n\r\n");
            InputStream in = s.getInputStream();
            assertThat(read(in, false).status()).isEqualTo(200);
            // the idle timeout is 2 s; the read below waits up to 10 s for the close
            assertThat(in.read()).isEqualTo(-1);
        }
    }

    @Test
    void connectionsBeyondTheLimitAre503() throws IOException {
        Http1Server.Limits limits = new Http1Server.Limits(1024, Duration.ofSeconds(10), Duration.ofSeconds(10), 2, "text/plain");
        try (Http1Server small = serve(limits, (status, message) -> message.getBytes(StandardCharsets.UTF_8));
             Socket a = new Socket("127.0.0.1", small.address().getPort());
             Socket b = new Socket("127.0.0.1", small.address().getPort())) {
            for (Socket s : new Socket[]{a, b}) {
                s.setSoTimeout(10_000);
                write(s, "GET /x HTTP/1.1\r\n\r\n");
                assertThat(read(s.getInputStream(), false).status()).isEqualTo(200);
            }
            try (Socket c = new Socket("127.0.0.1", small.address().getPort())) {
                c.setSoTimeout(10_000);
                Answer refused = read(c.getInputStream(), false);
                assertThat(refused.status()).isEqualTo(503);
                assertThat(refused.text()).contains("limit of 2 connections");
            }
        }
    }

    @Test
    void aHeadThatTricklesInPastTheReadTimeoutIs408() throws Exception {
        Http1Server.Limits limits = new Http1Server.Limits(1024, Duration.ofSeconds(10), Duration.ofSeconds(1), 8, "text/plain");
        try (Http1Server slow = serve(limits, (status, message) -> message.getBytes(StandardCharsets.UTF_8));
             Socket s = new Socket("127.0.0.1", slow.address().getPort())) {
            s.setSoTimeout(10_000);
            Thread trickle = Thread.ofPlatform().start(() -> {
                try {
                    OutputStream out = s.getOutputStream();
                    // every byte arrives well within the read timeout, the head as a whole does not
                    for (byte b : "GET /x HTTP/1.1\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n".getBytes(StandardCharsets.US_ASCII)) {
                        out.write(b);
                        out.flush();
                        Thread.sleep(100);
                    }
                } catch (IOException | InterruptedException e) {
                    // the server closed the connection: what the test expects
                }
            });
            Answer a = read(s.getInputStream(), false);
            trickle.interrupt();
            trickle.join();
            assertThat(a.status()).isEqualTo(408);
            assertThat(a.text()).contains("did not arrive within 1000 ms");
        }
    }
}
