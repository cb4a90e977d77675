package io.qpart.core.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qpart.core.format.FormatException;
import io.qpart.core.format.FormatException.Reason;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class IdxTest {

    @TempDir
    Path dir;

    static Stream<Arguments> idxTypes() {
        return Stream.of(
                Arguments.of(0x08, ElementType.UINT8),
                Arguments.of(0x09, ElementType.INT8),
                Arguments.of(0x0B, ElementType.INT16),
                Arguments.of(0x0C, ElementType.INT32),
                Arguments.of(0x0D, ElementType.FLOAT32),
                Arguments.of(0x0E, ElementType.FLOAT64));
    }

    @ParameterizedTest
    @MethodSource("idxTypes")
    void roundTripsEveryType(int code, ElementType type) throws Exception {
        double[] values = NpyTest.randomValues(type, 2000L + code, 4 * 3 * 2);
        byte[] file = TestFiles.idx(code, new int[] {4, 3, 2},
                TestFiles.encode(type, ByteOrder.BIG_ENDIAN, values));

        NumericArray array = Idx.parse(ByteBuffer.wrap(file), "t.idx");

        assertThat(array.type()).isEqualTo(type);
        assertThat(array.byteOrder()).isEqualTo(ByteOrder.BIG_ENDIAN);
        assertThat(array.shape()).containsExactly(4, 3, 2);
        float[] inputs = Conversions.inputs(array, "t.idx");
        for (int i = 0; i < values.length; i++) {
            assertThat(inputs[i]).isEqualTo(NpyTest.expectedInput(type, values[i]));
        }
    }

    @Test
    void readsGzipCompressedFilesTransparently() throws Exception {
        byte[] file = TestFiles.idx(0x08, new int[] {2, 2}, new byte[] {0, (byte) 255, 51, 102});
        Path plain = dir.resolve("a-idx2-ubyte");
        Path gz = dir.resolve("a-idx2-ubyte.gz");
        Files.write(plain, file);
        Files.write(gz, TestFiles.gzip(file));

        assertThat(Idx.read(gz)).isEqualTo(Idx.read(plain));
        assertThat(Conversions.inputs(Idx.read(gz), "gz")).containsExactly(0f, 1f, 0.2f, 0.4f);
    }

    @Test
    void reportsTruncationAtEveryLength() throws Exception {
        byte[] file = TestFiles.idx(0x0D, new int[] {2, 3},
                TestFiles.encode(ElementType.FLOAT32, ByteOrder.BIG_ENDIAN, TestFiles.ramp(6)));
        for (int length = 0; length < file.length; length++) {
            ByteBuffer prefix = ByteBuffer.wrap(Arrays.copyOf(file, length));
            assertThatThrownBy(() -> Idx.parse(prefix, "cut"))
                    .as("prefix of %d bytes", length)
                    .isInstanceOf(FormatException.class)
                    .extracting(e -> ((FormatException) e).reason())
                    .isEqualTo(Reason.TRUNCATED);
        }
    }

    @Test
    void reportsTruncatedGzip() throws Exception {
        byte[] gz = TestFiles.gzip(TestFiles.idx(0x08, new int[] {100}, new byte[100]));
        for (int length : new int[] {2, 10, gz.length / 2, gz.length - 1}) {
            Path cut = dir.resolve("cut" + length + ".gz");
            Files.write(cut, Arrays.copyOf(gz, length));
            assertThatThrownBy(() -> Idx.read(cut))
                    .as("prefix of %d bytes", length)
                    .isInstanceOf(FormatException.class)
                    .hasMessageContaining("cut" + length + ".gz");
        }
    }

    @Test
    void refusesWrongMagicUnknownTypesAndTrailingBytes() {
        byte[] good = TestFiles.idx(0x08, new int[] {2}, new byte[] {1, 2});

        byte[] wrong = good.clone();
        wrong[1] = 8;
        assertThatThrownBy(() -> Idx.parse(ByteBuffer.wrap(wrong), "w"))
                .hasMessage("w: expected the IDX magic 00 00 <type> <dimensions>,"
                        + " found 00 08 08 01")
                .extracting(e -> ((FormatException) e).reason()).isEqualTo(Reason.BAD_MAGIC);

        byte[] unknownType = good.clone();
        unknownType[2] = 0x0A;
        assertThatThrownBy(() -> Idx.parse(ByteBuffer.wrap(unknownType), "u"))
                .hasMessageContaining("found 0a")
                .extracting(e -> ((FormatException) e).reason()).isEqualTo(Reason.UNSUPPORTED);

        byte[] noDims = {0, 0, 8, 0};
        assertThatThrownBy(() -> Idx.parse(ByteBuffer.wrap(noDims), "n"))
                .extracting(e -> ((FormatException) e).reason()).isEqualTo(Reason.INVALID_FIELD);

        byte[] longer = Arrays.copyOf(good, good.length + 1);
        assertThatThrownBy(() -> Idx.parse(ByteBuffer.wrap(longer), "l"))
                .extracting(e -> ((FormatException) e).reason()).isEqualTo(Reason.TRAILING_BYTES);
    }

    @Test
    void checksHugeDimensionsAgainstThePresentBytesBeforeAllocating() {
        byte[] file = TestFiles.idx(0x0E, new int[] {-1, -1, -1}, new byte[16]);
        assertThatThrownBy(() -> Idx.parse(ByteBuffer.wrap(file), "huge"))
                .isInstanceOf(FormatException.class)
                .hasMessageContaining("more bytes than fit in 64 bits");

        byte[] large = TestFiles.idx(0x08, new int[] {60_000, 28, 28}, new byte[16]);
        assertThatThrownBy(() -> Idx.parse(ByteBuffer.wrap(large), "large"))
                .hasMessage("large: expected 47040000 data bytes for UINT8 [60000, 28, 28],"
                        + " found 16")
                .extracting(e -> ((FormatException) e).reason()).isEqualTo(Reason.TRUNCATED);
    }
}
