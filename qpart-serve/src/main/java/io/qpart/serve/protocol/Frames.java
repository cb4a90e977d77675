package io.qpart.serve.protocol;

import io.qpart.core.format.FormatException;
import io.qpart.core.format.FormatException.Reason;
import io.qpart.core.wire.ActivationFrame;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An infer request body: one or more activation frames (QPAF v1) back to back, each decoded and
 * checked by {@link ActivationFrame#decode(byte[])}. Frames carry no length prefix; the length of
 * each is read from its own header (tensor count, names, shapes, bits), every size checked
 * against the bytes present before it is used.
 */
public final class Frames {
    private static final byte[] MAGIC = "QPAF".getBytes(StandardCharsets.US_ASCII);
    private static final int MAX_RANK = 16;
    private static final int MAX_NAME_BYTES = 1 << 20;

    private Frames() {
    }

    /** The frames' encodings concatenated. */
    public static byte[] concat(List<ActivationFrame> frames) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (ActivationFrame f : frames) {
            out.writeBytes(f.encode());
        }
        return out.toByteArray();
    }

    /**
     * Splits and decodes a body of frames.
     *
     * @throws FormatException when the body is empty, a frame is bad or truncated, or bytes trail
     */
    public static List<ActivationFrame> decodeAll(byte[] body) throws FormatException {
        if (body.length == 0) {
            throw new FormatException(Reason.TRUNCATED, "expected one or more activation frames, found an empty body");
        }
        List<ActivationFrame> frames = new ArrayList<>();
        int at = 0;
        while (at < body.length) {
            int len = frameLength(body, at, frames.size());
            try {
                frames.add(ActivationFrame.decode(Arrays.copyOfRange(body, at, at + len)));
            } catch (FormatException e) {
                throw new FormatException(e.reason(), "frame " + frames.size() + " (at byte " + at + "): " + e.getMessage(), e);
            }
            at += len;
        }
        return frames;
    }

    /** Bytes of the frame starting at {@code off}, read from its header without trusting any size. */
    static int frameLength(byte[] b, int off, int index) throws FormatException {
        String what = "frame " + index + " (at byte " + off + ")";
        ByteBuffer in = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        long end = b.length;
        long p = off;
        need(p, 10, end, what, "header");
        for (int i = 0; i < MAGIC.length; i++) {
            if (b[off + i] != MAGIC[i]) {
                throw new FormatException(Reason.BAD_MAGIC, what + ": expected the activation frame magic \"QPAF\", found other bytes");
            }
        }
        int version = Short.toUnsignedInt(in.getShort((int) p + 4));
        if (version != ActivationFrame.VERSION) {
            throw new FormatException(Reason.UNSUPPORTED_VERSION, what + ": activation frame version " + version
                    + " is not supported; expected " + ActivationFrame.VERSION);
        }
        long count = Integer.toUnsignedLong(in.getInt((int) p + 6));
        if (count > ActivationFrame.MAX_TENSORS) {
            throw new FormatException(Reason.INVALID_FIELD, what + ": tensor count " + count + " exceeds " + ActivationFrame.MAX_TENSORS);
        }
        p += 10;
        for (long t = 0; t < count; t++) {
            need(p, 4, end, what, "tensor " + t + " name length");
            long nameBytes = Integer.toUnsignedLong(in.getInt((int) p));
            if (nameBytes < 1 || nameBytes > MAX_NAME_BYTES) {
                throw new FormatException(Reason.INVALID_FIELD, what + ": tensor " + t + " name length " + nameBytes + " is outside 1.." + MAX_NAME_BYTES);
            }
            p += 4;
            need(p, nameBytes + 1, end, what, "tensor " + t + " name and rank");
            p += nameBytes;
            int rank = Byte.toUnsignedInt(b[(int) p]);
            p += 1;
            if (rank > MAX_RANK) {
                throw new FormatException(Reason.INVALID_FIELD, what + ": tensor " + t + " rank " + rank + " exceeds " + MAX_RANK);
            }
            need(p, 8L * rank + 7, end, what, "tensor " + t + " shape, bits, scale and zero point");
            long n = 1;
            for (int d = 0; d < rank; d++) {
                long dim = in.getLong((int) p);
                p += 8;
                if (dim < 0) {
                    throw new FormatException(Reason.INVALID_FIELD, what + ": tensor " + t + " has a negative dimension " + dim);
                }
                try {
                    n = Math.multiplyExact(n, dim);
                } catch (ArithmeticException e) {
                    throw new FormatException(Reason.INVALID_FIELD, what + ": tensor " + t + " shape overflows");
                }
            }
            int bits = Byte.toUnsignedInt(b[(int) p]);
            p += 1 + 4 + 2;
            long payload;
            if (bits == 32) {
                payload = n > Long.MAX_VALUE / 4 ? Long.MAX_VALUE : n * 4;
            } else if (bits >= 1 && bits <= 16) {
                payload = n > Long.MAX_VALUE / 16 ? Long.MAX_VALUE : (n * bits + 7) / 8;
            } else {
                throw new FormatException(Reason.INVALID_FIELD, what + ": tensor " + t + " has " + bits + " bits; expected 1..16 or 32");
            }
            need(p, payload, end, what, "tensor " + t + " payload");
            p += payload;
        }
        need(p, 4, end, what, "CRC32C");
        p += 4;
        return (int) (p - off);
    }

    private static void need(long p, long n, long end, String what, String field) throws FormatException {
        if (n > end - p) {
            throw new FormatException(Reason.TRUNCATED, what + ": truncated: " + field + " needs " + n + " bytes, "
                    + Math.max(0, end - p) + " remain");
        }
    }
}
