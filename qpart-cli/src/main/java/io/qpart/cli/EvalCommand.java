package io.qpart.cli;

import io.qpart.serve.model.LoadedModel;
import io.qpart.serve.model.ConfiguredSplit;
import io.qpart.serve.json.Json;
import io.qpart.core.data.Dataset;
import io.qpart.core.data.DatasetReader;
import io.qpart.core.format.FormatException;
import io.qpart.core.quant.Quantizer;
import io.qpart.core.wire.HeadContainer;
import io.qpart.onnx.graph.Cut;
import io.qpart.onnx.proto.Onnx;
import io.qpart.onnx.quant.HeadCodec;
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
        ConfiguredSplit conf = c == null ? null : ConfiguredSplit.of(m, c, bits, aBits);
        try (Pipeline p = conf == null ? ConfiguredSplit.whole(m, bits, common.threads()) : conf.pipeline(aBits, common.threads())) {
            long t0 = System.nanoTime();
            Evaluation.Predictions pred = Evaluation.predict(p, m.singleInput(), ds.inputs(), ds.sampleShape(), ds.size(), batch, false);
            long t1 = System.nanoTime();
            acc = Evaluation.score(pred.classes(), ds.labels());
            report(m, ds, c, conf == null ? null : conf.payload(), acc, (t1 - t0) / 1e9);
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

    private void report(LoadedModel m, Dataset ds, Cut c, ConfiguredSplit.Payload payload, Evaluation.Accuracy acc, double runSeconds) {
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
                o.put("activationBits", activationBits == null ? 32 : activationBits);
                o.put("downloadBytes", payload.downloadBytes());
                o.put("fp32DownloadBytes", payload.fp32DownloadBytes());
                o.put("uploadBytes", payload.uploadBytes());
                o.put("fp32UploadBytes", payload.fp32UploadBytes());
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
            out.printf("payload   download %,d bytes (float32 %,d, %.2f%%), upload %,d bytes per sample (float32 %,d)%n",
                    payload.downloadBytes(), payload.fp32DownloadBytes(),
                    payload.fp32DownloadBytes() == 0 ? 0.0 : 100.0 * payload.downloadBytes() / payload.fp32DownloadBytes(),
                    payload.uploadBytes(), payload.fp32UploadBytes());
        }
        out.printf("accuracy  %.4f (%d / %d)%n", acc.accuracy(), acc.correct(), acc.samples());
        out.printf("speed     %.0f samples/s (%.2f s)%n", acc.samples() / runSeconds, runSeconds);
    }
}
