/**
 * Building the offline table of a model (SPEC §7, Algorithm 1): solve the bits of every
 * (cut, Δa, activation bits) with the closed-form allocator, pack the head to get its exact
 * payload and id, and verify the entry by running the quantized head and tail on the
 * calibration set, tightening the budget G until the measured drop meets Δa.
 */
package io.qpart.onnx.table;
