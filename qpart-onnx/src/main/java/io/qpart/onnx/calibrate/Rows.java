package io.qpart.onnx.calibrate;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Every sample's value of one tensor: {@code samples} rows of one per-sample shape in a single
 * direct buffer, so that ONNX Runtime can read a range of rows, or write it, in place.
 */
final class Rows {
    private final OnnxJavaType type;
    private final long[] rowShape;
    private final int rowBytes;
    private final int samples;
    private final ByteBuffer data;

    /**
     * @param rowShape shape of one sample, its leading batch dimension excluded
     */
    Rows(OnnxJavaType type, long[] rowShape, int samples) {
        this.type = type;
        this.rowShape = rowShape.clone();
        long per = type.size;
        for (long d : rowShape) {
            per = Math.multiplyExact(per, d);
        }
        long total = Math.multiplyExact(per, (long) samples);
        if (total > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("a tensor of " + per + " bytes per sample needs " + total + " bytes for " + samples
                    + " samples; use at most " + Integer.MAX_VALUE / Math.max(1, per) + " samples");
        }
        this.rowBytes = (int) per;
        this.samples = samples;
        this.data = ByteBuffer.allocateDirect((int) total).order(ByteOrder.nativeOrder());
    }

    /** Float rows holding {@code values} (samples × per-sample values). */
    static Rows ofFloats(long[] rowShape, float[] values, int samples) {
        Rows r = new Rows(OnnxJavaType.FLOAT, rowShape, samples);
        r.data.asFloatBuffer().put(values);
        return r;
    }

    OnnxJavaType type() {
        return type;
    }

    int samples() {
        return samples;
    }

    /** Shape of rows {@code [from, to)} as a batch. */
    long[] shape(int from, int to) {
        long[] s = new long[rowShape.length + 1];
        s[0] = to - from;
        System.arraycopy(rowShape, 0, s, 1, rowShape.length);
        return s;
    }

    /** A tensor over rows {@code [from, to)} of this buffer, no copy; close it after the run. */
    OnnxTensor tensor(int from, int to) {
        return CalSession.tensor(slice(from, to), shape(from, to), type);
    }

    /** Rows {@code [from, to)} as floats (a copy; float rows only). */
    float[] floats(int from, int to) {
        if (type != OnnxJavaType.FLOAT) {
            throw new IllegalStateException("rows hold " + type + ", not FLOAT");
        }
        float[] out = new float[(to - from) * (rowBytes / Float.BYTES)];
        slice(from, to).asFloatBuffer().get(out);
        return out;
    }

    /** Rows {@code [from, to)} as floats into the start of {@code into}. */
    void floatsInto(int from, int to, float[] into) {
        if (type != OnnxJavaType.FLOAT) {
            throw new IllegalStateException("rows hold " + type + ", not FLOAT");
        }
        slice(from, to).asFloatBuffer().get(into, 0, (to - from) * rowElements());
    }

    /** Writes float {@code values} into rows from {@code row} on. */
    void put(int row, float[] values) {
        if (type != OnnxJavaType.FLOAT) {
            throw new IllegalStateException("rows hold " + type + ", not FLOAT");
        }
        int rows = values.length / rowElements();
        slice(row, row + rows).asFloatBuffer().put(values);
    }

    /** Per-sample element count. */
    int rowElements() {
        return rowBytes / type.size;
    }

    private ByteBuffer slice(int from, int to) {
        if (from < 0 || to > samples || from > to) {
            throw new IllegalArgumentException("rows [" + from + ", " + to + ") outside 0.." + samples + " of shape " + Arrays.toString(rowShape));
        }
        return data.slice(from * rowBytes, (to - from) * rowBytes).order(ByteOrder.nativeOrder());
    }
}
