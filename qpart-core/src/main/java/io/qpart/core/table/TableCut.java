package io.qpart.core.table;

import io.qpart.core.wire.ActivationFrame;
import io.qpart.core.wire.HeadContainer;
import io.qpart.core.wire.TensorSpec;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Everything the online lookup needs about one cut: sizes, the layout of its head container
 * (so the exact download of any bit assignment can be computed), the crossing tensors (for the
 * upload), the accuracy-model gains {@code g = p / t(Δa)} per grid point for every head weight
 * and for the activation, and the verified entries.
 *
 * @param headTensors  every float32 initializer of the head, in container order
 * @param crossing     crossing tensors of one request (shape for batch 1), bits ignored
 * @param weightGains  per quantizable head weight, g at each grid drop
 * @param activationGains g of the activation at each grid drop
 */
public record TableCut(int index, List<String> tensors, long elements, long headMacs, long tailMacs, String modelName,
                       SortedMap<String, String> metadata, long graphBytes, List<HeadTensor> headTensors, List<TensorSpec> crossing,
                       Map<String, double[]> weightGains, double[] activationGains, List<TableEntry> entries) {
    public TableCut {
        if (index < 0) {
            throw new IllegalArgumentException("cut index must be >= 0, was " + index);
        }
        tensors = List.copyOf(tensors);
        metadata = new TreeMap<>(metadata);
        headTensors = List.copyOf(headTensors);
        crossing = List.copyOf(crossing);
        Map<String, double[]> g = new TreeMap<>();
        weightGains.forEach((k, v) -> g.put(k, v.clone()));
        weightGains = g;
        activationGains = activationGains.clone();
        entries = List.copyOf(entries);
    }

    /** Names of the quantizable head weights, in container order. */
    public List<String> weights() {
        List<String> out = new ArrayList<>();
        for (HeadTensor t : headTensors) {
            if (t.quantizable()) {
                out.add(t.name());
            }
        }
        return out;
    }

    /** Whether the head is empty (full offload): nothing to download. */
    public boolean emptyHead() {
        return headMacs == 0 && headTensors.isEmpty();
    }

    /** Exact container bytes with these weight bits (missing names: float32). SPEC §3 payload. */
    public long downloadBytes(Map<String, Integer> bits) {
        if (emptyHead()) {
            return 0;
        }
        List<TensorSpec> specs = new ArrayList<>(headTensors.size());
        for (HeadTensor t : headTensors) {
            int b = t.quantizable() ? bits.getOrDefault(t.name(), 32) : 32;
            specs.add(new TensorSpec(t.name(), t.shape(), b));
        }
        return HeadContainer.byteSize(modelName, metadata, graphBytes, specs);
    }

    /** The same head with every tensor in float32. */
    public long fp32DownloadBytes() {
        return emptyHead() ? 0 : HeadContainer.fp32ByteSize(modelName, metadata, graphBytes, headTensors.stream()
                .map(t -> new TensorSpec(t.name(), t.shape(), 32)).toList());
    }

    /** Exact bytes of one request's activation frame at {@code bits}. */
    public long uploadBytes(int bits) {
        return ActivationFrame.byteSize(crossing.stream().map(t -> new TensorSpec(t.name(), t.shape(), bits)).toList());
    }

    @Override
    public Map<String, double[]> weightGains() {
        Map<String, double[]> g = new TreeMap<>();
        weightGains.forEach((k, v) -> g.put(k, v.clone()));
        return g;
    }

    @Override
    public double[] activationGains() {
        return activationGains.clone();
    }
}
