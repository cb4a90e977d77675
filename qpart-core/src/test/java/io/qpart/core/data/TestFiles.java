package io.qpart.core.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.StringJoiner;
import java.util.zip.CRC32;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Writes small {@code .npy}, {@code .npz}, IDX and gzip files for tests, byte by byte. */
final class TestFiles {

    private TestFiles() {
    }

    /** Encodes {@code values} as elements of {@code type} in {@code order}. */
    static byte[] encode(ElementType type, ByteOrder order, double... values) {
        ByteBuffer out = ByteBuffer.allocate(values.length * type.byteSize()).order(order);
        for (double value : values) {
            switch (type) {
                case BOOL -> out.put((byte) (value != 0 ? 1 : 0));
                case INT8, UINT8 -> out.put((byte) (long) value);
                case INT16, UINT16 -> out.putShort((short) (long) value);
                case INT32, UINT32 -> out.putInt((int) (long) value);
                case INT64, UINT64 -> out.putLong((long) value);
                case FLOAT16 -> out.putShort(Float.floatToFloat16((float) value));
                case FLOAT32 -> out.putFloat((float) value);
                case FLOAT64 -> out.putDouble(value);
            }
        }
        return out.array();
    }

    /** A version 1.0, C-ordered {@code .npy} file. */
    static byte[] npy(String descr, long[] shape, byte[] data) {
        return npy(1, descr, false, shape, data);
    }

    /** A {@code .npy} file of the given major version, padded as numpy pads (to 64 bytes). */
    static byte[] npy(int major, String descr, boolean fortranOrder, long[] shape, byte[] data) {
        StringJoiner dims = new StringJoiner(", ", "(", shape.length == 1 ? ",)" : ")");
        for (long dim : shape) {
            dims.add(Long.toString(dim));
        }
        String dict = "{'descr': '" + descr + "', 'fortran_order': "
                + (fortranOrder ? "True" : "False") + ", 'shape': " + dims + ", }";
        return npyWithHeader(major, dict, data);
    }

    /** A {@code .npy} file whose header is exactly {@code dict} (plus padding and newline). */
    static byte[] npyWithHeader(int major, String dict, byte[] data) {
        int lengthBytes = major == 1 ? 2 : 4;
        int prefix = 8 + lengthBytes;
        byte[] text = dict.getBytes(major == 3 ? StandardCharsets.UTF_8
                : StandardCharsets.ISO_8859_1);
        int unpadded = prefix + text.length + 1;
        int padding = (64 - unpadded % 64) % 64;
        int headerLength = text.length + padding + 1;
        ByteBuffer out = ByteBuffer.allocate(prefix + headerLength + data.length)
                .order(ByteOrder.LITTLE_ENDIAN);
        out.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) major, 0});
        if (major == 1) {
            out.putShort((short) headerLength);
        } else {
            out.putInt(headerLength);
        }
        out.put(text);
        for (int i = 0; i < padding; i++) {
            out.put((byte) ' ');
        }
        out.put((byte) '\n');
        out.put(data);
        return out.array();
    }

    /** An IDX file: big-endian magic, dimensions and the already big-endian element bytes. */
    static byte[] idx(int typeCode, int[] dims, byte[] data) {
        ByteBuffer out = ByteBuffer.allocate(4 + 4 * dims.length + data.length)
                .order(ByteOrder.BIG_ENDIAN);
        out.put((byte) 0).put((byte) 0).put((byte) typeCode).put((byte) dims.length);
        for (int dim : dims) {
            out.putInt(dim);
        }
        return out.put(data).array();
    }

    /** A zip archive of the entries, stored or deflate-compressed. */
    static byte[] zip(Map<String, byte[]> entries, boolean deflate) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            for (Map.Entry<String, byte[]> item : entries.entrySet()) {
                ZipEntry entry = new ZipEntry(item.getKey());
                if (deflate) {
                    entry.setMethod(ZipEntry.DEFLATED);
                } else {
                    CRC32 crc = new CRC32();
                    crc.update(item.getValue());
                    entry.setMethod(ZipEntry.STORED);
                    entry.setSize(item.getValue().length);
                    entry.setCompressedSize(item.getValue().length);
                    entry.setCrc(crc.getValue());
                }
                zip.putNextEntry(entry);
                zip.write(item.getValue());
                zip.closeEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** {@code bytes} gzip-compressed. */
    static byte[] gzip(byte[] bytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
            gzip.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** The values 0, 1, ..., count - 1 as doubles. */
    static double[] ramp(int count) {
        double[] values = new double[count];
        for (int i = 0; i < count; i++) {
            values[i] = i;
        }
        return values;
    }
}
