package io.qpart.core.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qpart.core.format.FormatException;
import io.qpart.core.format.FormatException.Reason;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class NpyTest {

    static Stream<Arguments> typesAndOrders() {
        List<Arguments> cases = new ArrayList<>();
        for (ElementType type : ElementType.values()) {
            cases.add(Arguments.of(type, ByteOrder.LITTLE_ENDIAN));
            cases.add(Arguments.of(type, ByteOrder.BIG_ENDIAN));
        }
        return cases.stream();
    }

    /** Seeded values that {@code type} holds exactly. */
    static double[] randomValues(ElementType type, long seed, int count) {
        Random random = new Random(seed);
        double[] values = new double[count];
        for (int i = 0; i < count; i++) {
            values[i] = switch (type) {
                case BOOL -> random.nextInt(2);
                case INT8 -> random.nextInt(-128, 128);
                case UINT8 -> random.nextInt(256);
                case INT16 -> random.nextInt(-32768, 32768);
                case UINT16 -> random.nextInt(65536);
                case INT32 -> random.nextInt();
                case UINT32 -> random.nextLong(1L << 32);
                case INT64 -> random.nextLong(-(1L << 53), 1L << 53);
                case UINT64 -> random.nextLong(1L << 53);
                case FLOAT16 -> Float.float16ToFloat(Float.floatToFloat16(
                        (float) random.nextGaussian() * 100));
                case FLOAT32 -> (float) (random.nextGaussian() * 1e3);
                case FLOAT64 -> random.nextGaussian() * 1e6;
            };
        }
        return values;
    }

    static float expectedInput(ElementType type, double value) {
        return type == ElementType.UINT8 ? (float) value / 255f : (float) value;
    }

    static String descr(ElementType type, ByteOrder order) {
        char prefix = type.byteSize() == 1 ? '|' : order == ByteOrder.BIG_ENDIAN ? '>' : '<';
        return prefix + type.npyCode();
    }

    @ParameterizedTest
    @MethodSource("typesAndOrders")
    void roundTripsEveryTypeInBothByteOrders(ElementType type, ByteOrder order) throws Exception {
        double[] values = randomValues(type, 1000L + type.ordinal(), 3 * 7);
        byte[] file = TestFiles.npy(descr(type, order), new long[] {3, 7},
                TestFiles.encode(type, order, values));

        NumericArray array = Npy.parse(ByteBuffer.wrap(file), "t.npy");

        assertThat(array.type()).isEqualTo(type);
        assertThat(array.shape()).containsExactly(3, 7);
        if (type.byteSize() > 1) {
            assertThat(array.byteOrder()).isEqualTo(order);
        }
        float[] inputs = Conversions.inputs(array, "t.npy");
        for (int i = 0; i < values.length; i++) {
            assertThat(inputs[i]).as("element %d", i).isEqualTo(expectedInput(type, values[i]));
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3})
    void readsEveryHeaderVersion(int major) throws Exception {
        byte[] file = TestFiles.npy(major, "<f4", false, new long[] {2, 2},
                TestFiles.encode(ElementType.FLOAT32, ByteOrder.LITTLE_ENDIAN, 1.5, -2, 3, 4.25));

        NumericArray array = Npy.parse(ByteBuffer.wrap(file), "t.npy");

        assertThat(Conversions.inputs(array, "t")).containsExactly(1.5f, -2f, 3f, 4.25f);
        assertThat(file.length - 16).isEqualTo(64 * ((file.length - 16) / 64));
    }

    @Test
    void versionTwoHeaderLengthIsAFourByteField() throws Exception {
        String longKey = "x".repeat(70_000);
        String dict = "{'descr': '<i2', 'fortran_order': False, 'shape': (3,), '" + longKey
                + "': 1}";
        byte[] file = TestFiles.npyWithHeader(2, dict,
                TestFiles.encode(ElementType.INT16, ByteOrder.LITTLE_ENDIAN, -1, 0, 300));

        NumericArray array = Npy.parse(ByteBuffer.wrap(file), "big-header.npy");

        assertThat(Conversions.inputs(array, "t")).containsExactly(-1f, 0f, 300f);
    }

    @Test
    void readsScalarsEmptyArraysAndPythonTwoLongs() throws Exception {
        NumericArray scalar = Npy.parse(ByteBuffer.wrap(TestFiles.npyWithHeader(1,
                "{'descr': '<f8', 'fortran_order': False, 'shape': ()}",
                TestFiles.encode(ElementType.FLOAT64, ByteOrder.LITTLE_ENDIAN, 2.5))), "s");
        assertThat(scalar.rank()).isZero();
        assertThat(scalar.elementCount()).isOne();

        NumericArray empty = Npy.parse(ByteBuffer.wrap(
                TestFiles.npy("<f4", new long[] {0, 5}, new byte[0])), "e");
        assertThat(empty.shape()).containsExactly(0, 5);

        NumericArray python2 = Npy.parse(ByteBuffer.wrap(TestFiles.npyWithHeader(1,
                "{\"descr\": \"|u1\", \"fortran_order\": False, \"shape\": (2L, 1L)}",
                new byte[] {7, 9})), "p2");
        assertThat(python2.shape()).containsExactly(2, 1);
    }

    @Test
    void convertsFullRangeUnsigned64BitValues() throws Exception {
        byte[] data = ByteBuffer.allocate(8).putLong(-1L).array();
        NumericArray array = Npy.parse(ByteBuffer.wrap(
                TestFiles.npy(">u8", new long[] {1}, data)), "u8");

        assertThat(Conversions.inputs(array, "u8")).containsExactly(1.8446744e19f);
    }

    @Test
    void refusesFortranOrderForMatricesButNotVectors() throws Exception {
        byte[] data = TestFiles.encode(ElementType.FLOAT32, ByteOrder.LITTLE_ENDIAN, 1, 2, 3, 4);
        byte[] matrix = TestFiles.npy(1, "<f4", true, new long[] {2, 2}, data);
        assertThatThrownBy(() -> Npy.parse(ByteBuffer.wrap(matrix), "f.npy"))
                .isInstanceOf(FormatException.class)
                .hasMessageContaining("fortran_order True")
                .hasMessageContaining("ascontiguousarray")
                .extracting(e -> ((FormatException) e).reason()).isEqualTo(Reason.UNSUPPORTED);

        byte[] vector = TestFiles.npy(1, "<f4", true, new long[] {4}, data);
        assertThat(Npy.parse(ByteBuffer.wrap(vector), "v.npy").shape()).containsExactly(4);
    }

    @ParameterizedTest
    @ValueSource(strings = {"<U5", "|O", "<c8", ">f", "f4", "|f4", "<f16"})
    void refusesUnsupportedDescr(String descr) {
        byte[] file = TestFiles.npy(descr, new long[] {1}, new byte[4]);
        assertThatThrownBy(() -> Npy.parse(ByteBuffer.wrap(file), "d.npy"))
                .isInstanceOf(FormatException.class)
                .hasMessageContaining("'" + descr + "'");
    }

    @Test
    void refusesStructuredArrays() {
        byte[] file = TestFiles.npyWithHeader(1, "{'descr': [('a', '<i4'), ('b', '<f4')],"
                + " 'fortran_order': False, 'shape': (1,)}", new byte[8]);
        assertThatThrownBy(() -> Npy.parse(ByteBuffer.wrap(file), "s.npy"))
                .isInstanceOf(FormatException.class)
                .hasMessageContaining("structured arrays are not supported");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{'descr': '<f4', 'shape': (1,)}",
        "{'descr': '<f4', 'fortran_order': 0, 'shape': (1,)}",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (-1,)}",
        "{'descr': '<f4', 'fortran_order': False, 'shape': ('1',)}",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (1,)",
        "{'descr': '<f4', 'fortran_order': Flase, 'shape': (1,)}",
        "['descr', '<f4']",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,)}",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296, 4)}",
    })
    void refusesMalformedHeaders(String dict) {
        byte[] file = TestFiles.npyWithHeader(1, dict, new byte[4]);
        assertThatThrownBy(() -> Npy.parse(ByteBuffer.wrap(file), "h.npy"))
                .isInstanceOf(FormatException.class)
                .extracting(e -> ((FormatException) e).reason())
                .isEqualTo(Reason.INVALID_FIELD);
    }

    @Test
    void reportsTruncationAtEveryLength() {
        byte[] file = TestFiles.npy("<i4", new long[] {2, 3},
                TestFiles.encode(ElementType.INT32, ByteOrder.LITTLE_ENDIAN, TestFiles.ramp(6)));
        for (int length = 0; length < file.length; length++) {
            ByteBuffer prefix = ByteBuffer.wrap(Arrays.copyOf(file, length));
            assertThatThrownBy(() -> Npy.parse(prefix, "cut.npy"))
                    .as("prefix of %d bytes", length)
                    .isInstanceOf(FormatException.class)
                    .hasMessageStartingWith("cut.npy: expected")
                    .extracting(e -> ((FormatException) e).reason())
                    .isEqualTo(Reason.TRUNCATED);
        }
    }

    @Test
    void refusesTrailingBytesWrongMagicAndUnknownVersions() {
        byte[] file = TestFiles.npy("|u1", new long[] {2}, new byte[] {1, 2});
        byte[] longer = Arrays.copyOf(file, file.length + 3);
        assertThatThrownBy(() -> Npy.parse(ByteBuffer.wrap(longer), "t.npy"))
                .hasMessageContaining("3 extra")
                .extracting(e -> ((FormatException) e).reason()).isEqualTo(Reason.TRAILING_BYTES);

        byte[] html = "<html><body>".getBytes(StandardCharsets.US_ASCII);
        html[0] = (byte) 0x93;
        assertThatThrownBy(() -> Npy.parse(ByteBuffer.wrap(html), "m.npy"))
                .hasMessageContaining("found 93 68 74 6d 6c 3e")
                .extracting(e -> ((FormatException) e).reason()).isEqualTo(Reason.BAD_MAGIC);

        byte[] future = file.clone();
        future[6] = 4;
        assertThatThrownBy(() -> Npy.parse(ByteBuffer.wrap(future), "v.npy"))
                .hasMessageContaining("found 4.0")
                .extracting(e -> ((FormatException) e).reason())
                .isEqualTo(Reason.UNSUPPORTED_VERSION);
    }

    @Test
    void parsesFromTheBufferPositionWithoutMovingIt() throws Exception {
        byte[] file = TestFiles.npy("|i1", new long[] {2}, new byte[] {-5, 6});
        ByteBuffer buffer = ByteBuffer.allocate(file.length + 10);
        buffer.position(10);
        buffer.put(file).position(10);

        NumericArray array = Npy.parse(buffer, "offset");

        assertThat(buffer.position()).isEqualTo(10);
        assertThat(Conversions.inputs(array, "offset")).containsExactly(-5f, 6f);
    }
}
