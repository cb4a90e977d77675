package io.qpart.core.optimize;

/**
 * Optional limits on a cut (SPEC §6): a latency deadline and the device's memory. Positive
 * infinity means "no limit".
 *
 * @param deadlineSeconds most seconds end to end, {@code > 0} or +∞
 * @param memoryBytes     most bytes the head may occupy on the device, {@code > 0} or +∞
 */
public record CutConstraints(double deadlineSeconds, double memoryBytes) {

    public CutConstraints {
        if (!(deadlineSeconds > 0)) {
            throw new IllegalArgumentException(
                    "deadlineSeconds must be > 0 (or +Infinity for none), was " + deadlineSeconds);
        }
        if (!(memoryBytes > 0)) {
            throw new IllegalArgumentException(
                    "memoryBytes must be > 0 (or +Infinity for none), was " + memoryBytes);
        }
    }

    /** No limits. */
    public static CutConstraints none() {
        return new CutConstraints(Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY);
    }

    /** The same limits with a deadline. */
    public CutConstraints withDeadlineSeconds(double seconds) {
        return new CutConstraints(seconds, memoryBytes);
    }

    /** The same limits with a memory limit. */
    public CutConstraints withMemoryBytes(double bytes) {
        return new CutConstraints(deadlineSeconds, bytes);
    }

    boolean hasDeadline() {
        return deadlineSeconds != Double.POSITIVE_INFINITY;
    }

    boolean hasMemoryLimit() {
        return memoryBytes != Double.POSITIVE_INFINITY;
    }
}
