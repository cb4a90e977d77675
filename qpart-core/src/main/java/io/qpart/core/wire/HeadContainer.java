package io.qpart.core.wire;

import io.qpart.core.format.FormatException;
import io.qpart.core.quant.CodePacker;
import io.qpart.core.quant.QuantParams;
import io.qpart.core.quant.Quantizer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What a server sends a device for one cut (SPEC §1 step 1): the head's graph structure as
 * opaque bytes (a serialized model whose large weight initializers have had their data removed;
 * this class never parses it), the model name, the cut index, string metadata, and the head's
 * weight tensors, each quantized and bit-packed or float32.
 *
 * <p>Layout, version 1 (all integers little-endian; details and size formulas in
 * {@code docs/formats.md}):
 *
 * <pre>
 * magic "QPHD" | u16 version = 1
 * body:  string modelName | i32 cutIndex
 *        u32 metadataCount, then (string key, string value) in strictly increasing key order
 *        u32 graphLength, graph bytes
 *        u32 tensorCount, then per tensor:
 *          string name | u8 rank | i64 dims[rank] | u8 encoding (0 = FLOAT32, 1 = QUANTIZED)
 *          QUANTIZED: u8 bits (1..16) | f32 scale | u16 zeroPoint | ceil(n * bits / 8) packed code bytes
 *          FLOAT32:   4 n bytes of float32
 * u32 CRC32C of every byte before it
 * string = u32 UTF-8 length + UTF-8 bytes
 * </pre>
 *
 * <p>{@link #id()} is the lowercase hex SHA-256 of the body (the bytes between the version and
 * the CRC): two heads with the same content have the same id whatever container version or
 * checksum carried them.
 *
 * @param modelName non-empty model (task) name
 * @param cutIndex  SPEC §2 cut position, {@code >= 0}
 * @param metadata  free-form string pairs (keys non-empty), kept sorted by key
 * @param graph     the head's graph structure, opaque
 * @param tensors   the head's tensors, unique names, in the order they are sent
 */
public record HeadContainer(String modelName, int cutIndex, SortedMap<String, String> metadata, byte[] graph,
        List<WireTensor> tensors) {

    /** Format name used in error messages. */
    public static final String FORMAT = "head container";
    /** Format version this class writes and reads. */
    public static final int VERSION = 1;
    /** Most metadata entries a container may carry. */
    public static final int MAX_METADATA_ENTRIES = 4096;
    /** Most tensors a container may carry. */
    public static final int MAX_TENSORS = 1 << 20;

    static final byte[] MAGIC = "QPHD".getBytes(StandardCharsets.US_ASCII);
    static final int ENCODING_FLOAT32 = 0;
    static final int ENCODING_QUANTIZED = 1;
    /** Smallest tensor record: name length, 1-byte name, rank, encoding. */
    private static final int MIN_TENSOR_BYTES = 4 + 1 + 1 + 1;
    /** Smallest metadata entry: two length fields and a 1-byte key. */
    private static final int MIN_METADATA_BYTES = 4 + 1 + 4;

    public HeadContainer {
        Objects.requireNonNull(modelName, "modelName");
        if (modelName.isEmpty()) {
            throw new IllegalArgumentException("model name must be non-empty, was empty");
        }
        WireCodec.utf8(modelName, "model name");
        if (cutIndex < 0) {
            throw new IllegalArgumentException("cut index must be >= 0, was " + cutIndex);
        }
        Objects.requireNonNull(metadata, "metadata");
        TreeMap<String, String> sorted = new TreeMap<>();
        for (Map.Entry<String, String> e : metadata.entrySet()) {
            String key = Objects.requireNonNull(e.getKey(), "metadata key");
            String value = Objects.requireNonNull(e.getValue(), "metadata value of " + key);
            if (key.isEmpty()) {
                throw new IllegalArgumentException("metadata keys must be non-empty, was empty");
            }
            WireCodec.utf8(key, "metadata key");
            WireCodec.utf8(value, "metadata value of " + key);
            sorted.put(key, value);
        }
        if (sorted.size() > MAX_METADATA_ENTRIES) {
            throw new IllegalArgumentException("metadata must have at most " + MAX_METADATA_ENTRIES
                    + " entries, was " + sorted.size());
        }
        metadata = Collections.unmodifiableSortedMap(sorted);
        Objects.requireNonNull(graph, "graph");
        graph = graph.clone();
        tensors = List.copyOf(tensors);
        if (tensors.size() > MAX_TENSORS) {
            throw new IllegalArgumentException("a head must have at most " + MAX_TENSORS + " tensors, was "
                    + tensors.size());
        }
        Set<String> names = new HashSet<>();
        for (WireTensor t : tensors) {
            if (!names.add(t.name())) {
                throw new IllegalArgumentException("tensor names must be unique, " + t.name() + " appears twice");
            }
        }
        byteSize(modelName, metadata, graph.length, TensorSpec.of(tensors)); // refuses containers too large to encode
    }

    /** A builder that quantizes float32 weights with the SPEC §3 quantizer. */
    public static Builder builder(String modelName, int cutIndex) {
        return new Builder(modelName, cutIndex);
    }

    @Override
    public byte[] graph() {
        return graph.clone();
    }

    /** The tensor called {@code name}, if any. */
    public Optional<WireTensor> tensor(String name) {
        return tensors.stream().filter(t -> t.name().equals(name)).findFirst();
    }

    /** Exact size of {@link #encode()}: the bytes the device receives (SPEC §3 payload). */
    public long byteSize() {
        return byteSize(modelName, metadata, graph.length, TensorSpec.of(tensors));
    }

    /** Size of the same container with every tensor stored as float32. */
    public long fp32ByteSize() {
        return fp32ByteSize(modelName, metadata, graph.length, TensorSpec.of(tensors));
    }

    /**
     * Exact encoded size of a container with these fields, without building it:
     * {@code 30 + |modelName| + Σ_meta (8 + |key| + |value|) + graphBytes} plus, per tensor,
     * {@code 6 + |name| + 8 rank} and then {@code 7 + ceil(s_j b_j / 8)} when quantized or
     * {@code 4 s_j} when float32 (SPEC §3 payload; {@code |x|} is a UTF-8 length).
     */
    public static long byteSize(String modelName, Map<String, String> metadata, long graphBytes,
            List<TensorSpec> tensors) {
        long size = size(modelName, metadata, graphBytes, tensors, false);
        if (size > WireCodec.MAX_ARRAY_BYTES) {
            throw new IllegalArgumentException("a head container must fit one Java array (" + WireCodec.MAX_ARRAY_BYTES
                    + " bytes), would be " + size);
        }
        return size;
    }

    /**
     * {@link #byteSize(String, Map, long, List)} with every tensor stored as float32, whatever
     * its bits. It is only reported, never allocated, so it may exceed one array.
     */
    public static long fp32ByteSize(String modelName, Map<String, String> metadata, long graphBytes,
            List<TensorSpec> tensors) {
        return size(modelName, metadata, graphBytes, tensors, true);
    }

    private static long size(String modelName, Map<String, String> metadata, long graphBytes,
            List<TensorSpec> tensors, boolean allFloat32) {
        Objects.requireNonNull(modelName, "modelName");
        Objects.requireNonNull(metadata, "metadata");
        Objects.requireNonNull(tensors, "tensors");
        if (graphBytes < 0) {
            throw new IllegalArgumentException("graph size must be >= 0 bytes, was " + graphBytes);
        }
        long size = WireCodec.HEADER_BYTES + WireCodec.CRC_BYTES;
        size += WireCodec.stringFieldBytes(modelName) + 4; // model name, cut index
        size += 4; // metadata count
        for (Map.Entry<String, String> e : metadata.entrySet()) {
            size += WireCodec.stringFieldBytes(e.getKey()) + WireCodec.stringFieldBytes(e.getValue());
        }
        size = Math.addExact(size, 4 + graphBytes);
        size += 4; // tensor count
        for (TensorSpec t : tensors) {
            int bits = allFloat32 ? Quantizer.NOT_QUANTIZED_BITS : t.bits();
            size = Math.addExact(size, tensorRecordBytes(t.name(), t.shape(), bits));
        }
        return size;
    }

    private static long tensorRecordBytes(String name, long[] shape, int bits) {
        long n = WireCodec.elementCount(shape);
        long header = WireCodec.stringFieldBytes(name) + WireCodec.shapeFieldBytes(shape) + 1;
        if (bits == Quantizer.NOT_QUANTIZED_BITS) {
            return header + Math.multiplyExact(n, (long) Float.BYTES);
        }
        return header + 1 + 4 + 2 + CodePacker.packedBytes(n, bits); // SPEC §3: ceil(s_j b_j / 8)
    }

    /** The encoded container, {@link #byteSize()} bytes. */
    public byte[] encode() {
        byte[] out = new byte[(int) byteSize()];
        ByteBuffer buf = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
        buf.put(MAGIC);
        buf.putShort((short) VERSION);
        WireCodec.putString(buf, modelName);
        buf.putInt(cutIndex);
        buf.putInt(metadata.size());
        for (Map.Entry<String, String> e : metadata.entrySet()) {
            WireCodec.putString(buf, e.getKey());
            WireCodec.putString(buf, e.getValue());
        }
        buf.putInt(graph.length);
        buf.put(graph);
        buf.putInt(tensors.size());
        for (WireTensor t : tensors) {
            WireCodec.putString(buf, t.name());
            WireCodec.putShape(buf, t.shape());
            if (t.isQuantized()) {
                buf.put((byte) ENCODING_QUANTIZED);
                buf.put((byte) t.bits());
                buf.putFloat(t.scale());
                buf.putShort((short) t.zeroPoint());
            } else {
                buf.put((byte) ENCODING_FLOAT32);
            }
            buf.put(t.payloadView());
        }
        int crcAt = buf.position();
        buf.putInt(WireCodec.crc32c(out, 0, crcAt));
        if (buf.position() != out.length) {
            throw new IllegalStateException("encoded " + buf.position() + " bytes, computed size was " + out.length);
        }
        return out;
    }

    /** The head's id: lowercase hex SHA-256 of the encoded body (between version and CRC). */
    public String id() {
        byte[] encoded = encode();
        return idOf(encoded);
    }

    private static String idOf(byte[] encoded) {
        return WireCodec.sha256Hex(encoded, WireCodec.HEADER_BYTES,
                encoded.length - WireCodec.HEADER_BYTES - WireCodec.CRC_BYTES);
    }

    /**
     * Decodes a container, checking in this order: magic, version, CRC32C, then every field and
     * length against the bytes present (before allocating), then that nothing trails.
     *
     * @throws FormatException with a one-line message on any bad, truncated or corrupted input
     */
    public static HeadContainer decode(byte[] bytes) throws FormatException {
        WireCodec.Reader in = WireCodec.openChecked(bytes, FORMAT, MAGIC, VERSION);
        String modelName = in.string("model name", 1);
        int cutAt = in.position();
        int cutIndex = in.i32("cut index");
        if (cutIndex < 0) {
            throw in.invalid("cut index at offset " + cutAt + " must be >= 0, was " + cutIndex);
        }
        int metadataCount = in.count("metadata count", MAX_METADATA_ENTRIES, MIN_METADATA_BYTES);
        TreeMap<String, String> metadata = new TreeMap<>();
        String previousKey = null;
        for (int i = 0; i < metadataCount; i++) {
            int at = in.position();
            String key = in.string("metadata key " + i, 1);
            if (previousKey != null && previousKey.compareTo(key) >= 0) {
                throw in.invalid("metadata key " + i + " at offset " + at + " must sort after the previous key");
            }
            metadata.put(key, in.string("metadata value " + i, 0));
            previousKey = key;
        }
        int graphLength = in.count("graph length", WireCodec.MAX_ARRAY_BYTES, 1);
        byte[] graph = in.bytes(graphLength, "graph");
        int tensorCount = in.count("tensor count", MAX_TENSORS, MIN_TENSOR_BYTES);
        List<WireTensor> tensors = new ArrayList<>(tensorCount);
        Set<String> names = new HashSet<>();
        for (int i = 0; i < tensorCount; i++) {
            WireTensor t = readTensor(in, i);
            if (!names.add(t.name())) {
                throw in.invalid("tensor " + i + " repeats the name " + WireCodec.abbreviate(t.name()));
            }
            tensors.add(t);
        }
        in.requireEnd();
        try {
            return new HeadContainer(modelName, cutIndex, metadata, graph, tensors);
        } catch (IllegalArgumentException e) {
            throw in.invalid(e.getMessage());
        }
    }

    private static WireTensor readTensor(WireCodec.Reader in, int index) throws FormatException {
        String what = "tensor " + index;
        String name = in.string(what + " name", 1);
        what = what + " " + WireCodec.abbreviate(name);
        long[] shape = in.shape(what + " shape");
        long n = WireCodec.elementCount(shape);
        int encodingAt = in.position();
        int encoding = in.u8(what + " encoding");
        if (encoding == ENCODING_FLOAT32) {
            byte[] payload = in.bytes(n * Float.BYTES, what + " float32 values");
            return new WireTensor(name, shape, Quantizer.NOT_QUANTIZED_BITS, 0f, 0, payload);
        }
        if (encoding != ENCODING_QUANTIZED) {
            throw in.invalid(what + " encoding at offset " + encodingAt + " must be 0 (FLOAT32) or 1 (QUANTIZED), was "
                    + encoding);
        }
        QuantParams params = readQuantParams(in, what, false);
        long packedBytes = CodePacker.packedBytes(n, params.bits());
        in.require(packedBytes, what + " packed codes");
        if (!CodePacker.paddingIsZero(in.array(), in.position(), (int) n, params.bits())) {
            throw in.invalid(what + ": unused bits of the last packed byte must be zero");
        }
        return WireTensor.quantized(name, shape, params, in.bytes(packedBytes, what + " packed codes"));
    }

    /** u8 bits, f32 scale, u16 zero point, validated; {@code allowFloat32} admits bits 32 with zeros. */
    static QuantParams readQuantParams(WireCodec.Reader in, String what, boolean allowFloat32)
            throws FormatException {
        int at = in.position();
        int bits = in.u8(what + " bits");
        float scale = in.f32(what + " scale");
        int zeroPoint = in.u16(what + " zero point");
        if (allowFloat32 && bits == Quantizer.NOT_QUANTIZED_BITS) {
            if (Float.floatToRawIntBits(scale) != 0 || zeroPoint != 0) {
                throw in.invalid(what + " at offset " + at + ": a float32 tensor must have scale 0 and zero point 0,"
                        + " was " + scale + " and " + zeroPoint);
            }
            return null;
        }
        if (bits < QuantParams.MIN_WIRE_BITS || bits > QuantParams.MAX_WIRE_BITS) {
            throw in.invalid(what + " bits at offset " + at + " must be in [1, 16]"
                    + (allowFloat32 ? " or 32" : "") + ", was " + bits);
        }
        try {
            return new QuantParams(bits, scale, zeroPoint);
        } catch (IllegalArgumentException e) {
            throw in.invalid(what + " at offset " + at + ": " + e.getMessage());
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HeadContainer h && modelName.equals(h.modelName) && cutIndex == h.cutIndex
                && metadata.equals(h.metadata) && Arrays.equals(graph, h.graph) && tensors.equals(h.tensors);
    }

    @Override
    public int hashCode() {
        return Objects.hash(modelName, cutIndex, metadata, Arrays.hashCode(graph), tensors);
    }

    @Override
    public String toString() {
        return "HeadContainer[" + modelName + " cut " + cutIndex + ", " + tensors.size() + " tensors, "
                + graph.length + " graph bytes, " + metadata.size() + " metadata entries]";
    }

    /** Collects the parts of a {@link HeadContainer}; quantizes float32 weights on the way in. */
    public static final class Builder {
        private final String modelName;
        private final int cutIndex;
        private final TreeMap<String, String> metadata = new TreeMap<>();
        private final List<WireTensor> tensors = new ArrayList<>();
        private byte[] graph = new byte[0];

        private Builder(String modelName, int cutIndex) {
            this.modelName = modelName;
            this.cutIndex = cutIndex;
        }

        /** The head's serialized graph structure, opaque to this class. */
        public Builder graph(byte[] graphBytes) {
            this.graph = Objects.requireNonNull(graphBytes, "graphBytes").clone();
            return this;
        }

        /** One metadata entry; a repeated key replaces the earlier value. */
        public Builder metadata(String key, String value) {
            metadata.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /** A weight tensor quantized at {@code bits} (2..16) with its own SPEC §3 range, or float32 at 32. */
        public Builder quantize(String name, long[] shape, float[] values, int bits) {
            tensors.add(WireTensor.quantize(name, shape, values, bits));
            return this;
        }

        /** A tensor kept in float32 (biases and every other initializer, SPEC §3). */
        public Builder float32(String name, long[] shape, float[] values) {
            tensors.add(WireTensor.float32(name, shape, values));
            return this;
        }

        /** A tensor already encoded. */
        public Builder tensor(WireTensor tensor) {
            tensors.add(Objects.requireNonNull(tensor, "tensor"));
            return this;
        }

        public HeadContainer build() {
            return new HeadContainer(modelName, cutIndex, metadata, graph, tensors);
        }
    }
}
