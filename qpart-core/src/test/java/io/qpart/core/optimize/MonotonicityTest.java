package io.qpart.core.optimize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.qpart.core.cost.ChannelProfile;
import io.qpart.core.cost.CostModel;
import io.qpart.core.cost.ObjectiveWeights;
import io.qpart.core.cost.Profiles;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MonotonicityTest {

    private static final double[] BUDGETS = {0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 16};
    private static final double[] RATE_SCALES = {0.01, 0.03, 0.1, 0.3, 1, 3.7, 10, 31, 100, 1000};

    /** The relaxation moves every tensor's width down as G grows: a property of the optimum. */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void looserBudgetNeverRaisesAnyRelaxedWidth(long seed) {
        Random random = new Random(seed);
        for (int instance = 0; instance < 10; instance++) {
            BitAllocationProblem problem = RandomProblems.create(random, 2 + random.nextInt(40),
                    2, 16, 1, 2 + 10 * random.nextDouble(), random.nextBoolean());
            double[] previous = null;
            for (double budget : BUDGETS) {
                double[] bits = BitAllocator.solve(problem.withBudget(budget)).continuousBits();
                if (previous != null) {
                    for (int j = 0; j < bits.length; j++) {
                        assertThat(bits[j]).isLessThanOrEqualTo(previous[j] + 1e-9);
                    }
                }
                previous = bits;
            }
        }
    }

    /**
     * With c_j proportional to s_j (weights at fixed activation bits: one query factor times the
     * size, SPEC §6) the payload is the cost over that factor: a looser budget never raises it.
     */
    @ParameterizedTest
    @ValueSource(longs = {11, 12, 13, 14, 15, 16, 17, 18})
    void looserBudgetNeverRaisesThePayload(long seed) {
        Random random = new Random(seed);
        for (int instance = 0; instance < 25; instance++) {
            BitAllocationProblem problem = RandomProblems.create(random, 2 + random.nextInt(40),
                    2, 16, 1, 2 + 10 * random.nextDouble(), true);
            long previous = Long.MAX_VALUE;
            for (double budget : BUDGETS) {
                BitAllocation a = BitAllocator.solve(problem.withBudget(budget));
                if (a.feasible()) {
                    assertThat(a.payloadBits()).as("seed %d instance %d G %s", seed, instance,
                            budget).isLessThanOrEqualTo(previous);
                    previous = a.payloadBits();
                }
            }
        }
    }

    /** A larger Δa means a larger t_j(Δa), so smaller gains g_j = p_j / t_j: never more payload. */
    @ParameterizedTest
    @ValueSource(longs = {21, 22, 23, 24})
    void smallerGainsNeverRaiseThePayload(long seed) {
        Random random = new Random(seed);
        for (int instance = 0; instance < 25; instance++) {
            BitAllocationProblem problem = RandomProblems.create(random, 2 + random.nextInt(40),
                    2, 16, 1, 2 + 10 * random.nextDouble(), true);
            long previous = Long.MAX_VALUE;
            for (double shrink : new double[] {1, 0.8, 0.5, 0.3, 0.1, 0.01}) {
                List<TensorTerm> scaled = problem.tensors().stream()
                        .map(t -> new TensorTerm(t.elements(), t.costPerBit(), t.gain() * shrink,
                                t.minBits(), t.maxBits()))
                        .toList();
                BitAllocation a = BitAllocator.solve(BitAllocationProblem.of(scaled));
                if (a.feasible()) {
                    assertThat(a.payloadBits()).isLessThanOrEqualTo(previous);
                    previous = a.payloadBits();
                }
            }
        }
    }

    /** With general costs the cost, not the payload, is what a looser budget cannot raise. */
    @ParameterizedTest
    @ValueSource(longs = {31, 32, 33, 34, 35, 36})
    void looserBudgetNeverRaisesTheCost(long seed) {
        Random random = new Random(seed);
        for (int instance = 0; instance < 25; instance++) {
            BitAllocationProblem problem = RandomProblems.create(random, 2 + random.nextInt(40),
                    2, 16, 1, 2 + 10 * random.nextDouble(), false);
            double previous = Double.POSITIVE_INFINITY;
            for (double budget : BUDGETS) {
                BitAllocation a = BitAllocator.solve(problem.withBudget(budget));
                if (a.feasible()) {
                    assertThat(a.cost()).isLessThanOrEqualTo(previous * (1 + 1e-12));
                    previous = a.cost();
                }
            }
        }
    }

    /**
     * Why payload monotonicity needs c ∝ s: here even the exhaustive optimum moves bits onto the
     * large tensor, whose bits are cheap, when the budget loosens.
     */
    @Test
    void payloadCanRiseWhenCostsAreNotProportionalToSize() {
        BitAllocationProblem tight = BitAllocationProblem.of(new long[] {100, 1000, 10},
                new double[] {50, 1, 5}, new double[] {3000, 3000, 1024}, 2, 8, 1.0);
        BitAllocationProblem loose = tight.withBudget(4.0);
        int[] tightOptimum = ExhaustiveSearch.optimum(tight);
        int[] looseOptimum = ExhaustiveSearch.optimum(loose);
        assertThat(tightOptimum).containsExactly(6, 7, 7);
        assertThat(looseOptimum).containsExactly(5, 8, 5);
        assertThat(loose.payloadBits(looseOptimum)).isGreaterThan(tight.payloadBits(tightOptimum));
        assertThat(loose.cost(looseOptimum)).isLessThan(tight.cost(tightOptimum));
        assertThat(BitAllocator.solve(tight).bits()).containsExactly(tightOptimum);
        assertThat(BitAllocator.solve(loose).bits()).containsExactly(looseOptimum);
    }

    /**
     * Latency-only objective, activation optimised jointly: scaling both link rates up leaves
     * every cut's bits unchanged and shortens its latency, so the chosen latency never rises.
     */
    @ParameterizedTest
    @ValueSource(longs = {41, 42, 43, 44, 45, 46, 47, 48, 49, 50})
    void moreBandwidthNeverRaisesTheChosenLatency(long seed) {
        SplitScenario scenario = SplitScenario.random(new Random(seed), 3 + (int) (seed % 8));
        Set<Integer> chosenCuts = new HashSet<>();
        for (String device : Profiles.deviceNames()) {
            double previous = Double.POSITIVE_INFINITY;
            for (double scale : RATE_SCALES) {
                ChannelProfile channel = Profiles.channel("lte").withRatesScaledBy(scale);
                CostModel model = new CostModel(Profiles.device(device), channel,
                        Profiles.server("edge"), ObjectiveWeights.latencyOnly());
                CutChoice choice = CutSearch.search(scenario.candidates(model, 0),
                        CutConstraints.none());
                double seconds = choice.chosen().seconds().orElseThrow();
                assertThat(choice.objective()).isCloseTo(seconds,
                        within(1e-9 * seconds));
                assertThat(seconds).as("seed %d device %s scale %s", seed, device, scale)
                        .isLessThanOrEqualTo(previous * (1 + 1e-12));
                previous = seconds;
                chosenCuts.add(choice.cut());
            }
        }
        assertThat(chosenCuts).as("the sweep should move the cut").hasSizeGreaterThan(1);
    }

    /**
     * Mixed weights, activation at fixed 8 bits (so every c_j is one factor times s_j): the chosen
     * objective never rises with bandwidth.
     */
    @ParameterizedTest
    @ValueSource(longs = {51, 52, 53, 54, 55})
    void moreBandwidthNeverRaisesTheChosenObjective(long seed) {
        SplitScenario scenario = SplitScenario.random(new Random(seed), 6);
        ObjectiveWeights weights = new ObjectiveWeights(1, 0.5, 10, 1e-9);
        Set<Integer> chosenCuts = new HashSet<>();
        for (String device : Profiles.deviceNames()) {
            for (String channelName : Profiles.channelNames()) {
                double previous = Double.POSITIVE_INFINITY;
                for (double scale : RATE_SCALES) {
                    CostModel model = new CostModel(Profiles.device(device),
                            Profiles.channel(channelName).withRatesScaledBy(scale),
                            Profiles.server("edge"), weights);
                    CutChoice choice = CutSearch.search(scenario.candidates(model, 8),
                            CutConstraints.none());
                    assertThat(choice.objective()).isLessThanOrEqualTo(previous * (1 + 1e-12));
                    previous = choice.objective();
                    chosenCuts.add(choice.cut());
                }
            }
        }
        assertThat(chosenCuts).as("the sweep should move the cut").hasSizeGreaterThan(1);
    }
}
