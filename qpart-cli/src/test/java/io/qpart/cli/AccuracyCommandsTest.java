package io.qpart.cli;

import io.qpart.serve.json.Json;
import com.fasterxml.jackson.databind.JsonNode;
import io.qpart.onnx.proto.Onnx;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

import static io.qpart.cli.CliErrorsTest.DATA;
import static io.qpart.cli.CliErrorsTest.MODELS;
import static io.qpart.cli.CliErrorsTest.assertOneLineError;
import static io.qpart.cli.CliErrorsTest.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** calibrate, predict and fidelity on the bundled fully connected model, and their bad inputs. */
class AccuracyCommandsTest {
    @TempDir
    static Path dir;
    static Path cal;

    @BeforeAll
    static void calibrateOnce() {
        cal = dir.resolve("mlp-cal.json");
        CliErrorsTest.Outcome o = run("calibrate", MODELS.resolve("mlp.onnx").toString(), "--data", DATA.resolve("mnist-cal.npz").toString(),
                "--out", cal.toString(), "--samples", "200", "--seed", "3", "--json");
        assertThat(o.status()).as(o.err()).isZero();
        // the summary says how many samples the file offered, so that a user sees what was left unused
        assertThat(o.out()).contains("\"samples\" : 200").contains("\"samplesAvailable\" : 2000");
    }

    static JsonNode json(String text) throws IOException {
        return Json.MAPPER.readTree(text);
    }

    @Test
    void theCalibrationFileIsVersionedAndRecordsProvenanceAndTiming() throws IOException {
        JsonNode f = json(Files.readString(cal));
        assertThat(f.get("format").asText()).isEqualTo("qpart-calibration");
        assertThat(f.get("version").asInt()).isEqualTo(2);
        assertThat(f.get("settings").get("fullBits")).isEmpty();
        assertThat(f.get("settings").get("effectiveTolerance").asDouble()).isEqualTo(2.0);
        JsonNode p = f.get("provenance");
        assertThat(p.get("modelSha256").asText()).hasSize(64);
        assertThat(p.get("dataSha256").asText()).hasSize(64);
        assertThat(p.get("seed").asLong()).isEqualTo(3);
        assertThat(p.get("samples").asInt()).isEqualTo(200);
        assertThat(p.get("onnxRuntimeVersion").asText()).isNotEmpty();
        for (String k : new String[]{"calibrationSeconds", "floatPassSeconds", "ratio", "floatAccuracy"}) {
            assertThat(f.get(k).isNumber()).as(k).isTrue();
        }
        assertThat(f.get("tensors")).hasSize(3);
        JsonNode t = f.get("tensors").get(0);
        assertThat(t.get("name").asText()).isEqualTo("fc1.weight");
        assertThat(t.get("t").has("0.0025")).isTrue();
        // each bit-width's drop is measured on its group: 200 samples in four groups
        assertThat(t.get("measuredDrops").get(1).get("bits").asInt()).isEqualTo(3);
        assertThat(t.get("measuredDrops").get(1).get("samples").asInt()).isEqualTo(50);
        assertThat(t.get("lowBitEnergies").get(0).has("effectiveEnergy")).isTrue();
        assertThat(f.get("cuts").get(0).get("tensors").get(0).asText()).isEqualTo("input");
        // decode and encode again: byte for byte
        CalibrationFile back = CalibrationFile.read(cal);
        assertThat(back.toJson() + "\n").isEqualTo(Files.readString(cal));
    }

    @Test
    void predictReportsTheDropAndDOnTheGrid() throws IOException {
        CliErrorsTest.Outcome o = run("predict", "--calibration", cal.toString(), "--cut", "3", "--bits", "5", "--activation-bits", "8", "--json");
        assertThat(o.status()).as(o.err()).isZero();
        JsonNode j = json(o.out());
        assertThat(j.get("cut").asInt()).isEqualTo(3);
        double drop = j.get("predictedDrop").asDouble();
        assertThat(drop).isBetween(0.0, 1.0);
        assertThat(j.get("predictedDropPp").asDouble()).isCloseTo(100 * drop, within(1e-9));
        assertThat(j.get("D").has("0.001")).isTrue();
        assertThat(j.get("D").has("0.02")).isTrue();
        // fewer bits, larger predicted drop
        JsonNode fewer = json(run("predict", "--calibration", cal.toString(), "--cut", "3", "--bits", "3", "--json").out());
        JsonNode more = json(run("predict", "--calibration", cal.toString(), "--cut", "3", "--bits", "8", "--json").out());
        assertThat(fewer.get("predictedDrop").asDouble()).isGreaterThan(more.get("predictedDrop").asDouble());
        CliErrorsTest.Outcome text = run("predict", "--calibration", cal.toString(), "--cut", "1", "--bits", "6");
        assertThat(text.out()).contains("predicted").contains("pp accuracy drop");
    }

    @Test
    void predictRefusesCutsAndTensorsTheFileDoesNotHave() throws IOException {
        assertOneLineError(run("predict", "--calibration", cal.toString(), "--cut", "9", "--bits", "6"), "cut 9 is not in the calibration");
        Path bits = dir.resolve("bits.json");
        Files.writeString(bits, "{\"fc1.weight\": 6, \"conv9.weight\": 4}");
        assertOneLineError(run("predict", "--calibration", cal.toString(), "--cut", "2", "--bits-file", bits.toString()), "conv9.weight",
                "not calibrated weights");
        Path other = dir.resolve("other.json");
        Files.writeString(other, "{\"format\": \"qpart-table\", \"version\": 1}");
        assertOneLineError(run("predict", "--calibration", other.toString(), "--cut", "1", "--bits", "6"), "expected format 'qpart-calibration'");
        assertOneLineError(run("predict", "--calibration", dir.resolve("missing.json").toString(), "--cut", "1", "--bits", "6"), "no such file");
    }

    @Test
    void fidelityMeasuresWhatEvalMeasures() throws IOException {
        Path out = dir.resolve("fid");
        CliErrorsTest.Outcome o = run("fidelity", MODELS.resolve("mlp.onnx").toString(), "--calibration", cal.toString(),
                "--data", DATA.resolve("mnist-test.npz").toString(), "--samples", "300", "--configs", "4", "--budget-configs", "4",
                "--out", out.toString(), "--json");
        assertThat(o.status()).as(o.err()).isZero();
        JsonNode s = json(o.out());
        int singles = (3 + 4) * 7;
        assertThat(s.get("configurations").asInt()).isEqualTo(singles + 8);
        assertThat(s.get("meanAbsoluteErrorPp").asDouble()).isGreaterThanOrEqualTo(0);
        assertThat(s.get("optimisticFraction").asDouble()).isBetween(0.0, 1.0);
        assertThat(out.resolve("fidelity.png")).exists();
        assertThat(out.resolve("fidelity-zoom.png")).exists();
        assertThat(Files.readAllLines(out.resolve("fidelity.csv"))).hasSize(1 + singles + 8);
        JsonNode all = json(Files.readString(out.resolve("fidelity.json")));
        JsonNode mixed = null;
        for (JsonNode p : all.get("points")) {
            if (p.get("kind").asText().equals("mixed")) {
                mixed = p;
                break;
            }
        }
        assertThat(mixed).isNotNull();
        Path bits = dir.resolve("mixed-bits.json");
        Files.writeString(bits, Json.write(mixed.get("bits")));
        double floatAcc = json(run("eval", MODELS.resolve("mlp.onnx").toString(), "--data", DATA.resolve("mnist-test.npz").toString(),
                "--samples", "300", "--json").out()).get("accuracy").asDouble();
        CliErrorsTest.Outcome e = run("eval", MODELS.resolve("mlp.onnx").toString(), "--data", DATA.resolve("mnist-test.npz").toString(),
                "--samples", "300", "--cut", mixed.get("cut").asText(), "--bits-file", bits.toString(),
                "--activation-bits", mixed.get("activationBits").asText(), "--json");
        assertThat(e.status()).as(e.err()).isZero();
        double acc = json(e.out()).get("accuracy").asDouble();
        assertThat(mixed.get("measuredPp").asDouble()).isCloseTo(100 * (floatAcc - acc), within(1e-9));
    }

    @Test
    void heldOutValidationUsesTheCalibrationFileAndOnlyTheSamplesItLeftOut() throws IOException {
        CliErrorsTest.Outcome o = run("fidelity", MODELS.resolve("mlp.onnx").toString(), "--calibration", cal.toString(),
                "--data", DATA.resolve("mnist-cal.npz").toString(), "--held-out", "--samples", "150", "--no-single",
                "--configs", "2", "--budget-configs", "2", "--json");
        assertThat(o.status()).as(o.err()).isZero();
        JsonNode s = json(o.out());
        assertThat(s.get("heldOut").asBoolean()).isTrue();
        assertThat(s.get("samples").asInt()).isEqualTo(150);
        assertThat(s.get("configurations").asInt()).isEqualTo(4);
        assertOneLineError(run("fidelity", MODELS.resolve("mlp.onnx").toString(), "--calibration", cal.toString(),
                "--data", DATA.resolve("mnist-test.npz").toString(), "--held-out"), "is not the data", "was calibrated on");
    }

    @Test
    void fidelityRefusesTheCalibrationOfAnotherModel() {
        assertOneLineError(run("fidelity", MODELS.resolve("cnn.onnx").toString(), "--calibration", cal.toString(), "--data",
                DATA.resolve("mnist-test.npz").toString()), "made for another model");
    }

    @Test
    void calibrateRefusesDataThatDoesNotFitEmptyDataAndModelsWithoutWeights() throws IOException {
        Path x = dir.resolve("odd.npy");
        Path y = dir.resolve("odd-labels.npy");
        CliErrorsTest.writeNpy(x, "<f4", new long[]{4, 10}, ByteBuffer.allocate(4 * 10 * 4));
        CliErrorsTest.writeNpy(y, "<i8", new long[]{4}, ByteBuffer.allocate(4 * 8));
        assertOneLineError(run("calibrate", MODELS.resolve("mlp.onnx").toString(), "--data", x.toString(), "--labels", y.toString(),
                "--out", dir.resolve("x.json").toString()), "10", "784");
        Path ex = dir.resolve("empty.npy");
        Path ey = dir.resolve("empty-labels.npy");
        CliErrorsTest.writeNpy(ex, "<f4", new long[]{0, 784}, ByteBuffer.allocate(0));
        CliErrorsTest.writeNpy(ey, "<i8", new long[]{0}, ByteBuffer.allocate(0));
        assertOneLineError(run("calibrate", MODELS.resolve("mlp.onnx").toString(), "--data", ex.toString(), "--labels", ey.toString(),
                "--out", dir.resolve("x.json").toString()), "empty");
        Path relu = dir.resolve("relu.onnx");
        Files.write(relu, reluModel().toByteArray());
        Path rx = dir.resolve("r.npy");
        Path ry = dir.resolve("r-labels.npy");
        ByteBuffer v = ByteBuffer.allocate(4 * 4 * 4).order(ByteOrder.LITTLE_ENDIAN);
        CliErrorsTest.writeNpy(rx, "<f4", new long[]{4, 4}, v);
        CliErrorsTest.writeNpy(ry, "<i8", new long[]{4}, ByteBuffer.allocate(4 * 8));
        assertOneLineError(run("calibrate", relu.toString(), "--data", rx.toString(), "--labels", ry.toString(),
                "--out", dir.resolve("x.json").toString()), "no quantizable weight tensor");
        assertOneLineError(run("calibrate", MODELS.resolve("mlp.onnx").toString(), "--data", DATA.resolve("mnist-cal.npz").toString(),
                "--out", dir.resolve("x.json").toString(), "--drops", "2%,abc"), "--drops", "abc");
        assertOneLineError(run("calibrate", MODELS.resolve("mlp.onnx").toString(), "--data", DATA.resolve("mnist-cal.npz").toString(),
                "--out", dir.resolve("x.json").toString(), "--effective-tolerance", "-1"), "--effective-tolerance", "found '-1'");
        assertOneLineError(run("calibrate", MODELS.resolve("mlp.onnx").toString(), "--data", DATA.resolve("mnist-cal.npz").toString(),
                "--out", dir.resolve("x.json").toString(), "--full-bits", "5"), "full-sample bit-widths must be among the low bit-widths", "5");
        assertOneLineError(run("calibrate", MODELS.resolve("mlp.onnx").toString(), "--data", DATA.resolve("mnist-cal.npz").toString(),
                "--out", dir.resolve("x.json").toString(), "--full-bits", "three"), "--full-bits", "three");
    }

    /** input[b, 4] → Relu → output: nothing to quantize. */
    static Onnx.Model reluModel() {
        Onnx.Shape.Builder s = Onnx.Shape.newBuilder().addDim(Onnx.Shape.Dim.newBuilder().setDimParam("batch"))
                .addDim(Onnx.Shape.Dim.newBuilder().setDimValue(4));
        Onnx.Type t = Onnx.Type.newBuilder().setTensorType(Onnx.Type.TensorType.newBuilder().setElemType(1).setShape(s)).build();
        Onnx.Graph g = Onnx.Graph.newBuilder().setName("relu")
                .addInput(Onnx.ValueInfo.newBuilder().setName("x").setType(t))
                .addOutput(Onnx.ValueInfo.newBuilder().setName("y").setType(t))
                .addNode(Onnx.Node.newBuilder().setOpType("Relu").setName("r").addInput("x").addOutput("y")).build();
        return Onnx.Model.newBuilder().setIrVersion(8).addOpsetImport(Onnx.OpsetId.newBuilder().setDomain("").setVersion(17)).setGraph(g).build();
    }
}
