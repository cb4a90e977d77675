package io.qpart.core.optimize;

import java.util.Objects;
import java.util.OptionalDouble;

/**
 * One cut, solved and checked.
 *
 * @param cut                the cut index
 * @param allocation         the bits the strategy chose for this cut
 * @param objective          J(k) = K0(k) + Σ c_j b_j
 * @param seconds            latency at those bits, when the candidate gave a form for it
 * @param memoryBytes        device memory at those bits, when the candidate gave a form for it
 * @param withinDeadline     true when no deadline applies or the latency meets it
 * @param withinMemory       true when no memory limit applies or the head fits
 */
public record CutEvaluation(int cut, BitAllocation allocation, double objective,
                            OptionalDouble seconds, OptionalDouble memoryBytes,
                            boolean withinDeadline, boolean withinMemory) {

    public CutEvaluation {
        Objects.requireNonNull(allocation, "allocation");
        Objects.requireNonNull(seconds, "seconds");
        Objects.requireNonNull(memoryBytes, "memoryBytes");
        if (!Double.isFinite(objective)) {
            throw new IllegalArgumentException("objective must be finite, was " + objective);
        }
    }

    /** Meets the accuracy budget (D ≤ G) and every limit. */
    public boolean feasible() {
        return allocation.feasible() && withinDeadline && withinMemory;
    }
}
