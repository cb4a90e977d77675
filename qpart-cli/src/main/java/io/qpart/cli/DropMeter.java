package io.qpart.cli;

import io.qpart.core.data.Dataset;
import io.qpart.core.format.FormatException;
import io.qpart.core.table.Decision;
import io.qpart.core.table.PlanTable;
import io.qpart.onnx.quant.BitWidths;
import io.qpart.onnx.runtime.Evaluation;
import io.qpart.onnx.runtime.Pipeline;
import io.qpart.serve.model.ConfiguredSplit;
import io.qpart.serve.model.LoadedModel;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Measures the real accuracy drop of a decision on labelled data: the quantized head as a device
 * decodes it, the activation quantized per sample, the float32 tail, against the float32 model
 * on the same samples (what {@code qpart plan --verify} reports). Identical configurations are
 * measured once.
 */
final class DropMeter {
    private final LoadedModel model;
    private final Dataset data;
    private final int threads;
    private final int baseCorrect;
    private final Map<String, Double> cache = new HashMap<>();

    private DropMeter(LoadedModel model, Dataset data, int threads, int baseCorrect) {
        this.model = model;
        this.data = data;
        this.threads = threads;
        this.baseCorrect = baseCorrect;
    }

    /** Loads the model (checked against the table's hash) and the data, and scores the float32 model once. */
    static DropMeter open(Path modelFile, Path dataFile, PlanTable table, int threads) throws IOException, FormatException {
        LoadedModel m = LoadedModel.load(modelFile, threads);
        if (!m.sha256().equals(table.modelSha256())) {
            throw new IllegalArgumentException(modelFile + ": is not the model this table was built from (sha256 " + m.sha256().substring(0, 12)
                    + "..., table has " + table.modelSha256().substring(0, 12) + "...)");
        }
        Dataset ds = EvalCommand.loadData(m, dataFile, null, null);
        int base;
        try (Pipeline p = ConfiguredSplit.whole(m, new BitWidths(Map.of()), threads)) {
            base = correct(p, m, ds);
        }
        return new DropMeter(m, ds, threads, base);
    }

    /** Samples measured on. */
    int samples() {
        return data.size();
    }

    /** Float32 accuracy on the data. */
    double floatAccuracy() {
        return baseCorrect / (double) data.size();
    }

    LoadedModel model() {
        return model;
    }

    /** The decision's accuracy drop (fraction; negative when the quantized model got more right). */
    double measure(Decision d) {
        String key = d.cut() + "|" + d.activationBits() + "|" + new java.util.TreeMap<>(d.bits());
        Double cached = cache.get(key);
        if (cached != null) {
            return cached;
        }
        ConfiguredSplit conf = ConfiguredSplit.of(model, model.analysis().cut(d.cut()), new BitWidths(d.bits()), d.activationBits());
        int got;
        try (Pipeline p = conf.pipeline(d.activationBits(), threads)) {
            got = correct(p, model, data);
        }
        double drop = (baseCorrect - got) / (double) data.size();
        cache.put(key, drop);
        return drop;
    }

    private static int correct(Pipeline p, LoadedModel m, Dataset ds) {
        return Evaluation.score(Evaluation.predict(p, m.singleInput(), ds.inputs(), ds.sampleShape(), ds.size(), Evaluation.DEFAULT_BATCH, false)
                .classes(), ds.labels()).correct();
    }
}
