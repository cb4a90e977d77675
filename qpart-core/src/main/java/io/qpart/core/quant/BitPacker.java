package io.qpart.core.quant;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The fast {@link CodePacker}: codes are gathered into a 64-bit accumulator and written 32 bits
 * at a time (read back the same way), with straight loops for the byte-friendly widths 4, 8 and
 * 16. Same bytes as {@link ReferenceBitPacker}, which the tests check on awkward lengths and
 * every width 1..16.
 *
 * <p>Out-of-range codes are detected by OR-ing every code into one word and testing it once
 * at the end, so the loops carry no per-element branch; when that test fails the offending
 * index is searched for, the {@link IllegalArgumentException} names it, and the content of the
 * destination region is unspecified.
 */
public final class BitPacker implements CodePacker {

    /** The single instance (the packer has no state). */
    public static final BitPacker INSTANCE = new BitPacker();

    private static final VarHandle INT_LE =
            MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle SHORT_LE =
            MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);

    private BitPacker() {
    }

    @Override
    public void pack(int[] codes, int codesOff, int count, int bits, byte[] dst, int dstOff) {
        CodePacker.checkPackArgs(codes, codesOff, count, bits, dst, dstOff);
        int seen = packUnchecked(codes, codesOff, count, bits, dst, dstOff);
        if ((seen & ~((1 << bits) - 1)) != 0) {
            throw firstOutOfRange(codes, codesOff, count, bits);
        }
    }

    @Override
    public void unpack(byte[] src, int srcOff, int count, int bits, int[] codes, int codesOff) {
        CodePacker.checkUnpackArgs(src, srcOff, count, bits, codes, codesOff);
        unpackUnchecked(src, srcOff, count, bits, codes, codesOff);
    }

    /**
     * Packs without argument checks and returns the OR of every code, from which the caller
     * tells whether any code exceeded {@code bits}. Arguments must already be valid.
     */
    static int packUnchecked(int[] codes, int codesOff, int count, int bits, byte[] dst, int dstOff) {
        return switch (bits) {
            case 8 -> pack8(codes, codesOff, count, dst, dstOff);
            case 4 -> pack4(codes, codesOff, count, dst, dstOff);
            case 16 -> pack16(codes, codesOff, count, dst, dstOff);
            default -> packAny(codes, codesOff, count, bits, dst, dstOff);
        };
    }

    /** Unpacks without argument checks. Arguments must already be valid. */
    static void unpackUnchecked(byte[] src, int srcOff, int count, int bits, int[] codes, int codesOff) {
        switch (bits) {
            case 8 -> unpack8(src, srcOff, count, codes, codesOff);
            case 4 -> unpack4(src, srcOff, count, codes, codesOff);
            case 16 -> unpack16(src, srcOff, count, codes, codesOff);
            default -> unpackAny(src, srcOff, count, bits, codes, codesOff);
        }
    }

    static IllegalArgumentException firstOutOfRange(int[] codes, int codesOff, int count, int bits) {
        for (int i = codesOff; i < codesOff + count; i++) {
            if (codes[i] < 0 || codes[i] >= 1 << bits) {
                return CodePacker.codeOutOfRange(i, codes[i], bits);
            }
        }
        throw new AssertionError("no out-of-range code found although the OR of the codes said so");
    }

    private static int pack8(int[] codes, int codesOff, int count, byte[] dst, int dstOff) {
        int seen = 0;
        for (int i = 0; i < count; i++) {
            int c = codes[codesOff + i];
            seen |= c;
            dst[dstOff + i] = (byte) c;
        }
        return seen;
    }

    private static int pack4(int[] codes, int codesOff, int count, byte[] dst, int dstOff) {
        int seen = 0;
        int pairs = count >>> 1;
        for (int j = 0; j < pairs; j++) {
            int lowCode = codes[codesOff + 2 * j];
            int highCode = codes[codesOff + 2 * j + 1];
            seen |= lowCode | highCode;
            dst[dstOff + j] = (byte) (lowCode | highCode << 4);
        }
        if ((count & 1) != 0) {
            int c = codes[codesOff + count - 1];
            seen |= c;
            dst[dstOff + pairs] = (byte) (c & 0xF);
        }
        return seen;
    }

    private static int pack16(int[] codes, int codesOff, int count, byte[] dst, int dstOff) {
        int seen = 0;
        for (int i = 0; i < count; i++) {
            int c = codes[codesOff + i];
            seen |= c;
            SHORT_LE.set(dst, dstOff + 2 * i, (short) c);
        }
        return seen;
    }

    private static int packAny(int[] codes, int codesOff, int count, int bits, byte[] dst, int dstOff) {
        int mask = (1 << bits) - 1;
        int seen = 0;
        long acc = 0;
        int accBits = 0;
        int d = dstOff;
        for (int i = codesOff; i < codesOff + count; i++) {
            int c = codes[i];
            seen |= c;
            acc |= (long) (c & mask) << accBits;
            accBits += bits;
            if (accBits >= 32) {
                INT_LE.set(dst, d, (int) acc);
                d += 4;
                acc >>>= 32;
                accBits -= 32;
            }
        }
        while (accBits > 0) {
            dst[d++] = (byte) acc;
            acc >>>= 8;
            accBits -= 8;
        }
        return seen;
    }

    private static void unpack8(byte[] src, int srcOff, int count, int[] codes, int codesOff) {
        for (int i = 0; i < count; i++) {
            codes[codesOff + i] = src[srcOff + i] & 0xFF;
        }
    }

    private static void unpack4(byte[] src, int srcOff, int count, int[] codes, int codesOff) {
        int pairs = count >>> 1;
        for (int j = 0; j < pairs; j++) {
            int b = src[srcOff + j];
            codes[codesOff + 2 * j] = b & 0xF;
            codes[codesOff + 2 * j + 1] = (b >>> 4) & 0xF;
        }
        if ((count & 1) != 0) {
            codes[codesOff + count - 1] = src[srcOff + pairs] & 0xF;
        }
    }

    private static void unpack16(byte[] src, int srcOff, int count, int[] codes, int codesOff) {
        for (int i = 0; i < count; i++) {
            codes[codesOff + i] = (short) SHORT_LE.get(src, srcOff + 2 * i) & 0xFFFF;
        }
    }

    private static void unpackAny(byte[] src, int srcOff, int count, int bits, int[] codes, int codesOff) {
        int mask = (1 << bits) - 1;
        int end = srcOff + (int) CodePacker.packedBytes(count, bits);
        int p = srcOff;
        long acc = 0;
        int accBits = 0;
        for (int i = codesOff; i < codesOff + count; i++) {
            if (accBits < bits) {
                if (p <= end - 4) {
                    acc |= ((int) INT_LE.get(src, p) & 0xFFFFFFFFL) << accBits;
                    p += 4;
                    accBits += 32;
                } else {
                    while (accBits < bits) {
                        acc |= (src[p++] & 0xFFL) << accBits;
                        accBits += 8;
                    }
                }
            }
            codes[i] = (int) acc & mask;
            acc >>>= bits;
            accBits -= bits;
        }
    }
}
