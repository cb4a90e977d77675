/**
 * Choosing bit-widths and the cut (SPEC §6, §8). The optimiser sees only numbers: per tensor a
 * cost per bit, a gain and bounds; per cut a bits-independent objective part and the linear
 * forms of latency and memory. It reads no model, touches no file and keeps no mutable state.
 *
 * <p>{@link io.qpart.core.optimize.BitAllocationProblem} holds one cut's tensors (the weight
 * tensors of the head and, when it is optimised jointly, the activation at the cut as one more
 * tensor). {@link io.qpart.core.optimize.BitAllocator#solve} minimises {@code Σ c_j b_j} subject
 * to the accuracy model {@code D = Σ g_j e^(−α b_j) ≤ G} (SPEC §4) and reports the work it did.
 * {@link io.qpart.core.optimize.Baselines} are the fixed strategies of SPEC §8.
 * {@link io.qpart.core.optimize.CutSearch} solves every cut and returns the best
 * {@link io.qpart.core.optimize.CutChoice} under optional deadline and memory limits.
 *
 * <p>Units: bits per element for bit-widths; "objective units per bit" for the cost
 * coefficients {@code c_j} (whatever unit the caller's objective J is in — seconds when only
 * latency is weighted); gains {@code g_j = p_j / t_j(Δa)} and the budget {@code G} are
 * dimensionless; seconds and bytes for the cut constraints. A tensor left in float32 (bits 32)
 * is not part of a problem; a {@code 32} in an assignment means "not quantized" and adds no
 * degradation.
 */
package io.qpart.core.optimize;
