package io.qpart.serve.device;

import java.util.concurrent.locks.LockSupport;

/**
 * Paces bytes to a rate in bits per second. Tokens (bytes) accrue at {@code bitsPerSecond / 8}
 * per second up to {@code burstBytes}; taking {@code n} bytes waits until {@code n} tokens are
 * there. The bucket starts empty, so a transfer of {@code B} bytes takes at least
 * {@code 8 B / bitsPerSecond} seconds however the wait is sliced, and oversleeping is repaid
 * from the tokens that accrued meanwhile (up to the burst). Thread-safe.
 */
public final class TokenBucket {
    private final double bitsPerSecond;
    private final long burstBytes;
    private final double nanosPerByte;
    private double tokens;
    private long lastNanos;

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
        this.lastNanos = System.nanoTime();
    }

    /** A bucket whose burst is about {@code millis} of traffic, within [64 B, 64 KiB]. */
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

    /** Waits until {@code n} bytes may pass ({@code 1 <= n <= burstBytes}). */
    public void take(int n) {
        if (n < 1 || n > burstBytes) {
            throw new IllegalArgumentException("take 1.." + burstBytes + " bytes at a time, asked for " + n);
        }
        long waitNanos;
        synchronized (this) {
            refill();
            tokens -= n;
            waitNanos = tokens >= 0 ? 0 : (long) Math.ceil(-tokens * nanosPerByte);
        }
        long until = System.nanoTime() + waitNanos;
        for (long left = waitNanos; left > 0; left = until - System.nanoTime()) {
            LockSupport.parkNanos(left);
        }
    }

    private void refill() {
        long now = System.nanoTime();
        tokens = Math.min(burstBytes, tokens + (now - lastNanos) / nanosPerByte);
        lastNanos = now;
    }
}
