package io.qpart.onnx.quant;

import ai.onnxruntime.OnnxJavaType;
import io.qpart.core.quant.Quantizer;
import io.qpart.onnx.runtime.HostTensor;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Quantizes the tensors that cross a cut as a device does before uploading them: SPEC §3 with
 * the range taken per sample (one request carries one input), so every row of the batch gets
 * its own scale and zero point. Non-float tensors cross unchanged.
 */
public final class ActivationQuantizer implements UnaryOperator<Map<String, HostTensor>> {
    private final int bits;

    public ActivationQuantizer(int bits) {
        Quantizer.requireBitsOrFloat(bits);
        this.bits = bits;
    }

    public int bits() {
        return bits;
    }

    @Override
    public Map<String, HostTensor> apply(Map<String, HostTensor> crossing) {
        if (bits == Quantizer.NOT_QUANTIZED_BITS) {
            return crossing;
        }
        Map<String, HostTensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, HostTensor> e : crossing.entrySet()) {
            HostTensor t = e.getValue();
            long[] shape = t.shape();
            if (t.type() != OnnxJavaType.FLOAT || shape.length == 0 || shape[0] == 0) {
                out.put(e.getKey(), t);
                continue;
            }
            float[] v = t.floats();
            int rows = Math.toIntExact(shape[0]);
            int per = v.length / rows;
            for (int r = 0; r < rows; r++) {
                Quantizer.fakeQuantize(v, r * per, per, bits);
            }
            out.put(e.getKey(), HostTensor.ofFloats(shape, v));
        }
        return out;
    }
}
