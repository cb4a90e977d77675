package io.qpart.core.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DatasetTest {

    private static Dataset random(long[] sampleShape, int size, long seed) {
        Random random = new Random(seed);
        int values = (int) NumericArray.elementCount(sampleShape);
        float[] inputs = new float[size * values];
        for (int i = 0; i < inputs.length; i++) {
            inputs[i] = random.nextFloat();
        }
        int[] labels = new int[size];
        for (int i = 0; i < size; i++) {
            labels[i] = random.nextInt(10);
        }
        return Dataset.of(sampleShape, inputs, labels);
    }

    @Test
    void validatesLengthsAndLabels() {
        assertThatThrownBy(() -> Dataset.of(new long[] {2, 2}, new float[7], new int[2]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("expected 2 samples x 4 values (shape [2, 2]) = 8 input values,"
                        + " found 7");
        assertThatThrownBy(() -> Dataset.of(new long[] {1}, new float[2], new int[] {0, -4}))
                .hasMessage("labels must be class indices >= 0; label 1 is -4");
        assertThatThrownBy(() -> Dataset.of(new long[] {-1}, new float[0], new int[0]))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void copiesArraysInAndOut() {
        float[] inputs = {1, 2, 3, 4};
        int[] labels = {5, 6};
        long[] shape = {2};
        Dataset data = Dataset.of(shape, inputs, labels);
        inputs[0] = 99;
        labels[0] = 99;
        shape[0] = 99;
        data.inputs()[1] = 99;
        data.labels()[1] = 99;
        data.sampleShape()[0] = 99;

        assertThat(data.inputs()).containsExactly(1, 2, 3, 4);
        assertThat(data.labels()).containsExactly(5, 6);
        assertThat(data.sampleShape()).containsExactly(2);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 7, 8, 9})
    void slicesAreViewsOfTheRightSamples(int from) {
        Dataset data = random(new long[] {3, 2}, 10, 31 + from);
        Dataset slice = data.slice(from, 10);

        assertThat(slice.size()).isEqualTo(10 - from);
        for (int i = 0; i < slice.size(); i++) {
            assertThat(slice.sample(i)).containsExactly(data.sample(from + i));
            assertThat(slice.label(i)).isEqualTo(data.label(from + i));
        }
        float[] copied = new float[slice.size() * 6];
        if (slice.size() > 0) {
            slice.copyInputs(0, slice.size(), copied, 0);
        }
        assertThat(copied).containsExactly(slice.inputs());
        FloatBuffer buffer = slice.inputBuffer(0, slice.size());
        assertThat(buffer.isReadOnly()).isTrue();
        assertThat(buffer.remaining()).isEqualTo(copied.length);
        if (copied.length > 0) {
            assertThat(buffer.get(0)).isEqualTo(copied[0]);
        }
        assertThat(slice.first(2).labels())
                .containsExactly(Arrays.copyOfRange(data.labels(), from, Math.min(from + 2, 10)));
    }

    @Test
    void firstClampsAndSliceChecksBounds() {
        Dataset data = random(new long[] {1}, 4, 5);
        assertThat(data.first(100).size()).isEqualTo(4);
        assertThat(data.first(0).size()).isZero();
        assertThatThrownBy(() -> data.slice(3, 2))
                .hasMessage("expected 0 <= from <= to <= 4, found from 3, to 2");
        assertThatThrownBy(() -> data.first(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void reshapesFlatSamplesToImages() {
        Dataset flat = random(new long[] {784}, 3, 1);
        Dataset images = flat.reshapedTo(new long[] {-1, 1, 28, 28});

        assertThat(images.sampleShape()).containsExactly(1, 28, 28);
        assertThat(images.inputs()).containsExactly(flat.inputs());
        assertThat(images.batchShape(3)).containsExactly(3, 1, 28, 28);
    }

    @Test
    void reshapesImagesToFlatSamples() {
        Dataset images = random(new long[] {28, 28}, 2, 2);
        assertThat(images.reshapedTo("input", new long[] {1, 784}).sampleShape())
                .containsExactly(784);
    }

    @Test
    void solvesOneUnknownDimension() {
        Dataset data = random(new long[] {3, 32, 32}, 1, 3);
        assertThat(data.reshapedTo(new long[] {-1, 3, -1, 32}).sampleShape())
                .containsExactly(3, 32, 32);
        assertThat(data.reshapedTo(new long[] {-1, -1}).sampleShape()).containsExactly(3072);
    }

    @Test
    void fillsSeveralUnknownDimensionsOnlyFromAMatchingSampleShape() {
        Dataset data = random(new long[] {3, 32, 32}, 1, 4);
        assertThat(data.reshapedTo(new long[] {-1, 3, -1, -1}).sampleShape())
                .containsExactly(3, 32, 32);
        assertThatThrownBy(() -> data.reshapedTo("img", new long[] {-1, -1, -1}))
                .hasMessage("data has 3072 values per sample (shape [3, 32, 32]); the model input"
                        + " 'img' expects [batch, ?, ?] (2 unknown dimensions, which only a"
                        + " sample shape of the same rank agreeing on the known ones can fill)");
    }

    @Test
    void explainsAMismatchInOneLine() {
        Dataset digits = random(new long[] {28, 28}, 1, 6);
        assertThatThrownBy(() -> digits.reshapedTo("input", new long[] {-1, 3, 32, 32}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("data has 784 values per sample (shape [28, 28]); the model input"
                        + " 'input' expects [batch, 3, 32, 32] = 3072 values");
        assertThatThrownBy(() -> digits.reshapedTo(new long[] {-1, 3, -1}))
                .hasMessage("data has 784 values per sample (shape [28, 28]); the model input"
                        + " expects [batch, 3, ?] = a multiple of 3 values");
        assertThatThrownBy(() -> digits.reshapedTo(new long[] {}))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> digits.reshapedTo(new long[] {-1, -2, 392}))
                .hasMessageContaining("found -2");
    }

    @Test
    void hashCoversShapeInputsAndLabels() {
        Dataset data = random(new long[] {4, 4}, 20, 7);
        String hash = data.sha256();

        assertThat(hash).hasSize(64).matches("[0-9a-f]{64}");
        assertThat(Dataset.of(data.sampleShape(), data.inputs(), data.labels()).sha256())
                .isEqualTo(hash);
        assertThat(data.slice(0, 20).sha256()).isEqualTo(hash);
        assertThat(data.reshapedTo(new long[] {-1, 16}).sha256()).isNotEqualTo(hash);
        assertThat(data.first(19).sha256()).isNotEqualTo(hash);

        float[] inputs = data.inputs();
        inputs[123] = Math.nextUp(inputs[123]);
        assertThat(Dataset.of(data.sampleShape(), inputs, data.labels()).sha256())
                .isNotEqualTo(hash);
        int[] labels = data.labels();
        labels[19] = labels[19] + 1;
        assertThat(Dataset.of(data.sampleShape(), data.inputs(), labels).sha256())
                .isNotEqualTo(hash);
    }

    @Test
    void hashesViewsAsTheirOwnContent() {
        Dataset data = random(new long[] {1021}, 40, 8);
        Dataset tail = data.slice(17, 40);
        Dataset copy = Dataset.of(tail.sampleShape(), tail.inputs(), tail.labels());
        assertThat(tail.sha256()).isEqualTo(copy.sha256());
    }
}
