package io.qpart.cli;

import io.qpart.serve.model.LoadedModel;
import io.qpart.serve.json.Json;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.qpart.onnx.graph.Cut;
import io.qpart.onnx.graph.WeightRef;
import io.qpart.onnx.quant.BitWidths;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** {@code --bits B | --bits-file F}: weight bit-widths, for the whole model or a cut's head. */
final class BitsOption {
    @Option(names = "--bits", paramLabel = "B", description = "Quantize every quantizable weight tensor (with --cut: of the head) with B bits (2..16; 32 = float32).")
    Integer bits;

    @Option(names = "--bits-file", paramLabel = "F", description = "JSON object {\"tensor name\": bits, ...}; unlisted tensors stay float32. With --cut, entries for tail tensors are ignored: the server runs float32.")
    Path bitsFile;

    /** Resolves the option against a model and optional cut; no option means float32 everywhere. */
    static BitWidths resolve(BitsOption o, LoadedModel m, Cut cut) {
        List<WeightRef> scope = cut == null ? m.graph().weights() : cut.headWeights();
        List<String> names = scope.stream().map(WeightRef::name).toList();
        if (o == null) {
            return new BitWidths(Map.of());
        }
        if (o.bits != null) {
            return BitWidths.uniform(names, o.bits);
        }
        Set<String> all = m.graph().weights().stream().map(WeightRef::name).collect(Collectors.toSet());
        return readFile(o.bitsFile).requireKnown(all, o.bitsFile.toString()).restrictedTo(names);
    }

    static BitWidths readFile(Path f) {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(Files.readString(f));
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(f + ": no such file");
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(f + ": not valid JSON (" + e.getOriginalMessage() + ")");
        } catch (IOException e) {
            throw new IllegalArgumentException(f + ": cannot read: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException(f + ": expected a JSON object {\"tensor name\": bits, ...}, found " + (root == null ? "nothing" : root.getNodeType()));
        }
        Map<String, Integer> m = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isIntegralNumber()) {
                throw new IllegalArgumentException(f + ": tensor '" + e.getKey() + "': expected an integer bit-width, found " + e.getValue());
            }
            m.put(e.getKey(), e.getValue().intValue());
        }
        try {
            return new BitWidths(m);
        } catch (IllegalArgumentException ex) {
            throw new IllegalArgumentException(f + ": " + ex.getMessage());
        }
    }
}
