package io.qpart.onnx.model;

import com.google.protobuf.ByteString;
import io.qpart.onnx.proto.Onnx;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Conversions between ONNX tensors and Java arrays. */
public final class Tensors {
    public static final int FLOAT = Onnx.Tensor.ElemType.FLOAT_VALUE;
    public static final int INT64 = Onnx.Tensor.ElemType.INT64_VALUE;

    private Tensors() {
    }

    /** Number of elements of a tensor's declared shape. */
    public static long elements(Onnx.Tensor t) {
        long n = 1;
        for (long d : t.getDimsList()) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /** Values of a float32 tensor, from raw_data or float_data. */
    public static float[] toFloats(Onnx.Tensor t) {
        if (t.getDataType() != FLOAT) {
            throw new ModelException("tensor '" + t.getName() + "': expected float32 data, found element type " + t.getDataType());
        }
        long n = elements(t);
        if (n > Integer.MAX_VALUE) {
            throw new ModelException("tensor '" + t.getName() + "' has " + n + " elements; at most " + Integer.MAX_VALUE + " are supported");
        }
        float[] out = new float[(int) n];
        if (t.hasRawData()) {
            ByteString raw = t.getRawData();
            if (raw.size() != n * 4) {
                throw new ModelException("tensor '" + t.getName() + "': expected " + n * 4 + " bytes of raw data, found " + raw.size());
            }
            raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
        } else {
            if (t.getFloatDataCount() != n) {
                throw new ModelException("tensor '" + t.getName() + "': expected " + n + " float values, found " + t.getFloatDataCount());
            }
            for (int i = 0; i < out.length; i++) {
                out[i] = t.getFloatData(i);
            }
        }
        return out;
    }

    /** A float32 tensor stored as little-endian raw data. */
    public static Onnx.Tensor floatTensor(String name, long[] dims, float[] values) {
        ByteBuffer buf = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(values);
        Onnx.Tensor.Builder b = Onnx.Tensor.newBuilder().setName(name).setDataType(FLOAT).setRawData(ByteString.copyFrom(buf.array()));
        for (long d : dims) {
            b.addDims(d);
        }
        return b.build();
    }

    /** An int64 tensor stored as raw data; {@code dims == null} gives a scalar. */
    public static Onnx.Tensor int64Tensor(String name, long[] dims, long... values) {
        ByteBuffer buf = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        buf.asLongBuffer().put(values);
        Onnx.Tensor.Builder b = Onnx.Tensor.newBuilder().setName(name).setDataType(INT64).setRawData(ByteString.copyFrom(buf.array()));
        if (dims != null) {
            for (long d : dims) {
                b.addDims(d);
            }
        }
        return b.build();
    }

    /** The same tensor with its values replaced (shape and name kept). */
    public static Onnx.Tensor withFloats(Onnx.Tensor t, float[] values) {
        long[] dims = t.getDimsList().stream().mapToLong(Long::longValue).toArray();
        return floatTensor(t.getName(), dims, values);
    }
}
