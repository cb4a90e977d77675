package io.qpart.onnx.runtime;

import ai.onnxruntime.OnnxJavaType;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Map;

/** Batched classification accuracy of a {@link Pipeline} on labelled float inputs. */
public final class Evaluation {
    /** Default batch size: large enough to amortise per-call overhead, small enough for memory. */
    public static final int DEFAULT_BATCH = 256;

    private Evaluation() {
    }

    /** Samples and correctly classified samples. */
    public record Accuracy(int samples, int correct) {
        public Accuracy {
            if (samples < 0 || correct < 0 || correct > samples) {
                throw new IllegalArgumentException("expected 0 <= correct <= samples, found correct=" + correct + ", samples=" + samples);
            }
        }

        public double accuracy() {
            return samples == 0 ? 0 : (double) correct / samples;
        }
    }

    /** Predicted classes and (optionally) raw logits of every sample. */
    public record Predictions(int[] classes, float[] logits, int classCount) {
        public Predictions {
            classes = classes.clone();
        }

        @Override
        public int[] classes() {
            return classes.clone();
        }
    }

    /**
     * Runs {@code pipeline} over {@code inputs} (samples × per-sample shape, row-major) in batches
     * and returns the arg-max class of the first output for each sample.
     *
     * @param keepLogits also return every logit (samples × classes)
     */
    public static Predictions predict(Pipeline pipeline, String inputName, float[] inputs, long[] sampleShape, int samples,
                                      int batchSize, boolean keepLogits) {
        long per = 1;
        for (long d : sampleShape) {
            per = Math.multiplyExact(per, d);
        }
        if (per * samples != inputs.length) {
            throw new IllegalArgumentException("expected " + samples + " samples of " + per + " values (" + per * samples
                    + " in all), found " + inputs.length);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be >= 1, was " + batchSize);
        }
        int[] classes = new int[samples];
        float[] logits = null;
        int classCount = -1;
        for (int from = 0; from < samples; from += batchSize) {
            int n = Math.min(batchSize, samples - from);
            long[] shape = new long[sampleShape.length + 1];
            shape[0] = n;
            System.arraycopy(sampleShape, 0, shape, 1, sampleShape.length);
            ByteBuffer buf = ByteBuffer.allocate(Math.toIntExact(n * per * 4)).order(ByteOrder.nativeOrder());
            buf.asFloatBuffer().put(inputs, Math.toIntExact(from * per), Math.toIntExact(n * per));
            Map<String, HostTensor> out = pipeline.run(Map.of(inputName, new HostTensor(OnnxJavaType.FLOAT, shape, buf)));
            HostTensor first = out.values().iterator().next();
            long[] os = first.shape();
            if (first.type() != OnnxJavaType.FLOAT || os.length != 2 || os[0] != n) {
                throw new IllegalArgumentException("expected the model's first output to be float logits of shape [" + n
                        + ", classes], found " + first.type() + " " + Arrays.toString(os));
            }
            int c = Math.toIntExact(os[1]);
            if (classCount < 0) {
                classCount = c;
                if (keepLogits) {
                    logits = new float[Math.multiplyExact(samples, c)];
                }
            }
            FloatBuffer fb = first.data().duplicate().order(ByteOrder.nativeOrder()).asFloatBuffer();
            float[] row = new float[c];
            for (int i = 0; i < n; i++) {
                fb.get(row);
                int best = 0;
                for (int j = 1; j < c; j++) {
                    if (row[j] > row[best]) {
                        best = j;
                    }
                }
                classes[from + i] = best;
                if (logits != null) {
                    System.arraycopy(row, 0, logits, (from + i) * c, c);
                }
            }
        }
        return new Predictions(classes, logits, Math.max(classCount, 0));
    }

    /** Accuracy of predictions against labels. */
    public static Accuracy score(int[] predicted, int[] labels) {
        if (predicted.length != labels.length) {
            throw new IllegalArgumentException("expected " + labels.length + " predictions, found " + predicted.length);
        }
        int correct = 0;
        for (int i = 0; i < labels.length; i++) {
            if (predicted[i] == labels[i]) {
                correct++;
            }
        }
        return new Accuracy(labels.length, correct);
    }
}
