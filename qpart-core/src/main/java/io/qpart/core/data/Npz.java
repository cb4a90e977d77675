package io.qpart.core.data;

import io.qpart.core.format.FormatException;
import io.qpart.core.format.FormatException.Reason;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * Reads numpy's {@code .npz} archives: a zip file (entries stored or deflate-compressed, as
 * {@code numpy.savez} and {@code numpy.savez_compressed} write them) holding one {@code .npy} file
 * per array; the array named {@code x} is the entry {@code x.npy}.
 */
public final class Npz {

    private static final String SUFFIX = ".npy";

    private Npz() {
    }

    /** True when {@code head} starts with the zip magic {@code PK}. */
    static boolean looksLikeZip(byte[] head) {
        return head.length >= 2 && head[0] == 'P' && head[1] == 'K';
    }

    /** The names of the arrays in an archive (entry names without {@code .npy}), in zip order. */
    public static List<String> arrayNames(Path path) throws IOException, FormatException {
        try (ZipFile zip = open(path)) {
            return names(zip);
        }
    }

    /**
     * Reads the named arrays of an archive.
     *
     * @param names array names such as {@code "x"}; each must be present
     * @return the arrays by name, in the order of {@code names}
     * @throws FormatException when an array is missing (the message lists those present), or an
     *     entry is not a valid {@code .npy} file
     */
    public static Map<String, NumericArray> read(Path path, List<String> names)
            throws IOException, FormatException {
        try (ZipFile zip = open(path)) {
            Map<String, NumericArray> arrays = new LinkedHashMap<>();
            for (String name : names) {
                ZipEntry entry = zip.getEntry(name + SUFFIX);
                if (entry == null || entry.isDirectory()) {
                    throw new FormatException(Reason.INVALID_FIELD, path + ": expected an array '"
                            + name + "' (entry " + name + SUFFIX + "), found arrays "
                            + names(zip));
                }
                arrays.put(name, readEntry(zip, entry, path));
            }
            return Collections.unmodifiableMap(arrays);
        }
    }

    private static ZipFile open(Path path) throws IOException, FormatException {
        try {
            return new ZipFile(path.toFile());
        } catch (ZipException e) {
            throw new FormatException(Reason.INVALID_FIELD, path + ": expected a readable .npz"
                    + " (zip) archive, found a damaged or truncated one (" + e.getMessage()
                    + ")", e);
        }
    }

    private static List<String> names(ZipFile zip) {
        List<String> names = new ArrayList<>();
        zip.stream().filter(entry -> !entry.isDirectory()).forEach(entry -> {
            String name = entry.getName();
            names.add(name.endsWith(SUFFIX) ? name.substring(0, name.length() - SUFFIX.length())
                    : name);
        });
        return names;
    }

    private static NumericArray readEntry(ZipFile zip, ZipEntry entry, Path path)
            throws IOException, FormatException {
        String source = path + "!" + entry.getName();
        if (entry.getSize() > Bytes.MAX_ARRAY_LENGTH) {
            throw new FormatException(Reason.UNSUPPORTED, source + " is " + entry.getSize()
                    + " bytes; entries up to " + Bytes.MAX_ARRAY_LENGTH + " bytes can be read");
        }
        byte[] bytes;
        try (InputStream in = zip.getInputStream(entry)) {
            bytes = in.readNBytes(Bytes.MAX_ARRAY_LENGTH);
            if (in.read() >= 0) {
                throw new FormatException(Reason.UNSUPPORTED, source + " holds more than "
                        + Bytes.MAX_ARRAY_LENGTH + " bytes, the most that can be read");
            }
        } catch (EOFException e) {
            throw new FormatException(Reason.TRUNCATED,
                    source + ": the compressed data ends early (" + e.getMessage() + ")", e);
        } catch (ZipException e) {
            throw new FormatException(Reason.INVALID_FIELD,
                    source + ": the entry cannot be decompressed (" + e.getMessage() + ")", e);
        }
        if (entry.getSize() >= 0 && bytes.length != entry.getSize()) {
            throw new FormatException(Reason.TRUNCATED, source + ": expected " + entry.getSize()
                    + " bytes as the zip directory says, found " + bytes.length);
        }
        return Npy.parse(ByteBuffer.wrap(bytes), source);
    }
}
