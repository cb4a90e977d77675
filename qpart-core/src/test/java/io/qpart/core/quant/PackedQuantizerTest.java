package io.qpart.core.quant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The fused paths against {@link Quantizer} composed with {@link ReferenceBitPacker}. */
class PackedQuantizerTest {

    static Stream<Arguments> widthsAndLengths() {
        return IntStream.rangeClosed(1, 16).boxed()
                .flatMap(bits -> Arrays.stream(BitPackerTest.AWKWARD_LENGTHS).mapToObj(n -> Arguments.of(bits, n)));
    }

    /** Gaussian values plus exact ties (k + 0.5) * scale and values beyond the range. */
    static float[] awkwardValues(long seed, int n, QuantParams p) {
        Random r = new Random(seed);
        float[] w = new float[n];
        for (int i = 0; i < n; i++) {
            switch (r.nextInt(4)) {
                case 0 -> w[i] = (float) ((r.nextInt(1 << p.bits()) - p.zeroPoint() + 0.5) * p.scale());
                case 1 -> w[i] = (float) (r.nextGaussian() * p.scale() * (1 << p.bits()) * 2);
                case 2 -> w[i] = r.nextBoolean() ? 0f : -0f;
                default -> w[i] = (float) (r.nextGaussian() * p.scale() * (1 << p.bits()) / 4);
            }
        }
        return w;
    }

    static QuantParams paramsFor(int bits, long seed) {
        Random r = new Random(seed);
        if (bits == 1) {
            return new QuantParams(1, 0.25f, r.nextInt(2));
        }
        float[] sample = new float[64];
        for (int i = 0; i < sample.length; i++) {
            sample[i] = (float) (r.nextGaussian() * 0.1 + 0.02);
        }
        return Quantizer.params(sample, bits);
    }

    @ParameterizedTest(name = "bits={0} n={1}")
    @MethodSource("widthsAndLengths")
    void quantizeAndPackMatchesTheDefinition(int bits, int n) {
        long seed = 31L * bits + n;
        QuantParams p = paramsFor(bits, seed);
        float[] w = awkwardValues(seed, n, p);
        byte[] fused = PackedQuantizer.quantizeAndPack(w, p);
        byte[] reference = ReferenceBitPacker.INSTANCE.pack(Quantizer.codes(w, p), bits);
        assertThat(fused).isEqualTo(reference);

        float[] back = PackedQuantizer.unpackAndDequantize(fused, 0, n, p);
        float[] expected = Quantizer.dequantize(ReferenceBitPacker.INSTANCE.unpack(reference, 0, n, bits), p);
        assertThat(back).containsExactly(expected);
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3, 4, 8, 12, 16})
    void ownRangeRoundTripEqualsFakeQuantize(int bits) {
        float[] w = QuantizerTest.gaussian(5L + bits, 3001, 0.2f, -0.05f);
        QuantParams p = Quantizer.params(w, bits);
        float[] back = PackedQuantizer.unpackAndDequantize(PackedQuantizer.quantizeAndPack(w, p), 0, w.length, p);
        assertThat(back).containsExactly(Quantizer.fakeQuantize(w, bits));
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 4, 8, 9})
    void slicesAndOffsets(int bits) {
        float[] batch = QuantizerTest.gaussian(99L + bits, 50, 1f, 0f);
        QuantParams p = Quantizer.params(batch, 10, 21, bits);
        byte[] dst = new byte[2 + (int) CodePacker.packedBytes(21, bits) + 2];
        Arrays.fill(dst, (byte) 0x77);
        PackedQuantizer.quantizeAndPack(batch, 10, 21, p, dst, 2);
        assertThat(dst[1]).isEqualTo((byte) 0x77);
        assertThat(dst[dst.length - 2]).isEqualTo((byte) 0x77);
        byte[] expected = ReferenceBitPacker.INSTANCE.pack(Quantizer.codes(batch, 10, 21, p), bits);
        assertThat(Arrays.copyOfRange(dst, 2, 2 + expected.length)).isEqualTo(expected);
        float[] out = new float[25];
        PackedQuantizer.unpackAndDequantize(dst, 2, 21, p, out, 4);
        assertThat(out[3]).isZero();
        assertThat(Arrays.copyOfRange(out, 4, 25))
                .containsExactly(Quantizer.dequantize(Quantizer.codes(batch, 10, 21, p), p));
    }

    @Test
    void identityParamsGiveZeroCodesAndZeros() {
        float[] w = {0f, -0f, 0f};
        QuantParams p = Quantizer.params(w, 5);
        byte[] packed = PackedQuantizer.quantizeAndPack(w, p);
        assertThat(packed).containsOnly((byte) 0).hasSize(2);
        assertThat(PackedQuantizer.unpackAndDequantize(packed, 0, 3, p)).containsExactly(0f, 0f, 0f);
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 4, 8, 13})
    void nonFiniteValuesAreRefusedByIndex(int bits) {
        QuantParams p = new QuantParams(bits, 0.5f, 1);
        float[] w = new float[40];
        w[17] = Float.NaN;
        w[30] = Float.POSITIVE_INFINITY;
        assertThatThrownBy(() -> PackedQuantizer.quantizeAndPack(w, p))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("index 17");
        assertThatThrownBy(() -> PackedQuantizer.quantizeAndPack(w, QuantParams.identity(bits)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("index 17");
    }

    @Test
    void hugeQuotientsSaturate() {
        QuantParams p = new QuantParams(8, Float.MIN_VALUE, 7);
        float[] w = {1f, -1f, 0f, Float.MAX_VALUE, -Float.MAX_VALUE};
        assertThat(PackedQuantizer.quantizeAndPack(w, p))
                .isEqualTo(ReferenceBitPacker.INSTANCE.pack(Quantizer.codes(w, p), 8))
                .containsExactly((byte) 255, (byte) 0, (byte) 7, (byte) 255, (byte) 0);
    }

    @Test
    void shortSourceIsRefused() {
        QuantParams p = new QuantParams(8, 1f, 0);
        assertThatThrownBy(() -> PackedQuantizer.unpackAndDequantize(new byte[3], 1, 3, p))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("length 3");
    }
}
