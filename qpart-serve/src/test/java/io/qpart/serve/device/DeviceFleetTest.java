package io.qpart.serve.device;

import io.qpart.core.cost.Profiles;
import io.qpart.core.data.Dataset;
import io.qpart.serve.Fixtures;
import io.qpart.serve.MlpAndCnnServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Devices multiplexed on selector threads: the same answers as blocking clients, clear failures. */
class DeviceFleetTest {
    @RegisterExtension
    static final MlpAndCnnServer SERVER = new MlpAndCnnServer();
    /** A window no test reaches: runs here end when their traffic says so, never by the clock. */
    static final long HOUR = 3_600_000_000_000L;


    /** Wraps infer traffic: each device sends {@code perDevice} requests, and the classes of every answer are kept. */
    static DeviceFleet.Traffic counted(DeviceFleet.Traffic inner, int perDevice, int count, Map<String, int[]> classes) {
        Map<Integer, AtomicInteger> answered = new ConcurrentHashMap<>();
        return new DeviceFleet.Traffic() {
            @Override
            public byte[] request(int device, int request) throws IOException {
                return request < perDevice ? inner.request(device, request) : null;
            }

            @Override
            public void answer(int device, int status, byte[] body) throws IOException {
                inner.answer(device, status, body);
                int[] c = new int[count];
                DeviceClient.readResults(body, c, new float[count][]);
                classes.put(device + "/" + answered.computeIfAbsent(device, k -> new AtomicInteger()).getAndIncrement(), c);
            }
        };
    }

    @Test
    void fleetDevicesGetWhatBlockingClientsGet() throws Exception {
        Dataset data = Fixtures.data(Fixtures.served("cnn").model(), 40);
        List<DeviceClient> clients = new ArrayList<>();
        List<DeviceClient.Prepared> plans = new ArrayList<>();
        try {
            // a head on the device (mlp cut 1, cnn cut 2) and full offload (cnn cut 0), on three threads
            String[] models = {"mlp", "cnn", "cnn", "mlp", "cnn"};
            int[] cuts = {1, 2, 0, 1, 2};
            for (int i = 0; i < models.length; i++) {
                DeviceClient c = new DeviceClient(SERVER.get().uri(), Channel.none(), 1);
                clients.add(c);
                plans.add(c.prepare(PlanRequest.of(models[i], 0.01, "phone", Profiles.channel("lte")).withForcedCut(cuts[i])));
            }
            int batch = 2;
            int perDevice = 4;
            DeviceFleet.Inputs inputs = (d, r) -> {
                float[] a = data.sample((d * 7 + 2 * r) % data.size());
                float[] b = data.sample((d * 7 + 2 * r + 1) % data.size());
                float[] both = java.util.Arrays.copyOf(a, a.length + b.length);
                System.arraycopy(b, 0, both, a.length, b.length);
                return both;
            };
            Map<String, int[]> got = new ConcurrentHashMap<>();
            long[][] latencies;
            try (DeviceFleet fleet = new DeviceFleet(SERVER.get().uri(), clients.size(), 3, 60_000)) {
                assertThat(fleet.size()).isEqualTo(5);
                long now = System.nanoTime();
                latencies = fleet.run(counted(fleet.infer(clients, plans, inputs, batch), perDevice, batch, got), now, now + HOUR);
            }
            assertThat(got).hasSize(clients.size() * perDevice);
            assertThat(latencies).hasNumberOfRows(clients.size());
            for (int d = 0; d < clients.size(); d++) {
                assertThat(latencies[d]).as("device %d", d).hasSize(perDevice);
                assertThat(java.util.Arrays.stream(latencies[d]).min().orElseThrow()).as("device %d", d).isPositive();
                for (int r = 0; r < perDevice; r++) {
                    int[] blocking = clients.get(d).infer(plans.get(d), inputs.samples(d, r), batch).classes();
                    assertThat(got.get(d + "/" + r)).as("device %d request %d", d, r).containsExactly(blocking);
                }
            }
        } finally {
            clients.forEach(DeviceClient::close);
        }
    }

    /** {@code inner}'s first three requests per device; every answer {@code inner} accepts also goes to {@code also}. */
    static DeviceFleet.Traffic firstThree(DeviceFleet.Traffic inner, java.util.function.Consumer<byte[]> also) {
        return new DeviceFleet.Traffic() {
            @Override
            public byte[] request(int device, int request) throws IOException {
                return request < 3 ? inner.request(device, request) : null;
            }

            @Override
            public void answer(int device, int status, byte[] body) throws IOException {
                inner.answer(device, status, body);
                also.accept(body);
            }
        };
    }

    @Test
    void healthTrafficCountsEveryAnsweredRequest() throws Exception {
        try (DeviceFleet fleet = new DeviceFleet(SERVER.get().uri(), 4, 2, 60_000)) {
            DeviceFleet.Traffic health = fleet.health();
            AtomicInteger answered = new AtomicInteger();
            DeviceFleet.Traffic three = firstThree(health, body -> answered.incrementAndGet());
            long now = System.nanoTime();
            long[][] lat = fleet.run(three, now, now + HOUR);
            assertThat(answered).hasValue(12);
            assertThat(java.util.Arrays.stream(lat).mapToInt(l -> l.length)).containsOnly(3);
            // a window that has already closed: every device still sends one request, none is measured
            long[][] none = fleet.run(health, now, now);
            assertThat(java.util.Arrays.stream(none).mapToInt(l -> l.length)).containsOnly(0);
        }
    }

    /** A one-connection-at-a-time server that reads each request head and answers {@code answer}, then maybe closes. */
    record FakeServer(ServerSocket socket, AtomicInteger accepted, Thread thread) implements AutoCloseable {
        static FakeServer answering(String answer, boolean closeAfter) throws IOException {
            ServerSocket ss = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            AtomicInteger accepted = new AtomicInteger();
            Thread t = Thread.ofPlatform().daemon().start(() -> {
                while (!ss.isClosed()) {
                    try (Socket s = ss.accept()) {
                        accepted.incrementAndGet();
                        InputStream in = s.getInputStream();
                        OutputStream out = s.getOutputStream();
                        do {
                            if (!readHead(in)) {
                                break;
                            }
                            out.write(answer.getBytes(StandardCharsets.ISO_8859_1));
                            out.flush();
                        } while (!closeAfter);
                    } catch (IOException e) {
                        // the fleet went away or the test closed the socket
                    }
                }
            });
            return new FakeServer(ss, accepted, t);
        }

        private static boolean readHead(InputStream in) throws IOException {
            int state = 0;
            for (int c = in.read(); c >= 0; c = in.read()) {
                state = (c == '\r' && (state == 0 || state == 2)) || (c == '\n' && (state == 1 || state == 3)) ? state + 1 : 0;
                if (state == 4) {
                    return true;
                }
            }
            return false;
        }

        URI uri() {
            return URI.create("http://127.0.0.1:" + socket.getLocalPort());
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    @Test
    void anErrorAnswerFailsTheRunWithTheServersMessage() throws Exception {
        String body = "{\"error\":\"checksum mismatch in frame 0\"}";
        try (FakeServer fake = FakeServer.answering("HTTP/1.1 422 Unprocessable Content\r\nContent-Type: application/json\r\nContent-Length: "
                + body.length() + "\r\n\r\n" + body, false);
             DeviceFleet fleet = new DeviceFleet(fake.uri(), 1, 1, 60_000)) {
            long now = System.nanoTime();
            assertThatThrownBy(() -> fleet.run(fleet.health(), now, now + HOUR)).isInstanceOf(IOException.class)
                    .hasMessage("device 0: server answered 422: checksum mismatch in frame 0");
            assertThatThrownBy(() -> fleet.run(fleet.health(), now, now + HOUR)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("earlier run of this fleet failed");
        }
    }

    @Test
    void aServerThatHangsUpFailsTheRunClearly() throws Exception {
        try (FakeServer fake = FakeServer.answering("", true); DeviceFleet fleet = new DeviceFleet(fake.uri(), 1, 1, 60_000)) {
            long now = System.nanoTime();
            assertThatThrownBy(() -> fleet.run(fleet.health(), now, now + HOUR)).isInstanceOf(IOException.class)
                    .hasMessageContaining("device 0: the server closed the connection before answering");
        }
    }

    @Test
    void aClosingAnswerIsFollowedByANewConnection() throws Exception {
        try (FakeServer fake = FakeServer.answering("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok", true);
             DeviceFleet fleet = new DeviceFleet(fake.uri(), 1, 1, 60_000)) {
            DeviceFleet.Traffic three = firstThree(fleet.health(), body -> assertThat(new String(body, StandardCharsets.ISO_8859_1)).isEqualTo("ok"));
            long now = System.nanoTime();
            assertThat(fleet.run(three, now, now + HOUR)[0]).hasSize(3);
            assertThat(fake.accepted()).hasValue(3);
            // the last answer closed the connection too: the next run opens a new one
            long later = System.nanoTime();
            assertThat(fleet.run(fleet.health(), later, later)[0]).isEmpty();
            assertThat(fake.accepted()).hasValue(4);
        }
    }

    @Test
    void answersAreWholeOnlyWithTheirWholeBody() throws IOException {
        byte[] a = "HTTP/1.1 200 OK\r\ncontent-length: 5\r\nConnection: keep-alive\r\n\r\nhello".getBytes(StandardCharsets.ISO_8859_1);
        for (int n = 0; n < a.length; n++) {
            assertThat(DeviceFleet.Answer.parse(a, n)).as("first %d bytes", n).isNull();
        }
        assertThat(DeviceFleet.Answer.parse(a, a.length)).isEqualTo(new DeviceFleet.Answer(200, a.length - 5, 5, false));
        byte[] close = "HTTP/1.1 503 Busy\r\nConnection: Close\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
        assertThat(DeviceFleet.Answer.parse(close, close.length)).isEqualTo(new DeviceFleet.Answer(503, close.length, 0, true));
    }

    @Test
    void malformedAnswersAreRefusedWithWhatWasFound() {
        String[][] cases = {
                {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", "expected an answer with a Content-Length, found Transfer-Encoding: chunked"},
                {"HTTP/1.1 200 OK\r\n\r\n", "expected a Content-Length in 0..268435456 on the answer (status 200), found none"},
                {"HTTP/1.1 200 OK\r\nContent-Length: x1\r\n\r\n", "bad Content-Length 'x1'"},
                {"SPDY/3 200 OK\r\nContent-Length: 0\r\n\r\n", "expected an HTTP/1.1 status line, found 'SPDY/3 200 OK'"},
                {"HTTP/1.1 2x0 OK\r\nContent-Length: 0\r\n\r\n", "expected a numeric HTTP status, found 'HTTP/1.1 2x0 OK'"},
        };
        for (String[] c : cases) {
            byte[] b = c[0].getBytes(StandardCharsets.ISO_8859_1);
            assertThatThrownBy(() -> DeviceFleet.Answer.parse(b, b.length)).as(c[0]).isInstanceOf(IOException.class).hasMessage(c[1]);
        }
        byte[] endless = new byte[(64 << 10) + 1];
        java.util.Arrays.fill(endless, (byte) 'a');
        assertThatThrownBy(() -> DeviceFleet.Answer.parse(endless, endless.length)).isInstanceOf(IOException.class)
                .hasMessageContaining("answer head of at most 65536 bytes");
    }

    @Test
    void refusesNonsense() {
        assertThatThrownBy(() -> new DeviceFleet(URI.create("ftp://x:1"), 1, 1, 1)).hasMessageContaining("expected a server URL");
        assertThatThrownBy(() -> new DeviceFleet(SERVER.get().uri(), 0, 1, 1)).hasMessageContaining("found 0, 1 and 1");
    }
}
