package io.qpart.core.quant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class QuantizerTest {

    static Stream<Arguments> bitsAndSeeds() {
        return IntStream.rangeClosed(Quantizer.MIN_BITS, Quantizer.MAX_BITS)
                .boxed()
                .flatMap(b -> Stream.of(11L, 12L, 13L).map(s -> Arguments.of(b, s)));
    }

    static float[] gaussian(long seed, int n, float sigma, float mean) {
        Random r = new Random(seed);
        float[] w = new float[n];
        for (int i = 0; i < n; i++) {
            w[i] = (float) (r.nextGaussian() * sigma + mean);
        }
        return w;
    }

    @Test
    void handComputedTwoBitExample() {
        // lo = -1, hi = 2, scale = 3 / 3 = 1, zp = rint(1 / 1) = 1; 0.5 is a tie that rounds to even 0.
        float[] w = {-1f, 0f, 0.5f, 2f, 1.5f};
        QuantParams p = Quantizer.params(w, 2);
        assertThat(p).isEqualTo(new QuantParams(2, 1f, 1));
        assertThat(Quantizer.codes(w, p)).containsExactly(0, 1, 1, 3, 3);
        assertThat(Quantizer.fakeQuantize(w, 2)).containsExactly(-1f, 0f, 0f, 2f, 2f);
    }

    @Test
    void handComputedFourBitExample() {
        // lo = -0.3f, hi = 1.2f: (1.2f + 0.3f) / 15 in double = 0.1000000040, nearest float32 is 0.1f;
        // zp = rint(0.3f / 0.1f) = 3; codes rint(-3) + 3 = 0, rint(1) + 3 = 4, rint(12) + 3 = 15.
        float[] w = {-0.3f, 0.1f, 1.2f};
        QuantParams p = Quantizer.params(w, 4);
        assertThat(p).isEqualTo(new QuantParams(4, 0.1f, 3));
        assertThat(Quantizer.codes(w, p)).containsExactly(0, 4, 15);
        assertThat(Quantizer.dequantize(Quantizer.codes(w, p), p))
                .containsExactly(-3f * 0.1f, 1f * 0.1f, 12f * 0.1f);
    }

    @Test
    void roundingIsHalfToEven() {
        QuantParams p = new QuantParams(8, 1f, 100);
        assertThat(Quantizer.code(0.5f, p)).isEqualTo(100);
        assertThat(Quantizer.code(1.5f, p)).isEqualTo(102);
        assertThat(Quantizer.code(2.5f, p)).isEqualTo(102);
        assertThat(Quantizer.code(-0.5f, p)).isEqualTo(100);
        assertThat(Quantizer.code(-1.5f, p)).isEqualTo(98);
    }

    @ParameterizedTest
    @MethodSource("bitsAndSeeds")
    void invariantsOnGaussianWeights(int bits, long seed) {
        float[] w = gaussian(seed, 2000, 0.05f, 0.01f);
        QuantParams p = Quantizer.params(w, bits);
        int maxCode = (1 << bits) - 1;
        assertThat(p.bits()).isEqualTo(bits);
        assertThat(p.scale()).isPositive();
        assertThat(p.zeroPoint()).isBetween(0, maxCode);

        // zero is exactly representable
        assertThat(Quantizer.dequantize(Quantizer.code(0f, p), p)).isEqualTo(0f);

        int[] codes = Quantizer.codes(w, p);
        float[] back = Quantizer.dequantize(codes, p);
        float maxAbs = 0f;
        for (float v : w) {
            maxAbs = Math.max(maxAbs, Math.abs(v));
        }
        // scale / 2 plus float32 rounding of the division, the product and the stored scale
        double bound = p.scale() / 2.0 + 4 * Math.ulp(maxAbs) + p.scale() * maxCode * 1e-6;
        for (int i = 0; i < w.length; i++) {
            assertThat(codes[i]).isBetween(0, maxCode);
            assertThat((double) Math.abs(w[i] - back[i])).as("index %d", i).isLessThanOrEqualTo(bound);
        }
        assertThat(Quantizer.fakeQuantize(w, bits)).containsExactly(back);
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3, 8, 16})
    void allZeroTensorPassesUnchanged(int bits) {
        float[] w = {0f, -0f, 0f, 0f};
        QuantParams p = Quantizer.params(w, bits);
        assertThat(p.isIdentity()).isTrue();
        assertThat(p).isEqualTo(QuantParams.identity(bits));
        float[] fq = Quantizer.fakeQuantize(w, bits);
        assertThat(fq).isNotSameAs(w);
        for (int i = 0; i < w.length; i++) {
            assertThat(Float.floatToRawIntBits(fq[i])).isEqualTo(Float.floatToRawIntBits(w[i]));
        }
        assertThat(Quantizer.codes(w, p)).containsOnly(0);
        assertThat(Quantizer.params(new float[0], bits).isIdentity()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 4, 8, 16})
    void constantNonZeroTensorSitsAtAnEndOfTheRange(int bits) {
        // the range [min(c, 0), max(c, 0)] has c at one end: its code is the extreme code, and it
        // comes back up to the float32 rounding of the stored scale
        float[] positive = {0.75f, 0.75f, 0.75f};
        QuantParams pp = Quantizer.params(positive, bits);
        assertThat(Quantizer.codes(positive, pp)).containsOnly(pp.maxCode());
        for (float v : Quantizer.fakeQuantize(positive, bits)) {
            assertThat(v).isCloseTo(0.75f, Offset.offset(1e-6f));
        }
        float[] negative = {-3f, -3f};
        QuantParams pn = Quantizer.params(negative, bits);
        assertThat(Quantizer.codes(negative, pn)).containsOnly(0);
        for (float v : Quantizer.fakeQuantize(negative, bits)) {
            assertThat(v).isCloseTo(-3f, Offset.offset(1e-5f));
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 5, 8, 16})
    void allPositiveTensorHasZeroPointZero(int bits) {
        float[] w = {0.5f, 1f, 2f, 4f};
        QuantParams p = Quantizer.params(w, bits);
        assertThat(p.zeroPoint()).isZero();
        assertThat(p.scale()).isEqualTo((float) (4.0 / ((1 << bits) - 1)));
        assertThat(Quantizer.code(4f, p)).isEqualTo(p.maxCode());
        assertThat(Quantizer.dequantize(p.maxCode(), p)).isCloseTo(4f, Offset.offset(1e-5f));
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 5, 8, 16})
    void allNegativeTensorHasZeroPointMax(int bits) {
        float[] w = {-0.5f, -1f, -2f, -4f};
        QuantParams p = Quantizer.params(w, bits);
        assertThat(p.zeroPoint()).isEqualTo(p.maxCode());
        assertThat(Quantizer.code(-4f, p)).isZero();
        assertThat(Quantizer.code(0f, p)).isEqualTo(p.maxCode());
    }

    @Test
    void sliceUsesOnlyItsOwnRange() {
        float[] batch = {100f, -100f, 1f, -1f, 0.5f, 7f};
        QuantParams p = Quantizer.params(batch, 2, 3, 8);
        assertThat(p).isEqualTo(Quantizer.params(new float[] {1f, -1f, 0.5f}, 8));
        float[] copy = batch.clone();
        Quantizer.fakeQuantize(copy, 2, 3, 8);
        assertThat(copy[0]).isEqualTo(100f);
        assertThat(copy[1]).isEqualTo(-100f);
        assertThat(copy[5]).isEqualTo(7f);
        float[] expected = Quantizer.fakeQuantize(new float[] {1f, -1f, 0.5f}, 8);
        assertThat(new float[] {copy[2], copy[3], copy[4]}).containsExactly(expected);
    }

    @Test
    void thirtyTwoBitsMeansUnchanged() {
        float[] w = {1.25f, -3.5f, 1e-30f};
        assertThat(Quantizer.fakeQuantize(w, Quantizer.NOT_QUANTIZED_BITS)).containsExactly(w);
        float[] buf = w.clone();
        Quantizer.fakeQuantize(buf, 0, 3, 32);
        assertThat(buf).containsExactly(w);
    }

    @Test
    void underflowingScaleFallsBackToSmallestFloat() {
        float[] w = {Float.MIN_VALUE, 0f};
        QuantParams p = Quantizer.params(w, 16);
        assertThat(p.scale()).isEqualTo(Float.MIN_VALUE);
        assertThat(Quantizer.fakeQuantize(w, 16)).containsExactly(w);
    }

    @Test
    void extremeRangeStaysFinite() {
        float[] w = {-Float.MAX_VALUE, Float.MAX_VALUE / 2};
        QuantParams p = Quantizer.params(w, 2);
        assertThat(Float.isFinite(p.scale())).isTrue();
        for (float v : Quantizer.fakeQuantize(w, 2)) {
            assertThat(Float.isFinite(v)).isTrue();
        }
    }

    @Test
    void nonFiniteValuesAreRefusedByIndex() {
        assertThatThrownBy(() -> Quantizer.params(new float[] {1f, Float.NaN}, 8))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("index 1");
        assertThatThrownBy(() -> Quantizer.fakeQuantize(new float[] {0f, 2f, Float.NEGATIVE_INFINITY}, 4))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("index 2");
        assertThatThrownBy(() -> Quantizer.codes(new float[] {Float.POSITIVE_INFINITY}, new QuantParams(8, 1f, 0)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("index 0");
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, 0, 1, 17, 31, 33})
    void bitsOutsideTheSpecAreRefused(int bits) {
        assertThatThrownBy(() -> Quantizer.params(new float[] {1f}, bits))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("was " + bits);
        assertThatThrownBy(() -> Quantizer.fakeQuantize(new float[] {1f}, bits))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void badSlicesAreRefused() {
        assertThatThrownBy(() -> Quantizer.params(new float[4], 2, 3, 8))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("length 4");
        assertThatThrownBy(() -> Quantizer.params(new float[4], -1, 1, 8))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void quantParamsValidation() {
        assertThatThrownBy(() -> new QuantParams(0, 1f, 0)).hasMessageContaining("was 0");
        assertThatThrownBy(() -> new QuantParams(4, -1f, 0)).hasMessageContaining("scale");
        assertThatThrownBy(() -> new QuantParams(4, -0f, 0)).hasMessageContaining("scale");
        assertThatThrownBy(() -> new QuantParams(4, Float.NaN, 0)).hasMessageContaining("scale");
        assertThatThrownBy(() -> new QuantParams(4, 1f, 16)).hasMessageContaining("[0, 15]");
        assertThatThrownBy(() -> new QuantParams(4, 0f, 1)).hasMessageContaining("identity");
        assertThat(new QuantParams(1, 0.5f, 1).maxCode()).isEqualTo(1);
    }
}
