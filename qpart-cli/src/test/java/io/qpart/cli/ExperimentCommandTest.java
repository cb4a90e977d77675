package io.qpart.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.qpart.core.cost.ChannelProfile;
import io.qpart.core.cost.CostModel;
import io.qpart.core.cost.Profiles;
import io.qpart.core.table.Decision;
import io.qpart.core.table.PlanTable;
import io.qpart.core.table.Planner;
import io.qpart.core.table.Strategy;
import io.qpart.core.table.TableCut;
import io.qpart.core.table.TableEntry;
import io.qpart.serve.json.Json;
import io.qpart.serve.json.Query;
import io.qpart.serve.json.TableCodec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.qpart.cli.CliErrorsTest.DATA;
import static io.qpart.cli.CliErrorsTest.MODELS;
import static io.qpart.cli.CliErrorsTest.assertOneLineError;
import static io.qpart.cli.CliErrorsTest.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The experiments on bundled models: files written, CSV readable, numbers the planner agrees with. */
class ExperimentCommandTest {
    static final String CNN = MODELS.resolve("cnn.onnx").toString();

    /** A CSV file (RFC 4180: quoted fields may hold commas and doubled quotes) as rows of column name to text. */
    static List<Map<String, String>> readCsv(Path f) throws Exception {
        List<String> lines = Files.readAllLines(f);
        List<String> header = fields(lines.get(0));
        List<Map<String, String>> out = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            List<String> v = fields(line);
            assertThat(v).as("columns in '%s'", line).hasSize(header.size());
            Map<String, String> m = new LinkedHashMap<>();
            for (int i = 0; i < v.size(); i++) {
                m.put(header.get(i), v.get(i));
            }
            out.add(m);
        }
        return out;
    }

    private static List<String> fields(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    cur.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    cur.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                out.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        out.add(cur.toString());
        return out;
    }

    static void assertReport(Path dir, String name, String... svgs) throws Exception {
        assertThat(dir.resolve(name + ".csv")).isRegularFile();
        JsonNode j = Json.MAPPER.readTree(dir.resolve(name + ".json").toFile());
        assertThat(j.get("experiment").asText()).isEqualTo(name);
        assertThat(j.at("/provenance/command").asText()).startsWith("qpart experiment " + name);
        assertThat(j.at("/provenance/sha256").toString()).contains(TableCodec.read(MODELS.resolve("cnn.qpt")).modelSha256());
        String html = Files.readString(dir.resolve("report.html"));
        assertThat(html).contains("<svg", "Provenance", "git commit", "qpart experiment " + name).doesNotContain("<script", "src=\"http", "href=\"http");
        for (String s : svgs) {
            assertThat(dir.resolve(s + ".svg")).isRegularFile();
            assertThat(Files.readString(dir.resolve(s + ".svg"))).startsWith("<svg").contains("</svg>");
        }
    }

    static PlanTable cnnTable() {
        return TableCodec.read(MODELS.resolve("cnn.qpt"));
    }

    @Test
    void partitionMarksTheCutThatPlanChooses(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("p");
        CliErrorsTest.Outcome o = run("experiment", "partition", "--model", CNN, "--out", out.toString(), "--channel", "wifi");
        assertThat(o.status()).as(o.err()).isZero();
        assertReport(out, "partition", "objective", "latency", "energy", "payload");
        Path q = dir.resolve("q.json");
        Files.writeString(q, "{\"model\": \"cnn\", \"maxAccuracyDrop\": 0.01, \"device\": \"phone\", \"channel\": \"wifi\"}");
        JsonNode plan = CliCommandsTest.json(run("plan", "--table", MODELS.resolve("cnn.qpt").toString(), "--query", q.toString(), "--json"));
        List<Map<String, String>> rows = readCsv(out.resolve("partition.csv"));
        List<Map<String, String>> chosen = rows.stream().filter(r -> r.get("strategy").equals("qpart") && r.get("chosen").equals("true")).toList();
        assertThat(chosen).hasSize(1);
        assertThat(Integer.parseInt(chosen.get(0).get("cut"))).isEqualTo(plan.get("cut").asInt());
        assertThat(Double.parseDouble(chosen.get(0).get("objective"))).isCloseTo(plan.get("objective").asDouble(), within(1e-15));
        // the chosen cut is the cheapest of the per-cut rows
        double min = rows.stream().filter(r -> r.get("strategy").equals("qpart")).mapToDouble(r -> Double.parseDouble(r.get("objective"))).min()
                .orElseThrow();
        assertThat(Double.parseDouble(chosen.get(0).get("objective"))).isEqualTo(min);
        // server-only exists at cut 0 only, device-only at the last cut only
        assertThat(rows.stream().filter(r -> r.get("strategy").equals("server-only")).map(r -> r.get("cut")).toList()).containsExactly("0");
        int last = cnnTable().cuts().size() - 1;
        assertThat(rows.stream().filter(r -> r.get("strategy").equals("device-only")).map(r -> r.get("cut")).toList()).containsExactly("" + last);
    }

    @Test
    void channelSweepAgreesWithThePlannerAndLocatesTheMoves(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("c");
        CliErrorsTest.Outcome o = run("experiment", "channel", "--model", CNN, "--out", out.toString(), "--points", "9", "--head-held");
        assertThat(o.status()).as(o.err()).isZero();
        assertReport(out, "channel", "cut", "objective", "latency", "energy");
        List<Map<String, String>> rows = readCsv(out.resolve("channel.csv"));
        assertThat(rows).hasSize(9 * Strategy.values().length);
        PlanTable t = cnnTable();
        Set<String> heads = new HashSet<>();
        for (TableCut c : t.cuts()) {
            for (TableEntry e : c.entries()) {
                heads.add(e.headId());
            }
        }
        for (Map<String, String> r : rows) {
            if (!r.get("strategy").equals("qpart")) {
                continue;
            }
            double rate = Double.parseDouble(r.get("downlinkBitsPerSecond"));
            assertThat(Double.parseDouble(r.get("uplinkBitsPerSecond"))).isEqualTo(rate);
            Decision d = Planner.plan(t, at(rate), 0.01, heads, Strategy.QPART, -1);
            assertThat(Integer.parseInt(r.get("cut"))).as("rate %s", rate).isEqualTo(d.cut());
            assertThat(Double.parseDouble(r.get("objective"))).isCloseTo(d.cost().objective(), within(1e-15));
        }
        List<Map<String, String>> moves = readCsv(out.resolve("channel-transitions.csv")).stream()
                .filter(r -> r.get("strategy").equals("qpart")).toList();
        assertThat(moves).isNotEmpty();
        for (Map<String, String> m : moves) {
            double x = Double.parseDouble(m.get("downlinkBitsPerSecond"));
            assertThat(Planner.plan(t, at(x * 0.999), 0.01, heads, Strategy.QPART, -1).cut()).isEqualTo(Integer.parseInt(m.get("fromCut")));
            assertThat(Planner.plan(t, at(x * 1.001), 0.01, heads, Strategy.QPART, -1).cut()).isEqualTo(Integer.parseInt(m.get("toCut")));
        }
    }

    private static CostModel at(double rate) {
        return new CostModel(Profiles.device("phone"), new ChannelProfile("r", rate, rate), Profiles.server("edge"), Query.DEFAULT_WEIGHTS);
    }

    @Test
    void deviceSweepWritesEveryStrategyAtEveryPoint(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("d");
        CliErrorsTest.Outcome o = run("experiment", "device", "--model", CNN, "--out", out.toString(), "--points", "5", "--channel", "wifi");
        assertThat(o.status()).as(o.err()).isZero();
        assertReport(out, "device", "cut", "objective");
        List<Map<String, String>> rows = readCsv(out.resolve("device.csv"));
        assertThat(rows).hasSize(5 * Strategy.values().length);
        assertThat(rows.get(0).get("deviceMacsPerSecond")).isEqualTo("1000000.0");
        assertThat(rows.get(rows.size() - 1).get("deviceMacsPerSecond")).isEqualTo("1.0E12");
        // without held heads the planner's own choice is reported: cross-check one point
        PlanTable t = cnnTable();
        Map<String, String> r = rows.stream().filter(x -> x.get("strategy").equals("uniform8")).findFirst().orElseThrow();
        var dev = io.qpart.core.cost.DeviceProfile.fromMacRate("phone", 1e6, Profiles.device("phone").joulesPerMac(), 1.0, 0.6,
                Profiles.device("phone").memoryBytes());
        Decision d = Planner.plan(t, new CostModel(dev, Profiles.channel("wifi"), Profiles.server("edge"), Query.DEFAULT_WEIGHTS), 0.01, Set.of(),
                Strategy.UNIFORM8, -1);
        assertThat(Integer.parseInt(r.get("cut"))).isEqualTo(d.cut());
        assertThat(Double.parseDouble(r.get("objective"))).isCloseTo(d.cost().objective(), within(1e-15));
    }

    @Test
    void budgetMeasuresAsPlanVerifyDoes(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("b");
        Path data = DATA.resolve("mnist-test-100.npy");
        CliErrorsTest.Outcome o = run("experiment", "budget", "--model", CNN, "--out", out.toString(), "--data", data.toString());
        assertThat(o.status()).as(o.err()).isZero();
        assertReport(out, "budget", "payload", "measured-drop", "predicted-drop");
        List<Map<String, String>> rows = readCsv(out.resolve("budget.csv"));
        PlanTable t = cnnTable();
        assertThat(rows).hasSize(t.drops().length * Strategy.values().length);
        int last = t.cuts().size() - 1;
        Map<String, String> q = rows.stream().filter(r -> r.get("strategy").equals("qpart") && r.get("maxAccuracyDrop").equals("0.01")).findFirst()
                .orElseThrow();
        assertThat(q.get("cut")).isEqualTo("" + last);
        Path query = dir.resolve("q.json");
        Files.writeString(query, "{\"model\": \"cnn\", \"maxAccuracyDrop\": 0.01}");
        JsonNode plan = CliCommandsTest.json(run("plan", "--table", MODELS.resolve("cnn.qpt").toString(), "--query", query.toString(), "--cut",
                "" + last, "--verify", "--model", CNN, "--data", data.toString(), "--json"));
        assertThat(Long.parseLong(q.get("downloadBytes"))).isEqualTo(plan.get("downloadBytes").asLong());
        assertThat(Double.parseDouble(q.get("measuredDrop"))).isEqualTo(plan.get("measuredDrop").asDouble());
        assertThat(Double.parseDouble(q.get("payloadPercent"))).isCloseTo(100.0 * plan.get("downloadBytes").asLong()
                / plan.get("fp32DownloadBytes").asLong(), within(1e-9));
        // float32 strategies lose nothing
        rows.stream().filter(r -> r.get("strategy").equals("partition-only")).forEach(r -> assertThat(Double.parseDouble(r.get("measuredDrop")))
                .isEqualTo(0.0));
    }

    @Test
    void budgetWithoutMeasuringLeavesTheColumnEmpty(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("b");
        CliErrorsTest.Outcome o = run("experiment", "budget", "--model", CNN, "--out", out.toString(), "--no-measure", "--cut", "best");
        assertThat(o.status()).as(o.err()).isZero();
        List<Map<String, String>> rows = readCsv(out.resolve("budget.csv"));
        assertThat(rows).allSatisfy(r -> assertThat(r.get("measuredDrop")).isEmpty());
        assertThat(out.resolve("measured-drop.svg")).doesNotExist();
    }

    @Test
    void fadingIsReproducibleForASeed(@TempDir Path dir) throws Exception {
        String[] common = {"experiment", "fading", "--model", CNN, "--channel", "wifi", "--head-held", "--requests", "400"};
        Path a = dir.resolve("a");
        Path b = dir.resolve("b");
        Path c = dir.resolve("c");
        assertThat(run(concat(common, "--out", a.toString(), "--seed", "7")).status()).isZero();
        assertThat(run(concat(common, "--out", b.toString(), "--seed", "7")).status()).isZero();
        assertThat(run(concat(common, "--out", c.toString(), "--seed", "8")).status()).isZero();
        assertReport(a, "fading", "ratio-ccdf", "rate", "cut");
        assertThat(Files.readString(a.resolve("fading.csv"))).isEqualTo(Files.readString(b.resolve("fading.csv")));
        assertThat(Files.readString(a.resolve("fading.csv"))).isNotEqualTo(Files.readString(c.resolve("fading.csv")));
        JsonNode ja = Json.MAPPER.readTree(a.resolve("fading.json").toFile());
        JsonNode jb = Json.MAPPER.readTree(b.resolve("fading.json").toFile());
        assertThat(ja.get("summary")).isEqualTo(jb.get("summary"));
        List<Map<String, String>> rows = readCsv(a.resolve("fading.csv"));
        assertThat(rows).hasSize(400);
        int worse = 0;
        for (Map<String, String> r : rows) {
            double ratio = Double.parseDouble(r.get("ratio"));
            assertThat(ratio).isGreaterThanOrEqualTo(1 - 1e-12);
            if (ratio > 1 + 1e-9) {
                worse++;
            }
        }
        assertThat(ja.at("/summary/worse").asInt()).isEqualTo(worse);
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void badArgumentsGiveOneLine(@TempDir Path dir) {
        String o = dir.resolve("x").toString();
        assertOneLineError(run("experiment", "partition", "--model", "nosuchmodel", "--out", o), "nosuchmodel.qpt", "no such table");
        assertOneLineError(run("experiment", "partition", "--model", CNN, "--drop", "1.5", "--out", o), "(0, 1)");
        assertOneLineError(run("experiment", "partition", "--model", CNN, "--drop", "0.0001", "--out", o), "below the table's grid");
        assertOneLineError(run("experiment", "channel", "--model", CNN, "--points", "1", "--out", o), "--points must be >= 2");
        assertOneLineError(run("experiment", "channel", "--model", CNN, "--min-rate", "0", "--out", o), "0 < low < high");
        assertOneLineError(run("experiment", "budget", "--model", CNN, "--cut", "99", "--no-measure", "--out", o), "cut 99 is out of range");
        assertOneLineError(run("experiment", "budget", "--model", CNN, "--cut", "middle", "--no-measure", "--out", o), "'middle'");
        assertOneLineError(run("experiment", "partition", "--model", CNN, "--device", "toaster", "--out", o), "toaster");
        assertOneLineError(run("experiment", "partition", "--model", CNN, "--weights", "1,2", "--out", o), "four numbers");
        assertOneLineError(run("experiment", "fading", "--model", CNN, "--doppler-hz", "0", "--out", o), "Doppler");
        assertOneLineError(run("experiment", "partition", "--model", MODELS.resolve("mlp.onnx").toString(), "--table",
                MODELS.resolve("cnn.qpt").toString(), "--out", o), "table of another model");
        CliErrorsTest.Outcome none = run("experiment");
        assertThat(none.status()).isEqualTo(Main.EXIT_USAGE);
        assertThat(none.err()).startsWith("qpart: expected an experiment name").doesNotContain("\tat ");
    }

    @Test
    void rayleighGainHasUnitMeanAndTheErgodicCapacityIsRight() {
        assertThat(RayleighFading.e1(1)).isCloseTo(0.21938393439552, within(1e-12));
        assertThat(RayleighFading.e1(0.01)).isCloseTo(4.0379295765381, within(1e-10));
        assertThat(RayleighFading.e1(5)).isCloseTo(0.0011482955912754, within(1e-14));
        RayleighFading f = new RayleighFading(10, 32, 3);
        int n = 200_000;
        double mean = 0;
        double cap = 0;
        double snr = 100;
        for (int i = 0; i < n; i++) {
            double g = f.powerGain(i * 0.005);
            mean += g;
            cap += Math.log1p(snr * g) / Math.log(2);
        }
        assertThat(mean / n).isCloseTo(1.0, within(0.03));
        assertThat(cap / n).isCloseTo(RayleighFading.meanLog2Capacity(snr), within(0.05));
        assertThat(new RayleighFading(10, 32, 3).powerGain(1.234)).isEqualTo(f.powerGain(1.234));
    }
}
