package io.qpart.core.data;

import io.qpart.core.format.FormatException;
import io.qpart.core.format.FormatException.Reason;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.ShortBuffer;
import java.util.Arrays;

/**
 * Stored element values to model inputs and class labels. The conventions are documented on
 * {@link DatasetReader} and in {@code docs/data.md}.
 */
final class Conversions {

    /** {@code UINT8_SCALED[b] == b / 255f}: the exact quotient, looked up instead of divided. */
    private static final float[] UINT8_SCALED = new float[256];

    static {
        for (int b = 0; b < UINT8_SCALED.length; b++) {
            UINT8_SCALED[b] = b / 255f;
        }
    }

    private Conversions() {
    }

    /**
     * All elements as {@code float}: uint8 divided by 255, bool as 0 or 1, other integers cast
     * unscaled, floating-point values rounded to {@code float}.
     */
    static float[] inputs(NumericArray array, String source) throws FormatException {
        int count = arrayLength(array, source);
        float[] out = new float[count];
        ByteBuffer data = array.data();
        switch (array.type()) {
            case UINT8 -> {
                for (int i = 0; i < count; i++) {
                    out[i] = UINT8_SCALED[data.get(i) & 0xff];
                }
            }
            case BOOL -> {
                for (int i = 0; i < count; i++) {
                    out[i] = data.get(i) != 0 ? 1f : 0f;
                }
            }
            case INT8 -> {
                for (int i = 0; i < count; i++) {
                    out[i] = data.get(i);
                }
            }
            case INT16 -> {
                ShortBuffer values = data.asShortBuffer();
                for (int i = 0; i < count; i++) {
                    out[i] = values.get(i);
                }
            }
            case UINT16 -> {
                ShortBuffer values = data.asShortBuffer();
                for (int i = 0; i < count; i++) {
                    out[i] = Short.toUnsignedInt(values.get(i));
                }
            }
            case INT32 -> {
                IntBuffer values = data.asIntBuffer();
                for (int i = 0; i < count; i++) {
                    out[i] = values.get(i);
                }
            }
            case UINT32 -> {
                IntBuffer values = data.asIntBuffer();
                for (int i = 0; i < count; i++) {
                    out[i] = Integer.toUnsignedLong(values.get(i));
                }
            }
            case INT64 -> {
                LongBuffer values = data.asLongBuffer();
                for (int i = 0; i < count; i++) {
                    out[i] = values.get(i);
                }
            }
            case UINT64 -> {
                LongBuffer values = data.asLongBuffer();
                for (int i = 0; i < count; i++) {
                    out[i] = unsignedToFloat(values.get(i));
                }
            }
            case FLOAT16 -> {
                ShortBuffer values = data.asShortBuffer();
                for (int i = 0; i < count; i++) {
                    out[i] = Float.float16ToFloat(values.get(i));
                }
            }
            case FLOAT32 -> {
                FloatBuffer values = data.asFloatBuffer();
                values.get(out);
            }
            case FLOAT64 -> {
                DoubleBuffer values = data.asDoubleBuffer();
                for (int i = 0; i < count; i++) {
                    out[i] = (float) values.get(i);
                }
            }
        }
        return out;
    }

    /**
     * The elements as class indices. Accepted: shape {@code [N]} or {@code [N, 1]}; integer or
     * bool elements, or floating-point elements that are whole numbers; every value in
     * {@code [0, Integer.MAX_VALUE]}.
     */
    static int[] labels(NumericArray array, String source) throws FormatException {
        long[] shape = array.shape();
        if (!(shape.length == 1 || (shape.length == 2 && shape[1] == 1))) {
            throw new FormatException(Reason.INVALID_FIELD, source + ": expected labels of shape"
                    + " [N] or [N, 1] (one class index per sample), found " + Arrays.toString(shape)
                    + (shape.length == 2 ? "; one-hot labels are not supported" : ""));
        }
        int count = arrayLength(array, source);
        int[] out = new int[count];
        ByteBuffer data = array.data();
        ElementType type = array.type();
        for (int i = 0; i < count; i++) {
            String found;
            boolean negative;
            if (type.isFloatingPoint()) {
                double real = realAt(data, type, i);
                if (real != Math.rint(real)) {
                    throw new FormatException(Reason.INVALID_FIELD, source + ": expected whole"
                            + " numbers as labels, found " + real + " at index " + i);
                }
                if (real >= 0 && real <= Integer.MAX_VALUE) {
                    out[i] = (int) real;
                    continue;
                }
                found = Double.toString(real);
                negative = real < 0;
            } else {
                long value = integerAt(data, type, i);
                if (value >= 0 && value <= Integer.MAX_VALUE) {
                    out[i] = (int) value;
                    continue;
                }
                boolean unsigned = type == ElementType.UINT64;
                found = unsigned ? Long.toUnsignedString(value) : Long.toString(value);
                negative = value < 0 && !unsigned;
            }
            throw new FormatException(Reason.INVALID_FIELD, source + ": expected class indices "
                    + (negative ? ">= 0" : "<= " + Integer.MAX_VALUE) + " as labels, found "
                    + found + " at index " + i);
        }
        return out;
    }

    /** The element count as an {@code int} array length, or a clear error when it is too big. */
    static int arrayLength(NumericArray array, String source) throws FormatException {
        long count = array.elementCount();
        if (count > Bytes.MAX_ARRAY_LENGTH) {
            throw new FormatException(Reason.UNSUPPORTED, source + ": expected at most "
                    + Bytes.MAX_ARRAY_LENGTH + " values (one Java array), found " + count
                    + " in shape " + Arrays.toString(array.shape()) + "; use a smaller file");
        }
        return (int) count;
    }

    /**
     * Element {@code i} of an integer or bool array as a long; a uint64 above
     * {@code Long.MAX_VALUE} comes back negative (callers treat it as out of range).
     */
    private static long integerAt(ByteBuffer data, ElementType type, int i) {
        return switch (type) {
            case BOOL -> data.get(i) != 0 ? 1 : 0;
            case INT8 -> data.get(i);
            case UINT8 -> data.get(i) & 0xff;
            case INT16 -> data.getShort(2 * i);
            case UINT16 -> Short.toUnsignedInt(data.getShort(2 * i));
            case INT32 -> data.getInt(4 * i);
            case UINT32 -> Integer.toUnsignedLong(data.getInt(4 * i));
            case INT64, UINT64 -> data.getLong(8 * i);
            case FLOAT16, FLOAT32, FLOAT64 ->
                    throw new IllegalArgumentException("expected an integer type, found " + type);
        };
    }

    private static double realAt(ByteBuffer data, ElementType type, int i) {
        return switch (type) {
            case FLOAT16 -> Float.float16ToFloat(data.getShort(2 * i));
            case FLOAT32 -> data.getFloat(4 * i);
            case FLOAT64 -> data.getDouble(8 * i);
            default -> throw new IllegalArgumentException("expected a floating-point type, found "
                    + type);
        };
    }

    /** The unsigned 64-bit value of {@code bits}, rounded to the nearest float. */
    private static float unsignedToFloat(long bits) {
        if (bits >= 0) {
            return bits;
        }
        return new BigInteger(Long.toUnsignedString(bits)).floatValue();
    }
}
