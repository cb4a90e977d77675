package io.qpart.onnx.calibrate;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import io.qpart.core.quant.Quantizer;
import io.qpart.onnx.model.ModelException;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.IntUnaryOperator;

/**
 * Runs a model (or nothing, for an empty tail) over a range of rows of cached tensors, batch by
 * batch, and collects the logits.
 */
final class BatchRunner {
    /** Per worker thread, reused: fresh memory is slow to touch, and activation batches are large. */
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private BatchRunner() {
    }

    /** A float array and a direct buffer that grow as needed. */
    private static final class Scratch {
        private float[] floats = new float[0];
        private ByteBuffer direct = ByteBuffer.allocateDirect(0);

        float[] floats(int count) {
            if (floats.length < count) {
                floats = new float[count];
            }
            return floats;
        }

        ByteBuffer direct(int count) {
            int bytes = count * Float.BYTES;
            if (direct.capacity() < bytes) {
                direct = ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
            }
            return direct.slice(0, bytes).order(ByteOrder.nativeOrder());
        }
    }

    /**
     * Logits of rows {@code [from, to)}, {@code (to - from) × classes}.
     *
     * @param session    the model, or null when the inputs already are the outputs (empty tail)
     * @param logitsName the output holding the logits
     * @param inputs     the model's inputs, every sample as rows
     * @param bitsOfRow  per-sample bit-width applied to float inputs first (SPEC §3 with the range of
     *                   the sample, as {@link io.qpart.onnx.quant.ActivationQuantizer}); null for none
     * @param classes    logits per sample
     */
    static float[] logits(CalSession session, String logitsName, Map<String, Rows> inputs, int from, int to, int batchSize,
                          IntUnaryOperator bitsOfRow, int classes) {
        Rows out = new Rows(OnnxJavaType.FLOAT, new long[]{classes}, to - from);
        for (int start = from; start < to; start += batchSize) {
            int end = Math.min(to, start + batchSize);
            if (session == null) {
                Rows z = inputs.get(logitsName);
                if (z == null) {
                    throw new ModelException("the logits output '" + logitsName + "' is not among the tensors that cross the last cut");
                }
                float[] v = z.floats(start, end);
                if (bitsOfRow != null) {
                    quantizeRows(v, v.length, end - start, start, bitsOfRow);
                }
                out.put(start - from, v);
                continue;
            }
            Map<String, OnnxTensor> feed = new LinkedHashMap<>();
            OnnxTensor result = null;
            try {
                for (Map.Entry<String, Rows> e : inputs.entrySet()) {
                    Rows r = e.getValue();
                    if (bitsOfRow == null || r.type() != OnnxJavaType.FLOAT) {
                        feed.put(e.getKey(), r.tensor(start, end));
                    } else {
                        Scratch sc = SCRATCH.get();
                        int count = (end - start) * r.rowElements();
                        float[] v = sc.floats(count);
                        r.floatsInto(start, end, v);
                        quantizeRows(v, count, end - start, start, bitsOfRow);
                        ByteBuffer b = sc.direct(count);
                        b.asFloatBuffer().put(v, 0, count);
                        feed.put(e.getKey(), CalSession.tensor(b, r.shape(start, end), OnnxJavaType.FLOAT));
                    }
                }
                result = out.tensor(start - from, end - from);
                session.run(feed, Map.of(logitsName, result));
            } finally {
                feed.values().forEach(OnnxTensor::close);
                if (result != null) {
                    result.close();
                }
            }
        }
        return out.floats(0, to - from);
    }

    /** Each of {@code rows} rows in {@code v[0, count)} quantized with its own range and bit-width (32 leaves it). */
    static void quantizeRows(float[] v, int count, int rows, int firstRow, IntUnaryOperator bitsOfRow) {
        if (rows == 0) {
            return;
        }
        int per = count / rows;
        for (int r = 0; r < rows; r++) {
            Quantizer.fakeQuantize(v, r * per, per, bitsOfRow.applyAsInt(firstRow + r));
        }
    }

    /** Arg-max class of each row (the first maximum on ties, as {@link io.qpart.onnx.runtime.Evaluation}). */
    static int[] classes(float[] logits, int classes) {
        int n = logits.length / classes;
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            int best = 0;
            int row = i * classes;
            for (int c = 1; c < classes; c++) {
                if (logits[row + c] > logits[row + best]) {
                    best = c;
                }
            }
            out[i] = best;
        }
        return out;
    }

    /** Correctly classified rows. */
    static int correct(float[] logits, int classes, int[] labels, int firstLabel) {
        int[] pred = classes(logits, classes);
        int n = 0;
        for (int i = 0; i < pred.length; i++) {
            if (pred[i] == labels[firstLabel + i]) {
                n++;
            }
        }
        return n;
    }
}
