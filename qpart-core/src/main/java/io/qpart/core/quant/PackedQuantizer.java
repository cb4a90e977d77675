package io.qpart.core.quant;

import java.util.Arrays;
import java.util.Objects;

/**
 * Fused SPEC §3 quantize+pack and unpack+dequantize: the paths the wire formats use for every
 * weight and activation byte. The results are exactly those of {@link Quantizer#codes} followed
 * by {@link CodePacker#pack}, and of {@link CodePacker#unpack} followed by
 * {@link Quantizer#dequantize(int[], QuantParams)}; tests check that element by element.
 *
 * <p>How the quantize loop stays exact without {@link Math#rint} or per-element branches:
 * {@code v = x / scale} is clamped to {@code [-2^22, 2^22]} (beyond that every code saturates
 * anyway, because zero points are below {@code 2^16}); for such {@code v},
 * {@code (v + 1.5*2^23) - 1.5*2^23} in float32 is exactly round-half-to-even of {@code v},
 * since Java float arithmetic is IEEE 754 round-to-nearest-even at every step. Non-finite
 * inputs are detected by OR-ing their exponent fields into one word checked once at the end.
 *
 * <p>Widths 8 and 4 have their own loops; other widths quantize a block of codes into a small
 * scratch array and hand it to {@link BitPacker}. Blocks are a multiple of 8 codes long, so every
 * block starts on a byte boundary of the packed stream.
 */
public final class PackedQuantizer {

    /** 1.5 * 2^23: adding then subtracting it rounds a float32 of magnitude <= 2^22 half-to-even. */
    private static final float ROUNDING_MAGIC = 12582912f;
    /** 2^22: the magnitude up to which {@link #ROUNDING_MAGIC} rounds exactly. */
    private static final float EXACT_LIMIT = 4194304f;
    /** Codes per block in the generic paths; a multiple of 8 keeps blocks byte-aligned. */
    private static final int BLOCK_CODES = 1024;
    /** Exponent field of a float32; all ones means NaN or infinity. */
    private static final int EXPONENT_MASK = 0x7F800000;
    /** Added to a masked exponent, sets the sign bit exactly when the exponent is all ones. */
    private static final int EXPONENT_CARRY = 0x00800000;

    private PackedQuantizer() {
    }

    /** Quantizes all of {@code w} under {@code p} and packs the codes (SPEC §3). */
    public static byte[] quantizeAndPack(float[] w, QuantParams p) {
        Objects.requireNonNull(w, "w");
        return quantizeAndPack(w, 0, w.length, p);
    }

    /** Quantizes {@code w[off .. off+len)} under {@code p} and packs the codes (SPEC §3). */
    public static byte[] quantizeAndPack(float[] w, int off, int len, QuantParams p) {
        Quantizer.checkSlice(w, off, len);
        Objects.requireNonNull(p, "p");
        byte[] dst = new byte[CodePacker.packedByteArrayLength(len, p.bits())];
        quantizeAndPack(w, off, len, p, dst, 0);
        return dst;
    }

    /**
     * Quantizes {@code w[off .. off+len)} under {@code p} and packs the codes into
     * {@code dst[dstOff .. dstOff + ceil(len * bits / 8))}. Refuses NaN and infinities with an
     * {@link IllegalArgumentException} naming the first offending index (the destination is then
     * unspecified).
     */
    public static void quantizeAndPack(float[] w, int off, int len, QuantParams p, byte[] dst, int dstOff) {
        Quantizer.checkSlice(w, off, len);
        Objects.requireNonNull(p, "p");
        Objects.requireNonNull(dst, "dst");
        int bits = p.bits();
        int size = CodePacker.packedByteArrayLength(len, bits);
        if (dstOff < 0 || dstOff > dst.length - size) {
            throw new IllegalArgumentException("dst range [" + dstOff + ", " + dstOff + "+" + size
                    + ") must lie inside an array of length " + dst.length);
        }
        int exponentFlags;
        if (p.isIdentity()) {
            exponentFlags = exponentFlags(w, off, len);
            Arrays.fill(dst, dstOff, dstOff + size, (byte) 0); // SPEC §3 identity: every code 0
        } else if (bits == 8) {
            exponentFlags = quantizePack8(w, off, len, p, dst, dstOff);
        } else if (bits == 4) {
            exponentFlags = quantizePack4(w, off, len, p, dst, dstOff);
        } else {
            exponentFlags = quantizePackBlocks(w, off, len, p, dst, dstOff);
        }
        if (exponentFlags < 0) {
            throw firstNonFinite(w, off, len);
        }
    }

    /** Unpacks {@code count} codes at byte {@code off} of {@code src} and dequantizes them (SPEC §3). */
    public static float[] unpackAndDequantize(byte[] src, int off, int count, QuantParams p) {
        if (count < 0) {
            throw new IllegalArgumentException("code count must be >= 0, was " + count);
        }
        float[] dst = new float[count];
        unpackAndDequantize(src, off, count, p, dst, 0);
        return dst;
    }

    /**
     * Unpacks {@code count} codes at byte {@code off} of {@code src} and writes their SPEC §3
     * reconstructions {@code (q - zp) * scale} to {@code dst[dstOff ..)}.
     */
    public static void unpackAndDequantize(byte[] src, int off, int count, QuantParams p, float[] dst, int dstOff) {
        Objects.requireNonNull(src, "src");
        Objects.requireNonNull(p, "p");
        Quantizer.checkSlice(dst, dstOff, count);
        long size = CodePacker.packedBytes(count, p.bits());
        if (off < 0 || off > src.length - size) {
            throw new IllegalArgumentException("src range [" + off + ", " + off + "+" + size
                    + ") must lie inside an array of length " + src.length);
        }
        switch (p.bits()) {
            case 8 -> dequantize8(src, off, count, p, dst, dstOff);
            case 4 -> dequantize4(src, off, count, p, dst, dstOff);
            default -> dequantizeBlocks(src, off, count, p, dst, dstOff);
        }
    }

    // SPEC §3 q = clamp(rint(x / scale) + zp, 0, 2^b - 1), branch-free and exact (see class doc).
    private static int code(float x, float scale, float zeroPoint, float maxCode) {
        float v = x / scale;
        v = Math.max(-EXACT_LIMIT, Math.min(EXACT_LIMIT, v));
        float rounded = (v + ROUNDING_MAGIC) - ROUNDING_MAGIC;
        return (int) Math.max(0f, Math.min(maxCode, rounded + zeroPoint));
    }

    private static int flag(float x) {
        return (Float.floatToRawIntBits(x) & EXPONENT_MASK) + EXPONENT_CARRY;
    }

    private static int quantizePack8(float[] w, int off, int len, QuantParams p, byte[] dst, int dstOff) {
        float scale = p.scale();
        float zeroPoint = p.zeroPoint();
        float maxCode = p.maxCode();
        int flags = 0;
        for (int i = 0; i < len; i++) {
            float x = w[off + i];
            flags |= flag(x);
            dst[dstOff + i] = (byte) code(x, scale, zeroPoint, maxCode);
        }
        return flags;
    }

    private static int quantizePack4(float[] w, int off, int len, QuantParams p, byte[] dst, int dstOff) {
        float scale = p.scale();
        float zeroPoint = p.zeroPoint();
        float maxCode = p.maxCode();
        int flags = 0;
        int pairs = len >>> 1;
        for (int j = 0; j < pairs; j++) {
            float lowX = w[off + 2 * j];
            float highX = w[off + 2 * j + 1];
            flags |= flag(lowX) | flag(highX);
            dst[dstOff + j] = (byte) (code(lowX, scale, zeroPoint, maxCode)
                    | code(highX, scale, zeroPoint, maxCode) << 4);
        }
        if ((len & 1) != 0) {
            float x = w[off + len - 1];
            flags |= flag(x);
            dst[dstOff + pairs] = (byte) code(x, scale, zeroPoint, maxCode);
        }
        return flags;
    }

    private static int quantizePackBlocks(float[] w, int off, int len, QuantParams p, byte[] dst, int dstOff) {
        float scale = p.scale();
        float zeroPoint = p.zeroPoint();
        float maxCode = p.maxCode();
        int bits = p.bits();
        int[] block = new int[Math.min(BLOCK_CODES, len)];
        int flags = 0;
        for (int start = 0; start < len; start += BLOCK_CODES) {
            int n = Math.min(BLOCK_CODES, len - start);
            int base = off + start;
            for (int i = 0; i < n; i++) {
                float x = w[base + i];
                flags |= flag(x);
                block[i] = code(x, scale, zeroPoint, maxCode);
            }
            // start is a multiple of 8 codes, so start * bits / 8 is a whole byte offset.
            BitPacker.packUnchecked(block, 0, n, bits, dst, dstOff + (int) ((long) start * bits >>> 3));
        }
        return flags;
    }

    private static void dequantize8(byte[] src, int off, int count, QuantParams p, float[] dst, int dstOff) {
        float scale = p.scale();
        int zeroPoint = p.zeroPoint();
        for (int i = 0; i < count; i++) {
            dst[dstOff + i] = (float) ((src[off + i] & 0xFF) - zeroPoint) * scale; // SPEC §3 W^
        }
    }

    private static void dequantize4(byte[] src, int off, int count, QuantParams p, float[] dst, int dstOff) {
        float scale = p.scale();
        int zeroPoint = p.zeroPoint();
        int pairs = count >>> 1;
        for (int j = 0; j < pairs; j++) {
            int b = src[off + j];
            dst[dstOff + 2 * j] = (float) ((b & 0xF) - zeroPoint) * scale;
            dst[dstOff + 2 * j + 1] = (float) (((b >>> 4) & 0xF) - zeroPoint) * scale;
        }
        if ((count & 1) != 0) {
            dst[dstOff + count - 1] = (float) ((src[off + pairs] & 0xF) - zeroPoint) * scale;
        }
    }

    private static void dequantizeBlocks(byte[] src, int off, int count, QuantParams p, float[] dst, int dstOff) {
        float scale = p.scale();
        int zeroPoint = p.zeroPoint();
        int bits = p.bits();
        int[] block = new int[Math.min(BLOCK_CODES, count)];
        for (int start = 0; start < count; start += BLOCK_CODES) {
            int n = Math.min(BLOCK_CODES, count - start);
            BitPacker.unpackUnchecked(src, off + (int) ((long) start * bits >>> 3), n, bits, block, 0);
            int base = dstOff + start;
            for (int i = 0; i < n; i++) {
                dst[base + i] = (float) (block[i] - zeroPoint) * scale; // SPEC §3 W^
            }
        }
    }

    private static int exponentFlags(float[] w, int off, int len) {
        int flags = 0;
        for (int i = off; i < off + len; i++) {
            flags |= flag(w[i]);
        }
        return flags;
    }

    private static IllegalArgumentException firstNonFinite(float[] w, int off, int len) {
        for (int i = off; i < off + len; i++) {
            if (!Float.isFinite(w[i])) {
                return Quantizer.nonFinite(i, w[i]);
            }
        }
        throw new AssertionError("no non-finite value found although the exponent flags said so");
    }
}
