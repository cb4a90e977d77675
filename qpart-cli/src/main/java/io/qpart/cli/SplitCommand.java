package io.qpart.cli;

import io.qpart.serve.model.LoadedModel;
import io.qpart.onnx.graph.Cut;
import io.qpart.onnx.graph.SplitBuilder;
import io.qpart.onnx.graph.SplitModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code qpart split}: write the head and tail of a cut as standalone ONNX models (SPEC §2). */
@Command(name = "split", mixinStandardHelpOptions = true,
        description = {"Write head.onnx (device side) and tail.onnx (server side) for a cut.",
                "The head's outputs and the tail's inputs are the crossing tensors, with the same names.",
                "At cut 0 the head passes the input through; at the last cut the tail passes the output through."})
final class SplitCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    Common common;

    @Parameters(index = "0", paramLabel = "MODEL.onnx", description = "The ONNX model.")
    Path model;

    @Option(names = "--cut", required = true, paramLabel = "K", description = "Cut index (see 'qpart inspect').")
    int cut;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Directory for head.onnx and tail.onnx (created if missing).")
    Path out;

    @Override
    public Integer call() throws IOException {
        LoadedModel m = LoadedModel.load(model, common.threads());
        Cut c = m.analysis().cut(cut);
        SplitModel s = SplitBuilder.split(m.analysis(), c);
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new IllegalArgumentException(out + ": exists and is not a directory");
        }
        Files.createDirectories(out);
        Path head = out.resolve("head.onnx");
        Path tail = out.resolve("tail.onnx");
        Files.write(head, s.head().toByteArray());
        Files.write(tail, s.tail().toByteArray());
        spec.commandLine().getOut().printf("cut %d: crossing %s (%,d elements per sample)%n  %s  %,d bytes, %d nodes, %,d MACs per sample%n  %s  %,d bytes, %d nodes, %,d MACs per sample%n",
                c.index(), c.tensors(), c.elements(), head, Files.size(head), s.head().getGraph().getNodeCount(), c.headMacs(),
                tail, Files.size(tail), s.tail().getGraph().getNodeCount(), c.tailMacs());
        return 0;
    }
}
