package io.qpart.core.wire;

import io.qpart.core.quant.Quantizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What a tensor's encoded size depends on, without its values: name, shape and bit-width
 * (1..16 for packed codes, {@link Quantizer#NOT_QUANTIZED_BITS} for float32). Used by the
 * static size calculators of {@link HeadContainer} and {@link ActivationFrame}.
 *
 * @param name  tensor name (its UTF-8 length counts)
 * @param shape dimensions, each {@code >= 0}
 * @param bits  1..16, or 32 for float32
 */
public record TensorSpec(String name, long[] shape, int bits) {

    public TensorSpec {
        WireCodec.requireName(name);
        shape = WireCodec.requireShape(shape).clone();
        WireTensor.requireWireBits(bits);
    }

    /** The specs of {@code tensors}, in order. */
    public static List<TensorSpec> of(List<WireTensor> tensors) {
        List<TensorSpec> specs = new ArrayList<>(tensors.size());
        for (WireTensor t : tensors) {
            specs.add(of(t));
        }
        return specs;
    }

    /** The spec of an existing tensor. */
    public static TensorSpec of(WireTensor tensor) {
        return new TensorSpec(tensor.name(), tensor.shape(), tensor.bits());
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** Number of elements, the product of the dimensions. */
    public long elementCount() {
        return WireCodec.elementCount(shape);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorSpec t && name.equals(t.name) && Arrays.equals(shape, t.shape)
                && bits == t.bits;
    }

    @Override
    public int hashCode() {
        return (name.hashCode() * 31 + Arrays.hashCode(shape)) * 31 + bits;
    }

    @Override
    public String toString() {
        return "TensorSpec[" + name + " " + Arrays.toString(shape) + " " + bits + " bits]";
    }
}
