package io.qpart.core.data;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;

/**
 * An n-dimensional array as stored in a file: element type, byte order, shape (row-major, the
 * last axis varies fastest) and exactly {@code elementCount * type.byteSize()} data bytes.
 *
 * <p>The constructor copies the shape and the remaining bytes of {@code data}; the accessors hand
 * out a copy of the shape and a read-only view of the bytes, already set to {@link #byteOrder()}.
 *
 * @param type element type
 * @param byteOrder order of the bytes within one element
 * @param shape dimensions, each {@code >= 0}; an empty shape is a scalar (one element)
 * @param data the element bytes, from its position to its limit
 */
public record NumericArray(ElementType type, ByteOrder byteOrder, long[] shape, ByteBuffer data) {

    public NumericArray {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(byteOrder, "byteOrder");
        Objects.requireNonNull(data, "data");
        shape = shape.clone();
        long bytes;
        try {
            bytes = Math.multiplyExact(elementCount(shape), type.byteSize());
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(
                    "shape " + Arrays.toString(shape) + " holds more bytes than fit in a long", e);
        }
        if (data.remaining() != bytes) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " of "
                    + type + " needs " + bytes + " data bytes, found " + data.remaining());
        }
        ByteBuffer copy = ByteBuffer.allocate(data.remaining());
        copy.put(data.duplicate());
        data = copy.flip().asReadOnlyBuffer();
    }

    /**
     * The number of elements of {@code shape}: the product of its dimensions, 1 for a scalar.
     *
     * @throws IllegalArgumentException when a dimension is negative
     * @throws ArithmeticException when the product overflows a long
     */
    public static long elementCount(long[] shape) {
        long count = 1;
        for (int axis = 0; axis < shape.length; axis++) {
            if (shape[axis] < 0) {
                throw new IllegalArgumentException("dimension " + axis + " of shape "
                        + Arrays.toString(shape) + " must be >= 0, was " + shape[axis]);
            }
            count = Math.multiplyExact(count, shape[axis]);
        }
        return count;
    }

    /** A copy of the shape. */
    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** A read-only view of the element bytes at position 0, ordered by {@link #byteOrder()}. */
    @Override
    public ByteBuffer data() {
        return data.duplicate().order(byteOrder);
    }

    /** The number of axes; 0 for a scalar. */
    public int rank() {
        return shape.length;
    }

    /** The size of one axis. */
    public long dimension(int axis) {
        return shape[axis];
    }

    /** The number of elements: the product of the shape. */
    public long elementCount() {
        return elementCount(shape);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof NumericArray that
                && type == that.type
                && byteOrder.equals(that.byteOrder)
                && Arrays.equals(shape, that.shape)
                && data.equals(that.data);
    }

    @Override
    public int hashCode() {
        return Objects.hash(type, byteOrder, Arrays.hashCode(shape), data);
    }

    @Override
    public String toString() {
        return "NumericArray[" + type + " " + Arrays.toString(shape) + ", " + byteOrder + "]";
    }
}
