/**
 * The binary formats a server and a device exchange (SPEC §1, §3), described byte by byte in
 * {@code docs/formats.md}:
 *
 * <ul>
 *   <li>{@link io.qpart.core.wire.HeadContainer} ("QPHD"): the head of a cut, that is its graph
 *       structure as opaque bytes plus its weight tensors, quantized and bit-packed or float32.
 *       Its SHA-256 content hash is its id.</li>
 *   <li>{@link io.qpart.core.wire.ActivationFrame} ("QPAF"): the activation tensors one
 *       inference request uploads at the cut, each quantized with its own range.</li>
 * </ul>
 *
 * <p>Both start with a 4-byte magic and a u16 version, end with a CRC32C of everything before
 * it, use little-endian fixed-width integers, and decode with every length checked against the
 * bytes present before anything is allocated; bad bytes raise
 * {@link io.qpart.core.format.FormatException}. Sizes are in bytes and named so
 * ({@code byteSize}, {@code fp32ByteSize}); shapes are element counts per dimension.
 */
package io.qpart.core.wire;
