package io.qpart.core.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qpart.core.format.FormatException;
import io.qpart.core.format.FormatException.Reason;
import io.qpart.core.quant.Quantizer;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class ActivationFrameTest {

    @Test
    void roundTripsAndSizesAreExact() throws Exception {
        ActivationFrame frame = WireFixtures.smallFrame();
        byte[] bytes = frame.encode();
        assertThat(bytes).hasSize((int) frame.byteSize());
        ActivationFrame back = ActivationFrame.decode(bytes);
        assertThat(back).isEqualTo(frame);
        assertThat(back.encode()).isEqualTo(bytes);
        assertThat(back.tensor("mask").values()).containsExactly(1f, 0f);
        assertThatThrownBy(() -> back.tensor("nope")).hasMessageContaining("nope");
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3, 4, 6, 8, 12, 16, 32})
    void sizeCalculatorMatchesTheEncoding(int bits) {
        float[] act = new float[3 * 7 * 5];
        Random r = new Random(40L + bits);
        for (int i = 0; i < act.length; i++) {
            act[i] = (float) Math.max(0, r.nextGaussian()); // post-ReLU
        }
        long[] shape = {3, 7, 5};
        ActivationFrame frame = ActivationFrame.quantize("block3.out", shape, act, bits);
        long expected = 14 + 12 + "block3.out".length() + 8 * 3
                + (bits == 32 ? 4L * act.length : (act.length * (long) bits + 7) / 8); // SPEC §3 upload
        assertThat(frame.encode()).hasSize((int) expected);
        assertThat(frame.byteSize()).isEqualTo(expected);
        assertThat(ActivationFrame.byteSize("block3.out", shape, bits)).isEqualTo(expected);
        assertThat(ActivationFrame.fp32ByteSize(List.of(new TensorSpec("block3.out", shape, bits))))
                .isEqualTo(frame.fp32ByteSize())
                .isEqualTo(ActivationFrame.quantize("block3.out", shape, act, 32).encode().length);
        assertThat(frame.tensors().get(0).values()).containsExactly(Quantizer.fakeQuantize(act, bits));
    }

    @Test
    void perSampleRangeFromABatchBuffer() throws Exception {
        float[] batch = {0f, 1f, 2f, 3f, 100f, 200f, 300f, 400f};
        long[] shape = {1, 4};
        ActivationFrame first = ActivationFrame.of(WireTensor.quantize("x", shape, batch, 0, 8));
        ActivationFrame second = ActivationFrame.of(WireTensor.quantize("x", shape, batch, 4, 8));
        assertThat(first.tensor("x").params()).isEqualTo(Quantizer.params(batch, 0, 4, 8));
        assertThat(second.tensor("x").params()).isEqualTo(Quantizer.params(batch, 4, 4, 8));
        assertThat(ActivationFrame.decode(second.encode()).tensor("x").values()[3]).isEqualTo(400f);
    }

    @Test
    void handAssembledBytesDecodeAndReencodeIdentically() throws Exception {
        // 4-bit codes 15, 0, 9 -> bytes 0x0F, 0x09; float32 side tensor with scale/zero point 0
        byte[] bytes = new LeBytes().ascii("QPAF").u16(1).u32(2)
                .string("a").shape(1, 3).u8(4).f32(0.25f).u16(3).raw((byte) 0x0F, (byte) 0x09)
                .string("b").shape(1).u8(32).f32(0f).u16(0).f32(7.5f)
                .withCrc();
        ActivationFrame frame = ActivationFrame.decode(bytes);
        assertThat(frame.tensor("a").values()).containsExactly(3f, -0.75f, 1.5f);
        assertThat(frame.tensor("b").values()).containsExactly(7.5f);
        assertThat(frame.encode()).isEqualTo(bytes);
        assertThat(ActivationFrame.decode(new LeBytes().ascii("QPAF").u16(1).u32(0).withCrc()).tensors()).isEmpty();
    }

    @Test
    void forgedFieldsAreRefused() {
        LeBytes one = new LeBytes().ascii("QPAF").u16(1).u32(1).string("a");
        expect(new LeBytes().raw(one.bytes()).shape(2).u8(32).f32(1f).u16(0).raw(new byte[8]).withCrc(),
                Reason.INVALID_FIELD, "scale 0");
        expect(new LeBytes().raw(one.bytes()).shape(2).u8(31).f32(1f).u16(0).raw(new byte[8]).withCrc(),
                Reason.INVALID_FIELD, "or 32");
        expect(new LeBytes().raw(one.bytes()).shape(3).u8(2).f32(1f).u16(0).raw((byte) 0xC0).withCrc(),
                Reason.INVALID_FIELD, "unused bits");
        expect(new LeBytes().ascii("QPAF").u16(1).u32(2).string("a").shape().u8(32).f32(0f).u16(0).f32(1f)
                .string("a").shape().u8(32).f32(0f).u16(0).f32(1f).withCrc(), Reason.INVALID_FIELD, "repeats");
        expect(new LeBytes().ascii("QPAF").u16(1).u32(65537).withCrc(), Reason.INVALID_FIELD, "at most 65536");
        expect(new LeBytes().ascii("QPAF").u16(1).u32(65536).withCrc(), Reason.TRUNCATED, "needs at least");
        expect(new LeBytes().raw(one.bytes()).shape(1L << 28).u8(8).f32(1f).u16(0).withCrc(),
                Reason.TRUNCATED, "needs 268435456 bytes");
        expect(new LeBytes().raw(one.bytes()).shape(1L << 28).u8(32).f32(0f).u16(0).withCrc(),
                Reason.TRUNCATED, "needs 1073741824 bytes");
        expect(new LeBytes().raw(one.bytes()).shape().u8(32).f32(0f).u16(0).f32(1f).u8(0).withCrc(),
                Reason.TRAILING_BYTES, "unexpected");
        expect(new LeBytes().ascii("QPAF").u16(0).u32(0).withCrc(), Reason.UNSUPPORTED_VERSION, "version 0");
    }

    @Test
    void constructorValidation() {
        WireTensor t = WireTensor.float32("x", new long[] {1}, new float[1]);
        assertThatThrownBy(() -> ActivationFrame.of(t, t)).hasMessageContaining("twice");
        assertThatThrownBy(() -> ActivationFrame.quantize("x", new long[] {2}, new float[] {1f, Float.NaN}, 8))
                .hasMessageContaining("index 1");
    }

    static void expect(byte[] bytes, Reason reason, String messagePart) {
        assertThatThrownBy(() -> ActivationFrame.decode(bytes))
                .isInstanceOfSatisfying(FormatException.class, e -> {
                    assertThat(e.reason()).as(e.getMessage()).isEqualTo(reason);
                    assertThat(e.getMessage()).contains(messagePart).doesNotContain("\n");
                });
    }
}
