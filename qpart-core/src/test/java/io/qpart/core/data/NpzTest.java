package io.qpart.core.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qpart.core.format.FormatException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NpzTest {

    @TempDir
    Path dir;

    static Map<String, byte[]> entries() {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("x.npy", TestFiles.npy("<f4", new long[] {3, 2},
                TestFiles.encode(ElementType.FLOAT32, ByteOrder.LITTLE_ENDIAN, TestFiles.ramp(6))));
        entries.put("y.npy", TestFiles.npy("<i8", new long[] {3},
                TestFiles.encode(ElementType.INT64, ByteOrder.LITTLE_ENDIAN, 2, 0, 1)));
        return entries;
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void readsStoredAndDeflatedArchives(boolean deflate) throws Exception {
        Path file = dir.resolve("d.npz");
        Files.write(file, TestFiles.zip(entries(), deflate));

        assertThat(Npz.arrayNames(file)).containsExactly("x", "y");
        Map<String, NumericArray> arrays = Npz.read(file, List.of("y", "x"));
        assertThat(arrays.keySet()).containsExactly("y", "x");
        assertThat(arrays.get("x").shape()).containsExactly(3, 2);
        assertThat(Conversions.labels(arrays.get("y"), "y")).containsExactly(2, 0, 1);
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void namesTheArraysFoundWhenOneIsMissing(boolean deflate) throws Exception {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("images.npy", entries().get("x.npy"));
        entries.put("labels.npy", entries().get("y.npy"));
        Path file = dir.resolve("other.npz");
        Files.write(file, TestFiles.zip(entries, deflate));

        assertThatThrownBy(() -> Npz.read(file, List.of("x")))
                .isInstanceOf(FormatException.class)
                .hasMessage(file + ": expected an array 'x' (entry x.npy), found arrays"
                        + " [images, labels]");
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void reportsTruncatedArchivesAsFormatErrors(boolean deflate) throws Exception {
        byte[] zip = TestFiles.zip(entries(), deflate);
        for (int length : new int[] {2, 4, 30, zip.length / 2, zip.length - 10, zip.length - 1}) {
            Path cut = dir.resolve("cut" + length + ".npz");
            Files.write(cut, Arrays.copyOf(zip, length));
            assertThatThrownBy(() -> Npz.read(cut, List.of("x", "y")))
                    .as("prefix of %d bytes", length)
                    .isInstanceOf(FormatException.class)
                    .hasMessageContaining(cut.toString());
        }
    }
}
