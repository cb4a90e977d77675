package io.qpart.onnx.graph;

import io.qpart.onnx.model.ModelException;
import io.qpart.onnx.model.Tensors;
import io.qpart.onnx.proto.Onnx;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Extracts standalone head and tail models for a cut (SPEC §2).
 *
 * <p>Each half gets its activation nodes plus every shape-only node they need, recomputed on
 * that side. A shape-only value that the tail needs but that comes from {@code Shape(x)} or
 * {@code Size(x)} of a head-side activation {@code x} is rebuilt from the batch size of a
 * crossing tensor and the measured per-sample shape of {@code x}: dimension i becomes
 * {@code batch * shape[i]} when it follows the batch, the constant {@code shape[i]} otherwise.
 * With a fixed batch the whole value is folded into a constant.
 */
public final class SplitBuilder {
    private static final String PREFIX = "qpart_split_";

    private final ModelGraph graph;
    private final ShapeProfile profile;

    private SplitBuilder(ModelGraph graph, ShapeProfile profile) {
        this.graph = graph;
        this.profile = profile;
    }

    /** Splits the analysed model at {@code cut}. */
    public static SplitModel split(CutAnalysis analysis, Cut cut) {
        SplitBuilder b = new SplitBuilder(analysis.graph(), analysis.profile());
        return new SplitModel(cut, b.head(cut), b.tail(cut), cut.tensors());
    }

    /** Nodes (topological indices, sorted) needed to compute {@code roots}: adds shape-only producers. */
    static Set<Integer> closure(ModelGraph graph, Set<Integer> roots) {
        Set<Integer> all = new TreeSet<>(roots);
        Deque<Integer> work = new ArrayDeque<>(roots);
        while (!work.isEmpty()) {
            int i = work.pop();
            for (String v : graph.nodeInputs(i)) {
                int p = graph.producer(v);
                if (p >= 0 && !graph.isActivationNode(p) && all.add(p)) {
                    work.push(p);
                }
            }
        }
        return all;
    }

    private Onnx.Model head(Cut cut) {
        Set<Integer> roots = new LinkedHashSet<>();
        for (int q = 0; q < cut.position(); q++) {
            roots.add(graph.activationNode(q));
        }
        Set<Integer> nodes = closure(graph, roots);
        Onnx.Graph.Builder g = Onnx.Graph.newBuilder().setName(graphName() + "_head_" + cut.index());
        Set<String> used = new HashSet<>();
        for (int i : nodes) {
            g.addNode(graph.nodes().get(i));
            used.addAll(graph.nodeInputs(i));
        }
        used.addAll(cut.tensors());
        for (String in : graph.inputs()) {
            if (used.contains(in)) {
                g.addInput(declared(in));
            }
        }
        for (String t : cut.tensors()) {
            g.addOutput(valueInfo(t));
        }
        addInitializers(g, used);
        addValueInfo(g, nodes);
        return wrap(g);
    }

    private Onnx.Model tail(Cut cut) {
        Set<String> available = new HashSet<>(cut.tensors());
        Set<Integer> roots = new LinkedHashSet<>();
        for (int q = cut.position(); q < graph.activationCount(); q++) {
            int i = graph.activationNode(q);
            roots.add(i);
            for (String o : graph.nodes().get(i).getOutputList()) {
                available.add(o);
            }
        }
        // shape-only closure, stopping at Shape/Size of values the tail does not have
        Set<Integer> nodes = new TreeSet<>(roots);
        Map<Integer, List<Onnx.Node>> rewritten = new HashMap<>();
        List<Onnx.Tensor> extraInits = new ArrayList<>();
        Deque<Integer> work = new ArrayDeque<>(roots);
        BatchSource batch = new BatchSource(cut);
        while (!work.isEmpty()) {
            int i = work.pop();
            for (String v : graph.nodeInputs(i)) {
                int p = graph.producer(v);
                if (p < 0 || graph.isActivationNode(p) || !nodes.add(p)) {
                    continue;
                }
                Onnx.Node n = graph.nodes().get(p);
                boolean shapeOp = ModelGraph.isDefaultDomain(n) && (n.getOpType().equals("Shape") || n.getOpType().equals("Size"));
                if (shapeOp && graph.isActivationValue(n.getInput(0)) && !available.contains(n.getInput(0))) {
                    rewritten.put(p, recompute(n, batch, extraInits));
                } else {
                    work.push(p);
                }
            }
        }
        Onnx.Graph.Builder g = Onnx.Graph.newBuilder().setName(graphName() + "_tail_" + cut.index());
        Set<String> used = new HashSet<>();
        if (batch.used) {
            g.addAllNode(batch.nodes());
            extraInits.addAll(batch.initializers());
        }
        for (int i : nodes) {
            List<Onnx.Node> replacement = rewritten.get(i);
            if (replacement != null) {
                g.addAllNode(replacement);
            } else {
                g.addNode(graph.nodes().get(i));
                used.addAll(graph.nodeInputs(i));
            }
        }
        for (String t : cut.tensors()) {
            g.addInput(valueInfo(t));
        }
        for (Onnx.ValueInfo vi : graph.model().getGraph().getOutputList()) {
            g.addOutput(vi);
        }
        addInitializers(g, used);
        g.addAllInitializer(extraInits);
        Set<Integer> kept = new TreeSet<>(nodes);
        kept.removeAll(rewritten.keySet());
        addValueInfo(g, kept);
        return wrap(g);
    }

    /** Nodes computing {@code Shape(x)} / {@code Size(x)} from the batch size alone. */
    private List<Onnx.Node> recompute(Onnx.Node n, BatchSource batch, List<Onnx.Tensor> inits) {
        String x = n.getInput(0);
        ValueProfile vp = profile.get(x);
        String out = n.getOutput(0);
        String tag = PREFIX + out.replaceAll("[^A-Za-z0-9_]", "_");
        List<Onnx.Node> nodes = new ArrayList<>();
        if (n.getOpType().equals("Size")) {
            int perBatchDims = 0;
            for (int i = 0; i < vp.rank(); i++) {
                perBatchDims += vp.isPerBatch(i) ? 1 : 0;
            }
            long size = vp.elementsPerSample();
            if (perBatchDims == 0) {
                inits.add(Tensors.int64Tensor(tag + "_const", null, size));
                nodes.add(node("Identity", tag + "_fold", List.of(tag + "_const"), List.of(out)));
                return nodes;
            }
            if (perBatchDims > 1) {
                throw new ModelException("cannot recompute Size('" + x + "') on the tail: more than one of its dimensions follows the batch");
            }
            inits.add(Tensors.int64Tensor(tag + "_factor", new long[]{1}, size));
            inits.add(Tensors.int64Tensor(tag + "_scalar", new long[]{0}));
            nodes.add(node("Mul", tag + "_mul", List.of(batch.name(), tag + "_factor"), List.of(tag + "_vec")));
            nodes.add(node("Reshape", tag + "_reshape", List.of(tag + "_vec", tag + "_scalar"), List.of(out)));
            return nodes;
        }
        int rank = vp.rank();
        int start = (int) attr(n, "start", 0);
        int end = (int) attr(n, "end", rank);
        start = clampAxis(start < 0 ? start + rank : start, rank);
        end = clampAxis(end < 0 ? end + rank : end, rank);
        int len = Math.max(0, end - start);
        long[] factor = new long[len];
        long[] constant = new long[len];
        boolean anyBatch = false;
        for (int i = 0; i < len; i++) {
            int d = start + i;
            if (vp.isPerBatch(d)) {
                factor[i] = vp.dim(d);
                anyBatch = true;
            } else {
                constant[i] = vp.dim(d);
            }
        }
        if (!anyBatch) {
            inits.add(Tensors.int64Tensor(tag + "_const", new long[]{len}, constant));
            nodes.add(node("Identity", tag + "_fold", List.of(tag + "_const"), List.of(out)));
            return nodes;
        }
        inits.add(Tensors.int64Tensor(tag + "_factor", new long[]{len}, factor));
        inits.add(Tensors.int64Tensor(tag + "_const", new long[]{len}, constant));
        nodes.add(node("Mul", tag + "_mul", List.of(batch.name(), tag + "_factor"), List.of(tag + "_scaled")));
        nodes.add(node("Add", tag + "_add", List.of(tag + "_scaled", tag + "_const"), List.of(out)));
        return nodes;
    }

    private static int clampAxis(int a, int rank) {
        return Math.max(0, Math.min(rank, a));
    }

    private static long attr(Onnx.Node n, String name, long dflt) {
        for (Onnx.Attribute a : n.getAttributeList()) {
            if (a.getName().equals(name)) {
                return a.getI();
            }
        }
        return dflt;
    }

    private static Onnx.Node node(String op, String name, List<String> in, List<String> out) {
        return Onnx.Node.newBuilder().setOpType(op).setName(name).addAllInput(in).addAllOutput(out).build();
    }

    /** The tail's batch size as a 1-element int64 tensor, sliced from a crossing tensor's shape. */
    private final class BatchSource {
        private final Cut cut;
        boolean used;
        private String anchor;

        BatchSource(Cut cut) {
            this.cut = cut;
        }

        String name() {
            if (!used) {
                for (String t : cut.tensors()) {
                    ValueProfile vp = profile.get(t);
                    if (vp.batchLeading()) {
                        anchor = t;
                        break;
                    }
                }
                if (anchor == null) {
                    throw new ModelException("cannot recompute shape values on the tail at cut " + cut.index()
                            + ": no crossing tensor has the batch as its leading dimension");
                }
                used = true;
            }
            return PREFIX + "batch";
        }

        List<Onnx.Node> nodes() {
            return List.of(
                    node("Shape", PREFIX + "anchor_shape", List.of(anchor), List.of(PREFIX + "anchor_shape")),
                    node("Slice", PREFIX + "batch_slice", List.of(PREFIX + "anchor_shape", PREFIX + "zero", PREFIX + "one"),
                            List.of(PREFIX + "batch")));
        }

        List<Onnx.Tensor> initializers() {
            return List.of(Tensors.int64Tensor(PREFIX + "zero", new long[]{1}, 0), Tensors.int64Tensor(PREFIX + "one", new long[]{1}, 1));
        }
    }

    private void addInitializers(Onnx.Graph.Builder g, Set<String> used) {
        for (Onnx.Tensor t : graph.model().getGraph().getInitializerList()) {
            if (used.contains(t.getName())) {
                g.addInitializer(t);
            }
        }
    }

    private void addValueInfo(Onnx.Graph.Builder g, Set<Integer> nodes) {
        Set<String> produced = new HashSet<>();
        for (int i : nodes) {
            produced.addAll(graph.nodes().get(i).getOutputList());
        }
        Set<String> io = new HashSet<>();
        g.getInputList().forEach(v -> io.add(v.getName()));
        g.getOutputList().forEach(v -> io.add(v.getName()));
        for (Onnx.ValueInfo vi : graph.model().getGraph().getValueInfoList()) {
            if (produced.contains(vi.getName()) && !io.contains(vi.getName())) {
                g.addValueInfo(vi);
            }
        }
    }

    /** The declared ValueInfo of a model input. */
    private Onnx.ValueInfo declared(String name) {
        for (Onnx.ValueInfo vi : graph.model().getGraph().getInputList()) {
            if (vi.getName().equals(name)) {
                return vi;
            }
        }
        throw new IllegalStateException("input " + name + " not declared");
    }

    /** ValueInfo of a crossing tensor: declared if it is a model input/output, else from the profile. */
    private Onnx.ValueInfo valueInfo(String name) {
        for (Onnx.ValueInfo vi : graph.model().getGraph().getInputList()) {
            if (vi.getName().equals(name)) {
                return vi;
            }
        }
        for (Onnx.ValueInfo vi : graph.model().getGraph().getOutputList()) {
            if (vi.getName().equals(name) && vi.hasType()) {
                return vi;
            }
        }
        ValueProfile vp = profile.get(name);
        Onnx.Shape.Builder shape = Onnx.Shape.newBuilder();
        for (int i = 0; i < vp.rank(); i++) {
            Onnx.Shape.Dim.Builder d = Onnx.Shape.Dim.newBuilder();
            if (!vp.isPerBatch(i)) {
                d.setDimValue(vp.dim(i));
            } else if (vp.dim(i) == 1) {
                d.setDimParam("batch");
            }
            shape.addDim(d);
        }
        int elem = switch (vp.type()) {
            case FLOAT -> 1;
            case UINT8 -> 2;
            case INT8 -> 3;
            case INT16 -> 5;
            case INT32 -> 6;
            case INT64 -> 7;
            case BOOL -> 9;
            case FLOAT16 -> 10;
            case DOUBLE -> 11;
            case BFLOAT16 -> 16;
            default -> throw new ModelException("crossing tensor '" + name + "' has type " + vp.type() + ", which cannot be declared");
        };
        return Onnx.ValueInfo.newBuilder().setName(name)
                .setType(Onnx.Type.newBuilder().setTensorType(Onnx.Type.TensorType.newBuilder().setElemType(elem).setShape(shape)))
                .build();
    }

    private String graphName() {
        String n = graph.model().getGraph().getName();
        return n.isEmpty() ? "model" : n;
    }

    private Onnx.Model wrap(Onnx.Graph.Builder g) {
        return graph.model().toBuilder().setGraph(g).build();
    }
}
