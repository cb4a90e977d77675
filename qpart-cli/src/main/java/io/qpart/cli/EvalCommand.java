package io.qpart.cli;

import io.qpart.core.data.Dataset;
import io.qpart.core.data.DatasetReader;
import io.qpart.core.format.FormatException;
import io.qpart.core.quant.Quantizer;
import io.qpart.onnx.graph.Cut;
import io.qpart.onnx.quant.ActivationQuantizer;
import io.qpart.onnx.quant.BitWidths;
import io.qpart.onnx.quant.WeightQuantizer;
import io.qpart.onnx.graph.SplitBuilder;
import io.qpart.onnx.graph.SplitModel;
import io.qpart.onnx.runtime.Evaluation;
import io.qpart.onnx.runtime.OnnxSession;
import io.qpart.onnx.runtime.Pipeline;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code qpart eval}: classification accuracy of the whole model or of head + tail at a cut. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = {"Measure top-1 accuracy on a labelled data set (.npz with arrays x and y, .npy or IDX).",
                "With --cut K the model runs as device and server run it: the head, then the tail on what crosses.",
                "uint8 inputs are scaled to [0, 1]; inputs are reshaped to the model input when element counts match."})
final class EvalCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    Common common;

    @Parameters(index = "0", paramLabel = "MODEL.onnx", description = "The ONNX model.")
    Path model;

    @Option(names = "--data", required = true, paramLabel = "FILE", description = "Labelled data: .npz (x, y), .npy or IDX.")
    Path data;

    @Option(names = "--labels", paramLabel = "FILE", description = "Labels for .npy or IDX data (default: a sibling file named like the data with 'labels').")
    Path labels;

    @Option(names = "--cut", paramLabel = "K", description = "Run split at cut K (see 'qpart inspect'); default: the whole model in one session.")
    Integer cut;

    @picocli.CommandLine.ArgGroup(exclusive = true)
    BitsOption bitsOption;

    @Option(names = "--activation-bits", paramLabel = "A", description = "Quantize what crosses the cut with A bits (2..16, 32 = float32), range per sample. Needs --cut.")
    Integer activationBits;

    @Option(names = "--samples", paramLabel = "N", description = "Use only the first N samples.")
    Integer samples;

    @Option(names = "--batch", paramLabel = "B", description = "Samples per inference call (default: ${DEFAULT-VALUE}).")
    int batch = Evaluation.DEFAULT_BATCH;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @Override
    public Integer call() throws IOException, FormatException {
        if (batch < 1) {
            throw new IllegalArgumentException("--batch must be >= 1, was " + batch);
        }
        LoadedModel m = LoadedModel.load(model, common.threads());
        Dataset ds = loadData(m, data, labels, samples);
        Cut c = cut == null ? null : m.analysis().cut(cut);
        if (activationBits != null && c == null) {
            throw new IllegalArgumentException("--activation-bits quantizes what crosses a cut: it needs --cut K");
        }
        BitWidths bits = BitsOption.resolve(bitsOption, m, c);
        int aBits = activationBits == null ? Quantizer.NOT_QUANTIZED_BITS : Quantizer.requireBitsOrFloat(activationBits);
        long start = System.nanoTime();
        Evaluation.Accuracy acc;
        try (Pipeline p = pipeline(m, c, bits, aBits, common.threads())) {
            long t0 = System.nanoTime();
            Evaluation.Predictions pred = Evaluation.predict(p, m.singleInput(), ds.inputs(), ds.sampleShape(), ds.size(), batch, false);
            long t1 = System.nanoTime();
            acc = Evaluation.score(pred.classes(), ds.labels());
            report(m, ds, c, acc, (t1 - t0) / 1e9, (t1 - start) / 1e9);
        }
        return 0;
    }

    /** Reads the data and fits it to the model's single input. */
    static Dataset loadData(LoadedModel m, Path data, Path labels, Integer samples) throws IOException, FormatException {
        String input = m.singleInput();
        Dataset ds = DatasetReader.read(data, labels).reshapedTo(input, m.inputShape(input));
        if (ds.size() == 0) {
            throw new IllegalArgumentException(data + ": the data set is empty; expected at least one sample");
        }
        if (samples != null) {
            if (samples < 1) {
                throw new IllegalArgumentException("--samples must be >= 1, was " + samples);
            }
            ds = ds.first(Math.min(samples, ds.size()));
        }
        return ds;
    }

    /**
     * The whole model (weights quantized per {@code bits}), or head then tail at cut {@code c}:
     * the head's weights quantized per {@code bits}, the crossing tensors per sample with
     * {@code activationBits}, the tail in float32 as the server runs it.
     */
    static Pipeline pipeline(LoadedModel m, Cut c, BitWidths bits, int activationBits, int threads) {
        if (c == null) {
            byte[] model = bits.bits().isEmpty() ? m.bytes() : WeightQuantizer.fakeQuantize(m.model(), bits).toByteArray();
            return Pipeline.whole(OnnxSession.create(model, threads));
        }
        SplitModel s = SplitBuilder.split(m.analysis(), c);
        OnnxSession head = s.headIsEmpty() ? null
                : OnnxSession.create(WeightQuantizer.fakeQuantize(s.head(), bits).toByteArray(), threads);
        OnnxSession tail = null;
        try {
            tail = s.tailIsEmpty() ? null : OnnxSession.create(s.tail().toByteArray(), threads);
        } finally {
            if (tail == null && !s.tailIsEmpty() && head != null) {
                head.close();
            }
        }
        return Pipeline.split(head, tail, s.crossing(), new ActivationQuantizer(activationBits));
    }

    private void report(LoadedModel m, Dataset ds, Cut c, Evaluation.Accuracy acc, double runSeconds, double totalSeconds) {
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("model", m.file().toString());
            o.put("data", data.toString());
            o.put("samples", acc.samples());
            o.put("correct", acc.correct());
            o.put("accuracy", acc.accuracy());
            o.put("cut", c == null ? null : c.index());
            if (c != null) {
                o.put("crossing", c.tensors());
                o.put("headMacs", c.headMacs());
                o.put("tailMacs", c.tailMacs());
            }
            o.put("seconds", runSeconds);
            o.put("samplesPerSecond", acc.samples() / runSeconds);
            out.println(Json.write(o));
            return;
        }
        out.printf("model     %s%n", m.file());
        out.printf("data      %s (%d samples, shape %s)%n", data, ds.size(), java.util.Arrays.toString(ds.sampleShape()));
        if (c != null) {
            out.printf("cut       %d: head %,d MACs, crossing %s (%,d elements), tail %,d MACs%n", c.index(), c.headMacs(),
                    c.tensors(), c.elements(), c.tailMacs());
        }
        out.printf("accuracy  %.4f (%d / %d)%n", acc.accuracy(), acc.correct(), acc.samples());
        out.printf("speed     %.0f samples/s (%.2f s)%n", acc.samples() / runSeconds, runSeconds);
    }
}
