package io.qpart.cli;

import io.qpart.core.format.FormatException;
import io.qpart.core.wire.HeadContainer;
import io.qpart.onnx.proto.Onnx;
import io.qpart.onnx.quant.HeadCodec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code qpart unpack}: what a device does with a downloaded head container. */
@Command(name = "unpack", mixinStandardHelpOptions = true,
        description = {"Verify and decode a head container into an ONNX model that ONNX Runtime runs.",
                "Default: float32 weights reconstructed from the codes. --qdq: tensors of at most 8 bits stay",
                "uint8 codes feeding DequantizeLinear (same outputs, a quarter of the weight memory)."})
final class UnpackCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "HEAD.qph", description = "The head container.")
    Path in;

    @Option(names = "--out", required = true, paramLabel = "HEAD.onnx", description = "ONNX model to write.")
    Path out;

    @Option(names = "--qdq", description = "Keep tensors of at most 8 bits as uint8 codes with DequantizeLinear.")
    boolean qdq;

    @Override
    public Integer call() throws IOException, FormatException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(in);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(in + ": no such file");
        }
        HeadContainer c;
        try {
            c = HeadContainer.decode(bytes);
        } catch (FormatException e) {
            throw new FormatException(e.reason(), in + ": " + e.getMessage(), e);
        }
        Onnx.Model model = HeadCodec.unpack(c, qdq);
        Path parent = out.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.write(out, model.toByteArray());
        spec.commandLine().getOut().printf("%s: head of model '%s' cut %d, id %s, %d tensors -> %s (%,d bytes%s)%n", in, c.modelName(),
                c.cutIndex(), c.id(), c.tensors().size(), out, Files.size(out), qdq ? ", QDQ" : "");
        return 0;
    }
}
