package io.qpart.cli;

import io.qpart.serve.model.LoadedModel;
import io.qpart.serve.json.Json;
import io.qpart.onnx.graph.Cut;
import io.qpart.onnx.graph.CutAnalysis;
import io.qpart.onnx.graph.ValueProfile;
import io.qpart.onnx.graph.WeightRef;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code qpart inspect}: parameters, MACs, quantizable weights and cuts of a model (SPEC §2, §3). */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = {"Show a model's size, its quantizable weight tensors and every cut: the tensors that cross it,",
                "their elements per sample, MACs per sample on each side and the head's parameters.",
                "Cut 0 is full offload, the last cut full local."})
final class InspectCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    Common common;

    @Parameters(index = "0", paramLabel = "MODEL.onnx", description = "The ONNX model.")
    Path model;

    @Option(names = "--json", description = "Print one JSON object instead of tables.")
    boolean json;

    @Override
    public Integer call() {
        LoadedModel m = LoadedModel.load(model, common.threads());
        PrintWriter out = spec.commandLine().getOut();
        CutAnalysis a = m.analysis();
        if (json) {
            out.println(Json.write(toJson(m)));
            return 0;
        }
        out.printf("model     %s%n", m.file());
        out.printf("sha256    %s%n", m.sha256());
        out.printf("opset     %s   IR %d   producer %s%n", opset(m), m.model().getIrVersion(), m.model().getProducerName());
        for (String in : m.graph().inputs()) {
            out.printf("input     %s%n", a.profile().get(in));
        }
        for (String o : m.graph().outputs()) {
            out.printf("output    %s%n", a.profile().get(o));
        }
        out.printf("nodes     %d (%d activation, %d shape-only)%n", m.graph().nodes().size(), m.graph().activationCount(),
                m.graph().nodes().size() - m.graph().activationCount());
        out.printf("params    %,d float32 elements (%s)%n", m.graph().floatParams(), bytes(m.graph().floatParams() * 4));
        out.printf("MACs      %,d per sample%n", a.totalMacs());
        out.println();
        out.printf("quantizable weights (%d)%n", m.graph().weights().size());
        out.printf("  %-40s %-14s %12s%n", "tensor", "op", "params");
        for (WeightRef w : m.graph().weights()) {
            out.printf("  %-40s %-14s %,12d%n", w.name(), w.op(), w.params());
        }
        out.println();
        out.printf("cuts (%d: 0 = full offload, %d = full local)%n", a.cuts().size(), a.cuts().size() - 1);
        out.printf("  %4s  %-32s %10s %14s %14s %12s %8s%n", "cut", "crossing", "elements", "head MACs", "tail MACs", "head params", "weights");
        for (Cut c : a.cuts()) {
            out.printf("  %4d  %-32s %,10d %,14d %,14d %,12d %8d%n", c.index(), String.join(",", c.tensors()), c.elements(),
                    c.headMacs(), c.tailMacs(), c.headParams(), c.headWeights().size());
        }
        return 0;
    }

    static String opset(LoadedModel m) {
        return m.model().getOpsetImportList().stream()
                .map(o -> (o.getDomain().isEmpty() ? "ai.onnx" : o.getDomain()) + ":" + o.getVersion())
                .reduce((x, y) -> x + "," + y).orElse("?");
    }

    static String bytes(long n) {
        if (n < 10_000) {
            return n + " B";
        }
        if (n < 10_000_000) {
            return String.format("%.1f KiB", n / 1024.0);
        }
        return String.format("%.1f MiB", n / (1024.0 * 1024));
    }

    static Map<String, Object> toJson(LoadedModel m) {
        CutAnalysis a = m.analysis();
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("model", m.file().toString());
        o.put("sha256", m.sha256());
        o.put("params", m.graph().floatParams());
        o.put("macs", a.totalMacs());
        o.put("inputs", values(a, m.graph().inputs()));
        o.put("outputs", values(a, m.graph().outputs()));
        List<Map<String, Object>> weights = new ArrayList<>();
        for (WeightRef w : m.graph().weights()) {
            Map<String, Object> wj = new LinkedHashMap<>();
            wj.put("name", w.name());
            wj.put("op", w.op());
            wj.put("params", w.params());
            weights.add(wj);
        }
        o.put("weights", weights);
        List<Map<String, Object>> cuts = new ArrayList<>();
        for (Cut c : a.cuts()) {
            Map<String, Object> cj = new LinkedHashMap<>();
            cj.put("index", c.index());
            cj.put("tensors", c.tensors());
            cj.put("elements", c.elements());
            cj.put("headMacs", c.headMacs());
            cj.put("tailMacs", c.tailMacs());
            cj.put("headParams", c.headParams());
            cj.put("headWeightParams", c.headWeightParams());
            cj.put("headWeights", c.headWeights().stream().map(WeightRef::name).toList());
            cuts.add(cj);
        }
        o.put("cuts", cuts);
        return o;
    }

    private static List<Map<String, Object>> values(CutAnalysis a, List<String> names) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (String n : names) {
            ValueProfile vp = a.profile().get(n);
            Map<String, Object> v = new LinkedHashMap<>();
            v.put("name", n);
            v.put("type", vp.type().toString());
            List<Object> dims = new ArrayList<>();
            for (int i = 0; i < vp.rank(); i++) {
                dims.add(vp.isPerBatch(i) ? (vp.dim(i) == 1 ? "batch" : vp.dim(i) + "*batch") : vp.dim(i));
            }
            v.put("shape", dims);
            out.add(v);
        }
        return out;
    }
}
