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

/** Differential tests: the fast {@link BitPacker} against the bit-by-bit {@link ReferenceBitPacker}. */
class BitPackerTest {

    static final int[] AWKWARD_LENGTHS = {0, 1, 7, 8, 9, 1021, 4096 + 3};

    static Stream<Arguments> widthsAndLengths() {
        return IntStream.rangeClosed(1, 16).boxed()
                .flatMap(bits -> Arrays.stream(AWKWARD_LENGTHS).mapToObj(n -> Arguments.of(bits, n)));
    }

    static int[] randomCodes(long seed, int n, int bits) {
        Random r = new Random(seed);
        int[] codes = new int[n];
        for (int i = 0; i < n; i++) {
            codes[i] = r.nextInt(1 << bits);
        }
        return codes;
    }

    @ParameterizedTest(name = "bits={0} n={1}")
    @MethodSource("widthsAndLengths")
    void fastMatchesReferenceAndRoundTrips(int bits, int n) {
        int[] codes = randomCodes(1000L * bits + n, n, bits);
        byte[] fast = BitPacker.INSTANCE.pack(codes, bits);
        byte[] reference = ReferenceBitPacker.INSTANCE.pack(codes, bits);
        assertThat(fast).hasSize((int) ((long) n * bits + 7) / 8).isEqualTo(reference);
        assertThat(BitPacker.INSTANCE.unpack(fast, 0, n, bits)).containsExactly(codes);
        assertThat(ReferenceBitPacker.INSTANCE.unpack(fast, 0, n, bits)).containsExactly(codes);
        assertThat(CodePacker.paddingIsZero(fast, 0, n, bits)).isTrue();
    }

    @ParameterizedTest(name = "bits={0} n={1}")
    @MethodSource("widthsAndLengths")
    void extremeCodesSurvive(int bits, int n) {
        int[] codes = new int[n];
        for (int i = 0; i < n; i++) {
            codes[i] = (i % 3 == 0) ? (1 << bits) - 1 : (i % 3 == 1 ? 0 : 1 << (bits - 1));
        }
        byte[] fast = BitPacker.INSTANCE.pack(codes, bits);
        assertThat(fast).isEqualTo(ReferenceBitPacker.INSTANCE.pack(codes, bits));
        assertThat(BitPacker.INSTANCE.unpack(fast, 0, n, bits)).containsExactly(codes);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 4, 8, 11, 16})
    void offsetsAreHonouredAndNeighboursUntouched(int bits) {
        int n = 37;
        int[] codes = randomCodes(77L + bits, n + 5, bits);
        int size = (int) CodePacker.packedBytes(n, bits);
        for (CodePacker packer : new CodePacker[] {BitPacker.INSTANCE, ReferenceBitPacker.INSTANCE}) {
            byte[] dst = new byte[size + 6];
            Arrays.fill(dst, (byte) 0x5A);
            packer.pack(codes, 5, n, bits, dst, 3);
            assertThat(dst[0]).isEqualTo((byte) 0x5A);
            assertThat(dst[2]).isEqualTo((byte) 0x5A);
            assertThat(dst[3 + size]).isEqualTo((byte) 0x5A);
            int[] back = new int[n + 2];
            packer.unpack(dst, 3, n, bits, back, 2);
            assertThat(Arrays.copyOfRange(back, 2, n + 2)).containsExactly(Arrays.copyOfRange(codes, 5, n + 5));
            assertThat(CodePacker.paddingIsZero(dst, 3, n, bits)).isTrue();
        }
    }

    @Test
    void bitOrderIsLsbFirstLittleEndian() {
        // 3-bit codes 1, 2, 7: stream bits 100 010 111 -> byte0 = 0b11_010_001, byte1 = 0b0000_0001
        byte[] packed = BitPacker.INSTANCE.pack(new int[] {1, 2, 7}, 3);
        assertThat(packed).containsExactly((byte) 0b11010001, (byte) 0b00000001);
        // 12-bit code 0xABC then 0x123: bytes BC, 3A, 12
        assertThat(BitPacker.INSTANCE.pack(new int[] {0xABC, 0x123}, 12))
                .containsExactly((byte) 0xBC, (byte) 0x3A, (byte) 0x12);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 4, 7, 8, 9, 16})
    void outOfRangeCodesAreRefusedByBoth(int bits) {
        int[] tooBig = new int[20];
        tooBig[13] = 1 << bits;
        int[] negative = new int[20];
        negative[4] = -1;
        for (CodePacker packer : new CodePacker[] {BitPacker.INSTANCE, ReferenceBitPacker.INSTANCE}) {
            assertThatThrownBy(() -> packer.pack(tooBig, bits))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("index 13");
            assertThatThrownBy(() -> packer.pack(negative, bits))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("index 4");
        }
    }

    @Test
    void paddingCheckSeesStrayBits() {
        byte[] packed = BitPacker.INSTANCE.pack(new int[] {1, 2, 7}, 3);
        packed[1] |= (byte) 0x80;
        assertThat(CodePacker.paddingIsZero(packed, 0, 3, 3)).isFalse();
    }

    @Test
    void sizesAndArgumentChecks() {
        assertThat(CodePacker.packedBytes(0, 5)).isZero();
        assertThat(CodePacker.packedBytes(1, 1)).isEqualTo(1);
        assertThat(CodePacker.packedBytes(9, 7)).isEqualTo(8);
        assertThat(CodePacker.packedBytes(1_000_000, 4)).isEqualTo(500_000);
        assertThat(CodePacker.packedBytes(3_000_000_000L, 16)).isEqualTo(6_000_000_000L);
        assertThatThrownBy(() -> CodePacker.packedBytes(1, 17)).hasMessageContaining("was 17");
        assertThatThrownBy(() -> CodePacker.packedBytes(-1, 8)).hasMessageContaining("was -1");
        assertThatThrownBy(() -> BitPacker.INSTANCE.unpack(new byte[3], 0, 4, 8))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("length 3");
        assertThatThrownBy(() -> BitPacker.INSTANCE.pack(new int[4], 0, 4, 8, new byte[3], 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("length 3");
    }
}
