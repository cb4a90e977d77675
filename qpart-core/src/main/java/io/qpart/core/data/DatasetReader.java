package io.qpart.core.data;

import io.qpart.core.format.FormatException;
import io.qpart.core.format.FormatException.Reason;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a labelled {@link Dataset} from {@code .npz}, {@code .npy} or IDX files, recognising the
 * format by its magic bytes (a gzip-compressed {@code .npy} or IDX file is decompressed first).
 *
 * <p>Where the labels come from:
 * <ul>
 *   <li>{@code .npz}: the archive's array {@code x} holds the inputs and {@code y} the labels;
 *       a labels file passed explicitly takes the place of {@code y}.</li>
 *   <li>{@code .npy} and IDX: the labels file passed explicitly, else the first existing sibling
 *       of {@link #labelCandidates(Path)}: {@code NAME-labels.npy} and {@code NAME_labels.npy}
 *       for {@code NAME.npy}; the MNIST naming for IDX, {@code train-images-idx3-ubyte} to
 *       {@code train-labels-idx1-ubyte} (also with {@code .idx3-ubyte} and {@code .gz}).</li>
 * </ul>
 * A labels file may itself be {@code .npy}, IDX or {@code .npz} (its array {@code y}).
 *
 * <p>Inputs: axis 0 counts samples, the remaining axes are the sample shape. Values become
 * {@code float} as follows: {@code uint8} divided by 255 into {@code [0, 1]} (the scale the
 * bundled models were trained on); every other integer type cast unscaled, {@code bool} as 0 or 1;
 * {@code float16}, {@code float32} and {@code float64} kept (rounded to {@code float}).
 *
 * <p>Labels: shape {@code [N]} or {@code [N, 1]}, integer or bool values, or floating-point values
 * that are whole numbers, each in {@code [0, Integer.MAX_VALUE]}; {@code N} must equal the number
 * of input samples.
 */
public final class DatasetReader {

    /** The array names of an {@code .npz} data set. */
    public static final String INPUTS_ARRAY = "x";
    public static final String LABELS_ARRAY = "y";

    private static final int HEAD_BYTES = 8;
    private static final Pattern IDX_RANK = Pattern.compile("idx[0-9]");

    private DatasetReader() {
    }

    /**
     * Reads a data set.
     *
     * @param data an {@code .npz}, {@code .npy} or IDX file (optionally gzip-compressed)
     * @param labelsOrNull the labels file, or {@code null} to take {@code y} from an {@code .npz}
     *     or look for a sibling labels file
     * @throws FormatException when a file is malformed, its values do not convert as documented,
     *     or the input and label counts differ
     * @throws IllegalArgumentException when no labels file was given and none was found; the
     *     message names the candidates and says to pass {@code --labels FILE}
     * @throws IOException when a file cannot be read
     */
    public static Dataset read(Path data, Path labelsOrNull) throws IOException, FormatException {
        if (Npz.looksLikeZip(Bytes.readHead(data, HEAD_BYTES))) {
            String inputSource = data + "!" + INPUTS_ARRAY + ".npy";
            if (labelsOrNull == null) {
                Map<String, NumericArray> arrays =
                        Npz.read(data, List.of(INPUTS_ARRAY, LABELS_ARRAY));
                return fromArrays(arrays.get(INPUTS_ARRAY), inputSource,
                        arrays.get(LABELS_ARRAY), data + "!" + LABELS_ARRAY + ".npy");
            }
            NumericArray inputs = Npz.read(data, List.of(INPUTS_ARRAY)).get(INPUTS_ARRAY);
            return withLabelsFrom(inputs, inputSource, labelsOrNull);
        }
        NumericArray inputs = readSingle(data);
        Path labels = labelsOrNull != null ? labelsOrNull : findLabels(data);
        return withLabelsFrom(inputs, data.toString(), labels);
    }

    private static Dataset withLabelsFrom(NumericArray inputs, String inputSource, Path labels)
            throws IOException, FormatException {
        if (Npz.looksLikeZip(Bytes.readHead(labels, HEAD_BYTES))) {
            NumericArray array = Npz.read(labels, List.of(LABELS_ARRAY)).get(LABELS_ARRAY);
            return fromArrays(inputs, inputSource, array, labels + "!" + LABELS_ARRAY + ".npy");
        }
        return fromArrays(inputs, inputSource, readSingle(labels), labels.toString());
    }

    /**
     * A data set from decoded arrays: {@code inputs} has the samples on axis 0 and
     * {@code labels} one class index per sample, converted as this class documents.
     */
    public static Dataset fromArrays(NumericArray inputs, NumericArray labels)
            throws FormatException {
        return fromArrays(inputs, "inputs", labels, "labels");
    }

    private static Dataset fromArrays(NumericArray inputs, String inputSource, NumericArray labels,
                                      String labelSource) throws FormatException {
        if (inputs.rank() == 0) {
            throw new FormatException(Reason.INVALID_FIELD, inputSource + ": expected inputs with"
                    + " a leading sample axis, found a scalar");
        }
        long inputCount = inputs.dimension(0);
        long labelCount = labels.rank() == 0 ? -1 : labels.dimension(0);
        int[] labelValues = Conversions.labels(labels, labelSource);
        if (inputCount != labelCount) {
            throw new FormatException(Reason.INVALID_FIELD, "expected as many labels as input"
                    + " samples, found " + inputCount + " samples in " + inputSource + " and "
                    + labelCount + " labels in " + labelSource);
        }
        float[] values = Conversions.inputs(inputs, inputSource);
        long[] shape = inputs.shape();
        long[] sampleShape = Arrays.copyOfRange(shape, 1, shape.length);
        return Dataset.wrap(sampleShape, values, labelValues);
    }

    /**
     * The sibling files tried, in order, when {@link #read} gets no labels file for {@code data}.
     * They are only names; none needs to exist.
     */
    public static List<Path> labelCandidates(Path data) {
        Path fileName = data.getFileName();
        if (fileName == null) {
            return List.of();
        }
        String name = fileName.toString();
        boolean gzipped = name.endsWith(".gz");
        String base = gzipped ? name.substring(0, name.length() - 3) : name;
        List<String> names = new ArrayList<>();
        if (base.endsWith(".npy")) {
            String stem = base.substring(0, base.length() - 4);
            names.add(stem + "-labels.npy");
            names.add(stem + "_labels.npy");
            if (stem.contains("images")) {
                names.add(replaceLast(stem, "images", "labels") + ".npy");
            }
        } else if (base.contains("images")) {
            String labels = replaceLast(base, "images", "labels");
            Matcher rank = IDX_RANK.matcher(labels);
            int last = -1;
            while (rank.find()) {
                last = rank.start();
            }
            if (last >= 0) {
                labels = labels.substring(0, last) + "idx1" + labels.substring(last + 4);
            }
            names.add(labels);
        }
        Set<Path> candidates = new LinkedHashSet<>();
        for (String candidate : names) {
            if (gzipped) {
                candidates.add(data.resolveSibling(candidate + ".gz"));
            }
            candidates.add(data.resolveSibling(candidate));
            if (!gzipped) {
                candidates.add(data.resolveSibling(candidate + ".gz"));
            }
        }
        candidates.remove(data);
        return List.copyOf(candidates);
    }

    private static Path findLabels(Path data) {
        List<Path> candidates = labelCandidates(data);
        for (Path candidate : candidates) {
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        StringBuilder tried = new StringBuilder();
        for (Path candidate : candidates) {
            tried.append(tried.isEmpty() ? "" : ", ").append(candidate.getFileName());
        }
        throw new IllegalArgumentException("no labels file for " + data
                + (candidates.isEmpty() ? "" : " (looked for " + tried + " beside it)")
                + "; pass --labels FILE");
    }

    /** Reads a {@code .npy} or IDX file, decompressing gzip first. */
    private static NumericArray readSingle(Path path) throws IOException, FormatException {
        byte[] bytes = Bytes.readMaybeGzipped(path);
        String source = path.toString();
        if (Npy.looksLikeNpy(bytes)) {
            return Npy.parse(ByteBuffer.wrap(bytes), source);
        }
        if (Idx.looksLikeIdx(bytes)) {
            return Idx.parse(ByteBuffer.wrap(bytes), source);
        }
        if (bytes.length == 0) {
            throw new FormatException(Reason.TRUNCATED, source + ": expected .npy, .npz or IDX"
                    + " data, found an empty file");
        }
        throw new FormatException(Reason.BAD_MAGIC, source + ": expected .npy (93 4e 55 4d 50 59),"
                + " .npz (50 4b) or IDX (00 00 <type> <dimensions>) data, found "
                + Bytes.hex(ByteBuffer.wrap(bytes), 0, HEAD_BYTES)
                + (Npz.looksLikeZip(bytes) ? " (a zip inside gzip is not supported)" : ""));
    }

    private static String replaceLast(String text, String target, String replacement) {
        int at = text.lastIndexOf(target);
        return text.substring(0, at) + replacement + text.substring(at + target.length());
    }
}
