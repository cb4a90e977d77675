/**
 * The per-query cost model of split inference (SPEC §5): what the device, the channel and the
 * server are like, and what a given split costs in time, device energy, server money and bits on
 * air, folded into one objective.
 *
 * <p>{@link io.qpart.core.cost.DeviceProfile}, {@link io.qpart.core.cost.ChannelProfile} and
 * {@link io.qpart.core.cost.ServerProfile} describe the query's context;
 * {@link io.qpart.core.cost.ObjectiveWeights} say how much each term matters;
 * {@link io.qpart.core.cost.CostModel} turns a {@link io.qpart.core.cost.SplitWorkload} (bytes
 * down, bytes up, MACs on each side) into a {@link io.qpart.core.cost.CostBreakdown}.
 * {@link io.qpart.core.cost.Profiles} holds named example profiles. Every default number in this
 * package is this project's own choice of a plausible value, not a number from the QPART paper.
 *
 * <p>Units, which the names carry: seconds, hertz (cycles per second), MACs and MACs per second,
 * bits per second for link rates, bytes for payloads, joules and watts, and "cost units" (any
 * currency) for the server price. The energy coefficient {@code kappa} is in joules per cycle per
 * hertz squared, so that one cycle at frequency {@code f} costs {@code kappa * f^2} joules.
 *
 * <p>Everything here is a pure function of numbers: no I/O, no model files, no mutable state.
 */
package io.qpart.core.cost;
