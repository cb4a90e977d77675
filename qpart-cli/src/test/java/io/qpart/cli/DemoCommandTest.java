package io.qpart.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.qpart.core.cost.CostModel;
import io.qpart.core.cost.Profiles;
import io.qpart.core.table.Decision;
import io.qpart.core.table.PlanTable;
import io.qpart.core.table.Planner;
import io.qpart.core.table.Strategy;
import io.qpart.serve.json.Json;
import io.qpart.serve.json.Query;
import io.qpart.serve.json.TableCodec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.qpart.cli.CliErrorsTest.DATA;
import static io.qpart.cli.CliErrorsTest.MODELS;
import static io.qpart.cli.CliErrorsTest.assertOneLineError;
import static io.qpart.cli.CliErrorsTest.run;
import static org.assertj.core.api.Assertions.assertThat;

/** The demo on a reduced setting: one model, one device, one budget, few samples. */
class DemoCommandTest {
    @Test
    void reducedDemoRunsRealSplitInferenceAndWritesTheReport(@TempDir Path dir) throws Exception {
        Path models = dir.resolve("models");
        Files.createDirectories(models);
        Files.copy(MODELS.resolve("cnn.onnx"), models.resolve("cnn.onnx"));
        Files.copy(MODELS.resolve("cnn.qpt"), models.resolve("cnn.qpt"));
        Path out = dir.resolve("report");
        CliErrorsTest.Outcome o = run("demo", "--models", models.toString(), "--data", DATA.resolve("mnist-test.npz").toString(), "--out",
                out.toString(), "--fleet", "phone/lte", "--budgets", "0.01", "--samples", "5", "--accuracy-samples", "100", "--threads", "1");
        assertThat(o.status()).as(o.err()).isZero();
        assertThat(o.out()).contains("Payload:", "Accuracy:", "Against device-only", "Demo time");
        assertThat(o.err()).contains("[1/1] cnn phone/lte 1.0%");
        for (String f : List.of("index.html", "fleet.csv", "demo.json", "latency.svg", "energy.svg", "drop.svg")) {
            assertThat(out.resolve(f)).as(f).isRegularFile();
        }
        assertThat(Files.readString(out.resolve("index.html"))).contains("<svg", "Provenance", "qpart demo --models");
        List<Map<String, String>> rows = ExperimentCommandTest.readCsv(out.resolve("fleet.csv"));
        // QPART, six baselines, and the steady state with a held head
        assertThat(rows.stream().map(r -> r.get("strategy")).toList()).contains("qpart", "server-only", "device-only", "partition-only", "uniform8",
                "uniform-min", "sqnr", "qpart-held");
        PlanTable t = TableCodec.read(MODELS.resolve("cnn.qpt"));
        CostModel cm = new CostModel(Profiles.device("phone"), Profiles.channel("lte"), Profiles.server("edge"), Query.DEFAULT_WEIGHTS);
        Decision d = Planner.plan(t, cm, 0.01, Set.of(), Strategy.QPART, -1);
        Map<String, String> q = rows.stream().filter(r -> r.get("strategy").equals("qpart")).findFirst().orElseThrow();
        assertThat(Integer.parseInt(q.get("cut"))).isEqualTo(d.cut());
        assertThat(Integer.parseInt(q.get("activationBits"))).isEqualTo(d.activationBits());
        assertThat(Double.parseDouble(q.get("objective"))).isEqualTo(d.cost().objective());
        assertThat(q.get("ran")).isEqualTo("true");
        assertThat(Integer.parseInt(q.get("pacedSamples"))).isBetween(3, 5);
        assertThat(q.get("accuracySamples")).isEqualTo("100");
        Map<String, String> held = rows.stream().filter(r -> r.get("strategy").equals("qpart-held")).findFirst().orElseThrow();
        int heldCut = new Scenario(t, 0.01, true).best(Strategy.QPART, cm).cut();
        assertThat(Integer.parseInt(held.get("cut"))).isEqualTo(heldCut).isNotEqualTo(d.cut());
        assertThat(Long.parseLong(held.get("downloadBytes"))).isZero();
        JsonNode j = Json.MAPPER.readTree(out.resolve("demo.json").toFile());
        assertThat(j.get("headline").size()).isGreaterThanOrEqualTo(4);
        assertThat(j.at("/floatAccuracy/cnn").asDouble()).isBetween(0.9, 1.0);
    }

    @Test
    void badFleetGivesOneLine(@TempDir Path dir) {
        assertOneLineError(run("demo", "--fleet", "phone", "--out", dir.toString()), "DEVICE/CHANNEL");
        assertOneLineError(run("demo", "--fleet", "toaster/lte", "--out", dir.toString()), "toaster");
        assertOneLineError(run("demo", "--budgets", "2", "--out", dir.toString()), "(0, 1)");
        assertOneLineError(run("demo", "--models", dir.resolve("none").toString(), "--data", DATA.resolve("mnist-test.npz").toString(), "--out",
                dir.toString()), "expected a folder");
        assertOneLineError(run("demo", "--data", dir.resolve("none.npz").toString(), "--out", dir.toString()), "no such data file");
    }
}
