/**
 * Applying SPEC §3 quantization to ONNX models and to the tensors that cross a cut: weight
 * replacement by fake-quantized values, per-sample activation quantization, and the bit-width
 * assignments that commands take. Bit-widths are 2..16, 32 meaning float32 (not quantized).
 */
package io.qpart.onnx.quant;
