package io.qpart.core.wire;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/** Test helper: assembles little-endian byte strings field by field, as docs/formats.md describes them. */
final class LeBytes {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    LeBytes raw(byte... bytes) {
        out.writeBytes(bytes);
        return this;
    }

    LeBytes ascii(String s) {
        return raw(s.getBytes(StandardCharsets.US_ASCII));
    }

    LeBytes u8(int v) {
        out.write(v);
        return this;
    }

    LeBytes u16(int v) {
        return u8(v & 0xFF).u8((v >>> 8) & 0xFF);
    }

    LeBytes u32(long v) {
        return u16((int) (v & 0xFFFF)).u16((int) ((v >>> 16) & 0xFFFF));
    }

    LeBytes i64(long v) {
        return u32(v & 0xFFFFFFFFL).u32(v >>> 32);
    }

    LeBytes f32(float v) {
        return u32(Float.floatToRawIntBits(v) & 0xFFFFFFFFL);
    }

    LeBytes string(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return u32(b.length).raw(b);
    }

    LeBytes shape(long... dims) {
        u8(dims.length);
        for (long d : dims) {
            i64(d);
        }
        return this;
    }

    byte[] bytes() {
        return out.toByteArray();
    }

    /** The bytes so far followed by their CRC32C, as both formats end. */
    byte[] withCrc() {
        return withCrc(bytes());
    }

    static byte[] withCrc(byte[] body) {
        CRC32C crc = new CRC32C();
        crc.update(body, 0, body.length);
        return new LeBytes().raw(body).u32(crc.getValue()).bytes();
    }

    /** Replaces the trailing CRC32C of a whole container by the right one for its (edited) bytes. */
    static byte[] fixCrc(byte[] container) {
        return withCrc(java.util.Arrays.copyOf(container, container.length - 4));
    }
}
