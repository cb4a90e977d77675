package io.qpart.serve.device;

import java.util.concurrent.locks.LockSupport;

/**
 * Paces bytes to a rate in bits per second, as a link of that rate would carry them: every byte
 * holds the link for {@code 8 / bitsPerSecond} seconds, and taking {@code n} bytes waits until
 * the link has carried them. It is a token bucket in which tokens accrue only while a transfer
 * is going on: when the pacing thread wakes late (the scheduler's doing, not the link's), the
 * time it overslept is credited to the next bytes of the same transfer, up to
 * {@link #SLACK_NANOS}; {@link #begin()} marks a new transfer, before which the link sat idle and
 * banked nothing. So a transfer of {@code B} bytes takes {@code 8 B / bitsPerSecond} seconds from
 * its first byte however the waits are sliced. Thread-safe.
 */
public final class TokenBucket {
    /** Most oversleep credited to the bytes that follow. */
    public static final long SLACK_NANOS = 50_000_000L;

    private final double bitsPerSecond;
    private final long burstBytes;
    private final double nanosPerByte;
    private long freeAtNanos;
    private boolean busy;

    /** A pacer of {@code bitsPerSecond}; one {@link #take(int)} may ask for up to {@code burstBytes}. */
    public TokenBucket(double bitsPerSecond, long burstBytes) {
        if (!(bitsPerSecond > 0) || Double.isInfinite(bitsPerSecond)) {
            throw new IllegalArgumentException("rate must be a positive number of bits per second, was " + bitsPerSecond);
        }
        if (burstBytes < 1) {
            throw new IllegalArgumentException("burst must be >= 1 byte, was " + burstBytes);
        }
        this.bitsPerSecond = bitsPerSecond;
        this.burstBytes = burstBytes;
        this.nanosPerByte = 8e9 / bitsPerSecond;
    }

    /** A bucket whose slices are about {@code millis} of traffic, within [64 B, 64 KiB]. */
    public static TokenBucket of(double bitsPerSecond, double millis) {
        long burst = (long) Math.max(64, Math.min(64 << 10, bitsPerSecond / 8 * millis / 1000));
        return new TokenBucket(bitsPerSecond, burst);
    }

    public double bitsPerSecond() {
        return bitsPerSecond;
    }

    /** Largest amount one {@link #take(int)} may ask for. */
    public long burstBytes() {
        return burstBytes;
    }

    /** The next bytes start a new transfer (a request, or an answer): time before them is idle time, not credit. */
    public synchronized void begin() {
        busy = false;
    }

    /** Waits until the link has carried {@code n} more bytes ({@code 1 <= n <= burstBytes}). */
    public void take(int n) {
        if (n < 1 || n > burstBytes) {
            throw new IllegalArgumentException("take 1.." + burstBytes + " bytes at a time, asked for " + n);
        }
        long until;
        synchronized (this) {
            long now = System.nanoTime();
            // continuing a transfer: start where the last bytes ended, repaying oversleep; after idling: start now
            long start = busy && now - freeAtNanos <= SLACK_NANOS ? freeAtNanos : Math.max(now, freeAtNanos);
            freeAtNanos = start + (long) Math.ceil(n * nanosPerByte);
            busy = true;
            until = freeAtNanos;
        }
        for (long left = until - System.nanoTime(); left > 0; left = until - System.nanoTime()) {
            LockSupport.parkNanos(left);
        }
    }
}
