package io.qpart.core.optimize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BitAllocationProblemTest {

    private static final BitAllocationProblem PROBLEM = BitAllocationProblem.of(
            new long[] {100, 10}, new double[] {2, 3}, new double[] {16, 64}, 2, 16, 1.0);

    @Test
    void degradationCostAndPayload() {
        // D = 16·4^-2 + 64·4^-3 = 1 + 1
        assertThat(PROBLEM.degradation(new int[] {2, 3})).isCloseTo(2.0, within(1e-12));
        assertThat(PROBLEM.degradation(new double[] {2, 3})).isCloseTo(2.0, within(1e-12));
        assertThat(PROBLEM.cost(new int[] {2, 3})).isEqualTo(13.0);
        assertThat(PROBLEM.cost(new double[] {2.5, 3})).isEqualTo(14.0);
        assertThat(PROBLEM.payloadBits(new int[] {2, 3})).isEqualTo(230);
        assertThat(PROBLEM.maxCostPerBit()).isEqualTo(3.0);
    }

    @Test
    void float32AddsNoDegradationButCostsThirtyTwoBits() {
        assertThat(PROBLEM.degradation(new int[] {32, 3})).isCloseTo(1.0, within(1e-12));
        assertThat(PROBLEM.cost(new int[] {32, 32})).isEqualTo(160.0);
        assertThat(PROBLEM.payloadBits(new int[] {32, 32})).isEqualTo(3520);
    }

    @Test
    void defaults() {
        assertThat(BitAllocationProblem.DEFAULT_ALPHA).isEqualTo(Math.log(4));
        assertThat(PROBLEM.budget()).isEqualTo(1.0);
        assertThat(PROBLEM.withBudget(2).budget()).isEqualTo(2.0);
        TensorTerm t = TensorTerm.of(5, 1, 1);
        assertThat(t.minBits()).isEqualTo(2);
        assertThat(t.maxBits()).isEqualTo(16);
        assertThat(TensorTerm.gain(3, 4)).isEqualTo(0.75);
    }

    @Test
    void tensorsAreCopied() {
        List<TensorTerm> terms = new ArrayList<>(List.of(TensorTerm.of(5, 1, 1)));
        BitAllocationProblem problem = BitAllocationProblem.of(terms);
        terms.add(TensorTerm.of(6, 1, 1));
        assertThat(problem.size()).isEqualTo(1);
    }

    @Test
    void validationSaysExpectedAndFound() {
        assertThatThrownBy(() -> new TensorTerm(0, 1, 1, 2, 16))
                .hasMessage("tensor elements must be > 0, was 0");
        assertThatThrownBy(() -> new TensorTerm(1, 0, 1, 2, 16))
                .hasMessage("tensor costPerBit c_j must be finite and > 0, was 0.0");
        assertThatThrownBy(() -> new TensorTerm(1, 1, -1, 2, 16))
                .hasMessageContaining("gain g_j must be finite and >= 0, was -1.0");
        assertThatThrownBy(() -> new TensorTerm(1, 1, Double.NaN, 2, 16))
                .hasMessageContaining("gain g_j");
        assertThatThrownBy(() -> new TensorTerm(1, 1, 1, 1, 16))
                .hasMessage("tensor bit bounds must satisfy 2 <= minBits <= maxBits <= 16,"
                        + " were [1, 16]");
        assertThatThrownBy(() -> new TensorTerm(1, 1, 1, 9, 8))
                .hasMessageContaining("were [9, 8]");
        assertThatThrownBy(() -> new TensorTerm(1, 1, 1, 2, 32))
                .hasMessageContaining("were [2, 32]");
        assertThatThrownBy(() -> PROBLEM.withBudget(0))
                .hasMessage("budget G must be finite and > 0, was 0.0");
        assertThatThrownBy(() -> PROBLEM.degradation(new int[] {2}))
                .hasMessage("bits must have one entry per tensor (2), had 1");
        assertThatThrownBy(() -> PROBLEM.cost(new int[] {1, 2}))
                .hasMessage("bits of tensor 0 must be in [2, 16] or 32 (float32), was 1");
        assertThatThrownBy(() -> PROBLEM.payloadBits(new int[] {2, 17}))
                .hasMessageContaining("was 17");
        assertThatThrownBy(() -> TensorTerm.gain(1, 0))
                .hasMessageContaining("robustness");
    }
}
