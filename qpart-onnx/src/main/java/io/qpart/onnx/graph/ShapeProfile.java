package io.qpart.onnx.graph;

import ai.onnxruntime.OnnxJavaType;
import io.qpart.onnx.model.ModelException;
import io.qpart.onnx.proto.Onnx;
import io.qpart.onnx.runtime.HostTensor;
import io.qpart.onnx.runtime.OnnxSession;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Types and shapes of every activation value, measured by running the model once at batch 1
 * and once at batch 2 with every activation exposed as an output. Comparing the two runs tells
 * which dimensions follow the batch; that is what lets the tail recompute shape-only values
 * from its own inputs (SPEC §2). A model with a fixed batch dimension is run once.
 */
public final class ShapeProfile {
    private static final long SEED = 0x51A7E5L;
    private final Map<String, ValueProfile> values;
    private final boolean dynamicBatch;

    private ShapeProfile(Map<String, ValueProfile> values, boolean dynamicBatch) {
        this.values = Collections.unmodifiableMap(values);
        this.dynamicBatch = dynamicBatch;
    }

    /** Profiles {@code graph}; {@code threads} as for {@link OnnxSession#create}. */
    public static ShapeProfile measure(ModelGraph graph, int threads) {
        Onnx.Model model = graph.model();
        Onnx.Graph.Builder g = model.getGraph().toBuilder();
        Set<String> declared = new java.util.HashSet<>();
        for (Onnx.ValueInfo vi : g.getOutputList()) {
            declared.add(vi.getName());
        }
        for (String v : graph.activationValues()) {
            if (!declared.contains(v) && !graph.inputs().contains(v)) {
                g.addOutput(Onnx.ValueInfo.newBuilder().setName(v));
            }
        }
        byte[] bytes = model.toBuilder().setGraph(g).build().toByteArray();

        Map<String, Onnx.ValueInfo> inputInfo = new HashMap<>();
        for (Onnx.ValueInfo vi : model.getGraph().getInputList()) {
            inputInfo.put(vi.getName(), vi);
        }
        boolean dynamic = true;
        long fixedBatch = 1;
        for (String in : graph.inputs()) {
            Onnx.ValueInfo vi = inputInfo.get(in);
            Onnx.Shape s = vi.getType().getTensorType().getShape();
            if (s.getDimCount() > 0 && s.getDim(0).hasDimValue()) {
                dynamic = false;
                fixedBatch = s.getDim(0).getDimValue();
            }
        }
        try (OnnxSession session = OnnxSession.create(bytes, threads)) {
            Map<String, HostTensor> run1 = session.run(feed(graph, inputInfo, dynamic ? 1 : fixedBatch), session.outputNames().stream().collect(java.util.stream.Collectors.toSet()));
            Map<String, HostTensor> run2 = dynamic
                    ? session.run(feed(graph, inputInfo, 2), session.outputNames().stream().collect(java.util.stream.Collectors.toSet()))
                    : null;
            Map<String, ValueProfile> out = new LinkedHashMap<>();
            for (String in : graph.inputs()) {
                Map<String, HostTensor> f1 = feed(graph, inputInfo, dynamic ? 1 : fixedBatch);
                Map<String, HostTensor> f2 = dynamic ? feed(graph, inputInfo, 2) : null;
                out.put(in, profile(in, f1.get(in), f2 == null ? null : f2.get(in)));
            }
            for (Map.Entry<String, HostTensor> e : run1.entrySet()) {
                out.put(e.getKey(), profile(e.getKey(), e.getValue(), run2 == null ? null : run2.get(e.getKey())));
            }
            return new ShapeProfile(out, dynamic);
        }
    }

    private static ValueProfile profile(String name, HostTensor at1, HostTensor at2) {
        long[] s1 = at1.shape();
        boolean[] per = new boolean[s1.length];
        if (at2 != null) {
            long[] s2 = at2.shape();
            if (s2.length != s1.length) {
                throw new ModelException("value '" + name + "' changes rank with the batch size (" + s1.length + " at batch 1, "
                        + s2.length + " at batch 2); cannot split such a model");
            }
            for (int i = 0; i < s1.length; i++) {
                if (s2[i] == 2 * s1[i] && s1[i] != 0) {
                    per[i] = true;
                } else if (s2[i] != s1[i]) {
                    throw new ModelException("value '" + name + "' dimension " + i + " is " + s1[i] + " at batch 1 and " + s2[i]
                            + " at batch 2; expected a fixed size or one proportional to the batch");
                }
            }
        }
        return new ValueProfile(name, at1.type(), s1, per);
    }

    private static Map<String, HostTensor> feed(ModelGraph graph, Map<String, Onnx.ValueInfo> info, long batch) {
        Map<String, HostTensor> feed = new LinkedHashMap<>();
        SplittableRandom rnd = new SplittableRandom(SEED);
        for (String in : graph.inputs()) {
            Onnx.ValueInfo vi = info.get(in);
            if (!vi.getType().hasTensorType()) {
                throw new ModelException("model input '" + in + "' is not a tensor; only tensor inputs are supported");
            }
            Onnx.Type.TensorType tt = vi.getType().getTensorType();
            long[] shape = new long[tt.getShape().getDimCount()];
            for (int i = 0; i < shape.length; i++) {
                Onnx.Shape.Dim d = tt.getShape().getDim(i);
                if (i == 0 && !d.hasDimValue()) {
                    shape[i] = batch;
                } else if (d.hasDimValue()) {
                    shape[i] = d.getDimValue();
                } else {
                    throw new ModelException("model input '" + in + "' has an unknown size in dimension " + i
                            + " (" + (d.hasDimParam() ? "'" + d.getDimParam() + "'" : "unnamed")
                            + "); only the leading batch dimension may be dynamic");
                }
            }
            long n = 1;
            for (long d : shape) {
                n = Math.multiplyExact(n, d);
            }
            int count = Math.toIntExact(n);
            OnnxJavaType type = switch (tt.getElemType()) {
                case 1 -> OnnxJavaType.FLOAT;
                case 7 -> OnnxJavaType.INT64;
                case 6 -> OnnxJavaType.INT32;
                case 2 -> OnnxJavaType.UINT8;
                case 3 -> OnnxJavaType.INT8;
                case 9 -> OnnxJavaType.BOOL;
                case 11 -> OnnxJavaType.DOUBLE;
                default -> throw new ModelException("model input '" + in + "' has element type " + tt.getElemType()
                        + "; supported input types are float, double, int64, int32, uint8, int8 and bool");
            };
            ByteBuffer buf = ByteBuffer.allocate(count * type.size).order(ByteOrder.nativeOrder());
            if (type == OnnxJavaType.FLOAT) {
                for (int i = 0; i < count; i++) {
                    buf.putFloat(i * 4, (float) rnd.nextDouble());
                }
            } else if (type == OnnxJavaType.DOUBLE) {
                for (int i = 0; i < count; i++) {
                    buf.putDouble(i * 8, rnd.nextDouble());
                }
            }
            feed.put(in, new HostTensor(type, shape, buf));
        }
        return feed;
    }

    /** Profile of an activation value. */
    public ValueProfile get(String name) {
        ValueProfile v = values.get(name);
        if (v == null) {
            throw new ModelException("no measured shape for value '" + name + "' (ONNX Runtime did not produce it)");
        }
        return v;
    }

    public boolean has(String name) {
        return values.containsKey(name);
    }

    /** Whether the model's batch dimension is dynamic. */
    public boolean dynamicBatch() {
        return dynamicBatch;
    }
}
