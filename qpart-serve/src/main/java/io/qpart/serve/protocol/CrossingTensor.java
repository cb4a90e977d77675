package io.qpart.serve.protocol;

import java.util.Arrays;
import java.util.Objects;

/**
 * A tensor that crosses the cut: what one request's frame must carry under this name.
 *
 * @param shape the shape of one sample, batch dimension first (so it starts with 1)
 */
public record CrossingTensor(String name, long[] shape) {
    public CrossingTensor {
        Objects.requireNonNull(name, "name");
        shape = shape.clone();
        if (shape.length == 0) {
            throw new IllegalArgumentException("crossing tensor " + name + " needs a batch dimension, found a scalar");
        }
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("crossing tensor " + name + " must have a known shape, found " + Arrays.toString(shape));
            }
        }
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** Elements of one sample. */
    public long elementsPerSample() {
        long n = 1;
        for (int i = 1; i < shape.length; i++) {
            n = Math.multiplyExact(n, shape[i]);
        }
        return n;
    }

    /** Whether {@code got} is this tensor's shape for some batch size >= 1. */
    public boolean matches(long[] got) {
        if (got.length != shape.length || got[0] < 1) {
            return false;
        }
        for (int i = 1; i < shape.length; i++) {
            if (got[i] != shape[i]) {
                return false;
            }
        }
        return true;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CrossingTensor t && t.name.equals(name) && Arrays.equals(t.shape, shape);
    }

    @Override
    public int hashCode() {
        return 31 * name.hashCode() + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return name + Arrays.toString(shape);
    }
}
