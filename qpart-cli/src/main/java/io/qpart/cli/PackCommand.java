package io.qpart.cli;

import io.qpart.serve.model.LoadedModel;
import io.qpart.serve.json.Json;
import io.qpart.core.wire.HeadContainer;
import io.qpart.onnx.graph.Cut;
import io.qpart.onnx.graph.SplitBuilder;
import io.qpart.onnx.graph.SplitModel;
import io.qpart.onnx.quant.BitWidths;
import io.qpart.onnx.quant.HeadCodec;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code qpart pack}: the head container a server sends a device (SPEC §3; docs/formats.md). */
@Command(name = "pack", mixinStandardHelpOptions = true,
        description = {"Cut a model at K, quantize the head's weight tensors and write the bit-packed head container",
                "(the bytes a device downloads). Prints its id (content hash) and size next to the float32 size."})
final class PackCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    Common common;

    @Parameters(index = "0", paramLabel = "MODEL.onnx", description = "The ONNX model.")
    Path model;

    @Option(names = "--cut", required = true, paramLabel = "K", description = "Cut index (see 'qpart inspect').")
    int cut;

    @ArgGroup(exclusive = true, multiplicity = "1")
    BitsOption bitsOption;

    @Option(names = "--out", required = true, paramLabel = "HEAD.qph", description = "Container file to write.")
    Path out;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @Override
    public Integer call() throws IOException {
        LoadedModel m = LoadedModel.load(model, common.threads());
        Cut c = m.analysis().cut(cut);
        BitWidths bits = BitsOption.resolve(bitsOption, m, c);
        SplitModel s = SplitBuilder.split(m.analysis(), c);
        HeadContainer container = HeadCodec.pack(s.head(), m.name(), m.sha256(), c, bits);
        byte[] bytes = container.encode();
        Path parent = out.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.write(out, bytes);
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("out", out.toString());
        o.put("id", container.id());
        o.put("cut", c.index());
        o.put("tensors", container.tensors().size());
        o.put("bytes", bytes.length);
        o.put("fp32Bytes", container.fp32ByteSize());
        o.put("ratio", bytes.length / (double) container.fp32ByteSize());
        if (json) {
            spec.commandLine().getOut().println(Json.write(o));
        } else {
            spec.commandLine().getOut().printf("%s: head of cut %d, %d tensors, %,d bytes (float32 head: %,d bytes, %.2f%%)%nid %s%n",
                    out, c.index(), container.tensors().size(), bytes.length, container.fp32ByteSize(),
                    100.0 * bytes.length / container.fp32ByteSize(), container.id());
        }
        return 0;
    }
}
