package io.qpart.onnx.graph;

import ai.onnxruntime.OnnxJavaType;

import java.util.Arrays;
import java.util.Objects;

/**
 * Measured type and shape of one activation value. {@code perBatch[i]} is true when dimension
 * i grows with the batch ({@code shape[i]} is then its size for one sample); false when it is
 * fixed.
 */
public record ValueProfile(String name, OnnxJavaType type, long[] shape, boolean[] perBatch) {
    public ValueProfile {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        shape = shape.clone();
        perBatch = perBatch.clone();
        if (shape.length != perBatch.length) {
            throw new IllegalArgumentException("shape rank " + shape.length + " and batch flags rank " + perBatch.length + " differ");
        }
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    @Override
    public boolean[] perBatch() {
        return perBatch.clone();
    }

    public int rank() {
        return shape.length;
    }

    public long dim(int i) {
        return shape[i];
    }

    public boolean isPerBatch(int i) {
        return perBatch[i];
    }

    /** Elements for one sample (batch-proportional dimensions taken at batch 1). */
    public long elementsPerSample() {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /** True when the leading dimension is exactly the batch size. */
    public boolean batchLeading() {
        return shape.length > 0 && perBatch[0] && shape[0] == 1;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < shape.length; i++) {
            if (i > 0) {
                sb.append(", ");
            }
            if (perBatch[i]) {
                sb.append(shape[i] == 1 ? "batch" : shape[i] + "*batch");
            } else {
                sb.append(shape[i]);
            }
        }
        return name + " " + type + sb.append(']');
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ValueProfile v && name.equals(v.name) && type == v.type
                && Arrays.equals(shape, v.shape) && Arrays.equals(perBatch, v.perBatch);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, type, Arrays.hashCode(shape), Arrays.hashCode(perBatch));
    }
}
