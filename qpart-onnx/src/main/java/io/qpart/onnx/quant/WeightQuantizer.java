package io.qpart.onnx.quant;

import io.qpart.core.quant.Quantizer;
import io.qpart.onnx.model.Tensors;
import io.qpart.onnx.proto.Onnx;

/**
 * Replaces weight initializers of a model by their SPEC §3 fake-quantized values (quantize,
 * then dequantize to float32): what the device computes with after decoding its head.
 */
public final class WeightQuantizer {
    private WeightQuantizer() {
    }

    /** A copy of {@code model} with every initializer listed in {@code bits} (and below 32 bits) fake-quantized. */
    public static Onnx.Model fakeQuantize(Onnx.Model model, BitWidths bits) {
        Onnx.Graph.Builder g = model.getGraph().toBuilder();
        for (int i = 0; i < g.getInitializerCount(); i++) {
            Onnx.Tensor t = g.getInitializer(i);
            int b = bits.of(t.getName());
            if (b == Quantizer.NOT_QUANTIZED_BITS || t.getDataType() != Tensors.FLOAT) {
                continue;
            }
            g.setInitializer(i, Tensors.withFloats(t, Quantizer.fakeQuantize(Tensors.toFloats(t), b)));
        }
        return model.toBuilder().setGraph(g).build();
    }
}
