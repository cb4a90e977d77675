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
        public void close() throws InterruptedException {
            thread.interrupt();
            thread.join();
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
