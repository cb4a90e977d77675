package io.qpart.cli;

import io.qpart.serve.json.TableCodec;
import io.qpart.serve.json.Query;
import io.qpart.serve.json.Json;
import io.qpart.serve.json.DecisionJson;
import io.qpart.core.cost.CostBreakdown;
import io.qpart.core.format.FormatException;
import io.qpart.core.table.Decision;
import io.qpart.core.table.PlanTable;
import io.qpart.core.table.Planner;
import io.qpart.core.table.Strategy;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code qpart plan}: the online decision for one query (SPEC §7, Algorithm 2). */
@Command(name = "plan", mixinStandardHelpOptions = true,
        description = {"Decide the cut, the weight bits and the activation bits for a query, from the model's table.",
                "Strategies: qpart (default) and the baselines server-only, device-only, partition-only, uniform8,",
                "uniform-min, sqnr. --verify measures the decision's real accuracy drop on test data."})
final class PlanCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    Common common;

    @Option(names = "--table", required = true, paramLabel = "MODEL.qpt", description = "The model's table (qpart table).")
    Path table;

    @Option(names = "--query", required = true, paramLabel = "QUERY.json", description = "The query (docs/query.md).")
    Path query;

    @Option(names = "--strategy", paramLabel = "NAME", description = "qpart, server-only, device-only, partition-only, uniform8, uniform-min, sqnr (default: ${DEFAULT-VALUE}).")
    String strategy = "qpart";

    @Option(names = "--cut", paramLabel = "K", description = "Force cut K.")
    Integer cut;

    @Option(names = "--verify", description = "Measure the decision's accuracy drop (needs --model and --data).")
    boolean verify;

    @Option(names = "--model", paramLabel = "MODEL.onnx", description = "The model the table was built from (for --verify).")
    Path model;

    @Option(names = "--data", paramLabel = "FILE", description = "Labelled test data (for --verify).")
    Path data;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @Override
    public Integer call() throws IOException, FormatException {
        PlanTable t = TableCodec.read(table);
        Query q = Query.read(query);
        if (!q.model().equals(t.modelName())) {
            throw new IllegalArgumentException(query + ": asks for model '" + q.model() + "', but " + table + " is the table of '" + t.modelName() + "'");
        }
        if (verify && (model == null || data == null)) {
            throw new IllegalArgumentException("--verify needs --model MODEL.onnx and --data FILE");
        }
        Decision d = Planner.plan(t, q.costModel(), q.maxAccuracyDrop(), q.heldHeads(), Strategy.of(strategy), cut == null ? -1 : cut);
        Double measured = verify ? measure(t, d) : null;
        print(d, q, measured);
        return 0;
    }

    private double measure(PlanTable t, Decision d) throws IOException, FormatException {
        return DropMeter.open(model, data, t, common.threads()).measure(d);
    }

    static Map<String, Object> toJson(Decision d, Double measured) {
        return DecisionJson.toJson(d, measured);
    }

    private void print(Decision d, Query q, Double measured) {
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(Json.write(toJson(d, measured)));
            return;
        }
        CostBreakdown c = d.cost();
        out.printf("strategy   %s%s%n", d.strategy().id(), d.fallback() ? " (nothing met the budget: full offload)" : "");
        out.printf("query      %s, budget %.2f pp (grid %s), device %s, channel %s%n", q.model(), 100 * q.maxAccuracyDrop(),
                Double.isNaN(d.snappedDrop()) ? "below the table's grid" : String.format("%.2f pp", 100 * d.snappedDrop()),
                q.device().name(), q.channel().name());
        out.printf("cut        %d, activation %d bits, weights %s%n", d.cut(), d.activationBits(), d.bits());
        out.printf("accuracy   predicted drop %.2f pp%s%s%n", 100 * d.predictedDrop(),
                Double.isNaN(d.calibrationDrop()) ? "" : String.format(", measured at build %.2f pp", 100 * d.calibrationDrop()),
                measured == null ? "" : String.format(", measured now %.2f pp", 100 * measured));
        out.printf("payload    download %,d bytes (float32 %,d)%s, upload %,d bytes (float32 %,d)%n", d.headHeld() ? 0 : d.downloadBytes(),
                d.fp32DownloadBytes(), d.headHeld() ? " [head already held]" : "", d.uploadBytes(), d.fp32UploadBytes());
        out.printf("latency    %.6f s (download %.6f, device %.6f, upload %.6f, server %.6f)%n", c.totalSeconds(), c.downloadSeconds(),
                c.deviceSeconds(), c.uploadSeconds(), c.serverSeconds());
        out.printf("energy     %.6f J on the device; server cost %.3g; objective %.6g%n", c.deviceEnergyJoules(), c.serverCost(), c.objective());
    }
}
