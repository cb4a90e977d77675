package io.qpart.onnx.quant;

import io.qpart.core.quant.Quantizer;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A bit-width per weight tensor name (2..16, or 32 for float32). Validated against the
 * quantizable tensors of a model so that a typo is an error, not a silent float tensor.
 */
public record BitWidths(Map<String, Integer> bits) {
    public BitWidths {
        Map<String, Integer> copy = new LinkedHashMap<>();
        for (Map.Entry<String, Integer> e : bits.entrySet()) {
            copy.put(e.getKey(), check(e.getKey(), e.getValue()));
        }
        bits = Map.copyOf(copy);
    }

    private static int check(String name, Integer b) {
        if (b == null) {
            throw new IllegalArgumentException("tensor '" + name + "': expected a bit-width, found null");
        }
        if (b != Quantizer.NOT_QUANTIZED_BITS && (b < Quantizer.MIN_BITS || b > Quantizer.MAX_BITS)) {
            throw new IllegalArgumentException("tensor '" + name + "': expected bits in " + Quantizer.MIN_BITS + ".." + Quantizer.MAX_BITS
                    + " or " + Quantizer.NOT_QUANTIZED_BITS + " (float32), found " + b);
        }
        return b;
    }

    /** The same bit-width for every named tensor. */
    public static BitWidths uniform(Collection<String> tensors, int bits) {
        Map<String, Integer> m = new LinkedHashMap<>();
        for (String t : tensors) {
            m.put(t, bits);
        }
        return new BitWidths(m);
    }

    /** Bits of a tensor; 32 (float32) when not listed. */
    public int of(String tensor) {
        return bits.getOrDefault(tensor, Quantizer.NOT_QUANTIZED_BITS);
    }

    /** Refuses names that are not among {@code quantizable}. */
    public BitWidths requireKnown(Set<String> quantizable, String what) {
        Set<String> unknown = new TreeSet<>(bits.keySet());
        unknown.removeAll(quantizable);
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException(what + ": " + unknown.size() + " tensor name(s) are not quantizable weights of the model: "
                    + String.join(", ", unknown.stream().limit(5).toList()) + (unknown.size() > 5 ? ", ..." : "")
                    + " (see 'qpart inspect' for the names)");
        }
        return this;
    }

    /** Only the entries for {@code tensors}. */
    public BitWidths restrictedTo(Collection<String> tensors) {
        Map<String, Integer> m = new LinkedHashMap<>();
        for (String t : tensors) {
            if (bits.containsKey(t)) {
                m.put(t, bits.get(t));
            }
        }
        return new BitWidths(m);
    }
}
