package io.qpart.cli;

import io.qpart.serve.json.TableCodec;
import io.qpart.serve.json.Query;
import io.qpart.serve.json.Json;
import com.fasterxml.jackson.databind.JsonNode;
import io.qpart.core.table.HeadTensor;
import io.qpart.core.table.PlanTable;
import io.qpart.core.table.TableCut;
import io.qpart.core.table.TableEntry;
import io.qpart.core.wire.TensorSpec;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The table file format (golden file) and query validation. */
class TableAndQueryTest {
    static final Path GOLDEN = Path.of("src/test/resources/golden/table-v1.qpt");

    /** A small, fully determined table: two cuts, two accuracy levels. */
    static PlanTable sample() {
        List<HeadTensor> none = List.of();
        List<HeadTensor> head = List.of(new HeadTensor("w1", new long[]{4, 3}, true), new HeadTensor("b1", new long[]{4}, false));
        TreeMap<String, String> meta = new TreeMap<>(Map.of("crossing", "h", "model.sha256", "ab".repeat(32)));
        TableCut c0 = new TableCut(0, List.of("x"), 3, 0, 16, "tiny", new TreeMap<>(), 0, none,
                List.of(new TensorSpec("x", new long[]{1, 3}, 32)), Map.of(), new double[]{2.5, 1.25}, List.of(
                new TableEntry(0.005, 8, Map.of(), 1, 0.0001, 0, 0, 40, "")));
        TableCut c1 = new TableCut(1, List.of("h"), 4, 16, 0, "tiny", meta, 123, head,
                List.of(new TensorSpec("h", new long[]{1, 4}, 32)), Map.of("w1", new double[]{300, 150}), new double[]{8, 4}, List.of(
                new TableEntry(0.005, 6, Map.of("w1", 5), 0.7, 0.004, 0.003, 321, 43, "cd".repeat(32)),
                new TableEntry(0.01, 4, Map.of("w1", 4), 1.4, 0.008, 0.0065, 300, 42, "ef".repeat(32))));
        return new PlanTable(PlanTable.VERSION, "tiny", "ab".repeat(32), Map.of("seed", "7", "dataSha256", "00".repeat(32)),
                new double[]{0.005, 0.01}, List.of(c0, c1));
    }

    @Test
    void goldenTableDecodesAndReencodesByteForByte() throws Exception {
        byte[] encoded = TableCodec.encode(sample());
        if (Boolean.getBoolean("qpart.golden.write")) {
            Files.write(GOLDEN, encoded);
        }
        byte[] golden = Files.readAllBytes(GOLDEN);
        assertThat(encoded).isEqualTo(golden);
        PlanTable back = TableCodec.decode(golden, "golden");
        assertThat(TableCodec.encode(back)).isEqualTo(golden);
        assertThat(back.cuts().get(1).entries().get(1).bits()).containsEntry("w1", 4);
    }

    @Test
    void otherFilesAreNotTables() {
        assertThatThrownBy(() -> TableCodec.decode("{\"format\": \"qpart-calibration\"}".getBytes(), "x.qpt"))
                .hasMessageStartingWith("x.qpt: not a table");
        assertThatThrownBy(() -> TableCodec.decode("{\"format\": \"qpart-table\", \"version\": 9}".getBytes(), "x.qpt"))
                .hasMessageContaining("version 9 is not supported");
        assertThatThrownBy(() -> TableCodec.decode("not json".getBytes(), "x.qpt")).hasMessageStartingWith("x.qpt: not a table");
        String truncated = new String(TableCodec.encode(sample())).replace("\"headMacs\"", "\"headMacz\"");
        assertThatThrownBy(() -> TableCodec.decode(truncated.getBytes(), "x.qpt")).hasMessageContaining("missing field 'headMacs'");
    }

    static Query parse(String json) throws Exception {
        return Query.parse(Json.MAPPER.readTree(json), "q.json");
    }

    @Test
    void queriesTakeDefaultsAndInlineProfiles() throws Exception {
        Query q = parse("{\"model\": \"cnn\", \"maxAccuracyDrop\": 0.01}");
        assertThat(q.device().name()).isEqualTo("phone");
        assertThat(q.channel().name()).isEqualTo("lte");
        Query inline = parse("{\"model\": \"cnn\", \"maxAccuracyDrop\": 0.005, \"device\": {\"macsPerSecond\": 1e9, \"transmitPowerWatts\": 1,"
                + " \"receivePowerWatts\": 0.5}, \"channel\": {\"bandwidthHz\": 1e6, \"snr\": 15}, \"weights\": {\"omega\": 2}}");
        assertThat(inline.device().macsPerSecond()).isEqualTo(1e9);
        assertThat(inline.channel().uplinkBitsPerSecond()).isCloseTo(4e6, org.assertj.core.data.Offset.offset(1.0));
        assertThat(inline.weights().omegaPerSecond()).isEqualTo(2);
    }

    @Test
    void impossibleQueriesAreRefused() {
        assertThatThrownBy(() -> parse("{\"model\": \"cnn\", \"maxAccuracyDrop\": 1.5}")).hasMessageContaining("(0, 1)");
        assertThatThrownBy(() -> parse("{\"model\": \"cnn\", \"maxAccuracyDrop\": 0.01, \"colour\": 1}")).hasMessageContaining("unknown field 'colour'");
        assertThatThrownBy(() -> parse("{\"maxAccuracyDrop\": 0.01}")).hasMessageContaining("'model' is required");
        assertThatThrownBy(() -> parse("{\"model\": \"cnn\", \"maxAccuracyDrop\": 0.01, \"channel\": {\"uplinkBitsPerSecond\": -5,"
                + " \"downlinkBitsPerSecond\": 1e6}}")).hasMessageContaining("uplinkBitsPerSecond").hasMessageContaining("> 0");
        assertThatThrownBy(() -> parse("{\"model\": \"cnn\", \"maxAccuracyDrop\": 0.01, \"device\": \"toaster\"}")).hasMessageContaining("toaster");
    }

    @Test
    void planOnTheGoldenTablePicksAVerifiedEntryAndRefusesAnotherModel(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path q = dir.resolve("q.json");
        Files.writeString(q, "{\"model\": \"tiny\", \"maxAccuracyDrop\": 0.012, \"channel\": \"nbiot\"}");
        CliErrorsTest.Outcome o = CliErrorsTest.run("plan", "--table", GOLDEN.toString(), "--query", q.toString(), "--json");
        JsonNode j = CliCommandsTest.json(o);
        assertThat(j.get("strategy").asText()).isEqualTo("qpart");
        assertThat(j.get("predictedDrop").asDouble()).isLessThanOrEqualTo(0.01);
        for (String f : new String[]{"cut", "bits", "activationBits", "calibrationDrop", "downloadBytes", "fp32DownloadBytes", "uploadBytes",
                "latencySeconds", "deviceEnergyJoules", "serverCost", "objective"}) {
            assertThat(j.has(f)).as(f).isTrue();
        }
        Files.writeString(q, "{\"model\": \"cnn\", \"maxAccuracyDrop\": 0.01}");
        CliErrorsTest.assertOneLineError(CliErrorsTest.run("plan", "--table", GOLDEN.toString(), "--query", q.toString()), "asks for model 'cnn'");
    }

    @Test
    void tableRecordsItsVerificationAndVersionAndSkipsLevelsItCannotCertify(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path out = dir.resolve("mlp.qpt");
        CliErrorsTest.Outcome o = CliErrorsTest.run("table", CliErrorsTest.MODELS.resolve("mlp.onnx").toString(), "--calibration",
                CliErrorsTest.MODELS.resolve("mlp.cal.json").toString(), "--data", CliErrorsTest.DATA.resolve("mnist-cal.npz").toString(),
                "--samples", "300", "--drops", "0.001,0.02", "--out", out.toString(), "--json");
        assertThat(o.status()).as("stderr: %s", o.err()).isZero();
        // 300 digits certify at best z^2 / (300 + z^2) = 0.89% at 95%: the 0.1% level is warned about and left empty
        assertThat(o.err()).contains("dA 0.10%").contains("no entries");
        PlanTable t = TableCodec.decode(Files.readAllBytes(out), out.toString());
        assertThat(t.provenance()).containsEntry("verificationSamples", "300").containsKey("verification");
        assertThat(t.provenance().get("qpart")).isNotBlank().isNotEqualTo("null");
        for (TableCut c : t.cuts()) {
            assertThat(c.entries()).allSatisfy(e -> assertThat(e.drop()).isEqualTo(0.02));
        }
        assertThat(t.cuts().get(t.cuts().size() - 1).entries()).isNotEmpty();
        assertThat(CliErrorsTest.run("table", CliErrorsTest.MODELS.resolve("mlp.onnx").toString(), "--calibration",
                CliErrorsTest.MODELS.resolve("mlp.cal.json").toString(), "--data", CliErrorsTest.DATA.resolve("mnist-cal.npz").toString(),
                "--confidence", "1.5", "--out", out.toString()).err()).contains("--confidence");
    }
}
