package io.qpart.cli;

import io.qpart.serve.json.Json;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static io.qpart.cli.CliErrorsTest.DATA;
import static io.qpart.cli.CliErrorsTest.MODELS;
import static io.qpart.cli.CliErrorsTest.run;
import static org.assertj.core.api.Assertions.assertThat;

/** The commands as external checks call them, on bundled models. */
class CliCommandsTest {

    static JsonNode json(CliErrorsTest.Outcome o) throws Exception {
        assertThat(o.status()).as("stderr: %s", o.err()).isZero();
        return Json.MAPPER.readTree(o.out());
    }

    @Test
    void inspectJsonListsWeightsAndCutsFromOffloadToLocal() throws Exception {
        JsonNode j = json(run("inspect", MODELS.resolve("cnn.onnx").toString(), "--json"));
        long params = j.get("params").asLong();
        assertThat(params).isPositive();
        assertThat(j.get("macs").asLong()).isPositive();
        assertThat(j.get("weights")).hasSize(4);
        for (JsonNode w : j.get("weights")) {
            assertThat(w.get("op").asText()).isIn("Conv", "Gemm", "MatMul");
            assertThat(w.get("params").asLong()).isPositive();
        }
        JsonNode cuts = j.get("cuts");
        assertThat(cuts.size()).isGreaterThanOrEqualTo(4);
        JsonNode first = cuts.get(0);
        JsonNode last = cuts.get(cuts.size() - 1);
        assertThat(first.get("index").asInt()).isZero();
        assertThat(first.get("headMacs").asLong()).isZero();
        assertThat(first.get("elements").asLong()).isEqualTo(784);
        assertThat(last.get("tailMacs").asLong()).isZero();
        assertThat(last.get("headParams").asLong()).isEqualTo(params);
        assertThat(last.get("elements").asLong()).isEqualTo(10);
        long macs = j.get("macs").asLong();
        for (int i = 0; i < cuts.size(); i++) {
            JsonNode c = cuts.get(i);
            assertThat(c.get("index").asInt()).isEqualTo(i);
            assertThat(c.get("headMacs").asLong() + c.get("tailMacs").asLong()).isEqualTo(macs);
            assertThat(c.get("tensors")).isNotEmpty();
        }
    }

    @Test
    void evalWholeAndSplitAgree() throws Exception {
        String model = MODELS.resolve("resnet.onnx").toString();
        String data = DATA.resolve("mnist-test.npz").toString();
        JsonNode whole = json(run("eval", model, "--data", data, "--samples", "300", "--json"));
        assertThat(whole.get("samples").asInt()).isEqualTo(300);
        assertThat(whole.get("accuracy").asDouble()).isGreaterThan(0.9);
        for (String cut : new String[]{"0", "4", "11"}) {
            JsonNode split = json(run("eval", model, "--data", data, "--samples", "300", "--cut", cut, "--json"));
            assertThat(split.get("correct").asInt()).as("cut %s", cut).isEqualTo(whole.get("correct").asInt());
            assertThat(split.get("cut").asInt()).isEqualTo(Integer.parseInt(cut));
        }
    }

    @Test
    void evalReadsIdxAndNpyWithSiblingLabels() throws Exception {
        String model = MODELS.resolve("mlp.onnx").toString();
        JsonNode idx = json(run("eval", model, "--data", DATA.resolve("mnist-test-100-images.idx3-ubyte").toString(), "--json"));
        JsonNode npy = json(run("eval", model, "--data", DATA.resolve("mnist-test-100.npy").toString(), "--json"));
        JsonNode npz = json(run("eval", model, "--data", DATA.resolve("mnist-test.npz").toString(), "--samples", "100", "--json"));
        assertThat(idx.get("samples").asInt()).isEqualTo(100);
        assertThat(idx.get("correct")).isEqualTo(npy.get("correct")).isEqualTo(npz.get("correct"));
    }

    @Test
    void splitWritesTwoModelsThatEvaluateLikeTheWhole(@TempDir Path dir) throws Exception {
        CliErrorsTest.Outcome o = run("split", MODELS.resolve("vit.onnx").toString(), "--cut", "3", "--out", dir.toString());
        assertThat(o.status()).as(o.err()).isZero();
        assertThat(Files.size(dir.resolve("head.onnx"))).isPositive();
        assertThat(Files.size(dir.resolve("tail.onnx"))).isPositive();
        // each half is a valid model in its own right
        JsonNode head = json(run("inspect", dir.resolve("head.onnx").toString(), "--json"));
        JsonNode tail = json(run("inspect", dir.resolve("tail.onnx").toString(), "--json"));
        JsonNode whole = json(run("inspect", MODELS.resolve("vit.onnx").toString(), "--json"));
        assertThat(head.get("macs").asLong() + tail.get("macs").asLong()).isEqualTo(whole.get("macs").asLong());
    }
}
