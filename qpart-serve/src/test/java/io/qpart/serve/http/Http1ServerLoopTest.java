package io.qpart.serve.http;

import io.qpart.serve.RawHttp.Answer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The HTTP layer with its connections on one event loop: every test of {@link Http1ServerTest}
 * again (the requests there all go to the blocking path, with the connection moving to a thread
 * and back), plus what the loop answers itself.
 */
class Http1ServerLoopTest extends Http1ServerTest {
    /** Set by a gate call's round: the loop is inside {@link InlineHandler#complete}. */
    private static volatile CountDownLatch gateEntered;
    private static volatile CountDownLatch gateOpen;

    /** Claims {@code /inline...}: answers "inline METHOD PATH QUERY LENGTH CRC round=N"; a few paths misbehave on purpose. */
    private static final class Inline implements InlineHandler {
        private static final class Call extends InlineCall {
            final String method;
            final String path;
            final String query;
            final byte[] body;

            Call(String method, String path, String query, byte[] body) {
                this.method = method;
                this.path = path;
                this.query = query;
                this.body = body;
            }
        }

        @Override
        public InlineCall claim(String method, String rawPath, String rawQuery, byte[] body) {
            if (!rawPath.startsWith("/inline") || rawPath.equals("/inline-declined")) {
                return null;
            }
            return new Call(method, rawPath, rawQuery, body);
        }

        @Override
        public void complete(List<InlineCall> calls) {
            for (InlineCall c : calls) {
                Call call = (Call) c;
                if (call.path.equals("/inline-gate")) {
                    gateEntered.countDown();
                    try {
                        gateOpen.await(10, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                if (call.path.equals("/inline-throw")) {
                    throw new IllegalStateException("inline handler failed");
                }
                if (call.path.equals("/inline-unanswered")) {
                    continue;
                }
                String text = "inline " + call.method + " " + call.path + " " + call.query + " " + call.body.length + " " + crc(call.body) + " round=" + calls.size();
                call.answer(200, "text/plain", Map.of("X-Inline", "yes"), text.getBytes(StandardCharsets.US_ASCII));
            }
        }
    }

    @BeforeAll
    static void start() throws IOException {
        inline = new Inline();
        loops = 1;
        startShared();
    }

    @Test
    void theLoopAnswersWhatItClaimsAndHandsTheRestToAThreadOnTheSameConnection() throws IOException {
        assertThat(server.eventLoops()).isEqualTo(1);
        try (Socket s = connect()) {
            InputStream in = s.getInputStream();
            for (int i = 0; i < 3; i++) {
                write(s, "POST /inline?i=" + i + " HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello");
                Answer a = read(in, false);
                assertThat(a.status()).isEqualTo(200);
                assertThat(a.text()).isEqualTo("inline POST /inline i=" + i + " 5 " + crc("hello".getBytes(StandardCharsets.US_ASCII)) + " round=1");
                assertThat(a.headers()).containsEntry("x-inline", "yes").containsKeys("date", "content-length").doesNotContainKey("connection");
                // declined: the blocking path gets the request whole, then the connection goes back to the loop
                write(s, "POST /inline-declined HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc");
                assertThat(read(in, false).text()).isEqualTo("POST /inline-declined null 3 " + crc("abc".getBytes(StandardCharsets.US_ASCII)));
            }
        }
    }

    @Test
    void requestsReadyTogetherAreCompletedAsOneRound() throws Exception {
        gateEntered = new CountDownLatch(1);
        gateOpen = new CountDownLatch(1);
        List<Socket> sockets = new ArrayList<>();
        try {
            Socket gate = connect();
            sockets.add(gate);
            for (int i = 0; i < 8; i++) {
                Socket s = connect();
                sockets.add(s);
                write(s, "GET /inline HTTP/1.1\r\nHost: h\r\n\r\n"); // answered: the connection is on the loop's selector
                assertThat(read(s.getInputStream(), false).status()).isEqualTo(200);
            }
            write(gate, "GET /inline-gate HTTP/1.1\r\nHost: h\r\n\r\n");
            assertThat(gateEntered.await(10, TimeUnit.SECONDS)).isTrue();
            // the loop is inside the gate's round: these eight are all readable when it selects next
            for (int i = 0; i < 8; i++) {
                write(sockets.get(i + 1), "GET /inline?n=" + i + " HTTP/1.1\r\nHost: h\r\n\r\n");
            }
            gateOpen.countDown();
            assertThat(read(gate.getInputStream(), false).text()).endsWith("round=1");
            for (int i = 0; i < 8; i++) {
                assertThat(read(sockets.get(i + 1).getInputStream(), false).text()).isEqualTo("inline GET /inline n=" + i + " 0 0 round=8");
            }
        } finally {
            for (Socket s : sockets) {
                s.close();
            }
        }
    }

    @Test
    void aCallLeftUnansweredOrAFailingRoundIs500AndTheLoopGoesOn() throws IOException {
        try (Socket s = connect()) {
            InputStream in = s.getInputStream();
            for (String path : new String[]{"/inline-unanswered", "/inline-throw"}) {
                write(s, "GET " + path + " HTTP/1.1\r\nHost: h\r\n\r\n");
                Answer a = read(in, false);
                assertThat(a.status()).isEqualTo(500);
                assertThat(a.text()).isEqualTo("error 500: the request was not answered");
                assertThat(a.headers()).containsEntry("cache-control", "no-store");
            }
            write(s, "GET /inline HTTP/1.1\r\nHost: h\r\n\r\n");
            assertThat(read(in, false).text()).isEqualTo("inline GET /inline null 0 0 round=1");
        }
    }

    @Test
    void aBodyLargerThanTheLoopHoldsGoesToAThreadWhole() throws IOException {
        byte[] body = new byte[EventLoop.MAX_INLINE_BYTES + 1000];
        new SplittableRandom(5).nextBytes(body);
        try (Socket s = connect()) {
            OutputStream out = s.getOutputStream();
            out.write(("POST /inline HTTP/1.1\r\nHost: h\r\nContent-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            assertThat(read(s.getInputStream(), false).text()).isEqualTo("POST /inline null " + body.length + " " + crc(body));
            // a body that fits, sent in two writes some time apart, is not split between the two paths either
            out.write("POST /inline HTTP/1.1\r\nHost: h\r\nContent-Length: 6\r\n\r\nabc".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            sleep(100);
            out.write("def".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String text = read(s.getInputStream(), false).text();
            assertThat(text).endsWith("6 " + crc("abcdef".getBytes(StandardCharsets.US_ASCII)) + (text.startsWith("inline") ? " round=1" : ""));
        }
    }

    @Test
    void aHeadThatStallsOnTheLoopIs408() throws Exception {
        Http1Server.Limits limits = new Http1Server.Limits(1024, java.time.Duration.ofSeconds(10), java.time.Duration.ofMillis(500), 8, "text/plain");
        try (Http1Server slow = serve(limits, (status, message) -> message.getBytes(StandardCharsets.UTF_8));
             Socket s = new Socket("127.0.0.1", slow.address().getPort())) {
            s.setSoTimeout(10_000);
            write(s, "GET /inline HTTP/1.1\r\nHost: h\r\n");
            Answer a = read(s.getInputStream(), false);
            assertThat(a.status()).isEqualTo(408);
            assertThat(a.text()).isEqualTo("the request did not arrive within 500 ms");
            assertThat(a.headers()).containsEntry("connection", "close");
        }
    }

    @Test
    void connectionsSpreadEvenlyOverTheLoopsAndComeBackToTheirOwn() throws Exception {
        Http1Server.Limits limits = new Http1Server.Limits(1024, java.time.Duration.ofSeconds(10), java.time.Duration.ofSeconds(5), 64, "text/plain");
        try (Http1Server two = Http1Server.start(new java.net.InetSocketAddress("127.0.0.1", 0), 64, limits,
                (status, message) -> message.getBytes(StandardCharsets.UTF_8), Http1ServerTest::echo, new Inline(), 2)) {
            List<Socket> sockets = new ArrayList<>();
            try {
                for (int i = 0; i < 6; i++) {
                    Socket s = new Socket("127.0.0.1", two.address().getPort());
                    s.setSoTimeout(10_000);
                    sockets.add(s);
                    // a request for the blocking path, then one for the loop: the connection went out and came back
                    write(s, "GET /declined HTTP/1.1\r\nHost: h\r\n\r\n");
                    assertThat(read(s.getInputStream(), false).text()).isEqualTo("GET /declined null 0 0");
                    write(s, "GET /inline HTTP/1.1\r\nHost: h\r\n\r\n");
                    assertThat(read(s.getInputStream(), false).text()).startsWith("inline GET /inline");
                }
                assertThat(two.loopConnections()).containsExactly(3, 3);
            } finally {
                for (Socket s : sockets) {
                    s.close();
                }
            }
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (two.openConnections() > 0 && System.nanoTime() < deadline) {
                sleep(20);
            }
            assertThat(two.openConnections()).isZero();
            assertThat(two.loopConnections()).containsExactly(0, 0);
        }
    }

    @Test
    void headEndsAtTheFirstEmptyLine() {
        assertThat(EventLoop.headEnd(bytes("GET / HTTP/1.1\r\nA: b\r\n\r\nbody"), 28)).isEqualTo(24);
        assertThat(EventLoop.headEnd(bytes("GET / HTTP/1.1\nA: b\n\nbody"), 25)).isEqualTo(21);
        assertThat(EventLoop.headEnd(bytes("GET / HTTP/1.1\r\nA: b\r\n"), 22)).isEqualTo(-1);
        assertThat(EventLoop.headEnd(bytes("GET / HTTP/1.1\r\nA: b\r\n\r"), 23)).isEqualTo(-1);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
