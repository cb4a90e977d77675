package io.qpart.onnx.quant;

import com.google.protobuf.ByteString;
import io.qpart.core.format.FormatException;
import io.qpart.core.quant.BitPacker;
import io.qpart.core.quant.Quantizer;
import io.qpart.core.wire.ActivationFrame;
import io.qpart.core.wire.HeadContainer;
import io.qpart.core.wire.TensorSpec;
import io.qpart.core.wire.WireTensor;
import io.qpart.onnx.graph.Cut;
import io.qpart.onnx.graph.ShapeProfile;
import io.qpart.onnx.graph.ValueProfile;
import io.qpart.onnx.model.ModelException;
import io.qpart.onnx.model.OnnxModels;
import io.qpart.onnx.model.Tensors;
import io.qpart.onnx.proto.Onnx;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns a head model into the container a server sends (SPEC §3 payload) and back into an ONNX
 * model a device runs. The container's graph is the head with its float32 initializers taken
 * out; each of them travels as a container tensor, quantized when it has bits below 32.
 * Non-float initializers (shape constants) stay inside the graph.
 *
 * <p>Decoding gives the float form (every quantized weight replaced by its SPEC §3
 * reconstruction) or, for tensors of at most 8 bits, the QDQ form: uint8 codes with a scalar
 * scale and zero point feeding a {@code DequantizeLinear} node, which computes the same
 * {@code (q - zp) * scale} in float32 and so gives the same outputs.
 */
public final class HeadCodec {
    /** Metadata key of the SHA-256 of the model the head was cut from. */
    public static final String MODEL_SHA256 = "model.sha256";
    /** Metadata key of the comma-separated crossing tensor names. */
    public static final String CROSSING = "crossing";
    /** Metadata key naming how the graph bytes are stored; "deflate" (the default written) or "onnx" (plain). */
    public static final String GRAPH_ENCODING = "graph.encoding";
    /** Refuse graphs that inflate beyond this: a container is no place for a zip bomb. */
    static final int MAX_GRAPH_BYTES = 1 << 28;
    private static final String QDQ_SUFFIX = "_qpart_q";

    private HeadCodec() {
    }

    /** Packs {@code head} (the head model of {@code cut}) with the given weight bits. */
    public static HeadContainer pack(Onnx.Model head, String modelName, String modelSha256, Cut cut, BitWidths bits) {
        HeadContainer.Builder b = HeadContainer.builder(modelName, cut.index())
                .metadata(MODEL_SHA256, modelSha256)
                .metadata(CROSSING, String.join(",", cut.tensors()))
                .metadata(GRAPH_ENCODING, "deflate");
        Onnx.Graph.Builder g = head.getGraph().toBuilder().clearInitializer();
        for (Onnx.Tensor t : head.getGraph().getInitializerList()) {
            if (t.getDataType() != Tensors.FLOAT) {
                g.addInitializer(t);
                continue;
            }
            long[] dims = dims(t);
            int n = bits.of(t.getName());
            if (n == Quantizer.NOT_QUANTIZED_BITS) {
                b.float32(t.getName(), dims, Tensors.toFloats(t));
            } else {
                b.quantize(t.getName(), dims, Tensors.toFloats(t), n);
            }
        }
        // names repeat across a graph's nodes: short names, then deflate, shrink the structure several-fold
        return b.graph(deflate(compact(head.toBuilder().setGraph(g).build()).toByteArray())).build();
    }

    /**
     * The graph structure as it travels (SPEC §3 payload: the structure counts, so it carries
     * only what running the head needs). Drops doc strings, metadata properties, producer
     * fields, value infos (ONNX Runtime infers the shapes) and node names, and gives every
     * internal value a short name. What keeps its name: the graph's inputs and outputs (the
     * model input and the crossing tensors, which the device feeds and uploads by name) and every
     * float32 initializer (a container tensor: the table's bit assignments and the device refer to
     * it by name). A graph with subgraphs (If, Loop, Scan) is only stripped, not renamed: a
     * subgraph may refer to outer values by name. Computation is unchanged: the same nodes in the
     * same order on the same tensors.
     */
    static Onnx.Model compact(Onnx.Model head) {
        Onnx.Graph graph = head.getGraph();
        Set<String> kept = new HashSet<>();
        graph.getInputList().forEach(v -> kept.add(v.getName()));
        graph.getOutputList().forEach(v -> kept.add(v.getName()));
        boolean subgraphs = false;
        for (Onnx.Tensor t : graph.getInitializerList()) {
            if (t.getDataType() == Tensors.FLOAT) {
                kept.add(t.getName());
            }
        }
        for (Onnx.Node n : graph.getNodeList()) {
            for (Onnx.Attribute a : n.getAttributeList()) {
                subgraphs |= a.hasG() || a.getGraphsCount() > 0;
            }
        }
        Map<String, String> rename = new HashMap<>();
        ShortNames names = new ShortNames(kept);
        if (!subgraphs) {
            for (Onnx.Tensor t : graph.getInitializerList()) {
                if (!kept.contains(t.getName())) {
                    rename.put(t.getName(), names.next());
                }
            }
            for (Onnx.Node n : graph.getNodeList()) {
                for (String o : n.getOutputList()) {
                    if (!o.isEmpty() && !kept.contains(o) && !rename.containsKey(o)) {
                        rename.put(o, names.next());
                    }
                }
            }
        }
        Onnx.Graph.Builder g = graph.toBuilder().clearDocString().clearValueInfo().setName("h").clearNode();
        for (int i = 0; i < g.getInitializerCount(); i++) {
            Onnx.Tensor t = g.getInitializer(i);
            g.setInitializer(i, t.toBuilder().clearDocString().setName(rename.getOrDefault(t.getName(), t.getName())));
        }
        for (Onnx.Node n : graph.getNodeList()) {
            Onnx.Node.Builder nb = n.toBuilder().clearName().clearDocString().clearInput().clearOutput();
            n.getInputList().forEach(v -> nb.addInput(rename.getOrDefault(v, v)));
            n.getOutputList().forEach(v -> nb.addOutput(rename.getOrDefault(v, v)));
            for (int i = 0; i < nb.getAttributeCount(); i++) {
                nb.setAttribute(i, nb.getAttribute(i).toBuilder().clearDocString());
            }
            g.addNode(nb);
        }
        return head.toBuilder().clearDocString().clearMetadataProps().clearProducerName().clearProducerVersion()
                .clearDomain().clearModelVersion().setGraph(g).build();
    }

    /** Short value names a, b, ..., z, A, ..., Z, aa, ab, ... (C identifiers), skipping names in use. */
    static final class ShortNames {
        private static final String LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
        private final Set<String> taken;
        private long counter;

        ShortNames(Set<String> taken) {
            this.taken = taken;
        }

        String next() {
            while (true) {
                StringBuilder sb = new StringBuilder();
                long k = counter++;
                do {
                    sb.append(LETTERS.charAt((int) (k % LETTERS.length())));
                    k = k / LETTERS.length() - 1;
                } while (k >= 0);
                String name = sb.reverse().toString();
                if (!taken.contains(name)) {
                    return name;
                }
            }
        }
    }

    /** Decodes a container into a runnable ONNX model; {@code qdq} keeps tensors of at most 8 bits as uint8 codes. */
    public static Onnx.Model unpack(HeadContainer c, boolean qdq) throws FormatException {
        Onnx.Model graphOnly;
        String encoding = c.metadata().getOrDefault(GRAPH_ENCODING, "onnx");
        byte[] graphBytes = switch (encoding) {
            case "onnx" -> c.graph();
            case "deflate" -> inflate(c.graph());
            default -> throw new FormatException(FormatException.Reason.UNSUPPORTED,
                    "head container graph encoding '" + encoding + "' is not supported; expected 'deflate' or 'onnx'");
        };
        try {
            graphOnly = OnnxModels.parse(graphBytes, "head container graph");
        } catch (ModelException e) {
            throw new FormatException(FormatException.Reason.INVALID_FIELD, e.getMessage(), e);
        }
        Onnx.Graph.Builder g = graphOnly.getGraph().toBuilder();
        List<Onnx.Node> dequantize = new ArrayList<>();
        for (WireTensor t : c.tensors()) {
            long[] dims = t.shape();
            if (qdq && t.isQuantized() && t.bits() <= 8) {
                int[] codes = BitPacker.INSTANCE.unpack(t.payload(), 0, Math.toIntExact(t.elementCount()), t.bits());
                byte[] raw = new byte[codes.length];
                for (int i = 0; i < codes.length; i++) {
                    raw[i] = (byte) codes[i];
                }
                String q = t.name() + QDQ_SUFFIX;
                Onnx.Tensor.Builder codeTensor = Onnx.Tensor.newBuilder().setName(q).setDataType(Onnx.Tensor.ElemType.UINT8_VALUE)
                        .setRawData(ByteString.copyFrom(raw));
                for (long d : dims) {
                    codeTensor.addDims(d);
                }
                g.addInitializer(codeTensor);
                g.addInitializer(Tensors.floatTensor(q + "_scale", new long[0], new float[]{t.scale()}));
                g.addInitializer(Onnx.Tensor.newBuilder().setName(q + "_zero").setDataType(Onnx.Tensor.ElemType.UINT8_VALUE)
                        .setRawData(ByteString.copyFrom(new byte[]{(byte) t.zeroPoint()})));
                dequantize.add(Onnx.Node.newBuilder().setOpType("DequantizeLinear").setName(q + "_dequantize")
                        .addInput(q).addInput(q + "_scale").addInput(q + "_zero").addOutput(t.name()).build());
            } else {
                g.addInitializer(Tensors.floatTensor(t.name(), dims, t.values()));
            }
        }
        if (!dequantize.isEmpty()) {
            List<Onnx.Node> nodes = new ArrayList<>(dequantize);
            nodes.addAll(g.getNodeList());
            g.clearNode().addAllNode(nodes);
        }
        return graphOnly.toBuilder().setGraph(g).build();
    }

    /** Exact bytes of one request's activation frame at {@code bits}, and in float32 (SPEC §3 upload). */
    public static long[] uploadBytes(Cut cut, ShapeProfile profile, int bits) {
        List<TensorSpec> specs = new ArrayList<>();
        List<TensorSpec> fp32 = new ArrayList<>();
        for (String name : cut.tensors()) {
            ValueProfile vp = profile.get(name);
            long[] shape = vp.shape();
            boolean isFloat = vp.type() == ai.onnxruntime.OnnxJavaType.FLOAT;
            specs.add(new TensorSpec(name, shape, isFloat ? bits : Quantizer.NOT_QUANTIZED_BITS));
            fp32.add(new TensorSpec(name, shape, Quantizer.NOT_QUANTIZED_BITS));
        }
        return new long[]{ActivationFrame.byteSize(specs), ActivationFrame.fp32ByteSize(fp32)};
    }

    static byte[] deflate(byte[] raw) {
        java.util.zip.Deflater d = new java.util.zip.Deflater(java.util.zip.Deflater.BEST_COMPRESSION, true);
        try {
            d.setInput(raw);
            d.finish();
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(raw.length / 3 + 64);
            byte[] buf = new byte[8192];
            while (!d.finished()) {
                out.write(buf, 0, d.deflate(buf));
            }
            return out.toByteArray();
        } finally {
            d.end();
        }
    }

    static byte[] inflate(byte[] z) throws FormatException {
        java.util.zip.Inflater in = new java.util.zip.Inflater(true);
        try {
            in.setInput(z);
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(z.length * 4 + 64);
            byte[] buf = new byte[8192];
            while (!in.finished()) {
                int n = in.inflate(buf);
                if (n == 0 && (in.needsInput() || in.needsDictionary())) {
                    throw new FormatException(FormatException.Reason.TRUNCATED, "head container graph: deflate stream ends early");
                }
                if (out.size() + n > MAX_GRAPH_BYTES) {
                    throw new FormatException(FormatException.Reason.INVALID_FIELD,
                            "head container graph inflates beyond " + MAX_GRAPH_BYTES + " bytes");
                }
                out.write(buf, 0, n);
            }
            if (in.getRemaining() > 0) {
                throw new FormatException(FormatException.Reason.TRAILING_BYTES, "head container graph: " + in.getRemaining()
                        + " bytes after the end of the deflate stream");
            }
            return out.toByteArray();
        } catch (java.util.zip.DataFormatException e) {
            throw new FormatException(FormatException.Reason.INVALID_FIELD, "head container graph: invalid deflate data (" + e.getMessage() + ")", e);
        } finally {
            in.end();
        }
    }

    private static long[] dims(Onnx.Tensor t) {
        return t.getDimsList().stream().mapToLong(Long::longValue).toArray();
    }
}
