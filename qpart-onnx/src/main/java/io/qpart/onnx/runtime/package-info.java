/**
 * Running models with ONNX Runtime: sessions created from model bytes, host-side tensors,
 * batched and split evaluation. Every session is {@link java.lang.AutoCloseable}; shapes are
 * element counts per dimension, with the batch first.
 */
package io.qpart.onnx.runtime;
