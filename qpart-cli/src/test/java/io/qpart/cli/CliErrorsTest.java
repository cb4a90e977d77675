package io.qpart.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/** Bad inputs give one clear line on stderr and a non-zero exit, never a stack trace. */
class CliErrorsTest {
    static final Path MODELS = Path.of("..", "models");
    static final Path DATA = Path.of("..", "data");

    record Outcome(int status, String out, String err) {
    }

    static Outcome run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = Main.run(args, new PrintWriter(out), new PrintWriter(err));
        return new Outcome(status, out.toString(), err.toString());
    }

    static void assertOneLineError(Outcome o, String... fragments) {
        assertThat(o.status()).as("exit status; stderr: %s", o.err()).isNotZero();
        String[] lines = o.err().strip().split("\n");
        assertThat(lines).as("stderr lines: %s", Arrays.toString(lines)).hasSize(1);
        assertThat(lines[0]).startsWith("qpart: error: ").doesNotContain("Exception").contains(fragments);
        assertThat(o.err()).doesNotContain("\tat ");
    }

    @Test
    void truncatedModel(@TempDir Path dir) throws IOException {
        byte[] full = Files.readAllBytes(MODELS.resolve("cnn.onnx"));
        Path f = dir.resolve("truncated.onnx");
        Files.write(f, Arrays.copyOf(full, full.length / 2));
        assertOneLineError(run("inspect", f.toString()), "truncated.onnx", "truncated or not ONNX");
    }

    @Test
    void fileThatIsNotOnnx(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("notes.onnx");
        Files.writeString(f, "these are not the weights you are looking for\n");
        assertOneLineError(run("inspect", f.toString()), "notes.onnx");
    }

    @Test
    void emptyAndMissingFiles(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("empty.onnx");
        Files.write(f, new byte[0]);
        assertOneLineError(run("inspect", f.toString()), "empty file");
        assertOneLineError(run("inspect", dir.resolve("missing.onnx").toString()), "no such file");
    }

    /** A version 1.0 .npy file of little-endian float32 or int64 values. */
    static void writeNpy(Path f, String descr, long[] shape, java.nio.ByteBuffer values) throws IOException {
        StringBuilder dims = new StringBuilder();
        for (long d : shape) {
            dims.append(d).append(", ");
        }
        String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (" + dims.toString().strip().replaceAll(",$", shape.length == 1 ? "," : "") + "), }";
        int total = 10 + dict.length() + 1;
        int pad = (64 - total % 64) % 64;
        String header = dict + " ".repeat(pad) + "\n";
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(10 + header.length() + values.remaining()).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 0x93).put("NUMPY".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0);
        b.putShort((short) header.length()).put(header.getBytes(java.nio.charset.StandardCharsets.US_ASCII)).put(values);
        Files.write(f, b.array());
    }

    @Test
    void dataOfTheWrongShape(@TempDir Path dir) throws IOException {
        Path x = dir.resolve("odd.npy");
        Path y = dir.resolve("odd-labels.npy");
        writeNpy(x, "<f4", new long[]{4, 10}, java.nio.ByteBuffer.allocate(4 * 10 * 4));
        writeNpy(y, "<i8", new long[]{4}, java.nio.ByteBuffer.allocate(4 * 8));
        Outcome o = run("eval", MODELS.resolve("cnn.onnx").toString(), "--data", x.toString(), "--labels", y.toString());
        assertOneLineError(o, "10", "784");
    }

    @Test
    void invalidSampleCount() {
        Outcome o = run("eval", MODELS.resolve("mlp.onnx").toString(), "--data", DATA.resolve("mnist-test.npz").toString(), "--samples", "0");
        assertOneLineError(o, "--samples must be >= 1");
    }

    @Test
    void cutOutOfRange() {
        Outcome o = run("eval", MODELS.resolve("mlp.onnx").toString(), "--data", DATA.resolve("mnist-test.npz").toString(), "--cut", "99");
        assertOneLineError(o, "cut 99 is out of range");
        Outcome s = run("split", MODELS.resolve("mlp.onnx").toString(), "--cut", "-1", "--out", "unused");
        assertOneLineError(s, "cut -1 is out of range");
    }

    @Test
    void unknownOptionIsAUsageError() {
        Outcome o = run("inspect", MODELS.resolve("cnn.onnx").toString(), "--frobnicate");
        assertThat(o.status()).isEqualTo(Main.EXIT_USAGE);
        assertThat(o.err()).startsWith("qpart: Unknown option: '--frobnicate'").doesNotContain("\tat ");
    }
}
