package io.qpart.onnx.calibrate;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import io.qpart.core.data.Dataset;
import io.qpart.onnx.graph.Cut;
import io.qpart.onnx.graph.CutAnalysis;
import io.qpart.onnx.graph.ValueProfile;
import io.qpart.onnx.proto.Onnx;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/**
 * The float32 pass every calibration starts from: reference logits of every sample and, for
 * every cut, the crossing tensors of every sample. The whole model runs once with every
 * crossing tensor as an extra output, written in place into the cache.
 */
final class ReferencePass {
    private final float[] logits;
    private final Map<String, Rows> values;

    private ReferencePass(float[] logits, Map<String, Rows> values) {
        this.logits = logits;
        this.values = values;
    }

    /** Reference logits, samples × classes. */
    float[] logits() {
        return logits;
    }

    /** What crosses cut {@code c}, every sample as rows. */
    Map<String, Rows> crossing(Cut c) {
        Map<String, Rows> m = new LinkedHashMap<>();
        for (String t : c.tensors()) {
            Rows v = values.get(t);
            if (v == null) {
                throw new IllegalStateException("no cached value for crossing tensor '" + t + "'");
            }
            m.put(t, v);
        }
        return m;
    }

    static ReferencePass run(CutAnalysis analysis, Dataset data, String input, String logitsName, int classes, int batchSize,
                             int workers, ExecutorService pool) {
        int n = data.size();
        Onnx.Model model = analysis.graph().model();
        Set<String> declared = new HashSet<>();
        model.getGraph().getOutputList().forEach(v -> declared.add(v.getName()));
        Map<String, Rows> values = new LinkedHashMap<>();
        Rows x = Rows.ofFloats(data.sampleShape(), data.inputs(), n);
        values.put(input, x);
        Map<String, Rows> outputs = new LinkedHashMap<>();
        Rows logitRows = new Rows(OnnxJavaType.FLOAT, new long[]{classes}, n);
        outputs.put(logitsName, logitRows);
        for (Cut c : analysis.cuts()) {
            for (String t : c.tensors()) {
                if (values.containsKey(t) || outputs.containsKey(t) && !t.equals(logitsName)) {
                    continue;
                }
                if (t.equals(logitsName)) {
                    values.put(t, logitRows);
                    continue;
                }
                ValueProfile vp = analysis.profile().get(t);
                long[] shape = vp.shape();
                Rows r = new Rows(vp.type(), Arrays.copyOfRange(shape, 1, shape.length), n);
                outputs.put(t, r);
                values.put(t, r);
            }
        }
        Onnx.Graph.Builder g = model.getGraph().toBuilder();
        for (String t : outputs.keySet()) {
            if (!declared.contains(t)) {
                g.addOutput(Onnx.ValueInfo.newBuilder().setName(t));
            }
        }
        byte[] bytes = model.toBuilder().setGraph(g).build().toByteArray();
        List<Future<Void>> futures = new ArrayList<>();
        for (int w = 0; w < workers; w++) {
            int from = (int) ((long) w * n / workers);
            int to = (int) ((long) (w + 1) * n / workers);
            if (from == to) {
                continue;
            }
            futures.add(pool.submit(() -> {
                try (CalSession s = CalSession.create(bytes)) {
                    for (int start = from; start < to; start += batchSize) {
                        runBatch(s, input, x, outputs, start, Math.min(to, start + batchSize));
                    }
                }
                return null;
            }));
        }
        for (Future<Void> f : futures) {
            Jobs.await(f, "the reference pass", futures);
        }
        return new ReferencePass(logitRows.floats(0, n), values);
    }

    private static void runBatch(CalSession s, String input, Rows x, Map<String, Rows> outputs, int start, int end) {
        Map<String, OnnxTensor> in = new LinkedHashMap<>();
        Map<String, OnnxTensor> out = new LinkedHashMap<>();
        try {
            in.put(input, x.tensor(start, end));
            for (Map.Entry<String, Rows> e : outputs.entrySet()) {
                out.put(e.getKey(), e.getValue().tensor(start, end));
            }
            s.run(in, out);
        } finally {
            in.values().forEach(OnnxTensor::close);
            out.values().forEach(OnnxTensor::close);
        }
    }

    /**
     * Wall time of one float32 pass of the whole model over {@code data}, spread over the same
     * workers and with the same kind of session as calibration (created before the clock
     * starts); the faster of two passes.
     */
    static double timeFloatPass(byte[] model, String input, Dataset data, String logitsName, int classes, int batchSize, int workers,
                                ExecutorService pool) {
        int n = data.size();
        Map<String, Rows> in = Map.of(input, Rows.ofFloats(data.sampleShape(), data.inputs(), n));
        List<CalSession> sessions = new ArrayList<>();
        try {
            for (int w = 0; w < workers; w++) {
                sessions.add(CalSession.create(model));
            }
            double best = Double.POSITIVE_INFINITY;
            for (int rep = 0; rep < 2; rep++) {
                long t0 = System.nanoTime();
                List<Future<float[]>> futures = new ArrayList<>();
                for (int w = 0; w < workers; w++) {
                    int from = (int) ((long) w * n / workers);
                    int to = (int) ((long) (w + 1) * n / workers);
                    CalSession s = sessions.get(w);
                    futures.add(pool.submit(() -> BatchRunner.logits(s, logitsName, in, from, to, batchSize, null, classes)));
                }
                for (Future<float[]> f : futures) {
                    Jobs.await(f, "the timing pass", futures);
                }
                best = Math.min(best, (System.nanoTime() - t0) / 1e9);
            }
            return best;
        } finally {
            for (CalSession s : sessions) {
                s.close();
            }
        }
    }
}
