package io.qpart.onnx.runtime;

import ai.onnxruntime.OnnxJavaType;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;

/**
 * A tensor in Java memory: element type, shape (batch first) and the elements as bytes in
 * native order. Used to pass values between sessions and to quantize activations.
 */
public record HostTensor(OnnxJavaType type, long[] shape, ByteBuffer data) {
    public HostTensor {
        Objects.requireNonNull(type, "type");
        shape = shape.clone();
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("tensor dimensions must be >= 0, found " + Arrays.toString(shape));
            }
            n = Math.multiplyExact(n, d);
        }
        long expected = Math.multiplyExact(n, (long) type.size);
        if (data.remaining() != expected) {
            throw new IllegalArgumentException("tensor of type " + type + " and shape " + Arrays.toString(shape)
                    + " needs " + expected + " bytes, found " + data.remaining());
        }
        data = data.slice().order(ByteOrder.nativeOrder());
    }

    /** A float32 tensor over a copy of {@code values}. */
    public static HostTensor ofFloats(long[] shape, float[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.nativeOrder());
        b.asFloatBuffer().put(values);
        return new HostTensor(OnnxJavaType.FLOAT, shape, b);
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    public long elements() {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    /** The elements as floats (float32 tensors only). */
    public float[] floats() {
        if (type != OnnxJavaType.FLOAT) {
            throw new IllegalStateException("tensor holds " + type + ", not FLOAT");
        }
        float[] out = new float[Math.toIntExact(elements())];
        data.duplicate().order(ByteOrder.nativeOrder()).asFloatBuffer().get(out);
        return out;
    }

    /** Rows {@code [from, to)} of the leading dimension. */
    public HostTensor rows(int from, int to) {
        if (shape.length == 0 || from < 0 || to > shape[0] || from > to) {
            throw new IllegalArgumentException("rows [" + from + ", " + to + ") outside leading dimension of " + Arrays.toString(shape));
        }
        long rowBytes = shape[0] == 0 ? 0 : data.remaining() / shape[0];
        long[] s = shape.clone();
        s[0] = to - from;
        ByteBuffer d = data.duplicate();
        d.position(Math.toIntExact(from * rowBytes)).limit(Math.toIntExact(to * rowBytes));
        return new HostTensor(type, s, d);
    }
}
