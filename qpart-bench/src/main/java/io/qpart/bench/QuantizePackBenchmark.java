package io.qpart.bench;

import io.qpart.core.quant.CodePacker;
import io.qpart.core.quant.PackedQuantizer;
import io.qpart.core.quant.QuantParams;
import io.qpart.core.quant.Quantizer;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * SPEC §3 quantize+pack and unpack+dequantize of one float32 tensor, against copying the same
 * float32 array in the same run. One operation is one whole tensor of {@link #elementCount}
 * values.
 *
 * <p>Two families: {@code *Into} write into arrays allocated once in {@link #setUp()} (the
 * compute cost alone; the baseline is {@code System.arraycopy}); the others allocate their result
 * like the public convenience methods do (the baseline is {@code float[].clone()}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class QuantizePackBenchmark {

    /** Fixed seed of the synthetic weights: benchmark inputs are reproducible too. */
    private static final long WEIGHTS_SEED = 20250611L;

    @Param({"1048576"})
    public int elementCount;

    @Param({"4", "8", "3"})
    public int bits;

    private float[] weights;
    private float[] floatOut;
    private byte[] packed;
    private byte[] packedOut;
    private QuantParams params;

    @Setup
    public void setUp() {
        Random random = new Random(WEIGHTS_SEED);
        weights = new float[elementCount];
        for (int i = 0; i < elementCount; i++) {
            weights[i] = (float) (random.nextGaussian() * 0.05);
        }
        params = Quantizer.params(weights, bits);
        packed = PackedQuantizer.quantizeAndPack(weights, params);
        packedOut = new byte[CodePacker.packedByteArrayLength(elementCount, bits)];
        floatOut = new float[elementCount];
    }

    /** Baseline without allocation: copy the float32 tensor into an existing array. */
    @Benchmark
    public float[] copyInto() {
        System.arraycopy(weights, 0, floatOut, 0, elementCount);
        return floatOut;
    }

    /** Quantize with known parameters and pack into an existing array. */
    @Benchmark
    public byte[] quantizeAndPackInto() {
        PackedQuantizer.quantizeAndPack(weights, 0, elementCount, params, packedOut, 0);
        return packedOut;
    }

    /** Unpack and dequantize into an existing float32 array. */
    @Benchmark
    public float[] unpackAndDequantizeInto() {
        PackedQuantizer.unpackAndDequantize(packed, 0, elementCount, params, floatOut, 0);
        return floatOut;
    }

    /** Range scan, quantize and pack into an existing array: one activation frame's work. */
    @Benchmark
    public byte[] rangeQuantizeAndPackInto() {
        QuantParams own = Quantizer.params(weights, bits);
        PackedQuantizer.quantizeAndPack(weights, 0, elementCount, own, packedOut, 0);
        return packedOut;
    }

    /** Baseline with allocation: clone the float32 tensor. */
    @Benchmark
    public float[] copyClone() {
        return weights.clone();
    }

    /** Quantize and pack into a new array. */
    @Benchmark
    public byte[] quantizeAndPack() {
        return PackedQuantizer.quantizeAndPack(weights, params);
    }

    /** Unpack and dequantize into a new array. */
    @Benchmark
    public float[] unpackAndDequantize() {
        return PackedQuantizer.unpackAndDequantize(packed, 0, elementCount, params);
    }
}
