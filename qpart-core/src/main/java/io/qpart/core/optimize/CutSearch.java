package io.qpart.core.optimize;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.Set;

/**
 * {@code p* = argmin_k J(k, b*(k, Δa))} over the candidate cuts, subject to the accuracy budget
 * and optional deadline and memory limits (SPEC §6).
 *
 * <p>Every candidate's bits are chosen by a {@link BitStrategy} (the optimiser by default) for
 * its objective alone; the limits then only filter. A cut whose optimal bits break a limit is
 * dropped rather than re-solved with more bits, since more bits never lower latency or memory.
 * Ties in J go to the lower cut index. If no cut is feasible the answer is full offload, cut 0
 * (no quantization, so no accuracy loss), flagged as a fallback; the candidates must then
 * include cut 0.
 */
public final class CutSearch {

    private CutSearch() {
    }

    /** Search with the optimiser of SPEC §6. */
    public static CutChoice search(List<CutCandidate> candidates, CutConstraints constraints) {
        return search(candidates, constraints, BitStrategy.optimal());
    }

    /** Search with any bit strategy (for the baselines of SPEC §8). */
    public static CutChoice search(List<CutCandidate> candidates, CutConstraints constraints,
                                   BitStrategy strategy) {
        Objects.requireNonNull(candidates, "candidates");
        Objects.requireNonNull(constraints, "constraints");
        Objects.requireNonNull(strategy, "strategy");
        if (candidates.isEmpty()) {
            throw new IllegalArgumentException("cut search needs at least one candidate, had 0");
        }
        Set<Integer> seen = new HashSet<>();
        for (CutCandidate candidate : candidates) {
            Objects.requireNonNull(candidate, "candidate");
            if (!seen.add(candidate.cut())) {
                throw new IllegalArgumentException("cut indices must be distinct, cut "
                        + candidate.cut() + " appears twice");
            }
        }
        List<CutEvaluation> evaluations = new ArrayList<>();
        for (CutCandidate candidate : candidates) {
            evaluations.add(evaluate(candidate, constraints, strategy));
        }
        evaluations.sort(Comparator.comparingInt(CutEvaluation::cut));
        CutEvaluation best = null;
        for (CutEvaluation e : evaluations) {
            if (e.feasible() && (best == null || e.objective() < best.objective())) {
                best = e;
            }
        }
        if (best != null) {
            return new CutChoice(best, false, evaluations);
        }
        for (CutEvaluation e : evaluations) {
            if (e.cut() == 0) {
                return new CutChoice(e, true, evaluations); // SPEC §6: full offload, flagged
            }
        }
        throw new IllegalArgumentException("no cut is feasible and the candidates hold no cut 0"
                + " to fall back on; cuts given: " + seen);
    }

    /** One cut: assign bits with {@code strategy}, then compute J and check the limits. */
    public static CutEvaluation evaluate(CutCandidate candidate, CutConstraints constraints,
                                         BitStrategy strategy) {
        BitAllocationProblem problem = candidate.problem();
        BitAllocation allocation = Objects.requireNonNull(strategy.assign(problem),
                "strategy returned null");
        int[] bits = allocation.bits();
        Checks.length("strategy result for cut " + candidate.cut(), problem.size(), bits.length);
        // SPEC §6: J = K0(k) + Σ c_j b_j
        double objective = candidate.fixedObjective() + problem.cost(bits);
        OptionalDouble seconds = candidate.seconds().isPresent()
                ? OptionalDouble.of(candidate.seconds().get().evaluate(bits))
                : OptionalDouble.empty();
        OptionalDouble memory = candidate.memoryBytes().isPresent()
                ? OptionalDouble.of(candidate.memoryBytes().get().evaluate(bits))
                : OptionalDouble.empty();
        boolean withinDeadline = within("seconds", candidate.cut(), seconds,
                constraints.hasDeadline(), constraints.deadlineSeconds());
        boolean withinMemory = within("memoryBytes", candidate.cut(), memory,
                constraints.hasMemoryLimit(), constraints.memoryBytes());
        return new CutEvaluation(candidate.cut(), allocation, objective, seconds, memory,
                withinDeadline, withinMemory);
    }

    private static boolean within(String what, int cut, OptionalDouble value, boolean limited,
                                  double limit) {
        if (!limited) {
            return true;
        }
        if (value.isEmpty()) {
            throw new IllegalArgumentException("a " + what + " limit was given but cut " + cut
                    + " has no " + what + " form to check it against");
        }
        return value.getAsDouble() <= limit;
    }
}
