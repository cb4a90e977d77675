package io.qpart.serve.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.qpart.core.cost.Profiles;
import io.qpart.core.data.Dataset;
import io.qpart.core.wire.ActivationFrame;
import io.qpart.serve.Fixtures;
import io.qpart.serve.RawHttp;
import io.qpart.serve.RawHttp.Answer;
import io.qpart.serve.device.Channel;
import io.qpart.serve.device.DeviceClient;
import io.qpart.serve.device.DeviceRun;
import io.qpart.serve.device.Plan;
import io.qpart.serve.device.PlanRequest;
import io.qpart.serve.json.Json;
import io.qpart.serve.protocol.CrossingTensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Bad requests get JSON errors with the right status, and clients that misbehave do not disturb the others. */
class ServerFaultsTest {
    static final int MAX_BODY = 64 << 10;
    static QpartServer server;
    static int port;
    static CrossingTensor cut2;

    @BeforeAll
    static void start() throws Exception {
        startWith(ServerConfig.loopback());
    }

    static void startWith(ServerConfig base) throws Exception {
        ServerConfig c = base.withMaxBodyBytes(MAX_BODY).withRequestTimeout(Duration.ofSeconds(2));
        server = QpartServer.start(List.of(Fixtures.served("mlp")), c);
        port = server.port();
        assertThat(server.awaitReady(60, TimeUnit.SECONDS)).isTrue();
        cut2 = Fixtures.served("mlp").crossing(2).get(0);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static byte[] frame(String name, long[] shape, int bits) {
        float[] v = new float[(int) Arrays.stream(shape).reduce(1, Math::multiplyExact)];
        SplittableRandom r = new SplittableRandom(7);
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextDouble();
        }
        return ActivationFrame.quantize(name, shape, v, bits).encode();
    }

    static Answer infer(String query, byte[] body) throws Exception {
        return RawHttp.send(port, "POST /v1/infer" + query + " HTTP/1.1\r\nHost: x\r\nContent-Length: " + body.length, body);
    }

    static Answer post(String path, String json) throws Exception {
        byte[] b = json.getBytes(StandardCharsets.UTF_8);
        return RawHttp.send(port, "POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: " + b.length, b);
    }

    static Answer get(String path, String... headers) throws Exception {
        return RawHttp.send(port, "GET " + path + " HTTP/1.1\r\nHost: x" + String.join("", Arrays.stream(headers).map(h -> "\r\n" + h).toList()), null);
    }

    static void assertError(Answer a, int status, String fragment) throws Exception {
        assertThat(a.status()).as(a.text()).isEqualTo(status);
        assertThat(a.headers().get("content-type")).startsWith("application/json");
        JsonNode j = Json.MAPPER.readTree(a.body());
        assertThat(j.get("error").asText()).contains(fragment).doesNotContain("\n");
    }

    @Test
    void aValidFrameIsAnswered() throws Exception {
        Answer a = infer("?model=mlp&cut=2", frame(cut2.name(), cut2.shape(), 6));
        assertThat(a.status()).as(a.text()).isEqualTo(200);
        JsonNode j = Json.MAPPER.readTree(a.body());
        assertThat(j.get("samples").asInt()).isEqualTo(1);
        assertThat(j.get("results").get(0).get("logits")).hasSize(10);
    }

    @Test
    void badFramesAre400AndAChecksumMismatchIs422() throws Exception {
        byte[] good = frame(cut2.name(), cut2.shape(), 6);
        assertError(infer("?model=mlp&cut=2", "this is not a frame at all".getBytes(StandardCharsets.US_ASCII)), 400, "magic");
        assertError(infer("?model=mlp&cut=2", Arrays.copyOf(good, good.length / 2)), 400, "truncated");
        assertError(infer("?model=mlp&cut=2", new byte[0]), 400, "empty body");
        byte[] corrupt = good.clone();
        corrupt[corrupt.length - 10] ^= 0x5a;
        assertError(infer("?model=mlp&cut=2", corrupt), 422, "CRC32C");
        byte[] trailing = Arrays.copyOf(good, good.length + 3);
        assertError(infer("?model=mlp&cut=2", trailing), 400, "truncated");
        assertError(infer("?model=mlp&cut=2", frame("not_the_tensor", cut2.shape(), 6)), 400, cut2.name());
        assertError(infer("?model=mlp&cut=2", frame(cut2.name(), new long[]{1, 127}, 6)), 400, "shape");
        assertError(infer("?model=mlp&cut=1", good), 400, "expects tensor");
    }

    @Test
    void unknownModelsHeadsAndPathsAre404() throws Exception {
        assertError(infer("?model=nope&cut=0", frame("input", new long[]{1, 784}, 8)), 404, "unknown model 'nope'");
        assertError(post("/v1/plan", "{\"model\":\"nope\",\"maxAccuracyDrop\":0.01}"), 404, "unknown model 'nope'");
        assertError(get("/v1/heads/" + "ab".repeat(32)), 404, "unknown head");
        assertError(get("/v2/anything"), 404, "no such path");
    }

    @Test
    void malformedRequestsAre400() throws Exception {
        assertError(post("/v1/plan", "{not json"), 400, "not valid JSON");
        assertError(post("/v1/plan", "[1, 2]"), 400, "expected a JSON object");
        assertError(post("/v1/plan", "{\"model\":\"mlp\",\"maxAccuracyDrop\":2}"), 400, "maxAccuracyDrop");
        assertError(post("/v1/plan", "{\"model\":\"mlp\",\"maxAccuracyDrop\":0.01,\"colour\":1}"), 400, "unknown field 'colour'");
        assertError(post("/v1/plan", "{\"model\":\"mlp\",\"maxAccuracyDrop\":0.01,\"cut\":99}"), 400, "out of range");
        assertError(post("/v1/plan", "{\"model\":\"mlp\",\"maxAccuracyDrop\":0.01,\"strategy\":\"magic\"}"), 400, "magic");
        assertError(get("/v1/heads/xyz"), 400, "64 lowercase hex");
        assertError(infer("", frame("input", new long[]{1, 784}, 8)), 400, "model=NAME&cut=K");
        assertError(infer("?model=mlp&cut=two", frame("input", new long[]{1, 784}, 8)), 400, "integer");
        assertError(infer("?model=mlp&cut=9", frame("input", new long[]{1, 784}, 8)), 400, "out of range");
        assertError(get("/v1/plan"), 405, "expected POST");
    }

    @Test
    void oversizedBodiesAre413ByDeclaredLengthAndByCounting() throws Exception {
        assertError(RawHttp.send(port, "POST /v1/infer?model=mlp&cut=0 HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000000000", null), 413, "over the limit");
        // no declared length: the server counts while reading
        byte[] big = new byte[MAX_BODY + 4096];
        StringBuilder chunked = new StringBuilder();
        Answer a;
        try (Socket s = new Socket("127.0.0.1", port)) {
            OutputStream out = s.getOutputStream();
            out.write("POST /v1/infer?model=mlp&cut=0 HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            for (int off = 0; off < big.length; off += 8192) {
                int n = Math.min(8192, big.length - off);
                out.write((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(big, off, n);
                out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
            }
            out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            a = RawHttp.read(s.getInputStream());
        }
        assertThat(chunked).isEmpty();
        assertError(a, 413, "over the limit");
    }

    @Test
    void aStalledUploadTimesOutAnd504s() throws Exception {
        long timedOut = server.metrics().requests("infer", 504);
        long gone = server.metrics().requests("infer", 499);
        boolean answered;
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(30_000);
            OutputStream out = s.getOutputStream();
            out.write("POST /v1/infer?model=mlp&cut=2 HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n\r\n0123456789".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            int first = in.read();
            answered = first >= 0;
            if (answered) {
                Answer a = RawHttp.read(new java.io.SequenceInputStream(new java.io.ByteArrayInputStream(new byte[]{(byte) first}), in));
                assertError(a, 504, "longer than");
            }
        }
        // the answer is 504 when it can still be written; otherwise the server closed the stalled connection
        assertThat(answered ? server.metrics().awaitRequests("infer", 504, timedOut + 1, Duration.ofSeconds(30))
                : server.metrics().awaitRequests("infer", 499, gone + 1, Duration.ofSeconds(30))).isTrue();
        assertThat(get("/healthz").status()).isEqualTo(200);
    }

    @Test
    void devicesThatDropMidDownloadOrMidUploadDoNotDisturbTheOthers() throws Exception {
        ServedModel m = Fixtures.served("mlp");
        Dataset data = Fixtures.data(m.model(), 40);
        PlanRequest req = PlanRequest.of("mlp", 0.01, "phone", Profiles.channel("lte")).withForcedCut(1);
        int[] expected;
        Plan plan;
        try (DeviceClient d = new DeviceClient(server.uri(), Channel.none(), 1)) {
            DeviceRun r = DeviceRun.run(d, req, data, 1);
            expected = r.predictions();
            plan = r.plan();
        }
        byte[] frame = frame(m.crossing(1).get(0).name(), m.crossing(1).get(0).shape(), plan.activationBits());
        long gone = server.metrics().requests("infer", 499);
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<int[]>> good = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                good.add(pool.submit(() -> {
                    try (DeviceClient d = new DeviceClient(server.uri(), Channel.none(), 1)) {
                        return DeviceRun.run(d, req, data, 1).predictions();
                    }
                }));
            }
            List<Future<?>> bad = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                bad.add(pool.submit(() -> {
                    // mid-download: a tiny receive window, a few bytes read, then gone
                    try (Socket s = new Socket()) {
                        s.setReceiveBufferSize(1024);
                        s.connect(new java.net.InetSocketAddress("127.0.0.1", port));
                        s.getOutputStream().write(("GET " + plan.headPath() + " HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                        s.getInputStream().readNBytes(100);
                    }
                    // mid-upload: half a frame, then gone
                    try (Socket s = new Socket("127.0.0.1", port)) {
                        OutputStream out = s.getOutputStream();
                        out.write(("POST " + plan.inferPath() + " HTTP/1.1\r\nHost: x\r\nContent-Length: " + frame.length + "\r\n\r\n")
                                .getBytes(StandardCharsets.US_ASCII));
                        out.write(frame, 0, frame.length / 2);
                        out.flush();
                    }
                    return null;
                }));
            }
            for (Future<?> f : bad) {
                f.get();
            }
            for (Future<int[]> f : good) {
                assertThat(f.get()).containsExactly(expected);
            }
        }
        assertThat(server.metrics().awaitRequests("infer", 499, gone + 8, Duration.ofSeconds(30))).isTrue();
        assertThat(get("/healthz").status()).isEqualTo(200);
    }

    @Test
    void headsAreImmutableAndRevalidate() throws Exception {
        Plan p;
        try (DeviceClient d = new DeviceClient(server.uri(), Channel.none(), 1)) {
            p = d.plan(PlanRequest.of("mlp", 0.01, "phone", Profiles.channel("lte")).withForcedCut(2));
        }
        Answer a = get(p.headPath());
        assertThat(a.status()).isEqualTo(200);
        assertThat(a.headers().get("etag")).isEqualTo("\"" + p.headId() + "\"");
        assertThat(a.headers().get("cache-control")).contains("immutable").contains("max-age=");
        assertThat(a.body()).hasSize((int) p.downloadBytes());
        assertThat(io.qpart.core.wire.HeadContainer.decode(a.body()).id()).isEqualTo(p.headId());
        Answer b = get(p.headPath(), "If-None-Match: \"" + p.headId() + "\"");
        assertThat(b.status()).isEqualTo(304);
        assertThat(b.body()).isEmpty();
        Answer c = get(p.headPath(), "If-None-Match: \"" + "0".repeat(64) + "\"");
        assertThat(c.status()).isEqualTo(200);
    }

    @Test
    void healthReadinessAndMetrics() throws Exception {
        assertThat(get("/healthz").status()).isEqualTo(200);
        Answer r = get("/readyz");
        assertThat(r.status()).isEqualTo(200);
        assertThat(Json.MAPPER.readTree(r.body()).get("models").toString()).contains("mlp");
        long before = server.metrics().requests("infer", 200);
        assertThat(infer("?model=mlp&cut=2", frame(cut2.name(), cut2.shape(), 6)).status()).isEqualTo(200);
        // a request is counted once its answer is written, which the client may see first
        assertThat(server.metrics().awaitRequests("infer", 200, before + 1, Duration.ofSeconds(10))).isTrue();
        Answer m = get("/metrics");
        assertThat(m.status()).isEqualTo(200);
        assertThat(m.headers().get("content-type")).startsWith("text/plain");
        String text = m.text();
        assertThat(text).contains("qpart_requests_total{route=\"infer\",status=\"200\"}")
                .contains("qpart_request_duration_seconds_bucket{route=\"infer\",le=\"+Inf\"}")
                .contains("qpart_request_errors_total").contains("qpart_received_bytes_total{route=\"infer\"}")
                .contains("qpart_sent_bytes_total{route=\"infer\"}").contains("qpart_head_cache_hits_total")
                .contains("qpart_head_cache_misses_total").contains("qpart_head_cache_bytes");
        for (String line : text.split("\n")) {
            assertThat(line).matches("(# (HELP|TYPE) .*|[a-z_]+(\\{[^}]*\\})? -?[0-9.E+-]+)");
        }
    }
}
