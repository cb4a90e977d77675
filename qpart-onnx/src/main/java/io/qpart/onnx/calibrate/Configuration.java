package io.qpart.onnx.calibrate;

import io.qpart.core.quant.Quantizer;
import io.qpart.onnx.quant.BitWidths;

import java.util.Map;
import java.util.Objects;

/**
 * A split configuration: a cut, the bit-widths of head weights (unlisted ones stay float32)
 * and the bit-width of the activation that crosses the cut (32 = float32).
 *
 * @param cut            cut index
 * @param weightBits     bits per weight tensor name
 * @param activationBits bits of the crossing tensors, range per sample
 */
public record Configuration(int cut, BitWidths weightBits, int activationBits) {
    public Configuration {
        if (cut < 0) {
            throw new IllegalArgumentException("cut index must be >= 0, was " + cut);
        }
        Objects.requireNonNull(weightBits, "weightBits");
        Quantizer.requireBitsOrFloat(activationBits);
    }

    /** A configuration from a plain map of bits. */
    public static Configuration of(int cut, Map<String, Integer> weightBits, int activationBits) {
        return new Configuration(cut, new BitWidths(weightBits), activationBits);
    }
}
