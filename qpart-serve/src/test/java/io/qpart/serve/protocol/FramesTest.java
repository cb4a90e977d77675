package io.qpart.serve.protocol;

import io.qpart.core.format.FormatException;
import io.qpart.core.wire.ActivationFrame;
import io.qpart.core.wire.WireTensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Bodies of frames back to back: split exactly, and every truncation or stray byte refused with a reason. */
class FramesTest {
    static ActivationFrame frame(int seed, int bits, long... shape) {
        SplittableRandom r = new SplittableRandom(seed);
        int n = (int) Arrays.stream(shape).reduce(1, Math::multiplyExact);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return ActivationFrame.of(WireTensor.quantize("a", shape, v, bits), WireTensor.quantize("bb", new long[]{1, 3}, new float[]{1, 2, 3}, 32));
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3, 7, 8, 9, 15, 16, 32})
    void splitsFramesOfEveryBitWidth(int bits) throws Exception {
        List<ActivationFrame> frames = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            frames.add(frame(i, bits, 1, 2 * i + 1, 7));
        }
        assertThat(Frames.decodeAll(Frames.concat(frames))).isEqualTo(frames);
    }

    @Test
    void everyTruncationIsRefused() throws Exception {
        byte[] body = Frames.concat(List.of(frame(1, 5, 1, 9), frame(2, 3, 1, 1021)));
        int first = frame(1, 5, 1, 9).encode().length;
        for (int cut = 0; cut < body.length; cut++) {
            if (cut == first) {
                continue; // exactly the first frame: valid
            }
            byte[] b = Arrays.copyOf(body, cut);
            assertThatThrownBy(() -> Frames.decodeAll(b)).as("cut at %d", cut).isInstanceOf(FormatException.class);
        }
        assertThat(Frames.decodeAll(Arrays.copyOf(body, first))).hasSize(1);
    }

    @Test
    void corruptionIsAChecksumMismatchAndGarbageIsBadMagic() {
        byte[] body = frame(3, 8, 1, 64).encode();
        body[body.length - 20] ^= 1;
        assertThatThrownBy(() -> Frames.decodeAll(body)).isInstanceOf(FormatException.class)
                .extracting(e -> ((FormatException) e).reason()).isEqualTo(FormatException.Reason.CHECKSUM_MISMATCH);
        assertThatThrownBy(() -> Frames.decodeAll("GET / HTTP/1.1".getBytes())).extracting(e -> ((FormatException) e).reason())
                .isEqualTo(FormatException.Reason.BAD_MAGIC);
        assertThatThrownBy(() -> Frames.decodeAll(new byte[0])).hasMessageContaining("empty body");
    }

    @Test
    void hugeDeclaredSizesAreRefusedBeforeAllocating() {
        byte[] b = frame(4, 8, 1, 4).encode();
        // the first dimension of tensor "a": after magic, version, count, name length, name and rank
        int dimAt = 4 + 2 + 4 + 4 + 1 + 1;
        java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(dimAt, Long.MAX_VALUE / 2);
        assertThatThrownBy(() -> Frames.decodeAll(b)).isInstanceOf(FormatException.class).hasMessageContaining("frame 0");
    }
}
