package io.qpart.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.qpart.serve.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PipedReader;
import java.io.PipedWriter;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

import static io.qpart.cli.CliErrorsTest.DATA;
import static io.qpart.cli.CliErrorsTest.MODELS;
import static io.qpart.cli.CliErrorsTest.assertOneLineError;
import static io.qpart.cli.CliErrorsTest.run;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code qpart serve} and {@code qpart device} as a user runs them, on loopback. */
class ServeDeviceCommandsTest {

    /** A running {@code qpart serve}: its URL, its stderr, and the thread to interrupt to stop it. */
    record Serving(String url, Thread thread, StringWriter err, AtomicInteger status) implements AutoCloseable {
        @Override
        public void close() {
            thread.interrupt();
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while stopping the server", e);
            }
        }
    }

    static Serving serve(Path models) throws IOException {
        PipedReader pr = new PipedReader(1 << 16);
        PipedWriter pw = new PipedWriter(pr);
        StringWriter err = new StringWriter();
        AtomicInteger status = new AtomicInteger(-1);
        Thread t = Thread.ofPlatform().name("qpart-serve-test").start(() -> {
            try (PrintWriter out = new PrintWriter(pw, true)) {
                status.set(Main.run(new String[]{"serve", "--models", models.toString(), "--port", "0"}, out, new PrintWriter(err, true)));
            }
        });
        String first = new BufferedReader(pr).readLine();
        assertThat(first).as("stderr: %s", err).isNotNull().matches("listening on http://127\\.0\\.0\\.1:[0-9]+");
        return new Serving(first.substring("listening on ".length()), t, err, status);
    }

    @Test
    void theSchedulingPolicyIsReadFromProcStat() {
        // field 41 of /proc/PID/stat; the command name may hold spaces and parentheses
        String tail = " 0".repeat(36);
        assertThat(LoadtestCommand.policyOf("123 (java) S 1" + tail + " 3 0 0")).isEqualTo("batch");
        assertThat(LoadtestCommand.policyOf("123 (a (b) c) S 1" + tail + " 0 0 0")).isEqualTo("normal");
        assertThat(LoadtestCommand.policyOf("123 (java) S 1" + tail + " 7 0 0")).isEqualTo("unknown");
        assertThat(LoadtestCommand.policyOf("123 (java) S 1 2")).isEqualTo("unknown");
        if (Files.isReadable(Path.of("/proc/self/stat"))) {
            assertThat(LoadtestCommand.schedulingPolicy()).isNotEqualTo("unknown");
        }
    }

    @Test
    void deviceRunsAgainstServeAndReportsEveryStage(@TempDir Path dir) throws Exception {
        for (String f : new String[]{"mlp.onnx", "mlp.qpt", "cnn.onnx"}) {
            Files.copy(MODELS.resolve(f), dir.resolve(f));
        }
        try (Serving s = serve(dir)) {
            CliErrorsTest.Outcome o = run("device", "--server", s.url(), "--model", "mlp", "--device", "phone", "--channel", "lte",
                    "--accuracy-drop", "0.01", "--data", DATA.resolve("mnist-test.npz").toString(), "--samples", "30", "--cut", "2",
                    "--no-emulate", "--json");
            assertThat(o.status()).as("stderr: %s", o.err()).isZero();
            JsonNode j = Json.MAPPER.readTree(o.out());
            for (String f : new String[]{"samples", "correct", "accuracy", "cut", "bits", "activationBits", "downloadBytes", "uploadBytes"}) {
                assertThat(j.has(f)).as(f).isTrue();
            }
            assertThat(j.get("samples").asInt()).isEqualTo(30);
            assertThat(j.get("cut").asInt()).isEqualTo(2);
            assertThat(j.get("accuracy").asDouble()).isGreaterThan(0.8);
            assertThat(j.get("downloadBytes").asLong()).isPositive();
            for (String st : new String[]{"planSeconds", "downloadSeconds", "headSeconds", "quantizeSeconds", "uploadSeconds", "serverSeconds", "totalSeconds"}) {
                assertThat(j.get("measured").get(st).asDouble()).as(st).isGreaterThanOrEqualTo(0);
            }
            for (String st : new String[]{"downloadSeconds", "deviceSeconds", "uploadSeconds", "serverSeconds", "totalSeconds"}) {
                assertThat(j.get("modelled").get(st).asDouble()).as(st).isGreaterThanOrEqualTo(0);
            }
            CliErrorsTest.Outcome text = run("device", "--server", s.url(), "--model", "mlp", "--accuracy-drop", "0.01", "--data",
                    DATA.resolve("mnist-test.npz").toString(), "--samples", "5", "--channel", "5g");
            assertThat(text.status()).as("stderr: %s", text.err()).isZero();
            assertThat(text.out()).contains("accuracy").contains("measured").contains("modelled").contains("emulated");
            assertOneLineError(run("device", "--server", s.url(), "--model", "cnn", "--accuracy-drop", "0.01", "--data",
                    DATA.resolve("mnist-test.npz").toString()), "404", "unknown model 'cnn'");
            assertThat(s.err().toString()).contains("cnn.onnx: skipped: no table cnn.qpt");
            // the server's plan answer starts with exactly what 'qpart plan --json' prints for the same query
            String query = "{\"model\":\"mlp\",\"maxAccuracyDrop\":0.005,\"device\":\"iot\",\"channel\":\"nbiot\"}";
            Path q = dir.resolve("q.json");
            Files.writeString(q, query);
            JsonNode cli = Json.MAPPER.readTree(run("plan", "--table", dir.resolve("mlp.qpt").toString(), "--query", q.toString(), "--json").out());
            java.net.http.HttpResponse<String> served;
            try (java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient()) {
                served = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(s.url() + "/v1/plan"))
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofString(query)).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            }
            assertThat(served.statusCode()).isEqualTo(200);
            JsonNode srv = Json.MAPPER.readTree(served.body());
            for (java.util.Iterator<String> it = cli.fieldNames(); it.hasNext(); ) {
                String f = it.next();
                assertThat(srv.get(f)).as(f).isEqualTo(cli.get(f));
            }
            CliErrorsTest.Outcome lt = run("loadtest", "--server", s.url(), "--models", dir.toString(), "--model", "mlp", "--devices", "3",
                    "--seconds", "0.5", "--warmup", "0", "--data", DATA.resolve("mnist-test.npz").toString(), "--json");
            assertThat(lt.status()).as("stderr: %s", lt.err()).isZero();
            JsonNode l = Json.MAPPER.readTree(lt.out());
            assertThat(l.get("devices").asInt()).isEqualTo(3);
            // by default the devices share one selector thread per core (never more threads than devices)
            assertThat(l.get("deviceThreads").asText()).isEqualTo("loop");
            assertThat(l.get("deviceLoops").asInt()).isEqualTo(Math.min(3, Runtime.getRuntime().availableProcessors()));
            for (String run : new String[]{"inProcess", "endToEnd"}) {
                assertThat(l.get(run).get("samples").asLong()).as(run).isPositive();
                assertThat(l.get(run).get("p99Seconds").asDouble()).as(run).isGreaterThanOrEqualTo(l.get(run).get("p50Seconds").asDouble());
            }
            assertThat(l.get("serverMemory").get("process_resident_bytes").asLong()).isPositive();
            assertThat(l.get("batch").asInt()).isEqualTo(1);
            assertThat(l.get("schedulingPolicy").asText()).isEqualTo(LoadtestCommand.schedulingPolicy());
            // the server's tail calls in the window: at least one sample each, at most one per device in flight
            assertThat(l.get("endToEnd").get("serverSamplesPerTailRun").asDouble()).isBetween(1.0, 3.0);
            assertThat(l.get("inProcess").has("serverSamplesPerTailRun")).isFalse();

            // several samples per request, a thread per device: both runs count samples in whole requests of 4
            CliErrorsTest.Outcome lb = run("loadtest", "--server", s.url(), "--models", dir.toString(), "--model", "mlp", "--devices", "2",
                    "--seconds", "0.5", "--warmup", "0", "--batch", "4", "--device-threads", "platform", "--data",
                    DATA.resolve("mnist-test.npz").toString(), "--json");
            assertThat(lb.status()).as("stderr: %s", lb.err()).isZero();
            JsonNode b = Json.MAPPER.readTree(lb.out());
            assertThat(b.get("batch").asInt()).isEqualTo(4);
            assertThat(b.get("deviceThreads").asText()).isEqualTo("platform");
            assertThat(b.has("deviceLoops")).isFalse();
            for (String run : new String[]{"inProcess", "endToEnd"}) {
                long n = b.get(run).get("samples").asLong();
                assertThat(n).as(run).isPositive();
                assertThat(n % 4).as(run + " samples in whole requests").isZero();
            }
            assertOneLineError(run("loadtest", "--server", s.url(), "--models", dir.toString(), "--model", "mlp", "--batch", "0", "--data",
                    DATA.resolve("mnist-test.npz").toString()), "--batch must be in 1..4096; found 0");
        }
    }

    @Test
    void serveWithoutUsableModelsFailsWithOneLine(@TempDir Path dir) throws IOException {
        assertOneLineError(run("serve", "--models", dir.toString(), "--port", "0"), "no model to serve");
        assertOneLineError(run("serve", "--models", dir.resolve("missing").toString(), "--port", "0"), "expected a folder");
    }

    @Test
    void deviceWithoutServerFailsWithOneLine() {
        assertOneLineError(run("device", "--server", "http://127.0.0.1:9", "--model", "mlp", "--accuracy-drop", "0.01", "--data",
                DATA.resolve("mnist-test.npz").toString()), "no server answers");
        assertOneLineError(run("device", "--server", "ftp://x", "--model", "mlp", "--accuracy-drop", "0.01", "--data",
                DATA.resolve("mnist-test.npz").toString()), "http://HOST:PORT");
    }
}
