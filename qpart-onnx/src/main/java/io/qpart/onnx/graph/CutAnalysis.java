package io.qpart.onnx.graph;

import io.qpart.onnx.model.ModelException;
import io.qpart.onnx.model.Tensors;
import io.qpart.onnx.proto.Onnx;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Enumerates the cuts of a model and costs each one (SPEC §2).
 *
 * <p>A position p (0..P, P = number of activation nodes) puts the first p activation nodes on
 * the device. The tensors crossing p are activation values produced before p and read at or
 * after p (model outputs count as read at P). Interior cuts are the positions where exactly
 * one tensor crosses: between layers of a chain, between residual blocks, between transformer
 * blocks. Consecutive interior positions with the same head weights (a Conv, its ReLU, its
 * pooling) are merged into the one uploading the fewest elements, the later one on ties.
 * Position 0 (full offload) and position P (full local) are always cuts.
 *
 * <p>MACs: Conv, ConvTranspose, Gemm and MatMul exactly from shapes; every other activation
 * node one op per output element; shape-only nodes count nothing.
 */
public final class CutAnalysis {
    private final ModelGraph graph;
    private final ShapeProfile profile;
    private final long[] nodeMacs;
    private final List<Cut> cuts;

    private CutAnalysis(ModelGraph graph, ShapeProfile profile) {
        this.graph = graph;
        this.profile = profile;
        int positions = graph.activationCount();
        this.nodeMacs = new long[positions];
        for (int p = 0; p < positions; p++) {
            nodeMacs[p] = macs(graph.activationNode(p));
        }
        this.cuts = List.copyOf(enumerate());
    }

    public static CutAnalysis of(ModelGraph graph, ShapeProfile profile) {
        return new CutAnalysis(graph, profile);
    }

    public ModelGraph graph() {
        return graph;
    }

    public ShapeProfile profile() {
        return profile;
    }

    /** Cuts 0..K+1. */
    public List<Cut> cuts() {
        return cuts;
    }

    /** The cut with this index, or an error naming the valid range. */
    public Cut cut(int index) {
        if (index < 0 || index >= cuts.size()) {
            throw new IllegalArgumentException("cut " + index + " is out of range: this model has cuts 0.." + (cuts.size() - 1));
        }
        return cuts.get(index);
    }

    /** MACs per sample of the whole model. */
    public long totalMacs() {
        long n = 0;
        for (long m : nodeMacs) {
            n += m;
        }
        return n;
    }

    private List<Cut> enumerate() {
        int positions = graph.activationCount();
        // first position a value is available at, and last position that reads it
        Map<String, int[]> span = new java.util.HashMap<>();
        for (String in : graph.inputs()) {
            span.put(in, new int[]{0, -1});
        }
        for (int p = 0; p < positions; p++) {
            Onnx.Node n = graph.nodes().get(graph.activationNode(p));
            for (String o : n.getOutputList()) {
                if (!o.isEmpty()) {
                    span.put(o, new int[]{p + 1, -1});
                }
            }
        }
        for (int p = 0; p < positions; p++) {
            for (String v : graph.nodeInputs(graph.activationNode(p))) {
                int[] s = span.get(v);
                if (s != null) {
                    s[1] = Math.max(s[1], p);
                }
            }
        }
        for (String o : graph.outputs()) {
            span.get(o)[1] = positions;
        }
        List<List<String>> crossing = new ArrayList<>(positions + 1);
        for (int p = 0; p <= positions; p++) {
            crossing.add(new ArrayList<>());
        }
        for (Map.Entry<String, int[]> e : span.entrySet()) {
            int[] s = e.getValue();
            for (int p = s[0]; p <= s[1]; p++) {
                crossing.get(p).add(e.getKey());
            }
        }
        // deterministic tensor order: inputs, then by producer position
        for (List<String> c : crossing) {
            c.sort((a, b) -> Integer.compare(span.get(a)[0], span.get(b)[0]) != 0
                    ? Integer.compare(span.get(a)[0], span.get(b)[0]) : a.compareTo(b));
        }
        long[] prefixMacs = new long[positions + 1];
        for (int p = 0; p < positions; p++) {
            prefixMacs[p + 1] = prefixMacs[p] + nodeMacs[p];
        }
        List<WeightRef> weights = graph.weights();

        List<Integer> chosen = new ArrayList<>();
        chosen.add(0);
        int groupBest = -1;
        int groupWeights = -1;
        for (int p = 1; p < positions; p++) {
            if (crossing.get(p).size() != 1) {
                continue;
            }
            int w = weightsBefore(weights, p);
            long elems = elements(crossing.get(p));
            if (groupBest >= 0 && w == groupWeights) {
                if (elems <= elements(crossing.get(groupBest))) {
                    groupBest = p;
                }
                continue;
            }
            if (groupBest >= 0) {
                chosen.add(groupBest);
            }
            groupBest = p;
            groupWeights = w;
        }
        if (groupBest >= 0) {
            chosen.add(groupBest);
        }
        if (positions > 0) {
            chosen.add(positions);
        }
        List<Cut> out = new ArrayList<>();
        for (int i = 0; i < chosen.size(); i++) {
            int p = chosen.get(i);
            List<WeightRef> head = new ArrayList<>();
            for (WeightRef w : weights) {
                if (w.position() < p) {
                    head.add(w);
                }
            }
            out.add(new Cut(i, p, crossing.get(p), elements(crossing.get(p)), prefixMacs[p], prefixMacs[positions] - prefixMacs[p],
                    head, headParams(p)));
        }
        return out;
    }

    private static int weightsBefore(List<WeightRef> weights, int p) {
        int n = 0;
        for (WeightRef w : weights) {
            if (w.position() < p) {
                n++;
            }
        }
        return n;
    }

    private long elements(List<String> values) {
        long n = 0;
        for (String v : values) {
            n += profile.get(v).elementsPerSample();
        }
        return n;
    }

    /** Float32 initializer elements used by the head at position p (shape-only helpers included). */
    private long headParams(int p) {
        Set<String> used = new HashSet<>();
        for (int i : SplitBuilder.closure(graph, headNodes(p))) {
            used.addAll(graph.nodeInputs(i));
        }
        long n = 0;
        for (String v : used) {
            Onnx.Tensor t = graph.initializers().get(v);
            if (t != null && t.getDataType() == Tensors.FLOAT) {
                n += Tensors.elements(t);
            }
        }
        return n;
    }

    Set<Integer> headNodes(int p) {
        Set<Integer> s = new LinkedHashSet<>();
        for (int q = 0; q < p; q++) {
            s.add(graph.activationNode(q));
        }
        return s;
    }

    private long[] shapeOf(String v) {
        if (profile.has(v)) {
            return profile.get(v).shape();
        }
        Onnx.Tensor t = graph.initializers().get(v);
        if (t != null) {
            return t.getDimsList().stream().mapToLong(Long::longValue).toArray();
        }
        return null;
    }

    private static long product(long[] s, int from) {
        long n = 1;
        for (int i = from; i < s.length; i++) {
            n = Math.multiplyExact(n, s[i]);
        }
        return n;
    }

    private long macs(int nodeIndex) {
        Onnx.Node n = graph.nodes().get(nodeIndex);
        long outElems = 0;
        for (String o : n.getOutputList()) {
            if (!o.isEmpty() && profile.has(o)) {
                outElems += profile.get(o).elementsPerSample();
            }
        }
        if (!ModelGraph.isDefaultDomain(n)) {
            return outElems;
        }
        long[] a = n.getInputCount() > 0 ? shapeOf(n.getInput(0)) : null;
        long[] b = n.getInputCount() > 1 ? shapeOf(n.getInput(1)) : null;
        long firstOut = n.getOutputCount() > 0 && profile.has(n.getOutput(0)) ? profile.get(n.getOutput(0)).elementsPerSample() : 0;
        try {
            switch (n.getOpType()) {
                case "Conv":
                    return b == null ? outElems : Math.multiplyExact(firstOut, product(b, 1));
                case "ConvTranspose":
                    return a == null || b == null ? outElems : Math.multiplyExact(perSample(n.getInput(0), a), product(b, 1));
                case "Gemm": {
                    if (a == null || a.length != 2) {
                        return outElems;
                    }
                    boolean transA = intAttr(n, "transA") != 0;
                    return Math.multiplyExact(firstOut, transA ? a[0] : a[1]);
                }
                case "MatMul":
                    return a == null || a.length == 0 ? outElems : Math.multiplyExact(firstOut, a[a.length - 1]);
                default:
                    return outElems;
            }
        } catch (ArithmeticException e) {
            throw new ModelException("MAC count of node '" + n.getName() + "' overflows a long; shapes " + Arrays.toString(a) + ", " + Arrays.toString(b));
        }
    }

    private long perSample(String v, long[] fallback) {
        return profile.has(v) ? profile.get(v).elementsPerSample() : product(fallback, 0);
    }

    static long intAttr(Onnx.Node n, String name) {
        for (Onnx.Attribute a : n.getAttributeList()) {
            if (a.getName().equals(name)) {
                return a.getI();
            }
        }
        return 0;
    }
}
