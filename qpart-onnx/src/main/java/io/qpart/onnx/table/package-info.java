/**
 * Building the offline table of a model (SPEC §7, Algorithm 1): solve the bits of every
 * (cut, Δa, activation bits) with the closed-form allocator, pack the head to get its exact
 * payload and id, and verify the entry by running the quantized head and tail on the
 * calibration set. An entry verifies when a one-sided upper confidence bound of its drop,
 * paired digit by digit with the float model ({@link io.qpart.onnx.table.PairedDrop}), is at
 * most Δa; the budget G is tightened until it does and loosened while it still does. Drops
 * are fractions (0.01 = 1 percentage point); payloads are bytes.
 */
package io.qpart.onnx.table;
