package io.qpart.core.optimize;

import java.util.Objects;
import java.util.Optional;

/**
 * One cut as the search sees it (SPEC §6): numbers only. For bits {@code b} the objective is
 * {@code J(k) = fixedObjective + Σ c_j b_j}, with the {@code c_j} of {@code problem}.
 *
 * @param cut            the cut index k: 0 is full offload, K+1 full local (SPEC §2)
 * @param fixedObjective K0(k), the part of J that does not depend on the bits (compute, server
 *                       cost, metadata and float32 bytes, fixed-width activation), finite and
 *                       {@code >= 0}
 * @param problem        the bit-allocation problem of the head's quantized tensors
 * @param seconds        latency T(k) as a linear form in the bits, if known (needed for a deadline)
 * @param memoryBytes    device memory used by the head as a linear form in the bits, if known
 *                       (needed for a memory limit)
 */
public record CutCandidate(int cut, double fixedObjective, BitAllocationProblem problem,
                           Optional<LinearForm> seconds, Optional<LinearForm> memoryBytes) {

    public CutCandidate {
        if (cut < 0) {
            throw new IllegalArgumentException("cut index must be >= 0, was " + cut);
        }
        Checks.nonNegative("cut " + cut + " fixedObjective K0", fixedObjective);
        Objects.requireNonNull(problem, "problem");
        Objects.requireNonNull(seconds, "seconds (use Optional.empty() when unknown)");
        Objects.requireNonNull(memoryBytes, "memoryBytes (use Optional.empty() when unknown)");
        seconds.ifPresent(f -> Checks.length("cut " + cut + " seconds form", problem.size(),
                f.size()));
        memoryBytes.ifPresent(f -> Checks.length("cut " + cut + " memoryBytes form",
                problem.size(), f.size()));
    }

    /** A candidate without latency or memory forms (then no deadline or memory limit applies). */
    public static CutCandidate of(int cut, double fixedObjective, BitAllocationProblem problem) {
        return new CutCandidate(cut, fixedObjective, problem, Optional.empty(), Optional.empty());
    }

    /** A candidate with both forms. */
    public static CutCandidate of(int cut, double fixedObjective, BitAllocationProblem problem,
                                  LinearForm seconds, LinearForm memoryBytes) {
        return new CutCandidate(cut, fixedObjective, problem, Optional.of(seconds),
                Optional.of(memoryBytes));
    }
}
