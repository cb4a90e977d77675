package io.qpart.core.data;

import io.qpart.core.format.FormatException;
import io.qpart.core.format.FormatException.Reason;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Reads the IDX format that MNIST and its relatives are distributed in.
 *
 * <p>Layout, all big-endian: two zero bytes, a type byte ({@code 0x08} unsigned byte,
 * {@code 0x09} signed byte, {@code 0x0B} int16, {@code 0x0C} int32, {@code 0x0D} float32,
 * {@code 0x0E} float64), the number of dimensions (1 to 255), one unsigned 32-bit size per
 * dimension, then the elements in row-major order, which must end the file. A gzip-compressed file
 * ({@code .gz}, recognised by its magic bytes) is decompressed first.
 */
public final class Idx {

    private Idx() {
    }

    /**
     * True when {@code head} can start an IDX file: two zero bytes (or a prefix of them, so that a
     * truncated file is reported as truncated rather than as an unknown format).
     */
    static boolean looksLikeIdx(byte[] head) {
        return head.length > 0 && head[0] == 0 && (head.length < 2 || head[1] == 0);
    }

    /** Reads an IDX file, decompressing it first when it is gzip-compressed. */
    public static NumericArray read(Path path) throws IOException, FormatException {
        return parse(ByteBuffer.wrap(Bytes.readMaybeGzipped(path)), path.toString());
    }

    /**
     * Decodes the IDX bytes from the buffer's position to its limit, which must hold exactly one
     * array. The buffer's position is not changed.
     *
     * @param source names the file in error messages
     */
    public static NumericArray parse(ByteBuffer bytes, String source) throws FormatException {
        ByteBuffer in = bytes.slice().order(ByteOrder.BIG_ENDIAN);
        for (int i = 0; i < 2 && i < in.limit(); i++) {
            if (in.get(i) != 0) {
                throw new FormatException(Reason.BAD_MAGIC, source + ": expected the IDX magic"
                        + " 00 00 <type> <dimensions>, found " + Bytes.hex(in, 0, 4));
            }
        }
        if (in.limit() < 4) {
            throw new FormatException(Reason.TRUNCATED, source + ": expected the 4-byte IDX magic,"
                    + " the file ends after " + in.limit() + " bytes");
        }
        int code = in.get(2) & 0xff;
        ElementType type = switch (code) {
            case 0x08 -> ElementType.UINT8;
            case 0x09 -> ElementType.INT8;
            case 0x0B -> ElementType.INT16;
            case 0x0C -> ElementType.INT32;
            case 0x0D -> ElementType.FLOAT32;
            case 0x0E -> ElementType.FLOAT64;
            default -> throw new FormatException(Reason.UNSUPPORTED, source + ": expected an IDX"
                    + " type byte 08, 09, 0b, 0c, 0d or 0e, found " + String.format("%02x", code));
        };
        int rank = in.get(3) & 0xff;
        if (rank == 0) {
            throw new FormatException(Reason.INVALID_FIELD,
                    source + ": expected an IDX file with 1 or more dimensions, found 0");
        }
        int dataStart = 4 + 4 * rank;
        if (in.limit() < dataStart) {
            throw new FormatException(Reason.TRUNCATED, source + ": expected " + rank
                    + " dimension sizes (" + (4 * rank) + " bytes) after the magic, found "
                    + (in.limit() - 4) + " bytes");
        }
        long[] shape = new long[rank];
        for (int axis = 0; axis < rank; axis++) {
            shape[axis] = Integer.toUnsignedLong(in.getInt(4 + 4 * axis));
        }
        long dataBytes;
        try {
            dataBytes = Math.multiplyExact(NumericArray.elementCount(shape), type.byteSize());
        } catch (ArithmeticException e) {
            throw new FormatException(Reason.INVALID_FIELD, source + ": shape "
                    + Arrays.toString(shape) + " holds more bytes than fit in 64 bits", e);
        }
        long available = in.limit() - dataStart;
        String what = " data bytes for " + type + " " + Arrays.toString(shape);
        if (available < dataBytes) {
            throw new FormatException(Reason.TRUNCATED,
                    source + ": expected " + dataBytes + what + ", found " + available);
        }
        if (available > dataBytes) {
            throw new FormatException(Reason.TRAILING_BYTES, source + ": expected " + dataBytes
                    + what + ", found " + available + " (" + (available - dataBytes) + " extra)");
        }
        return new NumericArray(type, ByteOrder.BIG_ENDIAN, shape,
                in.slice(dataStart, (int) dataBytes));
    }
}
