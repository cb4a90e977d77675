package io.qpart.core.quant;

/**
 * The parameters of one SPEC §3 quantization: {@code W^ = (q - zeroPoint) * scale}, codes
 * {@code q} in {@code [0, 2^bits - 1]}.
 *
 * <p>{@code bits} is 1..16 here because that is what the wire formats carry; the quantizer
 * itself only produces 2..16 ({@link Quantizer#MIN_BITS}..{@link Quantizer#MAX_BITS}).
 *
 * <p>A scale of exactly {@code 0} marks the <em>identity</em> case of SPEC §3 ("if hi == lo the
 * tensor passes unchanged"): the range collapsed to {@code [0, 0]}, so every value is zero. Its
 * zero point is {@code 0}, every code is {@code 0} and dequantizes to {@code 0.0f}. Use
 * {@link #identity(int)} to build it and {@link #isIdentity()} to test for it.
 *
 * @param bits      code width in bits, 1..16
 * @param scale     float32 step between adjacent codes: finite and {@code > 0}, or {@code +0.0f}
 *                  for the identity case
 * @param zeroPoint the code that represents 0.0, in {@code [0, 2^bits - 1]}; {@code 0} when
 *                  the scale is {@code 0}
 */
public record QuantParams(int bits, float scale, int zeroPoint) {

    /** Smallest code width the packers and wire formats accept. */
    public static final int MIN_WIRE_BITS = 1;
    /** Largest code width the packers and wire formats accept. */
    public static final int MAX_WIRE_BITS = 16;

    public QuantParams {
        if (bits < MIN_WIRE_BITS || bits > MAX_WIRE_BITS) {
            throw new IllegalArgumentException("quantization bits must be in [" + MIN_WIRE_BITS + ", "
                    + MAX_WIRE_BITS + "], was " + bits);
        }
        if (!Float.isFinite(scale) || Float.floatToRawIntBits(scale) < 0) {
            throw new IllegalArgumentException("quantization scale must be finite and >= +0.0, was " + scale);
        }
        int maxCode = (1 << bits) - 1;
        if (zeroPoint < 0 || zeroPoint > maxCode) {
            throw new IllegalArgumentException("zero point must be in [0, " + maxCode + "] for " + bits
                    + " bits, was " + zeroPoint);
        }
        if (scale == 0f && zeroPoint != 0) {
            throw new IllegalArgumentException("an identity quantization (scale 0) must have zero point 0, was "
                    + zeroPoint);
        }
    }

    /** The identity parameters at {@code bits}: scale 0, zero point 0 (SPEC §3, hi == lo). */
    public static QuantParams identity(int bits) {
        return new QuantParams(bits, 0f, 0);
    }

    /** True when the range collapsed (hi == lo == 0) and the tensor passes unchanged. */
    public boolean isIdentity() {
        return scale == 0f;
    }

    /** The largest code, {@code 2^bits - 1}. */
    public int maxCode() {
        return (1 << bits) - 1;
    }
}
