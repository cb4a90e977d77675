package io.qpart.core.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qpart.core.format.FormatException;
import io.qpart.core.format.FormatException.Reason;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DatasetReaderTest {

    @TempDir
    Path dir;

    private static byte[] uint8Images(int count, int side, long seed) {
        byte[] pixels = new byte[count * side * side];
        new Random(seed).nextBytes(pixels);
        return pixels;
    }

    private static byte[] int64Labels(int... labels) {
        double[] values = new double[labels.length];
        for (int i = 0; i < labels.length; i++) {
            values[i] = labels[i];
        }
        return TestFiles.npy("<i8", new long[] {labels.length},
                TestFiles.encode(ElementType.INT64, ByteOrder.LITTLE_ENDIAN, values));
    }

    private Path write(String name, byte[] bytes) throws Exception {
        Path path = dir.resolve(name);
        Files.write(path, bytes);
        return path;
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void readsNpzWithXAndY(boolean compressed) throws Exception {
        byte[] pixels = uint8Images(5, 4, 11);
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("x.npy", TestFiles.npy("|u1", new long[] {5, 4, 4}, pixels));
        entries.put("y.npy", int64Labels(3, 1, 4, 1, 5));
        Path file = write("d.npz", TestFiles.zip(entries, compressed));

        Dataset data = DatasetReader.read(file, null);

        assertThat(data.size()).isEqualTo(5);
        assertThat(data.sampleShape()).containsExactly(4, 4);
        assertThat(data.labels()).containsExactly(3, 1, 4, 1, 5);
        float[] inputs = data.inputs();
        for (int i = 0; i < pixels.length; i++) {
            assertThat(inputs[i]).isEqualTo((pixels[i] & 0xff) / 255f);
        }
    }

    @Test
    void npzWithoutXNamesWhatItHolds() throws Exception {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("x_test.npy", TestFiles.npy("|u1", new long[] {1}, new byte[1]));
        entries.put("y_test.npy", int64Labels(0));
        Path file = write("keras.npz", TestFiles.zip(entries, true));

        assertThatThrownBy(() -> DatasetReader.read(file, null))
                .isInstanceOf(FormatException.class)
                .hasMessage(file + ": expected an array 'x' (entry x.npy), found arrays"
                        + " [x_test, y_test]");
    }

    @Test
    void npzTakesAnExplicitLabelsFileInsteadOfY() throws Exception {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("x.npy", TestFiles.npy("<f4", new long[] {2, 1},
                TestFiles.encode(ElementType.FLOAT32, ByteOrder.LITTLE_ENDIAN, 0.5, -0.5)));
        Path file = write("only-x.npz", TestFiles.zip(entries, false));
        Path labels = write("labels.npy", int64Labels(7, 8));

        Dataset data = DatasetReader.read(file, labels);

        assertThat(data.inputs()).containsExactly(0.5f, -0.5f);
        assertThat(data.labels()).containsExactly(7, 8);
    }

    @ParameterizedTest
    @ValueSource(strings = {"test-labels.npy", "test_labels.npy"})
    void findsSiblingNpyLabels(String labelsName) throws Exception {
        Path images = write("test.npy", TestFiles.npy("|u1", new long[] {2, 3}, new byte[6]));
        write(labelsName, int64Labels(9, 2));

        Dataset data = DatasetReader.read(images, null);

        assertThat(data.labels()).containsExactly(9, 2);
        assertThat(data.sampleShape()).containsExactly(3);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "t10k-images-idx3-ubyte", "t10k-images.idx3-ubyte", "t10k-images-idx3-ubyte.gz"})
    void findsSiblingMnistLabelsPlainOrGzipped(String imagesName) throws Exception {
        byte[] pixels = uint8Images(3, 28, 21);
        byte[] images = TestFiles.idx(0x08, new int[] {3, 28, 28}, pixels);
        byte[] labels = TestFiles.idx(0x08, new int[] {3}, new byte[] {7, 2, 1});
        boolean gzipped = imagesName.endsWith(".gz");
        Path imagesPath = write(imagesName, gzipped ? TestFiles.gzip(images) : images);
        String labelsName = imagesName.replace("images", "labels").replace("idx3", "idx1");
        write(labelsName, gzipped ? TestFiles.gzip(labels) : labels);

        Dataset data = DatasetReader.read(imagesPath, null);

        assertThat(data.size()).isEqualTo(3);
        assertThat(data.sampleShape()).containsExactly(28, 28);
        assertThat(data.labels()).containsExactly(7, 2, 1);
        assertThat(data.sample(2)[0]).isEqualTo((pixels[2 * 784] & 0xff) / 255f);
    }

    @Test
    void listsLabelCandidates() {
        assertThat(DatasetReader.labelCandidates(Path.of("d", "train-images-idx3-ubyte")))
                .containsExactly(Path.of("d", "train-labels-idx1-ubyte"),
                        Path.of("d", "train-labels-idx1-ubyte.gz"));
        assertThat(DatasetReader.labelCandidates(Path.of("t10k-images.idx3-ubyte.gz")))
                .containsExactly(Path.of("t10k-labels.idx1-ubyte.gz"),
                        Path.of("t10k-labels.idx1-ubyte"));
        assertThat(DatasetReader.labelCandidates(Path.of("cifar.npy")))
                .containsExactly(Path.of("cifar-labels.npy"), Path.of("cifar-labels.npy.gz"),
                        Path.of("cifar_labels.npy"), Path.of("cifar_labels.npy.gz"));
        assertThat(DatasetReader.labelCandidates(Path.of("blob.bin"))).isEmpty();
    }

    @Test
    void missingLabelsTellTheUserToPassThem() throws Exception {
        Path images = write("faces.npy", TestFiles.npy("|u1", new long[] {1, 1}, new byte[1]));

        assertThatThrownBy(() -> DatasetReader.read(images, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("no labels file for " + images + " (looked for faces-labels.npy,"
                        + " faces-labels.npy.gz, faces_labels.npy, faces_labels.npy.gz beside it);"
                        + " pass --labels FILE");
    }

    @Test
    void readsAnExplicitIdxLabelsFileForNpyImagesAndTheReverse() throws Exception {
        Path npyImages = write("a.npy", TestFiles.npy("<i2", new long[] {2, 2},
                TestFiles.encode(ElementType.INT16, ByteOrder.LITTLE_ENDIAN, -3, 1000, 7, 0)));
        Path idxLabels = write("l.idx", TestFiles.idx(0x08, new int[] {2}, new byte[] {1, 0}));
        Dataset data = DatasetReader.read(npyImages, idxLabels);
        assertThat(data.inputs()).containsExactly(-3f, 1000f, 7f, 0f);
        assertThat(data.labels()).containsExactly(1, 0);

        Path idxImages = write("i.idx", TestFiles.idx(0x0D, new int[] {1, 2},
                TestFiles.encode(ElementType.FLOAT32, ByteOrder.BIG_ENDIAN, 0.25, 2)));
        Path npyLabels = write("m.npy", int64Labels(4));
        Dataset other = DatasetReader.read(idxImages, npyLabels);
        assertThat(other.inputs()).containsExactly(0.25f, 2f);
        assertThat(other.labels()).containsExactly(4);
    }

    @Test
    void takesLabelsFromTheYArrayOfAnNpzLabelsFile() throws Exception {
        Path images = write("p.npy", TestFiles.npy("|u1", new long[] {2, 1}, new byte[2]));
        Path labels = write("p-labels.npz", TestFiles.zip(Map.of("y.npy", int64Labels(6, 3)),
                true));

        assertThat(DatasetReader.read(images, labels).labels()).containsExactly(6, 3);
    }

    @Test
    void readsGzippedNpy() throws Exception {
        byte[] npy = TestFiles.npy("<f8", new long[] {2},
                TestFiles.encode(ElementType.FLOAT64, ByteOrder.LITTLE_ENDIAN, 1e-3, 2));
        Path images = write("v.npy.gz", TestFiles.gzip(npy));
        write("v-labels.npy", int64Labels(0, 1));

        Dataset data = DatasetReader.read(images, null);

        assertThat(data.sampleShape()).isEmpty();
        assertThat(data.inputs()).containsExactly(1e-3f, 2f);
    }

    @Test
    void refusesMismatchedCounts() throws Exception {
        Path images = write("n.npy", TestFiles.npy("|u1", new long[] {3, 2}, new byte[6]));
        Path labels = write("n-labels.npy", int64Labels(1, 2));

        assertThatThrownBy(() -> DatasetReader.read(images, labels))
                .isInstanceOf(FormatException.class)
                .hasMessage("expected as many labels as input samples, found 3 samples in "
                        + images + " and 2 labels in " + labels);
    }

    @Test
    void refusesNegativeLabels() throws Exception {
        Path images = write("n.npy", TestFiles.npy("|u1", new long[] {3, 2}, new byte[6]));
        Path labels = write("n-labels.npy", TestFiles.npy("|i1", new long[] {3},
                new byte[] {1, -1, 2}));

        assertThatThrownBy(() -> DatasetReader.read(images, labels))
                .isInstanceOf(FormatException.class)
                .hasMessage(labels + ": expected class indices >= 0 as labels,"
                        + " found -1 at index 1");
    }

    @Test
    void acceptsWholeFloatLabelsOnly() throws Exception {
        Path images = write("f.npy", TestFiles.npy("|u1", new long[] {2, 1}, new byte[2]));
        Path whole = write("whole.npy", TestFiles.npy("<f4", new long[] {2, 1},
                TestFiles.encode(ElementType.FLOAT32, ByteOrder.LITTLE_ENDIAN, 3, 0)));
        assertThat(DatasetReader.read(images, whole).labels()).containsExactly(3, 0);

        Path fractional = write("frac.npy", TestFiles.npy("<f8", new long[] {2},
                TestFiles.encode(ElementType.FLOAT64, ByteOrder.LITTLE_ENDIAN, 1, 2.5)));
        assertThatThrownBy(() -> DatasetReader.read(images, fractional))
                .hasMessage(fractional + ": expected whole numbers as labels,"
                        + " found 2.5 at index 1");

        Path oneHot = write("hot.npy", TestFiles.npy("|u1", new long[] {2, 2},
                new byte[] {0, 1, 1, 0}));
        assertThatThrownBy(() -> DatasetReader.read(images, oneHot))
                .hasMessageContaining("found [2, 2]; one-hot labels are not supported");
    }

    @Test
    void refusesLabelsBeyondTheIntRange() {
        NumericArray inputs = new NumericArray(ElementType.UINT8, ByteOrder.LITTLE_ENDIAN,
                new long[] {1}, java.nio.ByteBuffer.wrap(new byte[1]));
        NumericArray big = new NumericArray(ElementType.UINT64, ByteOrder.LITTLE_ENDIAN,
                new long[] {1}, java.nio.ByteBuffer.wrap(TestFiles.encode(ElementType.INT64,
                        ByteOrder.LITTLE_ENDIAN, -1)));
        assertThatThrownBy(() -> DatasetReader.fromArrays(inputs, big))
                .hasMessage("labels: expected class indices <= 2147483647 as labels, found"
                        + " 18446744073709551615 at index 0");
    }

    @Test
    void refusesUnknownFormatsAndEmptyFiles() throws Exception {
        Path html = write("page.npy", "<!doctype html>".getBytes(StandardCharsets.US_ASCII));
        assertThatThrownBy(() -> DatasetReader.read(html, html))
                .hasMessage(html + ": expected .npy (93 4e 55 4d 50 59), .npz (50 4b) or IDX"
                        + " (00 00 <type> <dimensions>) data, found 3c 21 64 6f 63 74 79 70")
                .extracting(e -> ((FormatException) e).reason()).isEqualTo(Reason.BAD_MAGIC);

        Path empty = write("empty.npy", new byte[0]);
        assertThatThrownBy(() -> DatasetReader.read(empty, empty))
                .extracting(e -> ((FormatException) e).reason()).isEqualTo(Reason.TRUNCATED);
    }

    @Test
    void reportsTruncatedDataFilesAtSeveralLengths() throws Exception {
        byte[] idx = TestFiles.idx(0x08, new int[] {4, 5, 5}, uint8Images(4, 5, 3));
        byte[] npy = TestFiles.npy("|u1", new long[] {4, 5, 5}, uint8Images(4, 5, 3));
        Path labels = write("labels.idx", TestFiles.idx(0x08, new int[] {4}, new byte[4]));
        for (byte[] file : new byte[][] {idx, npy}) {
            for (int length : new int[] {1, 3, 5, 9, 15, 70, file.length - 1}) {
                Path cut = write("cut-" + length, Arrays.copyOf(file, length));
                assertThatThrownBy(() -> DatasetReader.read(cut, labels))
                        .as("prefix of %d bytes", length)
                        .isInstanceOf(FormatException.class)
                        .extracting(e -> ((FormatException) e).reason())
                        .isEqualTo(Reason.TRUNCATED);
            }
        }
    }

    @Test
    void readsTenThousandMnistSizedSamples() throws Exception {
        int count = 10_000;
        byte[] pixels = uint8Images(count, 28, 99);
        byte[] labels = new byte[count];
        for (int i = 0; i < count; i++) {
            labels[i] = (byte) (i % 10);
        }
        Path images = write("big-images-idx3-ubyte",
                TestFiles.idx(0x08, new int[] {count, 28, 28}, pixels));
        write("big-labels-idx1-ubyte", TestFiles.idx(0x08, new int[] {count}, labels));

        Dataset data = DatasetReader.read(images, null);

        assertThat(data.size()).isEqualTo(count);
        assertThat(data.label(count - 1)).isEqualTo(9);
        assertThat(data.sample(count - 1)[783]).isEqualTo((pixels[count * 784 - 1] & 0xff) / 255f);
    }
}
