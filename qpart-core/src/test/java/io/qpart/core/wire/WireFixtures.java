package io.qpart.core.wire;

import java.nio.charset.StandardCharsets;

/** Small deterministic containers and frames shared by the wire tests and the golden files. */
final class WireFixtures {

    private WireFixtures() {
    }

    /** A head with a 4-bit and a 3-bit weight (the latter with padding bits), a bias, and an all-zero tensor. */
    static HeadContainer smallHead() {
        float[] fc1 = {0.12f, -0.40f, 0.05f, 0.33f, -0.21f, 0.00f, 0.47f, -0.08f, 0.29f, -0.36f, 0.18f, -0.02f};
        float[] bias = {0.01f, -0.02f, 0.5f, 0f};
        float[] fc2 = {1.5f, -0.5f, 0.25f, -1.0f, 0.75f, 0.0f, -0.125f, 1.0f};
        return HeadContainer.builder("tiny-mlp", 2)
                .graph("graph structure bytes (opaque to core)".getBytes(StandardCharsets.US_ASCII))
                .metadata("spec", "SPEC 3 quantizer, per-tensor range")
                .metadata("bits", "fc1.weight=4,fc2.weight=3")
                .quantize("fc1.weight", new long[] {4, 3}, fc1, 4)
                .float32("fc1.bias", new long[] {4}, bias)
                .quantize("fc2.weight", new long[] {2, 4}, fc2, 3)
                .quantize("dead.weight", new long[] {2}, new float[] {0f, 0f}, 8)
                .build();
    }

    /** A frame with an 8-bit activation and a float32 side tensor. */
    static ActivationFrame smallFrame() {
        float[] hidden = {0.9f, -0.1f, 2.4f, 0f, 1.1f, -0.6f};
        return ActivationFrame.of(
                WireTensor.quantize("hidden", new long[] {1, 6}, hidden, 8),
                WireTensor.float32("mask", new long[] {1, 2}, new float[] {1f, 0f}));
    }
}
