package io.qpart.serve.device;

import io.qpart.core.cost.ChannelProfile;

import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Objects;

/**
 * Channel emulation: the device's connection paced to a profile's uplink (what it sends) and
 * downlink (what it receives) rates, each with its own token bucket. {@link #none()} passes
 * bytes as fast as the connection goes.
 */
public final class Channel {
    private final ChannelProfile profile;
    private final TokenBucket up;
    private final TokenBucket down;

    private Channel(ChannelProfile profile) {
        this.profile = profile;
        this.up = profile == null ? null : TokenBucket.of(profile.uplinkBitsPerSecond(), 2);
        this.down = profile == null ? null : TokenBucket.of(profile.downlinkBitsPerSecond(), 2);
    }

    /** A connection paced to {@code profile}'s rates. */
    public static Channel emulate(ChannelProfile profile) {
        return new Channel(Objects.requireNonNull(profile, "profile"));
    }

    /** No emulation. */
    public static Channel none() {
        return new Channel(null);
    }

    public boolean emulated() {
        return profile != null;
    }

    /** The emulated profile, or null. */
    public ChannelProfile profile() {
        return profile;
    }

    /** A request is about to be written. */
    void beginUpload() {
        if (up != null) {
            up.begin();
        }
    }

    /** An answer is about to be read. */
    void beginDownload() {
        if (down != null) {
            down.begin();
        }
    }

    InputStream wrap(InputStream in) {
        return down == null ? in : new Paced(in, down);
    }

    OutputStream wrap(OutputStream out) {
        return up == null ? out : new PacedOut(out, up);
    }

    private static final class Paced extends FilterInputStream {
        private final TokenBucket bucket;

        Paced(InputStream in, TokenBucket bucket) {
            super(in);
            this.bucket = bucket;
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0) {
                bucket.take(1);
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, (int) Math.min(len, bucket.burstBytes()));
            if (n > 0) {
                bucket.take(n);
            }
            return n;
        }
    }

    private static final class PacedOut extends FilterOutputStream {
        private final TokenBucket bucket;

        PacedOut(OutputStream out, TokenBucket bucket) {
            super(out);
            this.bucket = bucket;
        }

        @Override
        public void write(int b) throws IOException {
            bucket.take(1);
            out.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            while (len > 0) {
                int n = (int) Math.min(len, bucket.burstBytes());
                bucket.take(n);
                out.write(b, off, n);
                off += n;
                len -= n;
            }
        }
    }
}
