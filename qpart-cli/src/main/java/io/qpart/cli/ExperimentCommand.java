package io.qpart.cli;

import io.qpart.cli.report.Csv;
import io.qpart.cli.report.HtmlPage;
import io.qpart.cli.report.Provenance;
import io.qpart.core.cost.ChannelProfile;
import io.qpart.core.cost.CostModel;
import io.qpart.core.cost.DeviceProfile;
import io.qpart.core.cost.ObjectiveWeights;
import io.qpart.core.cost.Profiles;
import io.qpart.core.cost.ServerProfile;
import io.qpart.core.table.PlanTable;
import io.qpart.serve.json.Json;
import io.qpart.serve.json.TableCodec;
import io.qpart.serve.model.LoadedModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code qpart experiment NAME}: the studies of SPEC §9 on a model's table, each with CSV, JSON, SVG plots and an HTML report. */
@Command(name = "experiment", mixinStandardHelpOptions = true,
        description = {"Run one study of SPEC §9 on a model's table and write CSV, JSON, SVG plots and one HTML report:",
                "partition (objective against the cut), channel (rate swept 1 Mbit/s to 1 Gbit/s), device (MAC rate swept),",
                "budget (payload and drop against the accuracy budget, every baseline), fading (Rayleigh channel, 10 Hz Doppler).",
                "Profiles and weights are this project's defaults, not the paper's (docs/decision.md)."},
        subcommands = {PartitionExperiment.class, ChannelExperiment.class, DeviceExperiment.class, BudgetExperiment.class,
                FadingExperiment.class})
final class ExperimentCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                "expected an experiment name: partition, channel, device, budget or fading");
    }

    /** Options and plumbing shared by every experiment. */
    abstract static class Base implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        Common common;

        @Option(names = "--model", required = true, paramLabel = "M",
                description = "A bundled model name (mlp, cnn, resnet, dwcnn, vit: models/M.onnx) or a path to an .onnx file.")
        String model;

        @Option(names = "--table", paramLabel = "T", description = "The model's table (default: M.qpt beside the model).")
        Path table;

        @Option(names = "--out", paramLabel = "DIR", description = "Output folder (default: qpart-report/experiment-NAME-M).")
        Path out;

        @Option(names = "--device", paramLabel = "NAME", description = "Device profile: iot, phone, jetson (default: ${DEFAULT-VALUE}).")
        String device = "phone";

        @Option(names = "--channel", paramLabel = "NAME", description = "Channel profile: nbiot, lte, wifi, 5g (default: ${DEFAULT-VALUE}).")
        String channel = "lte";

        @Option(names = "--server", paramLabel = "NAME", description = "Server profile (default: ${DEFAULT-VALUE}).")
        String server = "edge";

        @Option(names = "--drop", paramLabel = "FRACTION", description = "Accuracy budget Δa as a fraction (default: ${DEFAULT-VALUE}, one percentage point).")
        double drop = 0.01;

        @Option(names = "--weights", paramLabel = "W,X,D,E", split = ",",
                description = "Objective weights ω (1/s), ξ (1/J), δ (1/cost unit), ε (1/bit) (default: 1,1,0,0).")
        double[] weights = {1, 1, 0, 0};

        @Option(names = "--head-held", description = "The device already holds every head it needs (steady state): downloads cost nothing.")
        boolean headHeld;

        @Option(names = "--seed", paramLabel = "S", description = "Seed of every random draw (default: ${DEFAULT-VALUE}).")
        long seed = 1;

        PlanTable planTable;
        Path modelFile;
        Path tableFile;
        String modelName;
        String modelSha;

        abstract String name();

        abstract void run(Output o) throws Exception;

        @Override
        public final Integer call() throws Exception {
            resolve();
            Path dir = out != null ? out : Path.of("qpart-report", "experiment-" + name() + "-" + modelName);
            Files.createDirectories(dir);
            Output o = new Output(dir, this);
            run(o);
            return 0;
        }

        void resolve() {
            boolean isPath = model.endsWith(".onnx") || model.contains("/") || model.contains("\\");
            modelFile = isPath ? Path.of(model) : Path.of("models", model + ".onnx");
            modelName = LoadedModel.nameOf(modelFile);
            tableFile = table != null ? table : modelFile.resolveSibling(modelName + ".qpt");
            if (!Files.isRegularFile(tableFile)) {
                throw new IllegalArgumentException(tableFile + ": no such table; expected a table built by 'qpart table' (pass --table FILE)");
            }
            planTable = TableCodec.read(tableFile);
            modelSha = planTable.modelSha256();
            if (Files.isRegularFile(modelFile)) {
                try {
                    String sha = Provenance.sha256(modelFile);
                    if (!sha.equals(modelSha)) {
                        throw new IllegalArgumentException(tableFile + ": is the table of another model (sha256 " + modelSha.substring(0, 12)
                                + "...), not of " + modelFile + " (" + sha.substring(0, 12) + "...)");
                    }
                } catch (IOException e) {
                    throw new IllegalArgumentException(modelFile + ": cannot read: " + e.getMessage());
                }
            }
            if (weights.length != 4) {
                throw new IllegalArgumentException("--weights expects four numbers ω,ξ,δ,ε, found " + weights.length);
            }
        }

        ObjectiveWeights objectiveWeights() {
            return new ObjectiveWeights(weights[0], weights[1], weights[2], weights[3]);
        }

        DeviceProfile deviceProfile() {
            return Profiles.device(device);
        }

        ChannelProfile channelProfile() {
            return Profiles.channel(channel);
        }

        ServerProfile serverProfile() {
            return Profiles.server(server);
        }

        CostModel costModel() {
            return new CostModel(deviceProfile(), channelProfile(), serverProfile(), objectiveWeights());
        }

        Scenario scenario() {
            return new Scenario(planTable, drop, headHeld);
        }

        /** Parameters every report lists. */
        Map<String, Object> parameters() {
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("model", modelName);
            p.put("table", tableFile.toString());
            p.put("device", device);
            p.put("channel", channel);
            p.put("server", server);
            p.put("maxAccuracyDrop", drop);
            Map<String, Object> w = new LinkedHashMap<>();
            w.put("omega", weights[0]);
            w.put("xi", weights[1]);
            w.put("delta", weights[2]);
            w.put("epsilon", weights[3]);
            p.put("weights", w);
            p.put("headHeld", headHeld);
            return p;
        }

        String commandLine() {
            List<String> args = spec.root().commandLine().getParseResult().originalArgs();
            return Provenance.commandLine("qpart", args);
        }

        PrintWriter stdout() {
            return spec.commandLine().getOut();
        }

        /** The objective's axis title for the current weights. */
        String objectiveLabel() {
            return String.format(Locale.ROOT, "objective J (ω=%s/s, ξ=%s/J, δ=%s, ε=%s/bit)", g(weights[0]), g(weights[1]), g(weights[2]), g(weights[3]));
        }

        static String g(double v) {
            return v == Math.rint(v) && Math.abs(v) < 1e15 ? String.valueOf((long) v) : String.valueOf(v);
        }
    }

    /** Collects an experiment's files: CSV tables, SVG plots, one JSON result and one HTML report. */
    static final class Output {
        final Path dir;
        private final Base exp;
        private final List<String> files = new ArrayList<>();
        final HtmlPage page;

        Output(Path dir, Base exp) {
            this.dir = dir;
            this.exp = exp;
            this.page = new HtmlPage("QPART-J experiment: " + exp.name() + " (" + exp.modelName + ")");
        }

        void csv(String stem, Csv csv) throws IOException {
            csv.write(dir.resolve(stem + ".csv"));
            files.add(stem + ".csv");
        }

        /** Writes the plot as {@code stem.svg} and puts it in the page. */
        void plot(String stem, io.qpart.cli.report.SvgPlot plot, String caption) throws IOException {
            String svg = plot.render();
            Files.writeString(dir.resolve(stem + ".svg"), svg);
            files.add(stem + ".svg");
            page.figure(svg, caption);
        }

        /** Writes {@code NAME.json} (parameters, results, summary, provenance) and {@code report.html}; prints where. */
        void finish(Map<String, Object> results, Map<String, Object> summary, Map<String, Path> extraFiles, Map<String, String> seeds)
                throws IOException {
            Map<String, Path> hashed = new LinkedHashMap<>();
            if (Files.isRegularFile(exp.modelFile)) {
                hashed.put("model " + exp.modelFile, exp.modelFile);
            }
            hashed.put("table " + exp.tableFile, exp.tableFile);
            hashed.putAll(extraFiles);
            Map<String, String> extra = new LinkedHashMap<>();
            extra.put("model (recorded in the table)", exp.modelSha);
            Map<String, String> seedsOrNone = seeds.isEmpty() ? Map.of("none", "this experiment draws nothing at random") : seeds;
            Provenance prov = Provenance.collect(exp.commandLine(), hashed, extra, seedsOrNone, new Main.Version().getVersion()[0]);
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("experiment", exp.name());
            j.put("parameters", exp.parameters());
            j.put("summary", summary);
            j.put("results", results);
            j.put("provenance", prov.toJson());
            Files.writeString(dir.resolve(exp.name() + ".json"), Json.write(j) + "\n");
            files.add(exp.name() + ".json");
            files.add("report.html");
            page.h2("Files");
            page.list(files);
            page.provenance(prov);
            page.write(dir.resolve("report.html"));
            exp.stdout().printf("wrote %s (report.html, %d files)%n", dir, files.size());
        }

        /** The parameters as a two-column table. */
        void parametersTable(Map<String, Object> extra) {
            List<List<String>> rows = new ArrayList<>();
            Map<String, Object> all = new LinkedHashMap<>(exp.parameters());
            all.putAll(extra);
            all.forEach((k, v) -> rows.add(List.of(k, String.valueOf(v))));
            page.h2("Setup");
            page.table(List.of("parameter", "value"), rows);
            page.raw("<p class=\"note\">Device, channel and server profiles and the objective weights are this project's defaults, "
                    + "not the paper's (docs/decision.md). Costs follow SPEC §5; decisions are the online planner's (SPEC §7, Algorithm 2).</p>");
        }
    }
}
