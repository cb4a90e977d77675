/**
 * Evaluation data sets read from the files people already have: numpy {@code .npy} and
 * {@code .npz} archives and the IDX files that MNIST is distributed in (optionally
 * gzip-compressed).
 *
 * <p>{@link io.qpart.core.data.DatasetReader} picks the format from the leading magic bytes and
 * produces a {@link io.qpart.core.data.Dataset}: {@code N} samples of one per-sample shape, the
 * inputs as one contiguous {@code float[]} (sample-major, row-major within a sample) and the labels
 * as class indices {@code >= 0}. The lower-level readers {@link io.qpart.core.data.Npy},
 * {@link io.qpart.core.data.Npz} and {@link io.qpart.core.data.Idx} return a
 * {@link io.qpart.core.data.NumericArray}: element type, byte order, shape and the raw bytes.
 *
 * <p>Conversion of stored values to model inputs (see {@code docs/data.md}):
 * <ul>
 *   <li>{@code uint8} values are divided by 255 into {@code [0, 1]}, the scale the bundled models
 *       were trained on;</li>
 *   <li>every other integer type (and {@code bool} as 0/1) is cast to {@code float} unscaled;</li>
 *   <li>{@code float16}, {@code float32} and {@code float64} values are kept (rounded to
 *       {@code float}).</li>
 * </ul>
 * Labels must be integer (or boolean) values, or floating-point values that are whole numbers;
 * each must lie in {@code [0, Integer.MAX_VALUE]}.
 *
 * <p>Units: shapes and counts are element counts; sizes read from files are byte counts and are
 * checked against the bytes actually present before anything is allocated. Malformed files raise
 * {@link io.qpart.core.format.FormatException} with a one-line message.
 */
package io.qpart.core.data;
