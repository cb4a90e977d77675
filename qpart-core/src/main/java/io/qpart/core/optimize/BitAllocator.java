package io.qpart.core.optimize;

import java.util.stream.IntStream;

/**
 * The bit-width optimiser of SPEC §6: minimise {@code Σ c_j b_j} subject to
 * {@code D = Σ g_j e^(−α b_j) ≤ G} and the tensors' bounds.
 *
 * <ol>
 *   <li><b>Continuous relaxation.</b> The Lagrangian condition {@code c_j = μ α g_j e^(−α b_j)}
 *       gives {@code b_j(μ) = clamp((1/α) ln(α μ g_j / c_j), minBits_j, maxBits_j)}; D falls as μ
 *       grows, so bisection on {@code ln(α μ)} finds the smallest μ with {@code D ≤ G}. The
 *       bisection keeps its upper end feasible, so the relaxed solution it returns always meets
 *       the budget. Without active bounds this is the closed form {@link #closedForm}.</li>
 *   <li><b>Integers.</b> Round every width up (D only falls, so the result stays feasible), then
 *       repeatedly lower by one bit the tensor with the largest {@code c_j} (the one that saves
 *       the most cost) whose reduction keeps {@code D ≤ G}, until no such tensor is left.</li>
 *   <li><b>Exchange (ours, not in the SPEC).</b> The greedy can stop at an assignment that a
 *       cheaper one beats: lowering one costly tensor may use up budget that would have let
 *       several others drop. An exchange move raises one tensor by one bit and re-runs the greedy
 *       on the others with the budget this frees; the best move that lowers the cost is taken
 *       until none does. It never makes the answer worse; on our seeded random instances it
 *       leaves fewer answers above the exhaustive optimum and removed the few cases where a
 *       looser budget made the greedy's answer cost more ({@code docs/decision.md} has the
 *       counts). Each move costs up to n greedy re-runs of O(n) each.
 *       {@link #solveWithoutExchange} stops after step 2, exactly as SPEC §6 describes.</li>
 * </ol>
 *
 * <p>Tensors with gain 0 do not affect D and get their {@code minBits}. When even every tensor at
 * {@code maxBits} leaves {@code D > G}, the answer is that all-maximum assignment, flagged
 * infeasible. Costs are divided by the largest one before the bisection, which leaves the answer
 * unchanged (μ absorbs the scale) and makes it exactly invariant under scaling every cost by a
 * power of two.
 *
 * <p>Stateless; every method is a pure function of its arguments.
 */
public final class BitAllocator {

    /** Bisection stops once the relaxed bit-widths are known to within this many bits. */
    public static final double BITS_TOLERANCE = 1e-10;
    /** Hard cap on bisection steps (reached only if the tolerance cannot be met in doubles). */
    public static final int MAX_BISECTION_ITERATIONS = 200;

    /** Cap on exchange moves after the greedy (each strictly lowers the cost; a safety net). */
    public static final int MAX_EXCHANGE_STEPS = 100_000;
    /** An exchange move must lower the cost by at least this fraction of it to count. */
    private static final double COST_IMPROVEMENT = 1e-12;

    private BitAllocator() {
    }

    /**
     * The unbounded closed form of SPEC §6,
     * {@code b_j* = (1/α) ln(g_j Σ_i c_i / (c_j G))}, at which every
     * {@code g_j e^(−α b_j*) / c_j} is equal and D = G exactly. The tensors' bounds are ignored,
     * so widths may fall outside [2, 16]; every gain must be {@code > 0}.
     */
    public static double[] closedForm(BitAllocationProblem problem) {
        int n = problem.size();
        double costSum = 0;
        for (int j = 0; j < n; j++) {
            costSum += problem.tensor(j).costPerBit();
            if (!(problem.tensor(j).gain() > 0)) {
                throw new IllegalArgumentException("the closed form needs every gain > 0, tensor "
                        + j + " has gain " + problem.tensor(j).gain());
            }
        }
        double[] bits = new double[n];
        for (int j = 0; j < n; j++) {
            TensorTerm t = problem.tensor(j);
            // SPEC §6 closed form
            bits[j] = Math.log(t.gain() * costSum / (t.costPerBit() * problem.budget()))
                    / problem.alpha();
        }
        return bits;
    }

    /**
     * Continuous relaxation, integer rounding and greedy reduction (SPEC §6), then exchange moves
     * (ours).
     */
    public static BitAllocation solve(BitAllocationProblem problem) {
        return solve(problem, true);
    }

    /** SPEC §6 to the letter: relaxation, rounding up and greedy reduction, no exchange moves. */
    public static BitAllocation solveWithoutExchange(BitAllocationProblem problem) {
        return solve(problem, false);
    }

    private static BitAllocation solve(BitAllocationProblem problem, boolean withExchange) {
        int n = problem.size();
        double budget = problem.budget();
        double[] lower = new double[n];
        double[] upper = new double[n];
        int[] upperBits = new int[n];
        for (int j = 0; j < n; j++) {
            lower[j] = problem.tensor(j).minBits();
            upper[j] = problem.tensor(j).maxBits();
            upperBits[j] = problem.tensor(j).maxBits();
        }
        // Infeasible even at maximum precision: report that assignment, flagged.
        if (problem.degradation(upper) > budget) {
            return BitAllocation.score(problem, upper, upperBits, 0, 0, 0);
        }
        Relaxation relaxed = problem.degradation(lower) <= budget
                ? new Relaxation(lower, 0)
                : bisect(problem, lower, upper);
        int[] bits = new int[n];
        for (int j = 0; j < n; j++) {
            TensorTerm t = problem.tensor(j);
            // SPEC §6: round up (stays feasible); g = 0 tensors sit at minBits already
            int up = (int) Math.ceil(relaxed.bits[j]);
            bits[j] = t.gain() == 0
                    ? t.minBits()
                    : Math.max(t.minBits(), Math.min(t.maxBits(), up));
        }
        int[] order = byDecreasingCost(problem);
        int[] roundedUp = bits.clone();
        int greedySteps = lowerGreedily(problem, order, bits, problem.degradation(bits), -1,
                null);
        if (problem.degradation(bits) > budget) {
            // incremental D drifted past G by rounding: redo with D recomputed at every step
            bits = roundedUp;
            greedySteps = lowerGreedilyExactly(problem, order, bits);
        }
        int[] improved = bits.clone();
        int exchangeSteps = withExchange ? exchange(problem, order, improved) : 0;
        if (exchangeSteps > 0 && problem.degradation(improved) <= budget) {
            bits = improved;
        } else {
            exchangeSteps = 0;
        }
        return BitAllocation.score(problem, relaxed.bits, bits, relaxed.iterations, greedySteps,
                exchangeSteps);
    }

    private record Relaxation(double[] bits, int iterations) {
    }

    /**
     * Bisection on λ = ln(α μ) with b_j(λ) = clamp((λ + ln(g_j / ĉ_j)) / α, lo_j, hi_j), ĉ the
     * costs divided by the largest. Precondition: D(lower) > G ≥ D(upper).
     */
    private static Relaxation bisect(BitAllocationProblem problem, double[] lower, double[] upper) {
        int n = problem.size();
        double alpha = problem.alpha();
        double maxCost = problem.maxCostPerBit();
        double[] shift = new double[n];
        double lambdaLow = Double.POSITIVE_INFINITY;
        double lambdaHigh = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < n; j++) {
            TensorTerm t = problem.tensor(j);
            if (t.gain() > 0) {
                shift[j] = Math.log(t.gain() / (t.costPerBit() / maxCost));
                // below lambdaLow every tensor sits at its lower bound,
                // above lambdaHigh at its upper bound
                lambdaLow = Math.min(lambdaLow, alpha * lower[j] - shift[j]);
                lambdaHigh = Math.max(lambdaHigh, alpha * upper[j] - shift[j]);
            }
        }
        double[] bits = new double[n];
        double[] best = upper.clone();
        int iterations = 0;
        double lambdaTolerance = alpha * BITS_TOLERANCE;
        while (lambdaHigh - lambdaLow > lambdaTolerance && iterations < MAX_BISECTION_ITERATIONS) {
            double mid = 0.5 * (lambdaLow + lambdaHigh);
            if (!(mid > lambdaLow && mid < lambdaHigh)) {
                break; // the interval cannot shrink further in doubles
            }
            iterations++;
            relaxedBits(problem, shift, lower, upper, mid, bits);
            if (problem.degradation(bits) <= problem.budget()) {
                lambdaHigh = mid;
                System.arraycopy(bits, 0, best, 0, n);
            } else {
                lambdaLow = mid;
            }
        }
        return new Relaxation(best, iterations);
    }

    /** SPEC §6: b_j(μ) = clamp((1/α) ln(α μ g_j / c_j), b_min, b_max), with λ = ln(α μ / max c). */
    private static void relaxedBits(BitAllocationProblem problem, double[] shift, double[] lower,
                                    double[] upper, double lambda, double[] out) {
        for (int j = 0; j < out.length; j++) {
            if (problem.tensor(j).gain() > 0) {
                double b = (lambda + shift[j]) / problem.alpha();
                out[j] = Math.max(lower[j], Math.min(upper[j], b));
            } else {
                out[j] = lower[j];
            }
        }
    }

    /** Tensor indices by decreasing c_j, ties to the lower index: the greedy's preference. */
    private static int[] byDecreasingCost(BitAllocationProblem problem) {
        return IntStream.range(0, problem.size()).boxed()
                .sorted((a, b) -> {
                    int byCost = Double.compare(problem.tensor(b).costPerBit(),
                            problem.tensor(a).costPerBit());
                    return byCost != 0 ? byCost : Integer.compare(a, b);
                })
                .mapToInt(Integer::intValue)
                .toArray();
    }

    /**
     * SPEC §6: repeatedly lower by one bit the tensor that saves the most cost while D ≤ G still
     * holds (ties to the lower index), never touching tensor {@code frozen} (-1 for none).
     * Lowering a width only raises D, so a tensor that cannot be lowered now never can be later:
     * visiting tensors by decreasing {@code c_j} and lowering each as far as the budget allows
     * makes exactly the same moves. D is tracked incrementally from {@code degradation}, the D of
     * {@code bits} on entry. {@code firstDelta}, when not null, holds for every tensor the D its
     * first one-bit reduction adds (saves recomputing it). Returns the number of reductions;
     * {@code bits} is changed in place.
     */
    private static int lowerGreedily(BitAllocationProblem problem, int[] order, int[] bits,
                                     double degradation, int frozen, double[] firstDelta) {
        double alpha = problem.alpha();
        double budget = problem.budget();
        double d = degradation;
        int steps = 0;
        for (int j : order) {
            if (j == frozen) {
                continue;
            }
            TensorTerm t = problem.tensor(j);
            boolean first = true;
            while (bits[j] > t.minBits()) {
                double after = first && firstDelta != null
                        ? d + firstDelta[j]
                        : d - t.degradation(alpha, bits[j]) + t.degradation(alpha, bits[j] - 1);
                first = false;
                if (after > budget) {
                    break;
                }
                d = after;
                bits[j]--;
                steps++;
            }
        }
        return steps;
    }

    /** {@link #lowerGreedily} with D recomputed at every step: slower, never drifts. */
    private static int lowerGreedilyExactly(BitAllocationProblem problem, int[] order, int[] bits) {
        int steps = 0;
        for (int j : order) {
            while (bits[j] > problem.tensor(j).minBits()) {
                bits[j]--;
                if (problem.degradation(bits) > problem.budget()) {
                    bits[j]++;
                    break;
                }
                steps++;
            }
        }
        return steps;
    }

    /**
     * Our refinement after SPEC §6's greedy (the SPEC does not ask for it): an exchange move
     * raises one tensor by one bit and lets the greedy lower the others with the budget this frees.
     * The best move that lowers the cost is taken, until none does. Each move strictly lowers the
     * cost of a feasible assignment, so the loop ends; it can only improve on the greedy result.
     * Returns the number of moves made; {@code bits} is changed in place.
     */
    private static int exchange(BitAllocationProblem problem, int[] order, int[] bits) {
        double alpha = problem.alpha();
        double budget = problem.budget();
        int n = bits.length;
        double[] lowerDelta = new double[n];
        int moves = 0;
        while (moves < MAX_EXCHANGE_STEPS) {
            double degradation = problem.degradation(bits);
            double cost = problem.cost(bits);
            // the D that lowering each tensor by one bit would add; the two smallest let a trial
            // that cannot lower anything be skipped without running the greedy
            int smallest = -1;
            int second = -1;
            for (int i = 0; i < n; i++) {
                TensorTerm t = problem.tensor(i);
                lowerDelta[i] = bits[i] > t.minBits() && t.gain() > 0
                        ? t.degradation(alpha, bits[i] - 1) - t.degradation(alpha, bits[i])
                        : Double.POSITIVE_INFINITY;
                if (smallest < 0 || lowerDelta[i] < lowerDelta[smallest]) {
                    second = smallest;
                    smallest = i;
                } else if (second < 0 || lowerDelta[i] < lowerDelta[second]) {
                    second = i;
                }
            }
            int[] best = null;
            double bestCost = cost - COST_IMPROVEMENT * Math.max(1.0, Math.abs(cost));
            for (int j = 0; j < n; j++) {
                TensorTerm t = problem.tensor(j);
                if (bits[j] >= t.maxBits() || t.gain() == 0) {
                    continue;
                }
                double freed = t.degradation(alpha, bits[j]) - t.degradation(alpha, bits[j] + 1);
                int cheapestOther = j == smallest ? second : smallest;
                if (cheapestOther < 0 || lowerDelta[cheapestOther] > budget - degradation + freed) {
                    continue; // raising j frees too little for any other tensor to drop a bit
                }
                int[] trial = bits.clone();
                trial[j]++;
                lowerGreedily(problem, order, trial, degradation - freed, j, lowerDelta);
                double trialCost = problem.cost(trial);
                if (trialCost < bestCost) {
                    best = trial;
                    bestCost = trialCost;
                }
            }
            if (best == null || problem.degradation(best) > budget) {
                return moves;
            }
            System.arraycopy(best, 0, bits, 0, n);
            moves++;
        }
        return moves;
    }
}
