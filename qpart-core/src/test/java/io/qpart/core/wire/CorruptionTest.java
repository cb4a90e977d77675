package io.qpart.core.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import io.qpart.core.format.FormatException;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Exhaustive damage on a small container and a small frame: every single flipped bit and every
 * truncation must be refused with a one-line {@link FormatException}, never decoded.
 */
class CorruptionTest {

    interface Decoder {
        Object decode(byte[] bytes) throws FormatException;
    }

    @Test
    void everyFlippedBitOfAHeadIsRefused() {
        flipEveryBit(WireFixtures.smallHead().encode(), HeadContainer::decode);
    }

    @Test
    void everyFlippedBitOfAFrameIsRefused() {
        flipEveryBit(WireFixtures.smallFrame().encode(), ActivationFrame::decode);
    }

    @Test
    void everyTruncationOfAHeadIsRefused() {
        truncateEverywhere(WireFixtures.smallHead().encode(), HeadContainer::decode);
    }

    @Test
    void everyTruncationOfAFrameIsRefused() {
        truncateEverywhere(WireFixtures.smallFrame().encode(), ActivationFrame::decode);
    }

    @Test
    void everyAppendedByteIsRefused() {
        byte[] head = WireFixtures.smallHead().encode();
        byte[] frame = WireFixtures.smallFrame().encode();
        for (int extra = 1; extra <= 8; extra++) {
            refused(Arrays.copyOf(head, head.length + extra), HeadContainer::decode, "appended " + extra);
            refused(Arrays.copyOf(frame, frame.length + extra), ActivationFrame::decode, "appended " + extra);
        }
    }

    private static void flipEveryBit(byte[] good, Decoder decoder) {
        try {
            decoder.decode(good);
        } catch (FormatException e) {
            fail("the undamaged bytes must decode: " + e.getMessage());
        }
        int checked = 0;
        for (int bit = 0; bit < good.length * 8; bit++) {
            byte[] bad = good.clone();
            bad[bit >>> 3] ^= (byte) (1 << (bit & 7));
            refused(bad, decoder, "bit " + bit);
            checked++;
        }
        assertThat(checked).isEqualTo(good.length * 8);
    }

    private static void truncateEverywhere(byte[] good, Decoder decoder) {
        for (int len = 0; len < good.length; len++) {
            refused(Arrays.copyOf(good, len), decoder, "length " + len);
        }
    }

    private static void refused(byte[] bad, Decoder decoder, String what) {
        assertThatThrownBy(() -> decoder.decode(bad)).as(what)
                .isInstanceOfSatisfying(FormatException.class,
                        e -> assertThat(e.getMessage()).as(what).isNotBlank().doesNotContain("\n"));
    }
}
