/**
 * The accuracy-degradation model of SPEC §4, as pure arithmetic: no ONNX, no runtime, no I/O.
 *
 * <ul>
 *   <li>{@link io.qpart.core.accuracy.GainFit}: the noise gain {@code p} of one tensor from
 *       measured mean noise energies at a few bit-widths, with {@code α = ln 4} fixed, plus the
 *       free least-squares slope that checks the linearity law.</li>
 *   <li>{@link io.qpart.core.accuracy.DropCurve}: accuracy drop as a function of noise energy
 *       on the logits, from scaled measured noise (exact breakpoints) or from measured points,
 *       with a monotone envelope; {@link io.qpart.core.accuracy.RobustnessCurve} is its inverse
 *       {@code t(Δa)} sampled on a grid of drops.</li>
 *   <li>{@link io.qpart.core.accuracy.AccuracyModel}: {@code D(Δa)} of a configuration (one
 *       {@link io.qpart.core.accuracy.NoiseTerm} per quantized tensor) and the predicted drop,
 *       the {@code Δa} at which {@code D = G}.</li>
 *   <li>{@link io.qpart.core.accuracy.MeasuredDrop} and
 *       {@link io.qpart.core.accuracy.EffectiveEnergy}: single-tensor drops measured during
 *       calibration (errors gained and fixed) and the effective energy that makes a low-bit
 *       prediction reproduce such a measurement where the curve disagrees with it.</li>
 * </ul>
 *
 * <p>Units: accuracy drops are fractions (0.01 = 1 percentage point) unless a name ends in
 * {@code Pp}; noise energies are mean squared L2 norms of logit differences per sample
 * ({@code E‖Z_q − Z‖²}, in squared logit units); bit-widths are bits.
 */
package io.qpart.core.accuracy;
