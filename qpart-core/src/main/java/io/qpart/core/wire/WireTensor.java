package io.qpart.core.wire;

import io.qpart.core.quant.CodePacker;
import io.qpart.core.quant.PackedQuantizer;
import io.qpart.core.quant.QuantParams;
import io.qpart.core.quant.Quantizer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;

/**
 * One named tensor as it travels: either SPEC §3 codes of {@code bits} bits (1..16), packed
 * densely as {@link CodePacker} describes, with their float32 {@code scale} and
 * {@code zeroPoint}; or raw little-endian float32 values ({@code bits == 32}, scale and zero
 * point 0).
 *
 * <p>Immutable: arrays are copied in and out. The payload is kept exactly as it is encoded, so
 * decoding and re-encoding reproduces the same bytes.
 *
 * @param name      non-empty, valid Unicode
 * @param shape     dimensions, each {@code >= 0}, rank at most 16
 * @param bits      1..16 for packed codes, 32 for float32
 * @param scale     SPEC §3 scale (0 for float32 and for the identity case)
 * @param zeroPoint SPEC §3 zero point (0 for float32)
 * @param payload   {@code ceil(n * bits / 8)} packed bytes with zero padding bits, or
 *                  {@code 4 n} little-endian float32 bytes
 */
public record WireTensor(String name, long[] shape, int bits, float scale, int zeroPoint, byte[] payload) {

    public WireTensor {
        WireCodec.requireName(name);
        shape = WireCodec.requireShape(shape).clone();
        requireWireBits(bits);
        long n = WireCodec.elementCount(shape);
        long expectedBytes;
        if (bits == Quantizer.NOT_QUANTIZED_BITS) {
            if (Float.floatToRawIntBits(scale) != 0 || zeroPoint != 0) {
                throw new IllegalArgumentException("a float32 tensor must have scale +0.0 and zero point 0, was "
                        + scale + " and " + zeroPoint + " for " + name);
            }
            expectedBytes = Math.multiplyExact(n, (long) Float.BYTES);
        } else {
            new QuantParams(bits, scale, zeroPoint); // validates scale and zero point against bits
            expectedBytes = CodePacker.packedBytes(n, bits);
        }
        Objects.requireNonNull(payload, "payload");
        if (payload.length != expectedBytes) {
            throw new IllegalArgumentException("payload of " + name + " " + Arrays.toString(shape) + " at " + bits
                    + " bits must be " + expectedBytes + " bytes, was " + payload.length);
        }
        if (bits != Quantizer.NOT_QUANTIZED_BITS && !CodePacker.paddingIsZero(payload, 0, (int) n, bits)) {
            throw new IllegalArgumentException("unused bits of the last packed byte of " + name + " must be zero");
        }
        payload = payload.clone();
    }

    /** Raw float32 values; {@code values.length} must be the shape's element count. */
    public static WireTensor float32(String name, long[] shape, float[] values) {
        Objects.requireNonNull(values, "values");
        requireLength(name, shape, values.length);
        byte[] payload = new byte[Math.multiplyExact(values.length, Float.BYTES)];
        ByteBuffer.wrap(payload).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().put(values);
        return new WireTensor(name, shape, Quantizer.NOT_QUANTIZED_BITS, 0f, 0, payload);
    }

    /** Codes already quantized and packed under {@code params}. */
    public static WireTensor quantized(String name, long[] shape, QuantParams params, byte[] packedCodes) {
        Objects.requireNonNull(params, "params");
        return new WireTensor(name, shape, params.bits(), params.scale(), params.zeroPoint(), packedCodes);
    }

    /**
     * SPEC §3 quantization of {@code values} with their own range at {@code bits} (2..16), or
     * float32 when {@code bits == 32}.
     */
    public static WireTensor quantize(String name, long[] shape, float[] values, int bits) {
        Objects.requireNonNull(values, "values");
        return quantize(name, shape, values, 0, bits, values.length);
    }

    /**
     * SPEC §3 quantization of the slice {@code buf[off .. off + n)}, {@code n} being the shape's
     * element count, with the range of that slice only: one sample of a batch buffer, quantized
     * per request. {@code bits == 32} stores the slice as float32.
     */
    public static WireTensor quantize(String name, long[] shape, float[] buf, int off, int bits) {
        Objects.requireNonNull(buf, "buf");
        long n = WireCodec.elementCount(WireCodec.requireShape(shape));
        if (off < 0 || n > buf.length - (long) off) {
            throw new IllegalArgumentException("slice of " + n + " elements at offset " + off
                    + " must lie inside a buffer of length " + buf.length);
        }
        return quantize(name, shape, buf, off, bits, (int) n);
    }

    private static WireTensor quantize(String name, long[] shape, float[] buf, int off, int bits, int len) {
        Quantizer.requireBitsOrFloat(bits);
        requireLength(name, shape, len);
        if (bits == Quantizer.NOT_QUANTIZED_BITS) {
            return float32(name, shape, Arrays.copyOfRange(buf, off, off + len));
        }
        QuantParams params = Quantizer.params(buf, off, len, bits); // SPEC §3: per-tensor range
        return quantized(name, shape, params, PackedQuantizer.quantizeAndPack(buf, off, len, params));
    }

    private static void requireLength(String name, long[] shape, int length) {
        long n = WireCodec.elementCount(WireCodec.requireShape(shape));
        if (n != length) {
            throw new IllegalArgumentException("tensor " + name + " of shape " + Arrays.toString(shape) + " needs "
                    + n + " values, was given " + length);
        }
    }

    static int requireWireBits(int bits) {
        if (bits != Quantizer.NOT_QUANTIZED_BITS
                && (bits < QuantParams.MIN_WIRE_BITS || bits > QuantParams.MAX_WIRE_BITS)) {
            throw new IllegalArgumentException("tensor bits must be in [" + QuantParams.MIN_WIRE_BITS + ", "
                    + QuantParams.MAX_WIRE_BITS + "] or " + Quantizer.NOT_QUANTIZED_BITS + " (float32), was " + bits);
        }
        return bits;
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    @Override
    public byte[] payload() {
        return payload.clone();
    }

    /** The payload itself, not a copy: for encoders in this package, which never modify it. */
    byte[] payloadView() {
        return payload;
    }

    /** Number of elements, the product of the dimensions. */
    public long elementCount() {
        return WireCodec.elementCount(shape);
    }

    /** True for packed codes, false for float32. */
    public boolean isQuantized() {
        return bits != Quantizer.NOT_QUANTIZED_BITS;
    }

    /** The SPEC §3 parameters of a quantized tensor. */
    public QuantParams params() {
        if (!isQuantized()) {
            throw new IllegalStateException("tensor " + name + " is float32 and has no quantization parameters");
        }
        return new QuantParams(bits, scale, zeroPoint);
    }

    /** The values the receiver computes with: SPEC §3 reconstructions, or the float32 values. */
    public float[] values() {
        int n = (int) elementCount();
        if (isQuantized()) {
            return PackedQuantizer.unpackAndDequantize(payload, 0, n, params());
        }
        float[] out = new float[n];
        ByteBuffer.wrap(payload).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
        return out;
    }

    /**
     * The values, as {@link #values()} gives them, written to {@code dst[off ..)} instead of a
     * new array (a server stacking many samples into one batch).
     */
    public void valuesInto(float[] dst, int off) {
        int n = (int) elementCount();
        Objects.checkFromIndexSize(off, n, dst.length);
        if (isQuantized()) {
            PackedQuantizer.unpackAndDequantize(payload, 0, n, params(), dst, off);
            return;
        }
        ByteBuffer.wrap(payload).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(dst, off, n);
    }

    /** Bytes of the payload as encoded. */
    public int payloadBytes() {
        return payload.length;
    }

    /** Bytes the payload would take as float32: {@code 4 n}. */
    public long fp32PayloadBytes() {
        return Math.multiplyExact(elementCount(), (long) Float.BYTES);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WireTensor t && name.equals(t.name) && Arrays.equals(shape, t.shape) && bits == t.bits
                && Float.floatToRawIntBits(scale) == Float.floatToRawIntBits(t.scale) && zeroPoint == t.zeroPoint
                && Arrays.equals(payload, t.payload);
    }

    @Override
    public int hashCode() {
        int h = name.hashCode();
        h = 31 * h + Arrays.hashCode(shape);
        h = 31 * h + bits;
        h = 31 * h + Float.floatToRawIntBits(scale);
        h = 31 * h + zeroPoint;
        return 31 * h + Arrays.hashCode(payload);
    }

    @Override
    public String toString() {
        return "WireTensor[" + name + " " + Arrays.toString(shape) + (isQuantized()
                ? " " + bits + " bits, scale " + scale + ", zero point " + zeroPoint : " float32")
                + ", " + payload.length + " payload bytes]";
    }
}
