package io.qpart.core.data;

import io.qpart.core.format.FormatException;
import io.qpart.core.format.FormatException.Reason;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/** Whole-file reads with explicit size limits, and transparent gzip unwrapping. */
final class Bytes {

    /** The largest array the JVM reliably allocates; also the cap on one decoded file. */
    static final int MAX_ARRAY_LENGTH = Integer.MAX_VALUE - 8;

    private static final int GZIP_MAGIC_0 = 0x1f;
    private static final int GZIP_MAGIC_1 = 0x8b;

    private Bytes() {
    }

    /** Reads a whole file, refusing files larger than {@link #MAX_ARRAY_LENGTH} bytes. */
    static byte[] readFile(Path path) throws IOException, FormatException {
        long size = Files.size(path);
        if (size > MAX_ARRAY_LENGTH) {
            throw new FormatException(Reason.UNSUPPORTED, path + " is " + size
                    + " bytes; files up to " + MAX_ARRAY_LENGTH + " bytes can be read");
        }
        return Files.readAllBytes(path);
    }

    /** Reads up to {@code count} leading bytes of a file (fewer if the file is shorter). */
    static byte[] readHead(Path path, int count) throws IOException {
        try (InputStream in = Files.newInputStream(path)) {
            return in.readNBytes(count);
        }
    }

    /** True when {@code bytes} starts with the two gzip magic bytes {@code 1f 8b}. */
    static boolean isGzip(byte[] bytes) {
        return bytes.length >= 2
                && (bytes[0] & 0xff) == GZIP_MAGIC_0
                && (bytes[1] & 0xff) == GZIP_MAGIC_1;
    }

    /**
     * Reads a file and, when it starts with the gzip magic, decompresses it; the decompressed size
     * is capped at {@link #MAX_ARRAY_LENGTH} bytes.
     */
    static byte[] readMaybeGzipped(Path path) throws IOException, FormatException {
        byte[] bytes = readFile(path);
        if (!isGzip(bytes)) {
            return bytes;
        }
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes), 1 << 16)) {
            byte[] inflated = in.readNBytes(MAX_ARRAY_LENGTH);
            if (in.read() >= 0) {
                throw new FormatException(Reason.UNSUPPORTED, path + " decompresses to more than "
                        + MAX_ARRAY_LENGTH + " bytes, the most that can be read");
            }
            return inflated;
        } catch (EOFException e) {
            throw new FormatException(Reason.TRUNCATED, path
                    + " is a truncated gzip stream: it ends before the compressed data does", e);
        } catch (ZipException e) {
            throw new FormatException(Reason.INVALID_FIELD,
                    path + " starts like gzip but cannot be decompressed: " + e.getMessage(), e);
        }
    }

    /**
     * Up to {@code count} bytes of {@code bytes} from absolute index {@code offset}, as spaced hex
     * ({@code "93 4e 55"}), or "nothing" when none are there.
     */
    static String hex(ByteBuffer bytes, int offset, int count) {
        int available = Math.max(0, Math.min(count, bytes.limit() - offset));
        if (available == 0) {
            return "nothing";
        }
        byte[] head = new byte[available];
        bytes.get(offset, head);
        return HexFormat.ofDelimiter(" ").formatHex(head);
    }
}
