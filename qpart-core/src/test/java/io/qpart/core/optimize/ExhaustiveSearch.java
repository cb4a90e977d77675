package io.qpart.core.optimize;

/** Brute-force integer optimum of small problems: the reference the allocator is tested against. */
final class ExhaustiveSearch {

    private ExhaustiveSearch() {
    }

    /** Cheapest feasible integer assignment within the bounds, or null when none is feasible. */
    static int[] optimum(BitAllocationProblem problem) {
        int n = problem.size();
        int[] bits = new int[n];
        for (int j = 0; j < n; j++) {
            bits[j] = problem.tensor(j).minBits();
        }
        int[] best = null;
        double bestCost = Double.POSITIVE_INFINITY;
        while (true) {
            if (problem.degradation(bits) <= problem.budget()) {
                double cost = problem.cost(bits);
                if (cost < bestCost) {
                    bestCost = cost;
                    best = bits.clone();
                }
            }
            int j = 0;
            while (j < n && bits[j] == problem.tensor(j).maxBits()) {
                bits[j] = problem.tensor(j).minBits();
                j++;
            }
            if (j == n) {
                return best;
            }
            bits[j]++;
        }
    }
}
