package io.qpart.onnx.calibrate;

import io.qpart.core.data.Dataset;
import io.qpart.onnx.graph.Cut;
import io.qpart.onnx.graph.CutAnalysis;
import io.qpart.onnx.graph.SplitBuilder;
import io.qpart.onnx.graph.SplitModel;
import io.qpart.onnx.graph.WeightRef;
import io.qpart.onnx.quant.ActivationQuantizer;
import io.qpart.onnx.quant.BitWidths;
import io.qpart.onnx.quant.WeightQuantizer;
import io.qpart.onnx.runtime.Evaluation;
import io.qpart.onnx.runtime.OnnxSession;
import io.qpart.onnx.runtime.Pipeline;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/**
 * Measures the accuracy of configurations as device and server compute them, with the same
 * pieces as {@code qpart eval --cut K --bits-file F --activation-bits A}: the head with its
 * weights fake-quantized (SPEC §3), the crossing tensors quantized per sample, the tail in
 * float32. Configurations run in parallel on the caller's executor, one single-threaded
 * session pair each.
 */
public final class ConfigurationMeter {
    private final CutAnalysis analysis;
    private final Dataset data;
    private final float[] inputs;
    private final String input;
    private final int batchSize;
    private final SplitModel[] splits;

    /** Prepares to measure {@code analysis}'s model on {@code data} (shaped for its input). */
    public ConfigurationMeter(CutAnalysis analysis, Dataset data, int batchSize) {
        if (data.size() == 0) {
            throw new IllegalArgumentException("the data set is empty; expected at least one labelled sample");
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be >= 1, was " + batchSize);
        }
        this.analysis = analysis;
        this.data = data;
        this.input = Calibrator.singleInput(analysis.graph());
        Calibrator.checkDataFits(analysis, input, data);
        Calibrator.classesOf(analysis, analysis.graph().outputs().get(0));
        this.inputs = data.inputs();
        this.batchSize = batchSize;
        this.splits = new SplitModel[analysis.cuts().size()];
    }

    private synchronized SplitModel split(int cut) {
        if (splits[cut] == null) {
            splits[cut] = SplitBuilder.split(analysis, analysis.cut(cut));
        }
        return splits[cut];
    }

    /** Correctly classified samples of the float32 model. */
    public int floatCorrect() {
        try (OnnxSession s = OnnxSession.create(analysis.graph().model().toByteArray(), 1); Pipeline p = Pipeline.whole(s)) {
            return score(p);
        }
    }

    /** Correctly classified samples of each configuration, in order. */
    public int[] correct(List<Configuration> configurations, ExecutorService pool, Progress progress) {
        for (Configuration c : configurations) {
            analysis.cut(c.cut()); // range check up front
        }
        progress.start(configurations.size());
        List<Future<Integer>> futures = new ArrayList<>(Collections.nCopies(configurations.size(), (Future<Integer>) null));
        for (int i = 0; i < configurations.size(); i++) {
            Configuration c = configurations.get(i);
            futures.set(i, pool.submit(() -> {
                int n = correct(c);
                progress.step();
                return n;
            }));
        }
        int[] out = new int[configurations.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = Jobs.await(futures.get(i), "configuration " + i, futures);
        }
        return out;
    }

    /** Correctly classified samples of one configuration. */
    public int correct(Configuration c) {
        SplitModel s = split(c.cut());
        Cut cut = s.cut();
        List<String> head = cut.headWeights().stream().map(WeightRef::name).toList();
        BitWidths bits = c.weightBits().requireKnown(
                analysis.graph().weights().stream().map(WeightRef::name).collect(java.util.stream.Collectors.toSet()), "configuration")
                .restrictedTo(head);
        OnnxSession h = s.headIsEmpty() ? null : OnnxSession.create(WeightQuantizer.fakeQuantize(s.head(), bits).toByteArray(), 1);
        OnnxSession t = null;
        try {
            t = s.tailIsEmpty() ? null : OnnxSession.create(s.tail().toByteArray(), 1);
        } finally {
            if (t == null && !s.tailIsEmpty() && h != null) {
                h.close();
            }
        }
        try (Pipeline p = Pipeline.split(h, t, s.crossing(), new ActivationQuantizer(c.activationBits()))) {
            return score(p);
        }
    }

    private int score(Pipeline p) {
        Evaluation.Predictions pred = Evaluation.predict(p, input, inputs, data.sampleShape(), data.size(), batchSize, false);
        return Evaluation.score(pred.classes(), data.labels()).correct();
    }

    /** Samples measured on. */
    public int samples() {
        return data.size();
    }
}
