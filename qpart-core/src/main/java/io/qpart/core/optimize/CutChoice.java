package io.qpart.core.optimize;

import java.util.List;
import java.util.Objects;

/**
 * The outcome of a {@link CutSearch}: the chosen cut and every cut that was evaluated.
 *
 * @param chosen              the cut to use
 * @param fullOffloadFallback true when no cut was feasible and {@code chosen} is full offload
 *                            (cut 0) for that reason, not because it was best (SPEC §6)
 * @param evaluations         every candidate's evaluation, ordered by cut index
 */
public record CutChoice(CutEvaluation chosen, boolean fullOffloadFallback,
                        List<CutEvaluation> evaluations) {

    public CutChoice {
        Objects.requireNonNull(chosen, "chosen");
        evaluations = List.copyOf(evaluations);
        if (fullOffloadFallback && chosen.cut() != 0) {
            throw new IllegalArgumentException(
                    "a full-offload fallback must choose cut 0, chose cut " + chosen.cut());
        }
    }

    /** The chosen cut index. */
    public int cut() {
        return chosen.cut();
    }

    /** J at the chosen cut. */
    public double objective() {
        return chosen.objective();
    }
}
