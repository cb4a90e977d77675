package io.qpart.core.optimize;

/**
 * A way of assigning bits to a problem: the optimiser ({@link BitAllocator#solve}) or one of the
 * {@link Baselines}. Implementations are pure functions.
 */
@FunctionalInterface
public interface BitStrategy {

    /** The bits this strategy assigns to {@code problem}. */
    BitAllocation assign(BitAllocationProblem problem);

    /** The optimiser of SPEC §6. */
    static BitStrategy optimal() {
        return BitAllocator::solve;
    }
}
