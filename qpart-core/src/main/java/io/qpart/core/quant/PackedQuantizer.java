package io.qpart.core.quant;

import java.util.Arrays;
import java.util.Objects;

/**
 * Fused SPEC §3 quantize+pack and unpack+dequantize: the paths the wire formats use for every
 * weight and activation byte. The results are exactly those of {@link Quantizer#codes} followed
 * by {@link CodePacker#pack}, and of {@link CodePacker#unpack} followed by
 * {@link Quantizer#dequantize(int[], QuantParams)}; tests check that element by element.
 *
 * <p>How the quantize loop stays exact without {@link Math#rint} or per-element branches, so
 * that the JIT can vectorize it: with {@code v = x / scale} and {@code M = 1.5 * 2^23},
 * {@code r = (v + M) - M} in float32 is exactly round-half-to-even of {@code v} whenever
 * {@code |v| <= 2^22}, because Java float arithmetic rounds to nearest-even at every step and
 * the sum lies in {@code [2^23, 2^24]}, where float32 spacing is 1. When {@code |v| > 2^22},
 * {@code r} keeps the sign of {@code v} and {@code |r| > 2^21}; zero points are below
 * {@code 2^16}, so {@code r + zp} saturates to the same end code as {@code rint(v) + zp} would.
 * {@code (int)} saturates, so infinite quotients are covered too. NaN and infinite inputs are
 * found before a block is quantized by a branch-free check ({@code x - x} is NaN exactly for
 * them), after which the first offending index is searched for.
 *
 * <p>Work goes in blocks of up to 2048 codes: check, quantize into a small int scratch array
 * (vectorizable: one element size throughout), then pack it with {@link BitPacker}. Blocks are
 * a multiple of 8 codes long, so every block starts on a byte boundary of the packed stream.
 */
public final class PackedQuantizer {

    /** 1.5 * 2^23: adding then subtracting it rounds a float32 of magnitude <= 2^22 half-to-even. */
    private static final float ROUNDING_MAGIC = 12582912f;
    /** Codes per block; a multiple of 8 keeps blocks byte-aligned, and a block stays in L1. */
    private static final int BLOCK_CODES = 2048;

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
        if (p.isIdentity()) {
            for (int i = off; i < off + len; i++) {
                if (!Float.isFinite(w[i])) {
                    throw Quantizer.nonFinite(i, w[i]);
                }
            }
            Arrays.fill(dst, dstOff, dstOff + size, (byte) 0); // SPEC §3 identity: every code is 0
            return;
        }
        float scale = p.scale();
        float zeroPoint = p.zeroPoint();
        int maxCode = p.maxCode();
        int[] block = new int[Math.min(BLOCK_CODES, len)];
        for (int start = 0; start < len; start += BLOCK_CODES) {
            int n = Math.min(BLOCK_CODES, len - start);
            int base = off + start;
            if (anyNonFinite(w, base, n)) {
                throw firstNonFinite(w, base, n);
            }
            quantizeBlock(w, base, n, scale, zeroPoint, maxCode, block);
            // start is a multiple of 8 codes, so start * bits / 8 is a whole byte offset.
            BitPacker.packTrusted(block, 0, n, bits, dst, dstOff + (int) ((long) start * bits >>> 3));
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
        dequantizeBlocks(src, off, count, p, dst, dstOff);
    }

    /**
     * SPEC §3 {@code q = clamp(rint(x / scale) + zp, 0, 2^b - 1)} for a block of finite values,
     * exact and without branches (see the class documentation), so that the JIT can vectorize it.
     */
    private static void quantizeBlock(float[] w, int base, int n, float scale, float zeroPoint, int maxCode,
            int[] codes) {
        for (int i = 0; i < n; i++) {
            float rounded = (w[base + i] / scale + ROUNDING_MAGIC) - ROUNDING_MAGIC;
            codes[i] = Math.max(0, Math.min(maxCode, (int) (rounded + zeroPoint)));
        }
    }

    /** True when a value of the block is NaN or infinite; branch-free, so the JIT vectorizes it. */
    private static boolean anyNonFinite(float[] w, int base, int n) {
        long notFinite = 0;
        for (int i = base; i < base + n; i++) {
            float x = w[i];
            notFinite |= 1 - (int) (x - x + 1f); // x - x is 0 when x is finite, NaN otherwise; (int) NaN == 0
        }
        return notFinite != 0;
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

    private static IllegalArgumentException firstNonFinite(float[] w, int off, int len) {
        for (int i = off; i < off + len; i++) {
            if (!Float.isFinite(w[i])) {
                return Quantizer.nonFinite(i, w[i]);
            }
        }
        throw new AssertionError("no non-finite value found although the exponent flags said so");
    }
}
