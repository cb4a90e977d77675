package io.qpart.core.quant;

import java.util.Objects;

/**
 * The SPEC §3 quantizer: uniform, asymmetric, one range per tensor, {@code b} bits with
 * {@code b} in {@link #MIN_BITS}..{@link #MAX_BITS}; {@link #NOT_QUANTIZED_BITS} (32) means
 * "left in float32". External checks recompute these numbers, so every arithmetic choice is
 * fixed here:
 *
 * <pre>
 * lo    = min(min(W), 0)                  hi = max(max(W), 0)        in float32
 * scale = (float) ((hi - lo) / (2^b - 1)) the subtraction and division in double, the result
 *                                         rounded once to float32 (it travels as float32)
 * zp    = clamp(rint(-lo / scale), 0, 2^b - 1)                       division in float32
 * q     = clamp(rint(W / scale) + zp, 0, 2^b - 1)                    division in float32
 * W^    = (float) (q - zp) * scale                                   product in float32
 * </pre>
 *
 * <ul>
 *   <li>{@code rint} is round-half-to-even ({@link Math#rint}), as in numpy and ONNX's
 *       QuantizeLinear.</li>
 *   <li>If {@code hi == lo} (which, since the range holds 0, means every value is ±0 or the
 *       tensor is empty) the tensor passes unchanged: {@link #params} returns
 *       {@link QuantParams#identity(int)} (scale 0, zero point 0, every code 0).</li>
 *   <li>If {@code hi > lo} but the float32 scale underflows to 0 (a range below about
 *       {@code 2^b * 1.4e-45}), the smallest positive float32 is used instead, so that the
 *       parameters stay invertible; SPEC §3 is silent on that case.</li>
 *   <li>0.0 is always exactly representable: it quantizes to {@code zp}, which dequantizes to 0.
 *       Inside {@code [lo, hi]} the error {@code |W - W^|} is at most {@code scale / 2} plus
 *       float32 rounding.</li>
 *   <li>NaN and infinite inputs are refused with an {@link IllegalArgumentException} naming the
 *       first offending index.</li>
 * </ul>
 *
 * <p>This class is the readable definition; {@link PackedQuantizer} has the fused fast paths,
 * which tests check against it element by element.
 */
public final class Quantizer {

    /** Smallest bit-width the quantizer produces (SPEC §3). */
    public static final int MIN_BITS = 2;
    /** Largest bit-width the quantizer produces (SPEC §3). */
    public static final int MAX_BITS = 16;
    /** The bit-width that means "not quantized, float32" (SPEC §3). */
    public static final int NOT_QUANTIZED_BITS = 32;

    private Quantizer() {
    }

    /** SPEC §3 parameters for the whole of {@code w}. */
    public static QuantParams params(float[] w, int bits) {
        Objects.requireNonNull(w, "w");
        return params(w, 0, w.length, bits);
    }

    /**
     * SPEC §3 parameters for {@code w[off .. off+len)}: the range of that slice only, which is
     * how one sample of a batch buffer is quantized per request.
     */
    public static QuantParams params(float[] w, int off, int len, int bits) {
        requireQuantizerBits(bits);
        checkSlice(w, off, len);
        float lo = 0f; // SPEC §3: the range always contains 0
        float hi = 0f;
        for (int i = off; i < off + len; i++) {
            // Math.min/max propagate NaN and keep infinities, so one test after the loop finds
            // non-finite input; branch-free reductions are what the JIT vectorizes.
            lo = Math.min(lo, w[i]);
            hi = Math.max(hi, w[i]);
        }
        if (!Float.isFinite(lo) || !Float.isFinite(hi)) {
            for (int i = off; i < off + len; i++) {
                if (!Float.isFinite(w[i])) {
                    throw nonFinite(i, w[i]);
                }
            }
        }
        lo += 0f; // -0.0 (Math.min(0, -0.0)) becomes +0.0
        if (hi == lo) {
            return QuantParams.identity(bits); // SPEC §3: tensor passes unchanged
        }
        int maxCode = (1 << bits) - 1;
        float scale = (float) (((double) hi - (double) lo) / maxCode); // SPEC §3 scale
        if (scale == 0f) {
            scale = Float.MIN_VALUE; // underflow guard, documented above
        }
        double zp = Math.rint(-lo / scale); // SPEC §3 zero point, division in float32
        int zeroPoint = (int) Math.max(0, Math.min(maxCode, zp));
        return new QuantParams(bits, scale, zeroPoint);
    }

    /** The SPEC §3 code of one value. {@code x} must be finite. */
    public static int code(float x, QuantParams p) {
        if (p.isIdentity()) {
            return 0;
        }
        double q = Math.rint(x / p.scale()) + p.zeroPoint(); // SPEC §3 q, division in float32
        if (q < 0) {
            return 0;
        }
        int maxCode = p.maxCode();
        return q > maxCode ? maxCode : (int) q;
    }

    /** The SPEC §3 reconstruction of one code: {@code (q - zp) * scale} in float32. */
    public static float dequantize(int code, QuantParams p) {
        return (float) (code - p.zeroPoint()) * p.scale();
    }

    /** Codes of every value of {@code w} under {@code p}. */
    public static int[] codes(float[] w, QuantParams p) {
        Objects.requireNonNull(w, "w");
        return codes(w, 0, w.length, p);
    }

    /** Codes of {@code w[off .. off+len)} under {@code p}. */
    public static int[] codes(float[] w, int off, int len, QuantParams p) {
        Objects.requireNonNull(p, "p");
        checkSlice(w, off, len);
        int[] out = new int[len];
        for (int i = 0; i < len; i++) {
            float v = w[off + i];
            if (!Float.isFinite(v)) {
                throw nonFinite(off + i, v);
            }
            out[i] = code(v, p);
        }
        return out;
    }

    /** Reconstructions of {@code codes} under {@code p}; codes must lie in {@code [0, 2^bits - 1]}. */
    public static float[] dequantize(int[] codes, QuantParams p) {
        Objects.requireNonNull(codes, "codes");
        Objects.requireNonNull(p, "p");
        float[] out = new float[codes.length];
        int maxCode = p.maxCode();
        for (int i = 0; i < codes.length; i++) {
            int c = codes[i];
            if (c < 0 || c > maxCode) {
                throw new IllegalArgumentException("code at index " + i + " must be in [0, " + maxCode
                        + "], was " + c);
            }
            out[i] = dequantize(c, p);
        }
        return out;
    }

    /**
     * Quantize then dequantize a copy of {@code w} with its own SPEC §3 range: what evaluating a
     * quantized model computes with. {@code bits == 32} returns an unchanged copy, as does the
     * identity case.
     */
    public static float[] fakeQuantize(float[] w, int bits) {
        Objects.requireNonNull(w, "w");
        float[] out = w.clone();
        fakeQuantize(out, 0, out.length, bits);
        return out;
    }

    /**
     * In-place {@link #fakeQuantize(float[], int)} of {@code buf[off .. off+len)}, with the range
     * of that slice only (per-sample activation quantization). {@code bits == 32} leaves the slice
     * untouched.
     */
    public static void fakeQuantize(float[] buf, int off, int len, int bits) {
        if (bits == NOT_QUANTIZED_BITS) {
            checkSlice(buf, off, len);
            return;
        }
        QuantParams p = params(buf, off, len, bits); // also refuses non-finite values
        if (p.isIdentity()) {
            return; // SPEC §3: hi == lo, the tensor passes unchanged
        }
        for (int i = off; i < off + len; i++) {
            buf[i] = dequantize(code(buf[i], p), p);
        }
    }

    /** Throws unless {@code bits} is a width this quantizer produces (2..16) or 32. */
    public static int requireBitsOrFloat(int bits) {
        if (bits != NOT_QUANTIZED_BITS) {
            requireQuantizerBits(bits);
        }
        return bits;
    }

    private static void requireQuantizerBits(int bits) {
        if (bits < MIN_BITS || bits > MAX_BITS) {
            throw new IllegalArgumentException("quantizer bits must be in [" + MIN_BITS + ", " + MAX_BITS
                    + "] (or " + NOT_QUANTIZED_BITS + " for float32 where allowed), was " + bits);
        }
    }

    static void checkSlice(float[] w, int off, int len) {
        Objects.requireNonNull(w, "w");
        if (off < 0 || len < 0 || off > w.length - len) {
            throw new IllegalArgumentException("slice [" + off + ", " + off + "+" + len
                    + ") must lie inside an array of length " + w.length);
        }
    }

    static IllegalArgumentException nonFinite(int index, float value) {
        return new IllegalArgumentException("value at index " + index + " must be finite to be quantized, was "
                + value);
    }
}
