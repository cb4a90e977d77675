package io.qpart.core.wire;

import io.qpart.core.format.FormatException;
import io.qpart.core.format.FormatException.Reason;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.zip.CRC32C;

/**
 * Pieces both wire formats share: limits, field validation, little-endian reading with bounds
 * checks, CRC32C and SHA-256. Every multi-byte field is little-endian and fixed-width.
 */
final class WireCodec {

    /** Bytes of the magic number. */
    static final int MAGIC_BYTES = 4;
    /** Bytes of magic plus u16 version: where the body starts. */
    static final int HEADER_BYTES = MAGIC_BYTES + 2;
    /** Bytes of the CRC32C trailer. */
    static final int CRC_BYTES = 4;
    /** Largest UTF-8 length of any string field. */
    static final int MAX_STRING_BYTES = 1 << 20;
    /** Largest tensor rank. */
    static final int MAX_RANK = 16;
    /** Most elements one tensor may have: its float32 form must fit one Java array. */
    static final long MAX_ELEMENTS = (Integer.MAX_VALUE - 8) / Float.BYTES;
    /** Largest array the decoders will allocate. */
    static final int MAX_ARRAY_BYTES = Integer.MAX_VALUE - 8;

    private WireCodec() {
    }

    static String requireName(String name) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("a tensor name must be a non-empty string, was "
                    + (name == null ? "null" : "empty"));
        }
        utf8(name, "tensor name");
        return name;
    }

    /** Strict UTF-8 of {@code s}; refuses unpaired surrogates and strings over the limit. */
    static byte[] utf8(String s, String what) {
        ByteBuffer out;
        try {
            out = StandardCharsets.UTF_8.newEncoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .encode(CharBuffer.wrap(s));
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException(what + " must be valid Unicode (no unpaired surrogates), was "
                    + abbreviate(s));
        }
        byte[] bytes = new byte[out.remaining()];
        out.get(bytes);
        if (bytes.length > MAX_STRING_BYTES) {
            throw new IllegalArgumentException(what + " must be at most " + MAX_STRING_BYTES
                    + " UTF-8 bytes, was " + bytes.length);
        }
        return bytes;
    }

    static long[] requireShape(long[] shape) {
        if (shape == null) {
            throw new IllegalArgumentException("a tensor shape must be given (use new long[0] for a scalar), was null");
        }
        if (shape.length > MAX_RANK) {
            throw new IllegalArgumentException("tensor rank must be at most " + MAX_RANK + ", was " + shape.length);
        }
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] < 0) {
                throw new IllegalArgumentException("tensor dimension " + i + " must be >= 0, was " + shape[i]);
            }
        }
        elementCount(shape);
        return shape;
    }

    /** Product of the dimensions; refuses overflow and tensors above {@link #MAX_ELEMENTS}. */
    static long elementCount(long[] shape) {
        long n = 1;
        try {
            for (long d : shape) {
                n = Math.multiplyExact(n, d);
            }
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("tensor element count must fit 64 bits, shape "
                    + Arrays.toString(shape) + " overflows");
        }
        if (n > MAX_ELEMENTS) {
            throw new IllegalArgumentException("tensor element count must be at most " + MAX_ELEMENTS + ", was "
                    + n + " for shape " + Arrays.toString(shape));
        }
        return n;
    }

    /** Bytes of a string field: u32 length + UTF-8. */
    static long stringFieldBytes(String s) {
        return 4L + utf8(s, "string").length;
    }

    /** Bytes of a shape field: u8 rank + i64 per dimension. */
    static long shapeFieldBytes(long[] shape) {
        return 1L + 8L * shape.length;
    }

    static void putString(ByteBuffer out, String s) {
        byte[] bytes = utf8(s, "string");
        out.putInt(bytes.length);
        out.put(bytes);
    }

    static void putShape(ByteBuffer out, long[] shape) {
        out.put((byte) shape.length);
        for (long d : shape) {
            out.putLong(d);
        }
    }

    static int crc32c(byte[] bytes, int off, int len) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, off, len);
        return (int) crc.getValue();
    }

    static String sha256Hex(byte[] bytes, int off, int len) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(bytes, off, len);
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime must provide SHA-256", e);
        }
    }

    /** Four bytes as hex, with their ASCII form when printable. */
    private static String describeMagic(byte[] bytes, int off) {
        String hex = HexFormat.of().formatHex(bytes, off, off + MAGIC_BYTES);
        for (int i = off; i < off + MAGIC_BYTES; i++) {
            if (bytes[i] < 0x20 || bytes[i] > 0x7E) {
                return "0x" + hex;
            }
        }
        return "'" + new String(bytes, off, MAGIC_BYTES, StandardCharsets.US_ASCII) + "' (0x" + hex + ")";
    }

    static String abbreviate(String s) {
        return s.length() <= 40 ? "'" + s + "'" : "'" + s.substring(0, 37) + "...'";
    }

    /**
     * Checks magic, version and CRC32C of a whole encoded container, in that order, and returns
     * a reader over its body (between the version and the checksum).
     */
    static Reader openChecked(byte[] bytes, String format, byte[] magic, int version) throws FormatException {
        if (bytes == null) {
            throw new FormatException(Reason.TRUNCATED, format + ": no bytes (null)");
        }
        int min = HEADER_BYTES + CRC_BYTES;
        if (bytes.length < MAGIC_BYTES) {
            throw new FormatException(Reason.TRUNCATED, format + ": " + bytes.length
                    + " bytes is shorter than its 4-byte magic");
        }
        for (int i = 0; i < MAGIC_BYTES; i++) {
            if (bytes[i] != magic[i]) {
                throw new FormatException(Reason.BAD_MAGIC, format + ": expected magic "
                        + describeMagic(magic, 0) + ", found " + describeMagic(bytes, 0));
            }
        }
        if (bytes.length < min) {
            throw new FormatException(Reason.TRUNCATED, format + ": " + bytes.length
                    + " bytes, need at least " + min + " (magic, version, checksum)");
        }
        int found = (bytes[4] & 0xFF) | (bytes[5] & 0xFF) << 8;
        if (found != version) {
            throw new FormatException(Reason.UNSUPPORTED_VERSION, format + ": version " + found
                    + " is not supported, this build reads version " + version);
        }
        int end = bytes.length - CRC_BYTES;
        int stored = ByteBuffer.wrap(bytes, end, CRC_BYTES).order(ByteOrder.LITTLE_ENDIAN).getInt();
        int computed = crc32c(bytes, 0, end);
        if (stored != computed) {
            throw new FormatException(Reason.CHECKSUM_MISMATCH, format + ": CRC32C mismatch over " + end
                    + " bytes, stored " + String.format("%08x", stored) + ", computed "
                    + String.format("%08x", computed) + " (corrupted or truncated)");
        }
        return new Reader(bytes, HEADER_BYTES, end, format);
    }

    /** Little-endian reads that never pass {@code end}; every failure names the field and offset. */
    static final class Reader {
        private final byte[] bytes;
        private final int end;
        private final String format;
        private int pos;

        Reader(byte[] bytes, int pos, int end, String format) {
            this.bytes = bytes;
            this.pos = pos;
            this.end = end;
            this.format = format;
        }

        int position() {
            return pos;
        }

        int remaining() {
            return end - pos;
        }

        byte[] array() {
            return bytes;
        }

        FormatException invalid(String message) {
            return new FormatException(Reason.INVALID_FIELD, format + ": " + message);
        }

        private void need(long n, String what) throws FormatException {
            if (n > remaining()) {
                throw new FormatException(Reason.TRUNCATED, format + ": " + what + " needs " + n
                        + " bytes at offset " + pos + ", only " + remaining() + " left before the checksum");
            }
        }

        int u8(String what) throws FormatException {
            need(1, what);
            return bytes[pos++] & 0xFF;
        }

        int u16(String what) throws FormatException {
            need(2, what);
            int v = (bytes[pos] & 0xFF) | (bytes[pos + 1] & 0xFF) << 8;
            pos += 2;
            return v;
        }

        int i32(String what) throws FormatException {
            need(4, what);
            int v = (bytes[pos] & 0xFF) | (bytes[pos + 1] & 0xFF) << 8 | (bytes[pos + 2] & 0xFF) << 16
                    | (bytes[pos + 3] & 0xFF) << 24;
            pos += 4;
            return v;
        }

        long u32(String what) throws FormatException {
            return i32(what) & 0xFFFFFFFFL;
        }

        long i64(String what) throws FormatException {
            need(8, what);
            long lo = i32(what) & 0xFFFFFFFFL;
            long hi = i32(what) & 0xFFFFFFFFL;
            return lo | hi << 32;
        }

        float f32(String what) throws FormatException {
            return Float.intBitsToFloat(i32(what));
        }

        /** A u32 count or length, checked against a cap and against {@code minBytesEach} bytes per item left. */
        int count(String what, long cap, long minBytesEach) throws FormatException {
            int at = pos;
            long n = u32(what);
            if (n > cap) {
                throw invalid(what + " at offset " + at + " must be at most " + cap + ", was " + n);
            }
            if (minBytesEach > 0 && n * minBytesEach > remaining()) {
                throw new FormatException(Reason.TRUNCATED, format + ": " + what + " " + n + " at offset " + at
                        + " needs at least " + n * minBytesEach + " more bytes, only " + remaining() + " left");
            }
            return (int) n;
        }

        /** {@code n} raw bytes, copied out after checking that they are present. */
        byte[] bytes(long n, String what) throws FormatException {
            need(n, what);
            byte[] out = Arrays.copyOfRange(bytes, pos, pos + (int) n);
            pos += (int) n;
            return out;
        }

        /** Checks that {@code n} more bytes are present, without reading them. */
        void require(long n, String what) throws FormatException {
            need(n, what);
        }

        /** A u32-length-prefixed strict UTF-8 string of at least {@code minBytes} bytes. */
        String string(String what, int minBytes) throws FormatException {
            int at = pos;
            int n = count(what + " length", MAX_STRING_BYTES, 1);
            if (n < minBytes) {
                throw invalid(what + " at offset " + at + " must be at least " + minBytes + " bytes, was " + n);
            }
            need(n, what);
            try {
                String s = StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(bytes, pos, n))
                        .toString();
                pos += n;
                return s;
            } catch (CharacterCodingException e) {
                throw invalid(what + " at offset " + at + " is not valid UTF-8");
            }
        }

        /** u8 rank then i64 dimensions, validated like {@link WireCodec#requireShape}. */
        long[] shape(String what) throws FormatException {
            int at = pos;
            int rank = u8(what + " rank");
            if (rank > MAX_RANK) {
                throw invalid(what + " rank at offset " + at + " must be at most " + MAX_RANK + ", was " + rank);
            }
            need(8L * rank, what + " dimensions");
            long[] shape = new long[rank];
            for (int i = 0; i < rank; i++) {
                shape[i] = i64(what + " dimension");
                if (shape[i] < 0) {
                    throw invalid(what + " dimension " + i + " must be >= 0, was " + shape[i]);
                }
            }
            try {
                elementCount(shape);
            } catch (IllegalArgumentException e) {
                throw invalid(what + ": " + e.getMessage());
            }
            return shape;
        }

        void requireEnd() throws FormatException {
            if (pos != end) {
                throw new FormatException(Reason.TRAILING_BYTES, format + ": " + (end - pos)
                        + " unexpected bytes after the last field at offset " + pos + ", before the checksum");
            }
        }
    }
}
