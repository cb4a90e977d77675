package io.qpart.core.optimize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BitAllocatorTest {

    /** SPEC §6 worked check: c = s, G = 1. */
    private static final long[] SIZES = {1728, 36864, 73728, 147456};
    private static final double[] GAINS = {2000, 800, 500, 300};

    private static BitAllocationProblem workedExample() {
        double[] costs = new double[SIZES.length];
        for (int j = 0; j < costs.length; j++) {
            costs[j] = SIZES[j];
        }
        return BitAllocationProblem.of(SIZES, costs, GAINS, 2, 16, 1.0);
    }

    @Test
    void workedCheckClosedForm() {
        BitAllocationProblem problem = workedExample();
        double[] b = BitAllocator.closedForm(problem);
        assertThat(b[0]).isCloseTo(9.0989, within(1e-4));
        assertThat(b[1]).isCloseTo(6.2304, within(1e-4));
        assertThat(b[2]).isCloseTo(5.3914, within(1e-4));
        assertThat(b[3]).isCloseTo(4.5229, within(1e-4));
        assertThat(problem.degradation(b)).isCloseTo(1.0, within(1e-9));
        assertThat(problem.degradation(new int[] {10, 7, 6, 5})).isCloseTo(0.4658, within(1e-4));
    }

    @Test
    void workedCheckWithBoundsMatchesTheClosedForm() {
        // no bound is active, so the bisection lands on the closed form
        BitAllocationProblem problem = workedExample();
        BitAllocation a = BitAllocator.solve(problem);
        double[] closed = BitAllocator.closedForm(problem);
        for (int j = 0; j < closed.length; j++) {
            assertThat(a.continuousBits()[j]).isCloseTo(closed[j], within(1e-9));
        }
        assertThat(a.bisectionIterations()).isPositive();
        assertThat(a.feasible()).isTrue();
        assertThat(a.degradation()).isLessThanOrEqualTo(1.0);
        // the integers start from (10, 7, 6, 5) and can only get cheaper
        assertThat(a.cost()).isLessThanOrEqualTo(problem.cost(new int[] {10, 7, 6, 5}));
        assertThat(a.payloadBits()).isEqualTo(problem.payloadBits(a.bits()));
        int[] optimum = ExhaustiveSearch.optimum(problem);
        assertThat(a.cost()).isLessThanOrEqualTo(problem.cost(optimum) + problem.maxCostPerBit());
    }

    /**
     * Exhaustive check on seeded random instances (2–5 tensors, bits 2..8, G from 0.01 to 10):
     * feasible whenever the integer optimum exists, never cheaper than it, and within one bit-step
     * (the largest c_j) of it; the relaxation is a lower bound.
     */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20})
    void withinOneBitStepOfTheExhaustiveOptimum(long seed) {
        Random random = new Random(seed);
        double[] budgets = {0.01, 0.1, 1, 10};
        for (int instance = 0; instance < 30; instance++) {
            int n = 2 + random.nextInt(4);
            double budget = budgets[random.nextInt(budgets.length)];
            BitAllocationProblem problem = RandomProblems.create(random, n, 2, 8, budget,
                    1 + 8 * random.nextDouble(), random.nextBoolean());
            int[] optimum = ExhaustiveSearch.optimum(problem);
            for (BitAllocation a : List.of(BitAllocator.solve(problem),
                    BitAllocator.solveWithoutExchange(problem))) {
                assertWithinBounds(problem, a.bits());
                if (optimum == null) {
                    assertThat(a.feasible()).isFalse();
                    continue;
                }
                double best = problem.cost(optimum);
                String context = "seed " + seed + " instance " + instance + ": " + a;
                assertThat(a.feasible()).as(context).isTrue();
                assertThat(a.degradation()).as(context).isLessThanOrEqualTo(budget);
                assertThat(a.cost()).as(context).isGreaterThanOrEqualTo(best * (1 - 1e-12));
                assertThat(a.cost()).as(context)
                        .isLessThanOrEqualTo(best + problem.maxCostPerBit() + 1e-9 * best);
                assertThat(problem.cost(a.continuousBits())).as(context)
                        .isLessThanOrEqualTo(best * (1 + 1e-9));
            }
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {31, 32, 33, 34, 35})
    void exchangeNeverCostsMoreThanTheGreedyAlone(long seed) {
        Random random = new Random(seed);
        for (int instance = 0; instance < 40; instance++) {
            BitAllocationProblem problem = RandomProblems.create(random, 2 + random.nextInt(30),
                    2, 16, 1.0, 2 + 10 * random.nextDouble(), random.nextBoolean());
            BitAllocation greedy = BitAllocator.solveWithoutExchange(problem);
            BitAllocation refined = BitAllocator.solve(problem);
            assertThat(refined.feasible()).isEqualTo(greedy.feasible());
            assertThat(refined.cost()).isLessThanOrEqualTo(greedy.cost());
            assertThat(refined.continuousBits()).containsExactly(greedy.continuousBits());
            assertThat(greedy.exchangeSteps()).isZero();
        }
    }

    @Test
    void infeasibleIsFlaggedWithEveryTensorAtItsMaximum() {
        BitAllocationProblem problem = new BitAllocationProblem(List.of(
                new TensorTerm(100, 100, 1e6, 2, 6),
                new TensorTerm(10, 10, 5, 3, 5)), 1.0, BitAllocationProblem.DEFAULT_ALPHA);
        BitAllocation a = BitAllocator.solve(problem);
        assertThat(a.feasible()).isFalse();
        assertThat(a.bits()).containsExactly(6, 5);
        assertThat(a.continuousBits()).containsExactly(6.0, 5.0);
        assertThat(a.degradation()).isGreaterThan(1.0);
        assertThat(a.bisectionIterations()).isZero();
        assertThat(a.greedySteps()).isZero();
    }

    @Test
    void zeroGainTensorsGetTheirMinimum() {
        BitAllocationProblem problem = new BitAllocationProblem(List.of(
                new TensorTerm(1000, 1000, 0, 4, 12),
                new TensorTerm(500, 500, 3000, 2, 16),
                new TensorTerm(10, 10, 0, 2, 16)), 1.0, BitAllocationProblem.DEFAULT_ALPHA);
        BitAllocation a = BitAllocator.solve(problem);
        assertThat(a.feasible()).isTrue();
        assertThat(a.bits()[0]).isEqualTo(4);
        assertThat(a.bits()[2]).isEqualTo(2);
        assertThat(a.continuousBits()[0]).isEqualTo(4.0);
        // the one sensitive tensor alone: ceil(log4(3000)) = 6 bits meets D ≤ 1
        assertThat(a.bits()[1]).isEqualTo(6);
    }

    @ParameterizedTest
    @ValueSource(longs = {41, 42, 43, 44, 45, 46, 47, 48})
    void boundsAreRespected(long seed) {
        Random random = new Random(seed);
        List<TensorTerm> terms = new java.util.ArrayList<>();
        for (int j = 0; j < 12; j++) {
            int low = 2 + random.nextInt(6);
            int high = low + random.nextInt(17 - low);
            terms.add(new TensorTerm(1 + random.nextInt(10_000), 0.1 + random.nextDouble(),
                    random.nextInt(4) == 0 ? 0 : Math.pow(10, 6 * random.nextDouble()), low,
                    high));
        }
        for (double budget : new double[] {1e-4, 0.01, 1, 100}) {
            BitAllocationProblem problem = new BitAllocationProblem(terms, budget,
                    BitAllocationProblem.DEFAULT_ALPHA);
            BitAllocation a = BitAllocator.solve(problem);
            assertWithinBounds(problem, a.bits());
            for (int j = 0; j < problem.size(); j++) {
                assertThat(a.continuousBits()[j]).isBetween((double) terms.get(j).minBits(),
                        (double) terms.get(j).maxBits());
            }
            assertThat(a.feasible()).isEqualTo(a.degradation() <= budget);
        }
    }

    @Test
    void aBudgetMetAtTheMinimumNeedsNoSearch() {
        BitAllocationProblem problem = BitAllocationProblem.of(new long[] {10, 20},
                new double[] {10, 20}, new double[] {1, 1}, 3, 8, 1.0);
        BitAllocation a = BitAllocator.solve(problem);
        assertThat(a.bits()).containsExactly(3, 3);
        assertThat(a.bisectionIterations()).isZero();
        assertThat(a.greedySteps()).isZero();
        assertThat(a.feasible()).isTrue();
    }

    @Test
    void emptyProblemIsTriviallyFeasible() {
        BitAllocationProblem problem = BitAllocationProblem.of(List.of());
        BitAllocation a = BitAllocator.solve(problem);
        assertThat(a.bits()).isEmpty();
        assertThat(a.feasible()).isTrue();
        assertThat(a.cost()).isZero();
        assertThat(BitAllocator.closedForm(problem)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(ints = {-3, -1, 1, 5, 20})
    void scalingEveryCostByAPowerOfTwoChangesNoBit(int exponent) {
        Random random = new Random(77);
        BitAllocationProblem problem = RandomProblems.create(random, 20, 2, 16, 1.0, 6, false);
        List<TensorTerm> scaled = problem.tensors().stream()
                .map(t -> new TensorTerm(t.elements(), Math.scalb(t.costPerBit(), exponent),
                        t.gain(), t.minBits(), t.maxBits()))
                .toList();
        BitAllocation a = BitAllocator.solve(problem);
        BitAllocation b = BitAllocator.solve(BitAllocationProblem.of(scaled));
        assertThat(b.bits()).containsExactly(a.bits());
        assertThat(b.continuousBits()).containsExactly(a.continuousBits());
    }

    @Test
    void pureFunction() {
        BitAllocationProblem problem = workedExample();
        assertThat(BitAllocator.solve(problem)).isEqualTo(BitAllocator.solve(problem));
        BitAllocation a = BitAllocator.solve(problem);
        a.bits()[0] = 99;
        a.continuousBits()[0] = 99;
        assertThat(a.bits()[0]).isNotEqualTo(99);
        assertThat(a.continuousBits()[0]).isNotEqualTo(99.0);
    }

    @Test
    void closedFormNeedsPositiveGains() {
        BitAllocationProblem problem = BitAllocationProblem.of(new long[] {1, 2},
                new double[] {1, 2}, new double[] {1, 0}, 2, 16, 1.0);
        assertThatThrownBy(() -> BitAllocator.closedForm(problem))
                .hasMessageContaining("tensor 1 has gain 0.0");
    }

    static void assertWithinBounds(BitAllocationProblem problem, int[] bits) {
        for (int j = 0; j < bits.length; j++) {
            assertThat(bits[j]).as("tensor %d", j).isBetween(problem.tensor(j).minBits(),
                    problem.tensor(j).maxBits());
        }
    }
}
