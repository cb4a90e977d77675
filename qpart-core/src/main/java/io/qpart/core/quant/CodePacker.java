package io.qpart.core.quant;

import java.util.Objects;

/**
 * Dense packing of unsigned integer codes of {@code bits} bits each, {@code bits} in 1..16.
 *
 * <p><b>Bit order.</b> Code {@code i} occupies stream bits {@code [i*bits, (i+1)*bits)}; the
 * code's least significant bit comes first. Stream bit {@code k} is bit {@code k % 8} (bit 0 =
 * least significant) of byte {@code k / 8}. In other words the codes are concatenated
 * LSB-first into one little-endian bit stream, with no padding between codes. Only the last
 * byte may hold unused high bits; packers write them as zero.
 *
 * <p><b>Size.</b> {@code count} codes take exactly {@link #packedBytes(long, int)} =
 * {@code ceil(count * bits / 8)} bytes (SPEC §3 payload).
 *
 * <p>Both implementations ({@link ReferenceBitPacker}, {@link BitPacker}) produce identical
 * bytes and refuse codes outside {@code [0, 2^bits - 1]} with an
 * {@link IllegalArgumentException}.
 */
public interface CodePacker {

    /**
     * Packs {@code codes[codesOff .. codesOff+count)} into
     * {@code dst[dstOff .. dstOff+packedBytes(count, bits))}, overwriting every byte of that
     * region (unused high bits of the last byte become 0).
     */
    void pack(int[] codes, int codesOff, int count, int bits, byte[] dst, int dstOff);

    /**
     * Unpacks {@code count} codes from {@code src} starting at byte {@code srcOff} into
     * {@code codes[codesOff ..)}. Unused high bits of the last byte are ignored (see
     * {@link #paddingIsZero}).
     */
    void unpack(byte[] src, int srcOff, int count, int bits, int[] codes, int codesOff);

    /** Packs all of {@code codes} into a new array of exactly {@code packedBytes} bytes. */
    default byte[] pack(int[] codes, int bits) {
        Objects.requireNonNull(codes, "codes");
        byte[] dst = new byte[packedByteArrayLength(codes.length, bits)];
        pack(codes, 0, codes.length, bits, dst, 0);
        return dst;
    }

    /** Unpacks {@code count} codes starting at byte {@code srcOff} of {@code src}. */
    default int[] unpack(byte[] src, int srcOff, int count, int bits) {
        int[] codes = new int[count < 0 ? 0 : count];
        unpack(src, srcOff, count, bits, codes, 0);
        return codes;
    }

    /** Exact packed size of {@code count} codes of {@code bits} bits: {@code ceil(count * bits / 8)}. */
    static long packedBytes(long count, int bits) {
        requireWireBits(bits);
        if (count < 0) {
            throw new IllegalArgumentException("code count must be >= 0, was " + count);
        }
        return Math.addExact(Math.multiplyExact(count, (long) bits), 7L) >>> 3;
    }

    /** {@link #packedBytes(long, int)} as an array length; refuses sizes Java arrays cannot hold. */
    static int packedByteArrayLength(int count, int bits) {
        long n = packedBytes(count, bits);
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("packed size of " + count + " codes of " + bits
                    + " bits must fit a Java array, was " + n + " bytes");
        }
        return (int) n;
    }

    /**
     * True when the unused high bits of the last byte of a packed run are all zero, as packers
     * write them; decoders use it to keep encodings canonical.
     */
    static boolean paddingIsZero(byte[] src, int srcOff, int count, int bits) {
        long usedBits = Math.multiplyExact((long) count, (long) bits);
        int rem = (int) (usedBits & 7);
        if (rem == 0) {
            return true;
        }
        int last = srcOff + (int) (usedBits >>> 3);
        return (src[last] & 0xFF) >>> rem == 0;
    }

    /** Throws unless {@code bits} is in 1..16. */
    static int requireWireBits(int bits) {
        if (bits < QuantParams.MIN_WIRE_BITS || bits > QuantParams.MAX_WIRE_BITS) {
            throw new IllegalArgumentException("packed code width must be in [" + QuantParams.MIN_WIRE_BITS
                    + ", " + QuantParams.MAX_WIRE_BITS + "] bits, was " + bits);
        }
        return bits;
    }

    /** Shared argument checks of {@link #pack(int[], int, int, int, byte[], int)}. */
    static void checkPackArgs(int[] codes, int codesOff, int count, int bits, byte[] dst, int dstOff) {
        requireWireBits(bits);
        Objects.requireNonNull(codes, "codes");
        Objects.requireNonNull(dst, "dst");
        checkRange("codes", codesOff, count, codes.length);
        checkRange("dst", dstOff, packedBytes(count, bits), dst.length);
    }

    /** Shared argument checks of {@link #unpack(byte[], int, int, int, int[], int)}. */
    static void checkUnpackArgs(byte[] src, int srcOff, int count, int bits, int[] codes, int codesOff) {
        requireWireBits(bits);
        Objects.requireNonNull(src, "src");
        Objects.requireNonNull(codes, "codes");
        checkRange("src", srcOff, packedBytes(count, bits), src.length);
        checkRange("codes", codesOff, count, codes.length);
    }

    private static void checkRange(String what, long off, long len, int arrayLength) {
        if (off < 0 || len < 0 || off > arrayLength - len) {
            throw new IllegalArgumentException(what + " range [" + off + ", " + off + "+" + len
                    + ") must lie inside an array of length " + arrayLength);
        }
    }

    /** The message for a code that does not fit its width. */
    static IllegalArgumentException codeOutOfRange(int index, int code, int bits) {
        return new IllegalArgumentException("code at index " + index + " must be in [0, " + ((1 << bits) - 1)
                + "] for " + bits + " bits, was " + code);
    }
}
