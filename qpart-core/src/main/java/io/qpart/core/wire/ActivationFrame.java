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
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The activation tensor(s) one inference request uploads at the cut (SPEC §1 step 2). Each
 * tensor is quantized with the SPEC §3 quantizer over its own range, taken per frame (per
 * sample), and its scale and zero point travel with it; bits 32 sends float32.
 *
 * <p>Layout, version 1 (all integers little-endian; details in {@code docs/formats.md}):
 *
 * <pre>
 * magic "QPAF" | u16 version = 1 | u32 tensorCount
 * per tensor: string name | u8 rank | i64 dims[rank] | u8 bits (1..16, or 32 = float32)
 *             | f32 scale | u16 zeroPoint (both 0 for float32)
 *             | ceil(n * bits / 8) packed code bytes, or 4 n bytes of float32
 * u32 CRC32C of every byte before it
 * string = u32 UTF-8 length + UTF-8 bytes
 * </pre>
 *
 * <p>Upload size (SPEC §3): {@code ceil(n * b_a / 8)} plus 12 + |name| + 8 rank bytes of
 * metadata per tensor plus 14 bytes of frame header and checksum; see {@link #byteSize(List)}.
 *
 * @param tensors the uploaded tensors, unique names, in order
 */
public record ActivationFrame(List<WireTensor> tensors) {

    /** Format name used in error messages. */
    public static final String FORMAT = "activation frame";
    /** Format version this class writes and reads. */
    public static final int VERSION = 1;
    /** Most tensors a frame may carry. */
    public static final int MAX_TENSORS = 1 << 16;

    static final byte[] MAGIC = "QPAF".getBytes(StandardCharsets.US_ASCII);
    /** Smallest tensor record: name length, 1-byte name, rank, bits, scale, zero point. */
    private static final int MIN_TENSOR_BYTES = 4 + 1 + 1 + 1 + 4 + 2;
    /** Per-tensor bytes besides name, dims and payload: name length, rank, bits, scale, zero point. */
    private static final int TENSOR_FIXED_BYTES = 4 + 1 + 1 + 4 + 2;

    public ActivationFrame {
        tensors = List.copyOf(tensors);
        if (tensors.size() > MAX_TENSORS) {
            throw new IllegalArgumentException("a frame must have at most " + MAX_TENSORS + " tensors, was "
                    + tensors.size());
        }
        Set<String> names = new HashSet<>();
        for (WireTensor t : tensors) {
            if (!names.add(t.name())) {
                throw new IllegalArgumentException("tensor names must be unique, " + t.name() + " appears twice");
            }
        }
        if (byteSize(TensorSpec.of(tensors)) > WireCodec.MAX_ARRAY_BYTES) {
            throw new IllegalArgumentException("an activation frame must fit one Java array ("
                    + WireCodec.MAX_ARRAY_BYTES + " bytes)");
        }
    }

    /** A frame of the given tensors. */
    public static ActivationFrame of(WireTensor... tensors) {
        return new ActivationFrame(Arrays.asList(tensors));
    }

    /**
     * A one-tensor frame: {@code values} quantized at {@code bits} (2..16) with their own SPEC §3
     * range, or float32 at 32.
     */
    public static ActivationFrame quantize(String name, long[] shape, float[] values, int bits) {
        return of(WireTensor.quantize(name, shape, values, bits));
    }

    /** The tensor called {@code name}. */
    public WireTensor tensor(String name) {
        for (WireTensor t : tensors) {
            if (t.name().equals(name)) {
                return t;
            }
        }
        throw new IllegalArgumentException("no tensor named " + name + " in this frame");
    }

    /** Exact size of {@link #encode()}: the bytes the device uploads. */
    public long byteSize() {
        return byteSize(TensorSpec.of(tensors));
    }

    /** Size of the same frame with every tensor sent as float32. */
    public long fp32ByteSize() {
        return fp32ByteSize(TensorSpec.of(tensors));
    }

    /**
     * Exact encoded size of a frame of these tensors, without encoding:
     * {@code 14 + Σ (12 + |name| + 8 rank + payload)} with payload {@code ceil(n b / 8)}, or
     * {@code 4 n} at 32 bits (SPEC §3 upload).
     */
    public static long byteSize(List<TensorSpec> tensors) {
        return size(tensors, false);
    }

    /** {@link #byteSize(List)} with every tensor as float32. */
    public static long fp32ByteSize(List<TensorSpec> tensors) {
        return size(tensors, true);
    }

    /** Exact size of a one-tensor frame. */
    public static long byteSize(String name, long[] shape, int bits) {
        return byteSize(List.of(new TensorSpec(name, shape, bits)));
    }

    private static long size(List<TensorSpec> tensors, boolean allFloat32) {
        Objects.requireNonNull(tensors, "tensors");
        long size = WireCodec.HEADER_BYTES + 4 + WireCodec.CRC_BYTES;
        for (TensorSpec t : tensors) {
            long n = t.elementCount();
            int bits = allFloat32 ? Quantizer.NOT_QUANTIZED_BITS : t.bits();
            long payload = bits == Quantizer.NOT_QUANTIZED_BITS
                    ? Math.multiplyExact(n, (long) Float.BYTES)
                    : CodePacker.packedBytes(n, bits); // SPEC §3: ceil(n(k) b_a / 8)
            long record = TENSOR_FIXED_BYTES + WireCodec.utf8(t.name(), "tensor name").length
                    + 8L * t.shape().length + payload;
            size = Math.addExact(size, record);
        }
        return size;
    }

    /** The encoded frame, {@link #byteSize()} bytes. */
    public byte[] encode() {
        byte[] out = new byte[(int) byteSize()];
        ByteBuffer buf = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
        buf.put(MAGIC);
        buf.putShort((short) VERSION);
        buf.putInt(tensors.size());
        for (WireTensor t : tensors) {
            WireCodec.putString(buf, t.name());
            WireCodec.putShape(buf, t.shape());
            buf.put((byte) t.bits());
            buf.putFloat(t.scale());
            buf.putShort((short) t.zeroPoint());
            buf.put(t.payloadView());
        }
        int crcAt = buf.position();
        buf.putInt(WireCodec.crc32c(out, 0, crcAt));
        if (buf.position() != out.length) {
            throw new IllegalStateException("encoded " + buf.position() + " bytes, computed size was " + out.length);
        }
        return out;
    }

    /**
     * Decodes a frame, checking in this order: magic, version, CRC32C, then every field and
     * length against the bytes present (before allocating), then that nothing trails.
     *
     * @throws FormatException with a one-line message on any bad, truncated or corrupted input
     */
    public static ActivationFrame decode(byte[] bytes) throws FormatException {
        WireCodec.Reader in = WireCodec.openChecked(bytes, FORMAT, MAGIC, VERSION);
        int count = in.count("tensor count", MAX_TENSORS, MIN_TENSOR_BYTES);
        List<WireTensor> tensors = new ArrayList<>(count);
        Set<String> names = new HashSet<>();
        for (int i = 0; i < count; i++) {
            String what = "tensor " + i;
            String name = in.string(what + " name", 1);
            what = what + " " + WireCodec.abbreviate(name);
            if (!names.add(name)) {
                throw in.invalid(what + " repeats a name");
            }
            long[] shape = in.shape(what + " shape");
            long n = WireCodec.elementCount(shape);
            QuantParams params = HeadContainer.readQuantParams(in, what, true);
            if (params == null) {
                tensors.add(new WireTensor(name, shape, Quantizer.NOT_QUANTIZED_BITS, 0f, 0,
                        in.bytes(n * Float.BYTES, what + " float32 values")));
                continue;
            }
            long packedBytes = CodePacker.packedBytes(n, params.bits());
            in.require(packedBytes, what + " packed codes");
            if (!CodePacker.paddingIsZero(in.array(), in.position(), (int) n, params.bits())) {
                throw in.invalid(what + ": unused bits of the last packed byte must be zero");
            }
            tensors.add(WireTensor.quantized(name, shape, params, in.bytes(packedBytes, what + " packed codes")));
        }
        in.requireEnd();
        try {
            return new ActivationFrame(tensors);
        } catch (IllegalArgumentException e) {
            throw in.invalid(e.getMessage());
        }
    }
}
