/**
 * The SPEC §3 quantizer and the bit packing of its integer codes.
 *
 * <ul>
 *   <li>{@link io.qpart.core.quant.Quantizer}: uniform asymmetric per-tensor quantization with
 *       the range always containing zero; {@link io.qpart.core.quant.QuantParams} carries the
 *       bit-width, the float32 scale and the integer zero point.</li>
 *   <li>{@link io.qpart.core.quant.CodePacker}: dense packing of codes of 1..16 bits, LSB-first
 *       in a little-endian bit stream; {@link io.qpart.core.quant.ReferenceBitPacker} is the
 *       bit-by-bit reference, {@link io.qpart.core.quant.BitPacker} the word-at-a-time one.</li>
 *   <li>{@link io.qpart.core.quant.PackedQuantizer}: fused quantize+pack and
 *       unpack+dequantize, the hot paths of the wire formats.</li>
 * </ul>
 *
 * <p>Units: bit-widths in bits, sizes in bytes (names say which), element counts as plain
 * counts. Nothing here does I/O, allocates native memory or keeps state.
 */
package io.qpart.core.quant;
