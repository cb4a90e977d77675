package io.qpart.core.optimize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BaselinesTest {

    /** Sizes 4, 16, 64, 256, 1024: each four times the previous, geometric mean 64. */
    private static BitAllocationProblem fourfoldSizes(double budget) {
        long[] sizes = {4, 16, 64, 256, 1024};
        double[] costs = {4, 16, 64, 256, 1024};
        double[] gains = {400, 400, 400, 400, 400};
        return BitAllocationProblem.of(sizes, costs, gains, 2, 16, budget);
    }

    @Test
    void uniformGivesEveryTensorTheSameWidth() {
        BitAllocationProblem problem = fourfoldSizes(1.0);
        BitAllocation a = Baselines.uniform(problem, 8);
        assertThat(a.bits()).containsOnly(8);
        assertThat(a.cost()).isEqualTo(8 * (4 + 16 + 64 + 256 + 1024));
        assertThat(a.degradation()).isCloseTo(5 * 400 * Math.pow(4, -8), within(1e-15));
        assertThat(a.feasible()).isTrue();
        assertThat(a.bisectionIterations() + a.greedySteps() + a.exchangeSteps()).isZero();
        assertThat(Baselines.uniform(8).assign(problem)).isEqualTo(a);
    }

    @Test
    void uniformMinIsTheSmallestFeasibleWidth() {
        // D(b) = 2000 · 4^-b ≤ 1 first at b = 6 (2000/4096); b = 5 gives 1.95
        BitAllocationProblem problem = fourfoldSizes(1.0);
        BitAllocation a = Baselines.uniformMin(problem);
        assertThat(a.bits()).containsOnly(6);
        assertThat(a.feasible()).isTrue();
        assertThat(Baselines.uniform(problem, 5).feasible()).isFalse();
    }

    @Test
    void uniformMinFlagsAnUnreachableBudget() {
        BitAllocationProblem problem = fourfoldSizes(1e-12);
        BitAllocation a = Baselines.uniformMin(problem);
        assertThat(a.bits()).containsOnly(16);
        assertThat(a.feasible()).isFalse();
    }

    @Test
    void sqnrGivesFourTimesLargerTensorsOneBitLess() {
        // offsets −2..2 around b0; D = 400 · 4^-b0 · (4^-2 + 4^-1 + 1 + 4 + 16) ≈ 8500 · 4^-b0,
        // first ≤ 1 at b0 = 7: bits (9, 8, 7, 6, 5)
        BitAllocationProblem problem = fourfoldSizes(1.0);
        int[] bits = Baselines.sqnr(problem).bits();
        assertThat(bits).containsExactly(9, 8, 7, 6, 5);
        for (int j = 1; j < bits.length; j++) {
            assertThat(bits[j - 1] - bits[j]).isEqualTo(1);
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6})
    void sqnrUsesTheSmallestFeasibleOffset(long seed) {
        Random random = new Random(seed);
        for (int instance = 0; instance < 20; instance++) {
            BitAllocationProblem problem = RandomProblems.create(random, 2 + random.nextInt(10),
                    2, 16, 1.0, 2 + 8 * random.nextDouble(), random.nextBoolean());
            BitAllocation a = Baselines.sqnr(problem);
            int[] bits = a.bits();
            BitAllocatorTest.assertWithinBounds(problem, bits);
            // larger tensors never get more bits
            for (int i = 0; i < bits.length; i++) {
                for (int j = 0; j < bits.length; j++) {
                    if (problem.tensor(i).elements() > problem.tensor(j).elements()) {
                        assertThat(bits[i]).isLessThanOrEqualTo(bits[j]);
                    }
                }
            }
            if (!a.feasible()) {
                assertThat(bits).containsOnly(16);
                continue;
            }
            // the offset one lower than the smallest that yields these bits breaks the budget
            int offset = -64;
            while (!Arrays.equals(sqnrReference(problem, offset), bits)) {
                offset++;
            }
            int[] lower = sqnrReference(problem, offset - 1);
            if (!Arrays.equals(lower, bits)) {
                assertThat(problem.degradation(lower)).isGreaterThan(problem.budget());
            }
            // the optimiser, which also sees the gains, never needs more cost
            assertThat(BitAllocator.solve(problem).cost()).isLessThanOrEqualTo(a.cost());
        }
    }

    /** Reference for the SQNR rule: clamp(b0 − round(log4(s_j / geometric mean)), bounds). */
    private static int[] sqnrReference(BitAllocationProblem problem, int b0) {
        double logMean = problem.tensors().stream()
                .mapToDouble(t -> Math.log(t.elements())).average().orElse(0);
        int[] bits = new int[problem.size()];
        for (int j = 0; j < bits.length; j++) {
            TensorTerm t = problem.tensor(j);
            long offset = Math.round((Math.log(t.elements()) - logMean) / Math.log(4));
            bits[j] = (int) Math.max(t.minBits(), Math.min(t.maxBits(), b0 - offset));
        }
        return bits;
    }

    @Test
    void float32IsLosslessAndCostsThirtyTwoBits() {
        BitAllocationProblem problem = fourfoldSizes(1e-12);
        BitAllocation a = Baselines.float32(problem);
        assertThat(a.bits()).containsOnly(32);
        assertThat(a.degradation()).isZero();
        assertThat(a.feasible()).isTrue();
        assertThat(a.payloadBits()).isEqualTo(32L * (4 + 16 + 64 + 256 + 1024));
        assertThat(Baselines.float32().assign(problem)).isEqualTo(a);
    }

    @Test
    void emptyProblems() {
        BitAllocationProblem empty = BitAllocationProblem.of(List.of());
        assertThat(Baselines.uniformMin(empty).bits()).isEmpty();
        assertThat(Baselines.sqnr(empty).bits()).isEmpty();
        assertThat(Baselines.uniformMin().assign(empty).feasible()).isTrue();
        assertThat(Baselines.sqnr().assign(empty).feasible()).isTrue();
    }
}
