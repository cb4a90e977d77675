package io.qpart.core.optimize;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Seeded random problems whose optimum sits inside the bounds often enough to be interesting. */
final class RandomProblems {

    private RandomProblems() {
    }

    /**
     * {@code n} tensors with log-uniform sizes in [10, 1e6], costs proportional to size times a
     * log-uniform factor in [0.5, 2] (or exactly proportional when {@code proportional}), and gains
     * around {@code budget · 4^targetBits} spread over three orders of magnitude.
     */
    static BitAllocationProblem create(Random random, int n, int minBits, int maxBits,
                                       double budget, double targetBits, boolean proportional) {
        List<TensorTerm> terms = new ArrayList<>();
        for (int j = 0; j < n; j++) {
            long elements = Math.round(Math.pow(10, 1 + 5 * random.nextDouble()));
            double factor = proportional ? 1.0 : Math.pow(2, 2 * random.nextDouble() - 1);
            double spread = Math.pow(10, 3 * random.nextDouble() - 1.5);
            double gain = budget * Math.pow(4, targetBits) * spread / n;
            terms.add(new TensorTerm(elements, elements * factor, gain, minBits, maxBits));
        }
        return new BitAllocationProblem(terms, budget, BitAllocationProblem.DEFAULT_ALPHA);
    }
}
