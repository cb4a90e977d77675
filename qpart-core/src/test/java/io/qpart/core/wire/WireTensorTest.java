package io.qpart.core.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qpart.core.quant.QuantParams;
import io.qpart.core.quant.Quantizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class WireTensorTest {

    static final float[] SIX = {-1.5f, 0.25f, 3f, 0f, -0.75f, 2.125f};

    @ParameterizedTest
    @ValueSource(ints = {2, 3, 4, 7, 8, 11, 16})
    void quantizeMatchesTheQuantizer(int bits) {
        WireTensor t = WireTensor.quantize("w", new long[] {2, 3}, SIX, bits);
        assertThat(t.isQuantized()).isTrue();
        assertThat(t.params()).isEqualTo(Quantizer.params(SIX, bits));
        assertThat(t.payloadBytes()).isEqualTo((6 * bits + 7) / 8);
        assertThat(t.values()).containsExactly(Quantizer.fakeQuantize(SIX, bits));
        assertThat(t.fp32PayloadBytes()).isEqualTo(24);
    }

    @Test
    void float32KeepsValuesBitForBit() {
        float[] odd = {-0f, Float.MIN_VALUE, -Float.MAX_VALUE, 1e-3f};
        WireTensor t = WireTensor.float32("b", new long[] {4}, odd);
        assertThat(t.isQuantized()).isFalse();
        assertThat(t.values()).containsExactly(odd);
        assertThat(Float.floatToRawIntBits(t.values()[0])).isEqualTo(Float.floatToRawIntBits(-0f));
        assertThat(WireTensor.quantize("b", new long[] {4}, odd, 32)).isEqualTo(t);
        assertThatThrownBy(t::params).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void sliceOfABatchUsesItsOwnRange() {
        float[] batch = {100f, -1f, 0.5f, 1f, -100f};
        WireTensor t = WireTensor.quantize("act", new long[] {1, 3}, batch, 1, 8);
        assertThat(t).isEqualTo(WireTensor.quantize("act", new long[] {1, 3}, new float[] {-1f, 0.5f, 1f}, 8));
        assertThatThrownBy(() -> WireTensor.quantize("act", new long[] {1, 3}, batch, 3, 8))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("length 5");
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 5, 8, 13, 16, 32})
    void valuesIntoWritesWhatValuesReturnsAndNothingElse(int bits) {
        WireTensor t = WireTensor.quantize("w", new long[] {2, 3}, SIX, bits);
        float[] dst = new float[10];
        java.util.Arrays.fill(dst, 42f);
        t.valuesInto(dst, 3);
        assertThat(java.util.Arrays.copyOfRange(dst, 3, 9)).containsExactly(t.values());
        assertThat(new float[] {dst[0], dst[1], dst[2], dst[9]}).containsOnly(42f);
        assertThatThrownBy(() -> t.valuesInto(dst, 5)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> t.valuesInto(dst, -1)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void arraysAreCopiedInAndOut() {
        long[] shape = {6};
        byte[] payload = WireTensor.quantize("w", shape, SIX, 8).payload();
        WireTensor t = WireTensor.quantized("w", shape, Quantizer.params(SIX, 8), payload);
        shape[0] = 7;
        payload[0] ^= 1;
        assertThat(t.shape()).containsExactly(6);
        t.shape()[0] = 9;
        t.payload()[0] ^= 1;
        assertThat(t.shape()).containsExactly(6);
        assertThat(t.payload()[0]).isEqualTo((byte) (payload[0] ^ 1));
    }

    @Test
    void validation() {
        byte[] sixAt8 = new byte[6];
        QuantParams p = new QuantParams(8, 1f, 0);
        assertThatThrownBy(() -> WireTensor.quantized("", new long[] {6}, p, sixAt8)).hasMessageContaining("non-empty");
        assertThatThrownBy(() -> WireTensor.quantized("w", new long[] {-1}, p, sixAt8)).hasMessageContaining(">= 0");
        assertThatThrownBy(() -> WireTensor.quantized("w", new long[] {7}, p, sixAt8))
                .hasMessageContaining("must be 7 bytes, was 6");
        assertThatThrownBy(() -> WireTensor.quantized("w", new long[17], p, new byte[1])).hasMessageContaining("rank");
        assertThatThrownBy(() -> WireTensor.quantized("w", new long[] {1L << 40, 1L << 40}, p, sixAt8))
                .hasMessageContaining("overflows");
        assertThatThrownBy(() -> WireTensor.quantized("\uD800", new long[] {6}, p, sixAt8))
                .hasMessageContaining("surrogate");
        assertThatThrownBy(() -> new WireTensor("w", new long[] {1}, 32, 1f, 0, new byte[4]))
                .hasMessageContaining("scale +0.0");
        assertThatThrownBy(() -> new WireTensor("w", new long[] {1}, 17, 1f, 0, new byte[3]))
                .hasMessageContaining("was 17");
        assertThatThrownBy(() -> new WireTensor("w", new long[] {3}, 3, 1f, 0, new byte[] {0, (byte) 0x80}))
                .hasMessageContaining("unused bits");
        assertThatThrownBy(() -> WireTensor.quantize("w", new long[] {6}, SIX, 1)).hasMessageContaining("was 1");
        assertThatThrownBy(() -> WireTensor.float32("w", new long[] {5}, SIX)).hasMessageContaining("needs 5 values");
        assertThat(new WireTensor("w", new long[] {3}, 1, 0.5f, 1, new byte[] {5}).values())
                .containsExactly(0f, -0.5f, 0f);
    }
}
