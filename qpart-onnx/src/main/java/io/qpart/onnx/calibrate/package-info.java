/**
 * Measuring the SPEC §4 accuracy-degradation model on a real model, and measuring the real
 * accuracy of quantized configurations to check it (SPEC §9).
 *
 * <ul>
 *   <li>{@link io.qpart.onnx.calibrate.Calibrator}: noise gain and robustness of every
 *       quantizable weight and of the activation at every cut. One float pass caches what
 *       crosses every cut; each tensor then runs only the tail from the last cut before it.</li>
 *   <li>{@link io.qpart.onnx.calibrate.ConfigurationMeter}: accuracy of configurations (cut,
 *       head weight bits, activation bits) run as device and server run them: quantized head,
 *       per-sample activation quantization, float32 tail.</li>
 * </ul>
 *
 * <p>Sessions run one ONNX Runtime thread each; parallelism comes from the executor the caller
 * passes in. Units: seconds for times (names end in {@code Seconds}), accuracy drops as
 * fractions, noise energies in squared logit units (mean {@code ‖Z_q − Z‖²} per sample).
 */
package io.qpart.onnx.calibrate;
