package io.qpart.core.optimize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class CutSearchTest {

    /** One tensor of s elements with c = s and gain 63: 3 bits meet G = 1 (63/64), 2 do not. */
    private static BitAllocationProblem oneTensor(long elements) {
        return BitAllocationProblem.of(new long[] {elements}, new double[] {elements},
                new double[] {63}, 2, 16, 1.0);
    }

    private static final BitAllocationProblem EMPTY = BitAllocationProblem.of(List.of());

    /** Full offload: nothing quantized, J = 100, 2 s, no device memory. */
    private static CutCandidate fullOffload() {
        return CutCandidate.of(0, 100, EMPTY, LinearForm.constant(2, 0),
                LinearForm.constant(0, 0));
    }

    /** Cut 1: J = 10 + 3·20 = 70, 1 + 3·0.1 = 1.3 s, 3·20/8 = 7.5 bytes. */
    private static CutCandidate cutOne() {
        return CutCandidate.of(1, 10, oneTensor(20), new LinearForm(1, new double[] {0.1}),
                new LinearForm(0, new double[] {20 / 8.0}));
    }

    /** Cut 2: J = 5 + 3·10 = 35, 3 + 3·0.5 = 4.5 s, 100 + 3·10/8 bytes. */
    private static CutCandidate cutTwo() {
        return CutCandidate.of(2, 5, oneTensor(10), new LinearForm(3, new double[] {0.5}),
                new LinearForm(100, new double[] {10 / 8.0}));
    }

    @Test
    void picksTheSmallestObjective() {
        CutChoice choice = CutSearch.search(List.of(cutTwo(), fullOffload(), cutOne()),
                CutConstraints.none());
        assertThat(choice.cut()).isEqualTo(2);
        assertThat(choice.objective()).isEqualTo(35.0);
        assertThat(choice.fullOffloadFallback()).isFalse();
        assertThat(choice.chosen().allocation().bits()).containsExactly(3);
        assertThat(choice.chosen().seconds()).hasValue(4.5);
        assertThat(choice.evaluations()).extracting(CutEvaluation::cut).containsExactly(0, 1, 2);
        assertThat(choice.evaluations()).extracting(CutEvaluation::objective)
                .containsExactly(100.0, 70.0, 35.0);
    }

    @Test
    void deadlineAndMemoryFilter() {
        List<CutCandidate> all = List.of(fullOffload(), cutOne(), cutTwo());
        assertThat(CutSearch.search(all, CutConstraints.none().withDeadlineSeconds(4)).cut())
                .isEqualTo(1);
        assertThat(CutSearch.search(all, CutConstraints.none().withMemoryBytes(50)).cut())
                .isEqualTo(1);
        CutChoice tight = CutSearch.search(all,
                CutConstraints.none().withDeadlineSeconds(1.2).withMemoryBytes(50));
        assertThat(tight.cut()).isZero();
        assertThat(tight.fullOffloadFallback()).isTrue(); // cut 0 misses the deadline too
        assertThat(tight.chosen().withinDeadline()).isFalse();
    }

    @Test
    void fullOffloadChosenOnItsMeritsIsNotAFallback() {
        CutChoice choice = CutSearch.search(List.of(fullOffload(), cutOne(), cutTwo()),
                CutConstraints.none().withDeadlineSeconds(3).withMemoryBytes(5));
        assertThat(choice.cut()).isZero();
        assertThat(choice.fullOffloadFallback()).isFalse();
    }

    @Test
    void accuracyInfeasibleCutsAreSkipped() {
        BitAllocationProblem impossible = BitAllocationProblem.of(new long[] {10},
                new double[] {10}, new double[] {1e30}, 2, 16, 1.0);
        CutCandidate hopeless = CutCandidate.of(3, 0, impossible);
        CutChoice choice = CutSearch.search(List.of(fullOffload(), cutOne(), hopeless),
                CutConstraints.none());
        assertThat(choice.cut()).isEqualTo(1);
        CutEvaluation skipped = choice.evaluations().get(2);
        assertThat(skipped.allocation().feasible()).isFalse();
        assertThat(skipped.feasible()).isFalse();
        // a cut 0 that quantizes its upload too hard: nothing is feasible, cut 0 is the fallback
        CutChoice fallback = CutSearch.search(List.of(CutCandidate.of(0, 100, impossible),
                hopeless), CutConstraints.none());
        assertThat(fallback.fullOffloadFallback()).isTrue();
        assertThat(fallback.cut()).isZero();
    }

    @Test
    void tiesGoToTheLowerCut() {
        CutCandidate a = CutCandidate.of(4, 35, EMPTY);
        CutChoice choice = CutSearch.search(List.of(a, CutCandidate.of(2, 5, oneTensor(10))),
                CutConstraints.none());
        assertThat(choice.cut()).isEqualTo(2);
    }

    @Test
    void baselineStrategiesPlugIn() {
        CutChoice float32 = CutSearch.search(List.of(fullOffload(), cutOne(), cutTwo()),
                CutConstraints.none(), Baselines.float32());
        // J(1) = 10 + 32·20 = 650, J(2) = 5 + 32·10 = 325: cut 0 (100) wins
        assertThat(float32.cut()).isZero();
        assertThat(float32.evaluations().get(2).allocation().bits()).containsExactly(32);
        assertThat(float32.evaluations().get(2).objective()).isEqualTo(325.0);
        CutChoice uniform8 = CutSearch.search(List.of(fullOffload(), cutOne(), cutTwo()),
                CutConstraints.none(), Baselines.uniform(8));
        assertThat(uniform8.cut()).isEqualTo(2);
        assertThat(uniform8.objective()).isEqualTo(85.0);
    }

    @Test
    void callerMistakes() {
        assertThatThrownBy(() -> CutSearch.search(List.of(), CutConstraints.none()))
                .hasMessage("cut search needs at least one candidate, had 0");
        assertThatThrownBy(() -> CutSearch.search(List.of(cutOne(), cutOne()),
                CutConstraints.none())).hasMessageContaining("cut 1 appears twice");
        BitAllocationProblem impossible = BitAllocationProblem.of(new long[] {10},
                new double[] {10}, new double[] {1e30}, 2, 16, 1.0);
        assertThatThrownBy(() -> CutSearch.search(List.of(CutCandidate.of(5, 0, impossible)),
                CutConstraints.none())).hasMessageContaining("no cut 0 to fall back on");
        assertThatThrownBy(() -> CutSearch.search(List.of(CutCandidate.of(1, 0, EMPTY)),
                CutConstraints.none().withDeadlineSeconds(1)))
                .hasMessageContaining("cut 1 has no seconds form");
        assertThatThrownBy(() -> new CutConstraints(0, 1))
                .hasMessageContaining("deadlineSeconds must be > 0");
        assertThatThrownBy(() -> new CutConstraints(1, Double.NaN))
                .hasMessageContaining("memoryBytes must be > 0");
        assertThatThrownBy(() -> CutCandidate.of(-1, 0, EMPTY))
                .hasMessage("cut index must be >= 0, was -1");
        assertThatThrownBy(() -> CutCandidate.of(1, 0, oneTensor(3), LinearForm.constant(1, 2),
                LinearForm.constant(0, 1)))
                .hasMessage("cut 1 seconds form must have one entry per tensor (1), had 2");
        assertThatThrownBy(() -> new LinearForm(-1, new double[0]))
                .hasMessageContaining("constant must be finite and >= 0, was -1.0");
        assertThatThrownBy(() -> new CutChoice(
                CutSearch.evaluate(cutOne(), CutConstraints.none(), BitStrategy.optimal()), true,
                List.of())).hasMessageContaining("must choose cut 0, chose cut 1");
    }
}
