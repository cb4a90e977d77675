package io.qpart.onnx.graph;

import io.qpart.onnx.model.ModelException;
import io.qpart.onnx.model.Tensors;
import io.qpart.onnx.proto.Onnx;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * The dataflow structure of an ONNX model (SPEC §2). Nodes are put in a stable topological
 * order; each node is either an <em>activation</em> node (it depends on the values of the
 * model's inputs) or a <em>shape-only</em> node (it depends only on initializers, constants
 * and tensor shapes, so either side of a cut can recompute it). Cuts are positions in the
 * order of activation nodes.
 */
public final class ModelGraph {
    private static final Set<String> SHAPE_OPS = Set.of("Shape", "Size");
    private static final Set<String> WEIGHT_OPS = Set.of("Conv", "ConvTranspose", "Gemm", "MatMul");

    private final Onnx.Model model;
    private final List<Onnx.Node> nodes;
    private final List<List<String>> nodeInputs;
    private final Map<String, Onnx.Tensor> initializers;
    private final List<String> inputs;
    private final List<String> outputs;
    private final Map<String, Integer> producer;
    private final boolean[] activation;
    private final Set<String> activationValues;
    private final int[] activationNodes;
    private final int[] positionOfNode;
    private final List<WeightRef> weights;

    private ModelGraph(Onnx.Model model) {
        this.model = model;
        Onnx.Graph g = model.getGraph();
        Map<String, Onnx.Tensor> inits = new LinkedHashMap<>();
        for (Onnx.Tensor t : g.getInitializerList()) {
            inits.put(t.getName(), t);
        }
        this.initializers = Collections.unmodifiableMap(inits);
        List<String> in = new ArrayList<>();
        for (Onnx.ValueInfo vi : g.getInputList()) {
            if (!inits.containsKey(vi.getName())) {
                in.add(vi.getName());
            }
        }
        if (in.isEmpty()) {
            throw new ModelException("the model has no inputs other than initializers; expected at least one data input");
        }
        this.inputs = List.copyOf(in);
        this.outputs = g.getOutputList().stream().map(Onnx.ValueInfo::getName).toList();

        List<Onnx.Node> original = g.getNodeList();
        List<List<String>> originalInputs = new ArrayList<>(original.size());
        for (Onnx.Node n : original) {
            originalInputs.add(inputsOf(n));
        }
        int[] order = topologicalOrder(original, originalInputs, inits.keySet(), in);
        List<Onnx.Node> sorted = new ArrayList<>(order.length);
        List<List<String>> sortedInputs = new ArrayList<>(order.length);
        for (int i : order) {
            sorted.add(original.get(i));
            sortedInputs.add(originalInputs.get(i));
        }
        this.nodes = List.copyOf(sorted);
        this.nodeInputs = List.copyOf(sortedInputs);

        Map<String, Integer> prod = new HashMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            for (String o : nodes.get(i).getOutputList()) {
                if (!o.isEmpty()) {
                    prod.put(o, i);
                }
            }
        }
        this.producer = Collections.unmodifiableMap(prod);

        // Activation values: graph inputs and everything computed from their values.
        Set<String> act = new HashSet<>(inputs);
        boolean[] isAct = new boolean[nodes.size()];
        List<Integer> actNodes = new ArrayList<>();
        int[] pos = new int[nodes.size()];
        for (int i = 0; i < nodes.size(); i++) {
            Onnx.Node n = nodes.get(i);
            boolean dependsOnValues = false;
            if (!(isDefaultDomain(n) && SHAPE_OPS.contains(n.getOpType()))) {
                for (String v : nodeInputs.get(i)) {
                    if (act.contains(v)) {
                        dependsOnValues = true;
                        break;
                    }
                }
            }
            isAct[i] = dependsOnValues;
            if (dependsOnValues) {
                pos[i] = actNodes.size();
                actNodes.add(i);
                for (String o : n.getOutputList()) {
                    if (!o.isEmpty()) {
                        act.add(o);
                    }
                }
            } else {
                pos[i] = -1;
            }
        }
        this.activation = isAct;
        this.activationValues = Collections.unmodifiableSet(act);
        this.activationNodes = actNodes.stream().mapToInt(Integer::intValue).toArray();
        this.positionOfNode = pos;
        for (String o : outputs) {
            if (!act.contains(o)) {
                throw new ModelException("model output '" + o + "' does not depend on the model's inputs; expected every output to be computed from the input");
            }
        }

        // SPEC §3: quantizable weights are initializers at input 1 of Conv/ConvTranspose/Gemm/MatMul.
        Map<String, WeightRef> w = new LinkedHashMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            Onnx.Node n = nodes.get(i);
            if (!isAct[i] || !isDefaultDomain(n) || !WEIGHT_OPS.contains(n.getOpType()) || n.getInputCount() < 2) {
                continue;
            }
            Onnx.Tensor t = inits.get(n.getInput(1));
            if (t == null || t.getDataType() != Tensors.FLOAT || w.containsKey(t.getName())) {
                continue;
            }
            w.put(t.getName(), new WeightRef(t.getName(), n.getOpType(), Tensors.elements(t), pos[i]));
        }
        this.weights = List.copyOf(w.values());
    }

    /** Analyses a validated model. */
    public static ModelGraph of(Onnx.Model model) {
        return new ModelGraph(model);
    }

    static boolean isDefaultDomain(Onnx.Node n) {
        return n.getDomain().isEmpty() || n.getDomain().equals("ai.onnx");
    }

    /** Explicit non-empty inputs plus outer-scope names that subgraph attributes refer to. */
    static List<String> inputsOf(Onnx.Node n) {
        Set<String> names = new LinkedHashSet<>();
        for (String s : n.getInputList()) {
            if (!s.isEmpty()) {
                names.add(s);
            }
        }
        for (Onnx.Attribute a : n.getAttributeList()) {
            if (a.hasG()) {
                outerReferences(a.getG(), names);
            }
            for (Onnx.Graph sg : a.getGraphsList()) {
                outerReferences(sg, names);
            }
        }
        return List.copyOf(names);
    }

    private static void outerReferences(Onnx.Graph g, Set<String> into) {
        Set<String> local = new HashSet<>();
        for (Onnx.ValueInfo vi : g.getInputList()) {
            local.add(vi.getName());
        }
        for (Onnx.Tensor t : g.getInitializerList()) {
            local.add(t.getName());
        }
        for (Onnx.Node n : g.getNodeList()) {
            local.addAll(n.getOutputList());
        }
        for (Onnx.Node n : g.getNodeList()) {
            for (String s : inputsOf(n)) {
                if (!s.isEmpty() && !local.contains(s)) {
                    into.add(s);
                }
            }
        }
    }

    /** Kahn's algorithm, preferring the file's own order among ready nodes. */
    private static int[] topologicalOrder(List<Onnx.Node> nodes, List<List<String>> nodeInputs, Set<String> initializers, List<String> inputs) {
        Map<String, Integer> producedBy = new HashMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            for (String o : nodes.get(i).getOutputList()) {
                if (o.isEmpty()) {
                    continue;
                }
                Integer prev = producedBy.put(o, i);
                if (prev != null || initializers.contains(o) || inputs.contains(o)) {
                    throw new ModelException("value '" + o + "' is defined more than once (node '" + nodes.get(i).getName()
                            + "'); expected each value to have a single producer");
                }
            }
        }
        int[] missing = new int[nodes.size()];
        List<List<Integer>> consumers = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            consumers.add(new ArrayList<>());
        }
        for (int i = 0; i < nodes.size(); i++) {
            for (String v : nodeInputs.get(i)) {
                Integer p = producedBy.get(v);
                if (p != null) {
                    missing[i]++;
                    consumers.get(p).add(i);
                } else if (!initializers.contains(v) && !inputs.contains(v)) {
                    Onnx.Node n = nodes.get(i);
                    throw new ModelException("node '" + n.getName() + "' (" + n.getOpType() + ") reads value '" + v
                            + "', which no node, input or initializer defines");
                }
            }
        }
        PriorityQueue<Integer> ready = new PriorityQueue<>();
        for (int i = 0; i < nodes.size(); i++) {
            if (missing[i] == 0) {
                ready.add(i);
            }
        }
        int[] order = new int[nodes.size()];
        int k = 0;
        while (!ready.isEmpty()) {
            int i = ready.poll();
            order[k++] = i;
            for (int c : consumers.get(i)) {
                if (--missing[c] == 0) {
                    ready.add(c);
                }
            }
        }
        if (k != nodes.size()) {
            throw new ModelException("the graph has a cycle (" + (nodes.size() - k) + " nodes never become ready); expected a DAG");
        }
        return order;
    }

    public Onnx.Model model() {
        return model;
    }

    /** Nodes in topological order. */
    public List<Onnx.Node> nodes() {
        return nodes;
    }

    /** Inputs of node {@code i} (topological index), including subgraph outer references. */
    public List<String> nodeInputs(int i) {
        return nodeInputs.get(i);
    }

    public Map<String, Onnx.Tensor> initializers() {
        return initializers;
    }

    /** Data inputs of the model (initializers listed as inputs excluded). */
    public List<String> inputs() {
        return inputs;
    }

    public List<String> outputs() {
        return outputs;
    }

    /** Topological index of the node producing {@code value}, or -1. */
    public int producer(String value) {
        Integer p = producer.get(value);
        return p == null ? -1 : p;
    }

    public boolean isActivationNode(int i) {
        return activation[i];
    }

    /** True for graph inputs and values computed from them (not shape-only values). */
    public boolean isActivationValue(String value) {
        return activationValues.contains(value);
    }

    public Set<String> activationValues() {
        return activationValues;
    }

    /** Number of activation nodes: cut positions run from 0 to this. */
    public int activationCount() {
        return activationNodes.length;
    }

    /** Topological index of the activation node at {@code position}. */
    public int activationNode(int position) {
        return activationNodes[position];
    }

    /** Activation position of node {@code i}, or -1 for shape-only nodes. */
    public int positionOf(int nodeIndex) {
        return positionOfNode[nodeIndex];
    }

    /** Quantizable weights in order of first use. */
    public List<WeightRef> weights() {
        return weights;
    }

    /** Elements of every float32 initializer of the model. */
    public long floatParams() {
        long n = 0;
        for (Onnx.Tensor t : initializers.values()) {
            if (t.getDataType() == Tensors.FLOAT) {
                n += Tensors.elements(t);
            }
        }
        return n;
    }
}
