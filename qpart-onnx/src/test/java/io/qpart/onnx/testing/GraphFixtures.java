package io.qpart.onnx.testing;

import io.qpart.onnx.model.Tensors;
import io.qpart.onnx.proto.Onnx;

import java.util.List;
import java.util.SplittableRandom;

/** Tiny ONNX models built in code for tests: a chain, a residual branch, a shape-computing subgraph. */
public final class GraphFixtures {
    private GraphFixtures() {
    }

    /** A fluent builder of small opset-17 graphs; dimension -1 means the dynamic batch. */
    public static final class Builder {
        private final Onnx.Graph.Builder g = Onnx.Graph.newBuilder().setName("fixture");
        private final SplittableRandom rnd;
        private int counter;

        public Builder(long seed) {
            this.rnd = new SplittableRandom(seed);
        }

        public Builder input(String name, long... dims) {
            g.addInput(valueInfo(name, dims));
            return this;
        }

        public Builder output(String name, long... dims) {
            g.addOutput(valueInfo(name, dims));
            return this;
        }

        public Builder weight(String name, long... dims) {
            long n = 1;
            for (long d : dims) {
                n *= d;
            }
            float[] v = new float[(int) n];
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) (rnd.nextGaussian() * 0.5);
            }
            g.addInitializer(Tensors.floatTensor(name, dims, v));
            return this;
        }

        public Builder ints(String name, long... values) {
            g.addInitializer(Tensors.int64Tensor(name, new long[]{values.length}, values));
            return this;
        }

        public Builder node(String op, List<String> in, List<String> out, Onnx.Attribute... attrs) {
            Onnx.Node.Builder n = Onnx.Node.newBuilder().setOpType(op).setName(op.toLowerCase() + "_" + counter++)
                    .addAllInput(in).addAllOutput(out);
            for (Onnx.Attribute a : attrs) {
                n.addAttribute(a);
            }
            g.addNode(n);
            return this;
        }

        public Onnx.Model build() {
            return Onnx.Model.newBuilder().setIrVersion(8).setProducerName("qpart-tests")
                    .addOpsetImport(Onnx.OpsetId.newBuilder().setDomain("").setVersion(17))
                    .setGraph(g).build();
        }
    }

    public static Onnx.Attribute intAttr(String name, long v) {
        return Onnx.Attribute.newBuilder().setName(name).setType(Onnx.Attribute.Kind.INT).setI(v).build();
    }

    public static Onnx.Attribute intsAttr(String name, long... v) {
        Onnx.Attribute.Builder a = Onnx.Attribute.newBuilder().setName(name).setType(Onnx.Attribute.Kind.INTS);
        for (long x : v) {
            a.addInts(x);
        }
        return a.build();
    }

    static Onnx.ValueInfo valueInfo(String name, long... dims) {
        Onnx.Shape.Builder s = Onnx.Shape.newBuilder();
        for (long d : dims) {
            s.addDim(d < 0 ? Onnx.Shape.Dim.newBuilder().setDimParam("batch") : Onnx.Shape.Dim.newBuilder().setDimValue(d));
        }
        return Onnx.ValueInfo.newBuilder().setName(name).setType(Onnx.Type.newBuilder()
                .setTensorType(Onnx.Type.TensorType.newBuilder().setElemType(Tensors.FLOAT).setShape(s))).build();
    }

    /** input[b,8] → Gemm → Relu → Gemm → Relu → Gemm → logits[b,4]. */
    public static Onnx.Model chain() {
        return new Builder(1).input("x", -1, 8).output("logits", -1, 4)
                .weight("w1", 8, 16).weight("b1", 16).weight("w2", 16, 12).weight("b2", 12).weight("w3", 12, 4)
                .node("Gemm", List.of("x", "w1", "b1"), List.of("h1"))
                .node("Relu", List.of("h1"), List.of("a1"))
                .node("Gemm", List.of("a1", "w2", "b2"), List.of("h2"))
                .node("Relu", List.of("h2"), List.of("a2"))
                .node("Gemm", List.of("a2", "w3"), List.of("logits"))
                .build();
    }

    /** input[b,8] → MatMul → Relu = h; h → MatMul → Relu → MatMul → Add(h) → Relu → MatMul → logits. */
    public static Onnx.Model residual() {
        return new Builder(2).input("x", -1, 8).output("logits", -1, 3)
                .weight("w_in", 8, 10).weight("w_a", 10, 10).weight("w_b", 10, 10).weight("w_out", 10, 3)
                .node("MatMul", List.of("x", "w_in"), List.of("m0"))
                .node("Relu", List.of("m0"), List.of("h"))
                .node("MatMul", List.of("h", "w_a"), List.of("m1"))
                .node("Relu", List.of("m1"), List.of("r1"))
                .node("MatMul", List.of("r1", "w_b"), List.of("m2"))
                .node("Add", List.of("m2", "h"), List.of("s"))
                .node("Relu", List.of("s"), List.of("r2"))
                .node("MatMul", List.of("r2", "w_out"), List.of("logits"))
                .build();
    }

    /**
     * Conv → Relu = a; Shape(a) → Gather(0) → Unsqueeze → Concat([batch], [-1]) is the flatten shape;
     * a → Conv → Relu = c; Reshape(c, shape-from-a) = flat → Gemm → Reshape to [batch-from-a, 3] = logits.
     * A cut after flat needs the tail to recompute Shape(a) without having a.
     */
    public static Onnx.Model shapeComputing() {
        return new Builder(3).input("img", -1, 1, 4, 4).output("logits", -1, 3)
                .weight("k1", 2, 1, 3, 3).weight("k2", 2, 2, 3, 3).weight("fc", 32, 3).weight("fc_b", 3)
                .ints("idx0", 0).ints("minus1", -1).ints("three", 3)
                .node("Conv", List.of("img", "k1"), List.of("c1"), intsAttr("pads", 1, 1, 1, 1))
                .node("Relu", List.of("c1"), List.of("a"))
                .node("Shape", List.of("a"), List.of("a_shape"))
                .node("Gather", List.of("a_shape", "idx0"), List.of("n_vec"), intAttr("axis", 0))
                .node("Concat", List.of("n_vec", "minus1"), List.of("flat_shape"), intAttr("axis", 0))
                .node("Conv", List.of("a", "k2"), List.of("c2"), intsAttr("pads", 1, 1, 1, 1))
                .node("Relu", List.of("c2"), List.of("c"))
                .node("Reshape", List.of("c", "flat_shape"), List.of("flat"))
                .node("Gemm", List.of("flat", "fc", "fc_b"), List.of("g"))
                .node("Concat", List.of("n_vec", "three"), List.of("out_shape"), intAttr("axis", 0))
                .node("Reshape", List.of("g", "out_shape"), List.of("logits"))
                .build();
    }
}
