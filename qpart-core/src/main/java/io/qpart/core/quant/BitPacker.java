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
 * <p>Codes are range-checked before anything is written, by OR-ing them all into one 64-bit word
 * (a loop the JIT vectorizes) and testing it once; only when that test fails is the offending
 * index searched for, so that the {@link IllegalArgumentException} can name it. The packing
 * loops themselves then carry no check and no per-element branch.
 */
public final class BitPacker implements CodePacker {

    /** The single instance (the packer has no state). */
    public static final BitPacker INSTANCE = new BitPacker();

    private static final VarHandle INT_LE =
            MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG_LE =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle SHORT_LE =
            MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);

    private BitPacker() {
    }

    @Override
    public void pack(int[] codes, int codesOff, int count, int bits, byte[] dst, int dstOff) {
        CodePacker.checkPackArgs(codes, codesOff, count, bits, dst, dstOff);
        long seen = 0;
        for (int i = codesOff; i < codesOff + count; i++) {
            seen |= codes[i]; // sign-extended: a negative code sets the high bits too
        }
        if ((seen & ~(long) ((1 << bits) - 1)) != 0) {
            throw firstOutOfRange(codes, codesOff, count, bits);
        }
        packTrusted(codes, codesOff, count, bits, dst, dstOff);
    }

    @Override
    public void unpack(byte[] src, int srcOff, int count, int bits, int[] codes, int codesOff) {
        CodePacker.checkUnpackArgs(src, srcOff, count, bits, codes, codesOff);
        unpackUnchecked(src, srcOff, count, bits, codes, codesOff);
    }

    /**
     * Packs codes already known to lie in {@code [0, 2^bits - 1]}, without any check; arguments
     * must already be valid.
     */
    static void packTrusted(int[] codes, int codesOff, int count, int bits, byte[] dst, int dstOff) {
        switch (bits) {
            case 8 -> pack8(codes, codesOff, count, dst, dstOff);
            case 4 -> pack4(codes, codesOff, count, dst, dstOff);
            case 16 -> pack16(codes, codesOff, count, dst, dstOff);
            default -> packAny(codes, codesOff, count, bits, dst, dstOff);
        }
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

    // Widths 8, 4 and 16 gather whole 32-bit words in registers and store each with one
    // little-endian write: on current x86 JITs this beats a byte-per-code loop, which the JIT
    // vectorizes into slow narrowing stores.
    private static void pack8(int[] codes, int codesOff, int count, byte[] dst, int dstOff) {
        int words = count >>> 2;
        for (int k = 0; k < words; k++) { // four codes make one little-endian int
            int i = codesOff + 4 * k;
            INT_LE.set(dst, dstOff + 4 * k, codes[i] | codes[i + 1] << 8 | codes[i + 2] << 16 | codes[i + 3] << 24);
        }
        for (int i = 4 * words; i < count; i++) {
            dst[dstOff + i] = (byte) codes[codesOff + i];
        }
    }

    private static void pack4(int[] codes, int codesOff, int count, byte[] dst, int dstOff) {
        int groups = count >>> 3;
        for (int g = 0; g < groups; g++) { // eight codes make one little-endian int
            int i = codesOff + 8 * g;
            INT_LE.set(dst, dstOff + 4 * g, codes[i] | codes[i + 1] << 4 | codes[i + 2] << 8
                    | codes[i + 3] << 12 | codes[i + 4] << 16 | codes[i + 5] << 20 | codes[i + 6] << 24
                    | codes[i + 7] << 28);
        }
        int d = dstOff + 4 * groups;
        int i = 8 * groups;
        for (; i + 1 < count; i += 2) {
            dst[d++] = (byte) (codes[codesOff + i] | codes[codesOff + i + 1] << 4);
        }
        if (i < count) {
            dst[d] = (byte) codes[codesOff + i];
        }
    }

    private static void pack16(int[] codes, int codesOff, int count, byte[] dst, int dstOff) {
        int words = count >>> 1;
        for (int k = 0; k < words; k++) { // two codes make one little-endian int
            int i = codesOff + 2 * k;
            INT_LE.set(dst, dstOff + 4 * k, codes[i] | codes[i + 1] << 16);
        }
        if ((count & 1) != 0) {
            SHORT_LE.set(dst, dstOff + 2 * (count - 1), (short) codes[codesOff + count - 1]);
        }
    }

    // Other widths go eight codes at a time: eight codes of b bits are exactly b bytes, so every
    // group starts on a byte boundary. Widths up to 8 build the group in one long; wider ones in
    // two halves of four codes (at most 60 bits each) spliced into two longs. Each long is
    // stored whole: the bytes past the group's own are zeros that the next group overwrites, so
    // this runs only while a full 8 (or 16) byte store stays inside the packed region; the last
    // few codes go through the bit accumulator.
    private static void packAny(int[] codes, int codesOff, int count, int bits, byte[] dst, int dstOff) {
        int end = dstOff + (int) CodePacker.packedBytes(count, bits);
        int wideGroups = wideGroups(count, bits, end - dstOff);
        int g = 0;
        for (; g < wideGroups; g++) {
            int i = codesOff + 8 * g;
            int d = dstOff + g * bits;
            if (bits <= 8) {
                long w = (long) codes[i] | (long) codes[i + 1] << bits | (long) codes[i + 2] << 2 * bits
                        | (long) codes[i + 3] << 3 * bits | (long) codes[i + 4] << 4 * bits
                        | (long) codes[i + 5] << 5 * bits | (long) codes[i + 6] << 6 * bits
                        | (long) codes[i + 7] << 7 * bits;
                LONG_LE.set(dst, d, w);
            } else {
                int half = 4 * bits; // 36..60
                long lo = (long) codes[i] | (long) codes[i + 1] << bits | (long) codes[i + 2] << 2 * bits
                        | (long) codes[i + 3] << 3 * bits;
                long hi = (long) codes[i + 4] | (long) codes[i + 5] << bits | (long) codes[i + 6] << 2 * bits
                        | (long) codes[i + 7] << 3 * bits;
                LONG_LE.set(dst, d, lo | hi << half);
                LONG_LE.set(dst, d + 8, hi >>> (64 - half));
            }
        }
        packAccumulated(codes, codesOff + 8 * g, count - 8 * g, bits, dst, dstOff + g * bits);
    }

    /**
     * How many leading groups of eight codes can be moved with whole 8-byte (widths up to 8) or
     * 16-byte (wider) accesses without touching a byte past the packed region.
     */
    private static int wideGroups(int count, int bits, int regionBytes) {
        int accessBytes = bits <= 8 ? 8 : 16;
        if (regionBytes < accessBytes) {
            return 0;
        }
        return Math.min(count >>> 3, (regionBytes - accessBytes) / bits + 1);
    }

    private static void packAccumulated(int[] codes, int codesOff, int count, int bits, byte[] dst, int dstOff) {
        long acc = 0;
        int accBits = 0;
        int d = dstOff;
        for (int i = codesOff; i < codesOff + count; i++) {
            acc |= (long) codes[i] << accBits;
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
    }

    private static void unpack8(byte[] src, int srcOff, int count, int[] codes, int codesOff) {
        for (int i = 0; i < count; i++) {
            codes[codesOff + i] = src[srcOff + i] & 0xFF;
        }
    }

    private static void unpack4(byte[] src, int srcOff, int count, int[] codes, int codesOff) {
        int groups = count >>> 3;
        for (int g = 0; g < groups; g++) { // one little-endian int holds eight codes
            int word = (int) INT_LE.get(src, srcOff + 4 * g);
            int i = codesOff + 8 * g;
            codes[i] = word & 0xF;
            codes[i + 1] = (word >>> 4) & 0xF;
            codes[i + 2] = (word >>> 8) & 0xF;
            codes[i + 3] = (word >>> 12) & 0xF;
            codes[i + 4] = (word >>> 16) & 0xF;
            codes[i + 5] = (word >>> 20) & 0xF;
            codes[i + 6] = (word >>> 24) & 0xF;
            codes[i + 7] = word >>> 28;
        }
        for (int i = 8 * groups; i < count; i++) {
            codes[codesOff + i] = (src[srcOff + (i >>> 1)] >>> ((i & 1) << 2)) & 0xF;
        }
    }

    private static void unpack16(byte[] src, int srcOff, int count, int[] codes, int codesOff) {
        for (int i = 0; i < count; i++) {
            codes[codesOff + i] = (short) SHORT_LE.get(src, srcOff + 2 * i) & 0xFFFF;
        }
    }

    // The mirror of packAny: eight codes (b bytes) per group, read with one or two longs while
    // those reads stay inside the packed region, then the last few codes from their bytes.
    private static void unpackAny(byte[] src, int srcOff, int count, int bits, int[] codes, int codesOff) {
        int mask = (1 << bits) - 1;
        int end = srcOff + (int) CodePacker.packedBytes(count, bits);
        int wideGroups = wideGroups(count, bits, end - srcOff);
        int g = 0;
        for (; g < wideGroups; g++) {
            int i = codesOff + 8 * g;
            int p = srcOff + g * bits;
            long w = (long) LONG_LE.get(src, p);
            if (bits <= 8) {
                codes[i] = (int) w & mask;
                codes[i + 1] = (int) (w >>> bits) & mask;
                codes[i + 2] = (int) (w >>> 2 * bits) & mask;
                codes[i + 3] = (int) (w >>> 3 * bits) & mask;
                codes[i + 4] = (int) (w >>> 4 * bits) & mask;
                codes[i + 5] = (int) (w >>> 5 * bits) & mask;
                codes[i + 6] = (int) (w >>> 6 * bits) & mask;
                codes[i + 7] = (int) (w >>> 7 * bits) & mask;
            } else {
                int half = 4 * bits; // 36..60
                long hi = w >>> half | (long) LONG_LE.get(src, p + 8) << (64 - half);
                codes[i] = (int) w & mask;
                codes[i + 1] = (int) (w >>> bits) & mask;
                codes[i + 2] = (int) (w >>> 2 * bits) & mask;
                codes[i + 3] = (int) (w >>> 3 * bits) & mask;
                codes[i + 4] = (int) hi & mask;
                codes[i + 5] = (int) (hi >>> bits) & mask;
                codes[i + 6] = (int) (hi >>> 2 * bits) & mask;
                codes[i + 7] = (int) (hi >>> 3 * bits) & mask;
            }
        }
        for (int i = 8 * g; i < count; i++) {
            long bit = (long) i * bits;
            int p = srcOff + (int) (bit >>> 3);
            int word = 0;
            for (int k = 0; k < 3 && p + k < end; k++) {
                word |= (src[p + k] & 0xFF) << (8 * k);
            }
            codes[codesOff + i] = (word >>> (int) (bit & 7)) & mask;
        }
    }
}
