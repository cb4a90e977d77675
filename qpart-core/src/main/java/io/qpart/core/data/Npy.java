package io.qpart.core.data;

import io.qpart.core.format.FormatException;
import io.qpart.core.format.FormatException.Reason;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Reads numpy's {@code .npy} format, versions 1.0, 2.0 and 3.0.
 *
 * <p>Layout: the 6-byte magic {@code \x93NUMPY}, one byte major and one byte minor version, the
 * header length (little-endian {@code uint16} in version 1, {@code uint32} in versions 2 and 3),
 * then the header: a Python dict literal with the keys {@code 'descr'} (type string such as
 * {@code '<f4'}), {@code 'fortran_order'} and {@code 'shape'} (a tuple), latin-1 encoded (UTF-8 in
 * version 3). The element bytes follow and must end the file.
 *
 * <p>Supported {@code descr} values: a byte-order character ({@code '<'} little, {@code '>'} big,
 * {@code '='} native, {@code '|'} not applicable, for one-byte types only) followed by one of the
 * {@link ElementType} codes {@code b1 i1 u1 i2 u2 i4 u4 i8 u8 f2 f4 f8}. Structured, string and
 * object arrays are refused, and so are Fortran-ordered arrays of rank 2 or more (for rank 0 and 1
 * the two orders are the same bytes).
 */
public final class Npy {

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};

    private Npy() {
    }

    /** True when {@code head} starts with the {@code .npy} magic byte {@code 0x93}. */
    static boolean looksLikeNpy(byte[] head) {
        return head.length > 0 && head[0] == MAGIC[0];
    }

    /** Reads a {@code .npy} file; a gzip-compressed file is decompressed first. */
    public static NumericArray read(Path path) throws IOException, FormatException {
        return parse(ByteBuffer.wrap(Bytes.readMaybeGzipped(path)), path.toString());
    }

    /**
     * Decodes the {@code .npy} bytes from the buffer's position to its limit, which must hold
     * exactly one array. The buffer's position is not changed.
     *
     * @param source names the file or entry in error messages
     */
    public static NumericArray parse(ByteBuffer bytes, String source) throws FormatException {
        ByteBuffer in = bytes.slice().order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < MAGIC.length; i++) {
            if (i >= in.limit()) {
                throw new FormatException(Reason.TRUNCATED, source + ": expected the 6-byte .npy"
                        + " magic \\x93NUMPY, the file ends after " + in.limit() + " bytes");
            }
            if (in.get(i) != MAGIC[i]) {
                throw new FormatException(Reason.BAD_MAGIC, source + ": expected the .npy magic"
                        + " 93 4e 55 4d 50 59 (\\x93NUMPY), found " + Bytes.hex(in, 0, 6));
            }
        }
        requireBytes(in, 8, "the 2 version bytes after the magic", source);
        int major = in.get(6) & 0xff;
        int minor = in.get(7) & 0xff;
        if (major < 1 || major > 3 || minor != 0) {
            throw new FormatException(Reason.UNSUPPORTED_VERSION, source + ": expected .npy"
                    + " format version 1.0, 2.0 or 3.0, found " + major + "." + minor);
        }
        int lengthBytes = major == 1 ? 2 : 4;
        requireBytes(in, 8 + lengthBytes, "the header length field", source);
        long headerLength = major == 1
                ? Short.toUnsignedInt(in.getShort(8))
                : Integer.toUnsignedLong(in.getInt(8));
        int headerStart = 8 + lengthBytes;
        if (headerLength > in.limit() - headerStart) {
            throw new FormatException(Reason.TRUNCATED, source + ": expected a " + headerLength
                    + "-byte header, found " + (in.limit() - headerStart) + " bytes after the"
                    + " length field");
        }
        byte[] headerBytes = new byte[(int) headerLength];
        in.get(headerStart, headerBytes);
        String headerText = new String(headerBytes,
                major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        Header header = Header.parse(headerText, source);

        long count;
        long dataBytes;
        try {
            count = NumericArray.elementCount(header.shape);
            dataBytes = Math.multiplyExact(count, header.type.byteSize());
        } catch (ArithmeticException e) {
            throw new FormatException(Reason.INVALID_FIELD, source + ": shape "
                    + Arrays.toString(header.shape) + " holds more bytes than fit in"
                    + " 64 bits", e);
        }
        if (header.fortranOrder && header.shape.length >= 2) {
            throw new FormatException(Reason.UNSUPPORTED, source + ": expected a C-ordered array,"
                    + " found fortran_order True for shape " + Arrays.toString(header.shape)
                    + "; save it with numpy.ascontiguousarray(a) first");
        }
        int dataStart = headerStart + (int) headerLength;
        long available = in.limit() - dataStart;
        if (available < dataBytes) {
            throw new FormatException(Reason.TRUNCATED, source + ": expected " + dataBytes
                    + " data bytes for " + header.describe() + ", found " + available);
        }
        if (available > dataBytes) {
            throw new FormatException(Reason.TRAILING_BYTES, source + ": expected " + dataBytes
                    + " data bytes for " + header.describe() + ", found " + available
                    + " (" + (available - dataBytes) + " extra)");
        }
        ByteBuffer data = in.slice(dataStart, (int) dataBytes);
        return new NumericArray(header.type, header.order, header.shape, data);
    }

    private static void requireBytes(ByteBuffer in, int needed, String what, String source)
            throws FormatException {
        if (in.limit() < needed) {
            throw new FormatException(Reason.TRUNCATED, source + ": expected " + what
                    + ", the file ends after " + in.limit() + " bytes");
        }
    }

    /** The three fields of the header dict, validated. */
    private record Header(String descr, ElementType type, ByteOrder order, boolean fortranOrder,
                          long[] shape) {

        static Header parse(String text, String source) throws FormatException {
            if (!(PythonLiteral.parse(text, source) instanceof Map<?, ?> dict)) {
                throw new FormatException(Reason.INVALID_FIELD,
                        source + ": expected the .npy header to be a dict, found " + text.strip());
            }
            for (String key : List.of("descr", "fortran_order", "shape")) {
                if (!dict.containsKey(key)) {
                    throw new FormatException(Reason.INVALID_FIELD, source + ": expected the .npy"
                            + " header to have key '" + key + "', found keys " + dict.keySet());
                }
            }
            if (!(dict.get("descr") instanceof String descr)) {
                throw new FormatException(Reason.UNSUPPORTED, source + ": expected 'descr' to be a"
                        + " simple type string such as '<f4', found " + dict.get("descr")
                        + " (structured arrays are not supported)");
            }
            if (!(dict.get("fortran_order") instanceof Boolean fortran)) {
                throw new FormatException(Reason.INVALID_FIELD, source + ": expected"
                        + " 'fortran_order' to be True or False, found "
                        + dict.get("fortran_order"));
            }
            if (!(dict.get("shape") instanceof List<?> dims)) {
                throw new FormatException(Reason.INVALID_FIELD, source + ": expected 'shape' to be"
                        + " a tuple of integers, found " + dict.get("shape"));
            }
            long[] shape = new long[dims.size()];
            for (int axis = 0; axis < shape.length; axis++) {
                if (!(dims.get(axis) instanceof Long dim) || dim < 0) {
                    throw new FormatException(Reason.INVALID_FIELD, source + ": expected 'shape'"
                            + " to hold integers >= 0, found " + dims);
                }
                shape[axis] = dim;
            }
            if (descr.length() < 2) {
                throw unsupportedDescr(descr, source);
            }
            ElementType type = ElementType.fromNpyCode(descr.substring(1));
            if (type == null) {
                throw unsupportedDescr(descr, source);
            }
            ByteOrder order = switch (descr.charAt(0)) {
                case '<' -> ByteOrder.LITTLE_ENDIAN;
                case '>' -> ByteOrder.BIG_ENDIAN;
                case '=' -> ByteOrder.nativeOrder();
                case '|' -> {
                    if (type.byteSize() != 1) {
                        throw new FormatException(Reason.INVALID_FIELD, source + ": expected a"
                                + " byte order '<', '>' or '=' for the " + type.byteSize()
                                + "-byte type in descr '" + descr + "', found '|'");
                    }
                    yield ByteOrder.LITTLE_ENDIAN;
                }
                default -> throw unsupportedDescr(descr, source);
            };
            return new Header(descr, type, order, fortran, shape);
        }

        private static FormatException unsupportedDescr(String descr, String source) {
            return new FormatException(Reason.UNSUPPORTED, source + ": expected descr to be a byte"
                    + " order (<, >, =, |) followed by one of " + ElementType.npyCodes()
                    + ", found '" + descr + "'");
        }

        String describe() {
            return "shape " + Arrays.toString(shape) + " of '" + descr + "'";
        }
    }
}
