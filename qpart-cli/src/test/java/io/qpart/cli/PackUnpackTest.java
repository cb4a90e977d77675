package io.qpart.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.qpart.core.data.Dataset;
import io.qpart.core.data.DatasetReader;
import io.qpart.onnx.runtime.HostTensor;
import io.qpart.onnx.runtime.OnnxSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static io.qpart.cli.CliCommandsTest.json;
import static io.qpart.cli.CliErrorsTest.DATA;
import static io.qpart.cli.CliErrorsTest.MODELS;
import static io.qpart.cli.CliErrorsTest.assertOneLineError;
import static io.qpart.cli.CliErrorsTest.run;
import static org.assertj.core.api.Assertions.assertThat;

/** The head container as a device receives it: pack, unpack (float and QDQ), corrupted bytes. */
class PackUnpackTest {

    private static float[] runHead(Path onnx, Dataset ds) {
        try (OnnxSession s = OnnxSession.create(Files.readAllBytes(onnx), 2)) {
            HostTensor x = HostTensor.ofFloats(ds.batchShape(ds.size()), ds.inputs());
            return s.run(Map.of(s.inputNames().get(0), x)).values().iterator().next().floats();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void packedHeadDecodesToTheQuantizedHeadAndQdqMatchesFloat(@TempDir Path dir) throws Exception {
        Path qph = dir.resolve("head.qph");
        JsonNode packed = json(run("pack", MODELS.resolve("cnn.onnx").toString(), "--cut", "2", "--bits", "4", "--out", qph.toString(), "--json"));
        assertThat(packed.get("bytes").asLong()).isEqualTo(Files.size(qph));
        // 4-bit weights: well under a quarter of the float32 head plus metadata
        assertThat(packed.get("ratio").asDouble()).isLessThan(0.2);

        Path floatHead = dir.resolve("float.onnx");
        Path qdqHead = dir.resolve("qdq.onnx");
        assertThat(run("unpack", qph.toString(), "--out", floatHead.toString()).status()).isZero();
        assertThat(run("unpack", qph.toString(), "--out", qdqHead.toString(), "--qdq").status()).isZero();
        assertThat(Files.size(qdqHead)).isLessThan(Files.size(floatHead));

        Dataset ds = DatasetReader.read(DATA.resolve("mnist-test.npz"), null).first(32).reshapedTo(new long[]{-1, 1, 28, 28});
        float[] a = runHead(floatHead, ds);
        float[] b = runHead(qdqHead, ds);
        assertThat(b).hasSameSizeAs(a);
        for (int i = 0; i < a.length; i++) {
            assertThat(Math.abs(a[i] - b[i])).as("element %d", i).isLessThanOrEqualTo(1e-5f);
        }
    }

    @Test
    void evalReportsExactPayload() throws Exception {
        JsonNode e = json(run("eval", MODELS.resolve("mlp.onnx").toString(), "--data", DATA.resolve("mnist-test.npz").toString(),
                "--samples", "200", "--cut", "3", "--bits", "4", "--activation-bits", "8", "--json"));
        long down = e.get("downloadBytes").asLong();
        long fp32Down = e.get("fp32DownloadBytes").asLong();
        // 235,146 parameters: float32 weights alone are 940,584 bytes; 4-bit weights about 117 KB plus float biases
        assertThat(fp32Down).isGreaterThan(235_146L * 4);
        assertThat(down).isLessThan(fp32Down / 6);
        // the upload at full local is the 10 logits: 10 bytes of 8-bit codes plus the frame's metadata
        assertThat(e.get("uploadBytes").asLong()).isLessThan(e.get("fp32UploadBytes").asLong());
        assertThat(e.get("accuracy").asDouble()).isGreaterThan(0.9);
        JsonNode offload = json(run("eval", MODELS.resolve("mlp.onnx").toString(), "--data", DATA.resolve("mnist-test.npz").toString(),
                "--samples", "50", "--cut", "0", "--json"));
        assertThat(offload.get("downloadBytes").asLong()).isZero();
        assertThat(offload.get("uploadBytes").asLong()).isGreaterThanOrEqualTo(784 * 4);
    }

    @Test
    void corruptedOrTruncatedContainersAreRefused(@TempDir Path dir) throws Exception {
        Path qph = dir.resolve("head.qph");
        assertThat(run("pack", MODELS.resolve("mlp.onnx").toString(), "--cut", "1", "--bits", "6", "--out", qph.toString()).status()).isZero();
        byte[] good = Files.readAllBytes(qph);
        byte[] flipped = good.clone();
        flipped[good.length / 2] ^= 0x10;
        Path bad = dir.resolve("flipped.qph");
        Files.write(bad, flipped);
        assertOneLineError(run("unpack", bad.toString(), "--out", dir.resolve("x.onnx").toString()), "flipped.qph");
        Path cut = dir.resolve("truncated.qph");
        Files.write(cut, java.util.Arrays.copyOf(good, good.length - 7));
        assertOneLineError(run("unpack", cut.toString(), "--out", dir.resolve("y.onnx").toString()), "truncated.qph");
        assertThat(dir.resolve("x.onnx")).doesNotExist();
    }
}
