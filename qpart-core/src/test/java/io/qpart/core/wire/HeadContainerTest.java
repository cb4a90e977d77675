package io.qpart.core.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qpart.core.format.FormatException;
import io.qpart.core.format.FormatException.Reason;
import io.qpart.core.quant.Quantizer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HeadContainerTest {

    @Test
    void roundTripsAndSizesAreExact() throws Exception {
        HeadContainer head = WireFixtures.smallHead();
        byte[] bytes = head.encode();
        assertThat(bytes).hasSize((int) head.byteSize());
        HeadContainer back = HeadContainer.decode(bytes);
        assertThat(back).isEqualTo(head);
        assertThat(back.encode()).isEqualTo(bytes);
        assertThat(back.id()).isEqualTo(head.id());
        assertThat(back.metadata().keySet()).containsExactly("bits", "spec");
    }

    @Test
    void builderQuantizesWithTheSpecQuantizer() {
        float[] w = {0.3f, -0.7f, 0.1f, 0.9f};
        HeadContainer head = HeadContainer.builder("m", 1).quantize("w", new long[] {2, 2}, w, 5).build();
        WireTensor t = head.tensor("w").orElseThrow();
        assertThat(t.params()).isEqualTo(Quantizer.params(w, 5));
        assertThat(t.values()).containsExactly(Quantizer.fakeQuantize(w, 5));
        assertThat(head.tensor("nope")).isEmpty();
    }

    @Test
    void idIsTheSha256OfTheBody() throws Exception {
        HeadContainer head = WireFixtures.smallHead();
        byte[] bytes = head.encode();
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        sha.update(bytes, 6, bytes.length - 10);
        assertThat(head.id()).isEqualTo(HexFormat.of().formatHex(sha.digest())).hasSize(64).matches("[0-9a-f]+");
        HeadContainer other = HeadContainer.builder("tiny-mlp", 3).build();
        assertThat(other.id()).isNotEqualTo(head.id());
    }

    @Test
    void fp32SizeIsTheSizeOfTheAllFloatContainer() {
        HeadContainer head = WireFixtures.smallHead();
        HeadContainer.Builder allFloat = HeadContainer.builder(head.modelName(), head.cutIndex()).graph(head.graph());
        head.metadata().forEach(allFloat::metadata);
        for (WireTensor t : head.tensors()) {
            allFloat.float32(t.name(), t.shape(), t.values());
        }
        assertThat(head.fp32ByteSize()).isEqualTo(allFloat.build().encode().length);
        assertThat(head.byteSize()).isLessThan(head.fp32ByteSize());
    }

    @Test
    void sizeFollowsTheSpecPayloadFormula() {
        // SPEC §3: Σ ceil(s_j b_j / 8) + per-tensor metadata + float32 others + graph structure
        HeadContainer head = WireFixtures.smallHead();
        long packed = (12 * 4 + 7) / 8 + (8 * 3 + 7) / 8 + (2 * 8 + 7) / 8;
        long floats = 4 * 4;
        long graph = head.graph().length;
        long tensorMeta = 0;
        for (WireTensor t : head.tensors()) {
            tensorMeta += 4 + t.name().getBytes(StandardCharsets.UTF_8).length + 1 + 8L * t.shape().length + 1
                    + (t.isQuantized() ? 1 + 4 + 2 : 0);
        }
        long container = 4 + 2 + 4 // magic, version, CRC
                + 4 + "tiny-mlp".length() + 4 // model name, cut index
                + 4 + (4 + 4 + 4 + "fc1.weight=4,fc2.weight=3".length()) + (4 + 4 + 4 + "SPEC 3 quantizer, per-tensor range".length()) // metadata
                + 4 + 4; // graph length, tensor count
        assertThat(head.byteSize()).isEqualTo(packed + floats + graph + tensorMeta + container);
        List<TensorSpec> specs = head.tensors().stream().map(TensorSpec::of).toList();
        assertThat(HeadContainer.byteSize("tiny-mlp", head.metadata(), graph, specs)).isEqualTo(head.byteSize());
        assertThat(HeadContainer.fp32ByteSize("tiny-mlp", head.metadata(), graph, specs))
                .isEqualTo(head.fp32ByteSize());
    }

    @Test
    void handAssembledBytesDecodeAndReencodeIdentically() throws Exception {
        // 2-bit codes 0,1,3 = stream 00 10 11 -> one byte 0b00_11_10_00 = 0x34; zero point 1, scale 0.5
        byte[] bytes = new LeBytes().ascii("QPHD").u16(1)
                .string("m").u32(7)
                .u32(1).string("k").string("v")
                .u32(3).raw((byte) 1, (byte) 2, (byte) 3)
                .u32(2)
                .string("q").shape(3).u8(1).u8(2).f32(0.5f).u16(1).raw((byte) 0x34)
                .string("f").shape().u8(0).f32(-2f)
                .withCrc();
        HeadContainer head = HeadContainer.decode(bytes);
        assertThat(head.modelName()).isEqualTo("m");
        assertThat(head.cutIndex()).isEqualTo(7);
        assertThat(head.metadata()).containsExactly(Map.entry("k", "v"));
        assertThat(head.graph()).containsExactly(1, 2, 3);
        assertThat(head.tensor("q").orElseThrow().values()).containsExactly(-0.5f, 0f, 1f);
        assertThat(head.tensor("f").orElseThrow().values()).containsExactly(-2f);
        assertThat(head.encode()).isEqualTo(bytes);
    }

    @Test
    void decodeRefusalsCarryTheirReason() {
        byte[] good = WireFixtures.smallHead().encode();
        byte[] magic = good.clone();
        magic[0] = 'X';
        expect(magic, Reason.BAD_MAGIC, "QPHD");
        expect(ActivationFrame.of().encode(), Reason.BAD_MAGIC, "QPAF");
        byte[] version = good.clone();
        version[4] = 2;
        expect(version, Reason.UNSUPPORTED_VERSION, "version 2");
        byte[] flipped = good.clone();
        flipped[40] ^= 0x10;
        expect(flipped, Reason.CHECKSUM_MISMATCH, "CRC32C");
        expect(new byte[0], Reason.TRUNCATED, "0 bytes");
        expect(new byte[] {'Q', 'P', 'H', 'D', 1, 0}, Reason.TRUNCATED, "at least 10");
        expect(LeBytes.withCrc(java.util.Arrays.copyOf(good, good.length - 9)), Reason.TRUNCATED, "needs");
        byte[] trailing = new LeBytes().raw(java.util.Arrays.copyOf(good, good.length - 4)).u8(0).withCrc();
        expect(trailing, Reason.TRAILING_BYTES, "1 unexpected bytes");
        assertThatThrownBy(() -> HeadContainer.decode(null)).isInstanceOf(FormatException.class);
    }

    @Test
    void forgedFieldsAreRefused() {
        LeBytes prefix = new LeBytes().ascii("QPHD").u16(1).string("m").u32(0).u32(0).u32(0);
        // unknown encoding
        expect(new LeBytes().raw(prefix.bytes()).u32(1).string("t").shape(1).u8(7).f32(1f).withCrc(),
                Reason.INVALID_FIELD, "encoding");
        // bits out of range, negative scale, zero point too big, NaN scale, non-zero padding bits
        expect(tensor(prefix, 17, 1f, 0, new byte[3]), Reason.INVALID_FIELD, "bits");
        expect(tensor(prefix, 0, 1f, 0, new byte[0]), Reason.INVALID_FIELD, "bits");
        expect(tensor(prefix, 4, -1f, 0, new byte[1]), Reason.INVALID_FIELD, "scale");
        expect(tensor(prefix, 4, Float.NaN, 0, new byte[1]), Reason.INVALID_FIELD, "scale");
        expect(tensor(prefix, 4, 1f, 16, new byte[1]), Reason.INVALID_FIELD, "zero point");
        expect(tensor(prefix, 4, 0f, 3, new byte[1]), Reason.INVALID_FIELD, "identity");
        expect(tensor(prefix, 3, 1f, 0, new byte[] {(byte) 0x80}), Reason.INVALID_FIELD, "unused bits");
        // negative cut index, empty model name, unsorted and empty metadata keys, duplicate tensor names, bad UTF-8
        expect(new LeBytes().ascii("QPHD").u16(1).string("m").u32(-1L & 0xFFFFFFFFL).u32(0).u32(0).u32(0).withCrc(),
                Reason.INVALID_FIELD, "cut index");
        expect(new LeBytes().ascii("QPHD").u16(1).string("").u32(0).u32(0).u32(0).u32(0).withCrc(),
                Reason.INVALID_FIELD, "model name");
        expect(new LeBytes().ascii("QPHD").u16(1).string("m").u32(0).u32(2).string("b").string("").string("a")
                .string("").u32(0).u32(0).withCrc(), Reason.INVALID_FIELD, "sort after");
        expect(new LeBytes().ascii("QPHD").u16(1).string("m").u32(0).u32(1).string("").string("").u32(0).u32(0)
                .withCrc(), Reason.INVALID_FIELD, "metadata key");
        expect(new LeBytes().raw(prefix.bytes()).u32(2).string("t").shape().u8(0).f32(1f)
                .string("t").shape().u8(0).f32(1f).withCrc(), Reason.INVALID_FIELD, "repeats");
        expect(new LeBytes().ascii("QPHD").u16(1).u32(2).raw((byte) 0xC3, (byte) 0x28).u32(0).u32(0).u32(0).u32(0)
                .withCrc(), Reason.INVALID_FIELD, "UTF-8");
        expect(new LeBytes().raw(prefix.bytes()).u32(1).string("t").shape(-1).u8(0).withCrc(),
                Reason.INVALID_FIELD, ">= 0");
        expect(new LeBytes().raw(prefix.bytes()).u32(1).string("t").u8(17).u8(0).withCrc(), Reason.INVALID_FIELD,
                "rank");
    }

    @Test
    void oversizedCountsAndLengthsAreRefusedBeforeAllocation() {
        LeBytes head = new LeBytes().ascii("QPHD").u16(1);
        // a string length of 2^32 - 1, a graph of 2^31 - 9 bytes, 2^20 tensors, 4096 metadata entries
        expect(new LeBytes().raw(head.bytes()).u32(0xFFFFFFFFL).withCrc(), Reason.INVALID_FIELD, "at most");
        expect(new LeBytes().raw(head.bytes()).u32(1 << 20).withCrc(), Reason.TRUNCATED, "needs");
        LeBytes named = new LeBytes().raw(head.bytes()).string("m").u32(0);
        expect(new LeBytes().raw(named.bytes()).u32(4096).withCrc(), Reason.TRUNCATED, "needs at least");
        expect(new LeBytes().raw(named.bytes()).u32(4097).withCrc(), Reason.INVALID_FIELD, "at most 4096");
        LeBytes noMeta = new LeBytes().raw(named.bytes()).u32(0);
        expect(new LeBytes().raw(noMeta.bytes()).u32(Integer.MAX_VALUE - 8).withCrc(), Reason.TRUNCATED, "needs");
        expect(new LeBytes().raw(noMeta.bytes()).u32(0xFFFFFFFFL).withCrc(), Reason.INVALID_FIELD, "at most");
        LeBytes noGraph = new LeBytes().raw(noMeta.bytes()).u32(0);
        expect(new LeBytes().raw(noGraph.bytes()).u32(1 << 20).withCrc(), Reason.TRUNCATED, "needs at least");
        expect(new LeBytes().raw(noGraph.bytes()).u32(0xFFFFFFFFL).withCrc(), Reason.INVALID_FIELD, "at most");
        // a tensor claiming 2^28 float32 elements, one of 2^62 x 2^62 (overflow) and one beyond the element cap
        LeBytes oneTensor = new LeBytes().raw(noGraph.bytes()).u32(1).string("t");
        expect(new LeBytes().raw(oneTensor.bytes()).shape(1L << 28).u8(0).f32(1f).withCrc(),
                Reason.TRUNCATED, "float32 values needs 1073741824 bytes");
        expect(new LeBytes().raw(oneTensor.bytes()).shape(1L << 28).u8(1).u8(16).f32(1f).u16(0).withCrc(),
                Reason.TRUNCATED, "packed codes needs 536870912 bytes");
        expect(new LeBytes().raw(oneTensor.bytes()).shape(1L << 62, 1L << 62).u8(0).withCrc(),
                Reason.INVALID_FIELD, "overflows");
        expect(new LeBytes().raw(oneTensor.bytes()).shape(1L << 40).u8(0).withCrc(), Reason.INVALID_FIELD, "at most");
    }

    @ParameterizedTest
    @ValueSource(longs = {1L, 2L, 3L})
    void randomHeadsRoundTrip(long seed) throws Exception {
        Random r = new Random(seed);
        HeadContainer.Builder b = HeadContainer.builder("model-" + seed, r.nextInt(10)).graph(new byte[r.nextInt(100)]);
        for (int i = 0; i < 6; i++) {
            int rows = 1 + r.nextInt(9);
            int cols = 1 + r.nextInt(9);
            float[] w = new float[rows * cols];
            for (int j = 0; j < w.length; j++) {
                w[j] = (float) r.nextGaussian();
            }
            int bits = r.nextInt(5) == 0 ? 32 : 2 + r.nextInt(15);
            b.quantize("t" + i, new long[] {rows, cols}, w, bits);
            b.metadata("k" + r.nextInt(100), "v" + i);
        }
        HeadContainer head = b.build();
        byte[] bytes = head.encode();
        assertThat(bytes).hasSize((int) head.byteSize());
        assertThat(HeadContainer.decode(bytes)).isEqualTo(head);
    }

    @Test
    void constructorValidation() {
        assertThatThrownBy(() -> HeadContainer.builder("", 0).build()).hasMessageContaining("model name");
        assertThatThrownBy(() -> HeadContainer.builder("m", -1).build()).hasMessageContaining("cut index");
        assertThatThrownBy(() -> HeadContainer.builder("m", 0).float32("a", new long[] {1}, new float[1])
                .float32("a", new long[] {1}, new float[1]).build()).hasMessageContaining("twice");
        assertThatThrownBy(() -> HeadContainer.builder("m", 0).metadata("", "x").build()).hasMessageContaining("keys");
        Map<String, String> meta = new TreeMap<>(Map.of("a", "1"));
        HeadContainer head = new HeadContainer("m", 0, new TreeMap<>(meta), new byte[0], List.of());
        assertThatThrownBy(() -> head.metadata().put("b", "2")).isInstanceOf(UnsupportedOperationException.class);
    }

    static byte[] tensor(LeBytes prefix, int bits, float scale, int zeroPoint, byte[] payload) {
        return new LeBytes().raw(prefix.bytes()).u32(1).string("t").shape(2).u8(1).u8(bits).f32(scale).u16(zeroPoint)
                .raw(payload).withCrc();
    }

    static void expect(byte[] bytes, Reason reason, String messagePart) {
        assertThatThrownBy(() -> HeadContainer.decode(bytes))
                .isInstanceOfSatisfying(FormatException.class, e -> {
                    assertThat(e.reason()).as(e.getMessage()).isEqualTo(reason);
                    assertThat(e.getMessage()).contains(messagePart).doesNotContain("\n");
                });
    }
}
