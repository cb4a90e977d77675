package io.qpart.core.data;

import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * Labelled evaluation samples: {@link #size()} samples of one per-sample shape, inputs as
 * {@code float} values and labels as class indices {@code >= 0}.
 *
 * <p>Inputs are stored sample-major in one contiguous {@code float[]}: sample {@code i} occupies
 * {@code [i * valuesPerSample, (i + 1) * valuesPerSample)} of {@link #inputs()}, row-major within
 * the sample. How stored file values became floats (uint8 scaled by 1/255, other integers cast,
 * floats kept) is decided by {@link DatasetReader}; this class only holds the result.
 *
 * <p>Immutable. {@link #of} copies its arrays; {@link #slice}, {@link #first} and
 * {@link #reshapedTo} return views that share the same storage, and every accessor that returns an
 * array returns a copy. This is a class rather than a record so that those views can share storage.
 */
public final class Dataset {

    private static final byte[] HASH_DOMAIN =
            "qpart.dataset.v1\n".getBytes(StandardCharsets.US_ASCII);

    private final long[] sampleShape;
    private final int valuesPerSample;
    private final float[] inputs;
    private final int[] labels;
    private final int firstSample;
    private final int size;

    private Dataset(long[] sampleShape, int valuesPerSample, float[] inputs, int[] labels,
                    int firstSample, int size) {
        this.sampleShape = sampleShape;
        this.valuesPerSample = valuesPerSample;
        this.inputs = inputs;
        this.labels = labels;
        this.firstSample = firstSample;
        this.size = size;
    }

    /**
     * A data set of {@code labels.length} samples of shape {@code sampleShape}; the arrays are
     * copied.
     *
     * @param sampleShape shape of one sample without the batch axis, each dimension {@code >= 0};
     *     empty for scalar samples
     * @param inputs {@code labels.length * prod(sampleShape)} values, sample-major
     * @param labels one class index {@code >= 0} per sample
     * @throws IllegalArgumentException when the lengths disagree or a label is negative
     */
    public static Dataset of(long[] sampleShape, float[] inputs, int[] labels) {
        return wrap(sampleShape.clone(), inputs.clone(), labels.clone());
    }

    /** Like {@link #of} but takes ownership of the arrays instead of copying them. */
    static Dataset wrap(long[] sampleShape, float[] inputs, int[] labels) {
        Objects.requireNonNull(inputs, "inputs");
        Objects.requireNonNull(labels, "labels");
        int valuesPerSample = valuesPerSample(sampleShape);
        long expected = (long) labels.length * valuesPerSample;
        if (inputs.length != expected) {
            throw new IllegalArgumentException("expected " + labels.length + " samples x "
                    + valuesPerSample + " values (shape " + Arrays.toString(sampleShape) + ") = "
                    + expected + " input values, found " + inputs.length);
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0) {
                throw new IllegalArgumentException(
                        "labels must be class indices >= 0; label " + i + " is " + labels[i]);
            }
        }
        return new Dataset(sampleShape, valuesPerSample, inputs, labels, 0, labels.length);
    }

    private static int valuesPerSample(long[] sampleShape) {
        long count;
        try {
            count = NumericArray.elementCount(sampleShape);
        } catch (ArithmeticException e) {
            count = Long.MAX_VALUE;
        }
        if (count > Bytes.MAX_ARRAY_LENGTH) {
            throw new IllegalArgumentException("expected a sample shape of at most "
                    + Bytes.MAX_ARRAY_LENGTH + " values, found " + Arrays.toString(sampleShape));
        }
        return (int) count;
    }

    /** The number of samples. */
    public int size() {
        return size;
    }

    /** A copy of the shape of one sample, without the batch axis. */
    public long[] sampleShape() {
        return sampleShape.clone();
    }

    /** The number of input values in one sample: the product of {@link #sampleShape()}. */
    public int valuesPerSample() {
        return valuesPerSample;
    }

    /** {@code [batchSize, sampleShape...]}: the tensor shape of {@code batchSize} samples. */
    public long[] batchShape(int batchSize) {
        if (batchSize < 0) {
            throw new IllegalArgumentException("batch size must be >= 0, was " + batchSize);
        }
        long[] shape = new long[sampleShape.length + 1];
        shape[0] = batchSize;
        System.arraycopy(sampleShape, 0, shape, 1, sampleShape.length);
        return shape;
    }

    /** The label of sample {@code index}. */
    public int label(int index) {
        Objects.checkIndex(index, size);
        return labels[firstSample + index];
    }

    /** A copy of all labels, one per sample. */
    public int[] labels() {
        return Arrays.copyOfRange(labels, firstSample, firstSample + size);
    }

    /** A copy of all input values, sample-major. */
    public float[] inputs() {
        return Arrays.copyOfRange(inputs, start(0), start(size));
    }

    /** A copy of the input values of sample {@code index}. */
    public float[] sample(int index) {
        Objects.checkIndex(index, size);
        return Arrays.copyOfRange(inputs, start(index), start(index + 1));
    }

    /**
     * Copies the inputs of samples {@code [from, to)} into {@code destination} starting at
     * {@code offset}: {@code (to - from) * valuesPerSample()} values.
     */
    public void copyInputs(int from, int to, float[] destination, int offset) {
        Objects.checkFromToIndex(from, to, size);
        System.arraycopy(inputs, start(from), destination, offset, start(to) - start(from));
    }

    /**
     * A read-only buffer over the inputs of samples {@code [from, to)}, positioned at 0; no
     * values are copied.
     */
    public FloatBuffer inputBuffer(int from, int to) {
        Objects.checkFromToIndex(from, to, size);
        return FloatBuffer.wrap(inputs, start(from), start(to) - start(from))
                .slice().asReadOnlyBuffer();
    }

    /** The first {@code count} samples, or all of them when there are fewer; a view. */
    public Dataset first(int count) {
        if (count < 0) {
            throw new IllegalArgumentException("sample count must be >= 0, was " + count);
        }
        return slice(0, Math.min(count, size));
    }

    /** Samples {@code [from, to)}; a view sharing this data set's storage. */
    public Dataset slice(int from, int to) {
        if (from < 0 || to < from || to > size) {
            throw new IllegalArgumentException("expected 0 <= from <= to <= " + size
                    + ", found from " + from + ", to " + to);
        }
        return new Dataset(sampleShape, valuesPerSample, inputs, labels, firstSample + from,
                to - from);
    }

    /**
     * This data set with each sample given the shape a model input expects, as a view.
     *
     * @param modelInputShape the model input's shape; axis 0 is the batch axis (its value is
     *     ignored); {@code -1} marks a dimension the model leaves unknown
     * @throws IllegalArgumentException when the values per sample cannot fill the model's shape
     * @see #reshapedTo(String, long[])
     */
    public Dataset reshapedTo(long[] modelInputShape) {
        return reshapedTo(null, modelInputShape);
    }

    /**
     * This data set with each sample given the shape a model input expects, as a view.
     *
     * <p>The new per-sample shape is {@code modelInputShape} without axis 0. When every one of
     * those dimensions is known their product must equal {@link #valuesPerSample()}. One unknown
     * ({@code -1}) dimension is solved for when the known ones divide the values per sample.
     * Several unknown dimensions are filled from {@link #sampleShape()} when it has the same rank
     * and agrees on every known dimension; otherwise the shape is not determined and this throws.
     *
     * @param inputName the model input's name for the error message, or {@code null}
     * @param modelInputShape the model input's shape, batch axis first
     * @throws IllegalArgumentException with a one-line message saying both sizes when they do not
     *     fit
     */
    public Dataset reshapedTo(String inputName, long[] modelInputShape) {
        long[] model = modelInputShape.clone();
        if (model.length == 0) {
            throw new IllegalArgumentException("expected a model input shape with a batch axis,"
                    + " found a scalar shape []");
        }
        long known = 1;
        int unknown = 0;
        int unknownAxis = -1;
        for (int axis = 1; axis < model.length; axis++) {
            if (model[axis] == -1) {
                unknown++;
                unknownAxis = axis;
            } else if (model[axis] < 0) {
                throw new IllegalArgumentException("expected model input dimensions >= 0 or -1"
                        + " (unknown), found " + model[axis] + " in " + Arrays.toString(model));
            } else {
                known = multiplyOrMax(known, model[axis]);
            }
        }
        long[] shape = Arrays.copyOfRange(model, 1, model.length);
        if (unknown == 0 && known == valuesPerSample) {
            return withSampleShape(shape);
        }
        if (unknown == 1 && known > 0 && valuesPerSample % known == 0) {
            shape[unknownAxis - 1] = valuesPerSample / known;
            return withSampleShape(shape);
        }
        if (unknown >= 1 && sampleShape.length == shape.length) {
            boolean agrees = true;
            for (int axis = 0; axis < shape.length; axis++) {
                agrees &= shape[axis] == -1 || shape[axis] == sampleShape[axis];
            }
            if (agrees) {
                return withSampleShape(sampleShape);
            }
        }
        throw new IllegalArgumentException(mismatch(inputName, model, known, unknown));
    }

    private Dataset withSampleShape(long[] shape) {
        return new Dataset(shape, valuesPerSample, inputs, labels, firstSample, size);
    }

    private String mismatch(String inputName, long[] model, long known, int unknown) {
        StringBuilder expects = new StringBuilder("[batch");
        for (int axis = 1; axis < model.length; axis++) {
            expects.append(", ").append(model[axis] == -1 ? "?" : Long.toString(model[axis]));
        }
        expects.append(']');
        String count = known == Long.MAX_VALUE
                ? "more than " + Long.MAX_VALUE : Long.toString(known);
        if (unknown == 0) {
            expects.append(" = ").append(count).append(" values");
        } else if (unknown == 1) {
            expects.append(" = a multiple of ").append(count).append(" values");
        } else {
            expects.append(" (").append(unknown).append(" unknown dimensions, which only a sample"
                    + " shape of the same rank agreeing on the known ones can fill)");
        }
        String input = inputName == null
                ? "the model input" : "the model input '" + inputName + "'";
        return "data has " + valuesPerSample + " values per sample (shape "
                + Arrays.toString(sampleShape) + "); " + input + " expects " + expects;
    }

    private static long multiplyOrMax(long a, long b) {
        try {
            return Math.multiplyExact(a, b);
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    /**
     * A SHA-256 over this data set's content, as 64 lowercase hex digits, for provenance records.
     * It covers the sample shape, the sample count, every input value's IEEE-754 bits and every
     * label, so a reshape or a slice has its own hash, while equal content always hashes the same
     * whatever file it came from.
     */
    public String sha256() {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("expected every JVM to provide SHA-256", e);
        }
        digest.update(HASH_DOMAIN);
        ByteBuffer header = ByteBuffer.allocate(8 + 8 * sampleShape.length + 8);
        header.putInt(sampleShape.length);
        for (long dim : sampleShape) {
            header.putLong(dim);
        }
        header.putInt(valuesPerSample).putLong(size);
        digest.update(header.flip());
        ByteBuffer chunk = ByteBuffer.allocate(1 << 16);
        int end = start(size);
        for (int at = start(0); at < end; ) {
            int count = Math.min(end - at, chunk.capacity() / Float.BYTES);
            chunk.clear();
            chunk.asFloatBuffer().put(inputs, at, count);
            digest.update(chunk.limit(count * Float.BYTES));
            at += count;
        }
        for (int at = firstSample; at < firstSample + size; ) {
            int count = Math.min(firstSample + size - at, chunk.capacity() / Integer.BYTES);
            chunk.clear();
            chunk.asIntBuffer().put(labels, at, count);
            digest.update(chunk.limit(count * Integer.BYTES));
            at += count;
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** The index in {@link #inputs} where sample {@code index} of this view starts. */
    private int start(int index) {
        return (firstSample + index) * valuesPerSample;
    }

    @Override
    public String toString() {
        return "Dataset[" + size + " samples of shape " + Arrays.toString(sampleShape) + "]";
    }
}
