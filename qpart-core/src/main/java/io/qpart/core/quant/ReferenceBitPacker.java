package io.qpart.core.quant;

/**
 * The obviously correct {@link CodePacker}: one bit at a time, straight from the definition of
 * the bit order. It is the oracle the fast {@link BitPacker} is tested against; use
 * {@link BitPacker} in real code.
 */
public final class ReferenceBitPacker implements CodePacker {

    /** The single instance (the packer has no state). */
    public static final ReferenceBitPacker INSTANCE = new ReferenceBitPacker();

    private ReferenceBitPacker() {
    }

    @Override
    public void pack(int[] codes, int codesOff, int count, int bits, byte[] dst, int dstOff) {
        CodePacker.checkPackArgs(codes, codesOff, count, bits, dst, dstOff);
        int size = (int) CodePacker.packedBytes(count, bits);
        for (int i = 0; i < size; i++) {
            dst[dstOff + i] = 0;
        }
        for (int i = 0; i < count; i++) {
            int code = codes[codesOff + i];
            if (code < 0 || code >= 1 << bits) {
                throw CodePacker.codeOutOfRange(codesOff + i, code, bits);
            }
            for (int b = 0; b < bits; b++) {
                long streamBit = (long) i * bits + b;
                int bit = (code >>> b) & 1;
                int byteIndex = dstOff + (int) (streamBit / 8);
                dst[byteIndex] = (byte) (dst[byteIndex] | bit << (int) (streamBit % 8));
            }
        }
    }

    @Override
    public void unpack(byte[] src, int srcOff, int count, int bits, int[] codes, int codesOff) {
        CodePacker.checkUnpackArgs(src, srcOff, count, bits, codes, codesOff);
        for (int i = 0; i < count; i++) {
            int code = 0;
            for (int b = 0; b < bits; b++) {
                long streamBit = (long) i * bits + b;
                int bit = (src[srcOff + (int) (streamBit / 8)] >>> (int) (streamBit % 8)) & 1;
                code |= bit << b;
            }
            codes[codesOff + i] = code;
        }
    }
}
