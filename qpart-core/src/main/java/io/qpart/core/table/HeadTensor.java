package io.qpart.core.table;

import java.util.Objects;

/** A float32 initializer of a head as it travels in the container: quantizable weight or always float32. */
public record HeadTensor(String name, long[] shape, boolean quantizable) {
    public HeadTensor {
        Objects.requireNonNull(name, "name");
        shape = shape.clone();
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("tensor '" + name + "': dimensions must be >= 0, found " + d);
            }
        }
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    public long elements() {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }
}
