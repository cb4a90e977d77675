package io.qpart.core.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The committed golden files of format version 1 must decode to the fixtures and re-encode byte
 * for byte; the head's id is pinned.
 *
 * <p>To regenerate them (only when a format version changes, never to make a failing test pass):
 * {@code mvn -pl qpart-core test -Dtest=GoldenFilesTest -Dqpart.golden.write=true}, run from the
 * repository root. That writes {@code qpart-core/src/test/resources/golden/head-v1.qph} and
 * {@code activation-v1.qpaf} from {@link WireFixtures} (skipping the checks, which would read the
 * old copies) and prints the new head id for {@link #HEAD_ID}.
 */
class GoldenFilesTest {

    static final String HEAD_FILE = "head-v1.qph";
    static final String FRAME_FILE = "activation-v1.qpaf";
    /** SHA-256 of the golden head's body. */
    static final String HEAD_ID = "685b018364628308457bef8a6a6e3ffb931878244eda9e064e297c4226a027ec";

    @Test
    @DisabledIfSystemProperty(named = "qpart.golden.write", matches = "true")
    void goldenHeadDecodesAndReencodesByteForByte() throws Exception {
        byte[] golden = read(HEAD_FILE);
        HeadContainer head = HeadContainer.decode(golden);
        assertThat(head).isEqualTo(WireFixtures.smallHead());
        assertThat(head.encode()).isEqualTo(golden);
        assertThat(head.id()).isEqualTo(HEAD_ID);
        assertThat(head.byteSize()).isEqualTo(golden.length);
    }

    @Test
    @DisabledIfSystemProperty(named = "qpart.golden.write", matches = "true")
    void goldenFrameDecodesAndReencodesByteForByte() throws Exception {
        byte[] golden = read(FRAME_FILE);
        ActivationFrame frame = ActivationFrame.decode(golden);
        assertThat(frame).isEqualTo(WireFixtures.smallFrame());
        assertThat(frame.encode()).isEqualTo(golden);
        assertThat(frame.byteSize()).isEqualTo(golden.length);
    }

    @Test
    @EnabledIfSystemProperty(named = "qpart.golden.write", matches = "true")
    void writeGoldenFiles() throws IOException {
        Path dir = Path.of("src", "test", "resources", "golden");
        Files.createDirectories(dir);
        Files.write(dir.resolve(HEAD_FILE), WireFixtures.smallHead().encode());
        Files.write(dir.resolve(FRAME_FILE), WireFixtures.smallFrame().encode());
        System.out.println("golden head id " + WireFixtures.smallHead().id());
    }

    private static byte[] read(String name) throws IOException {
        try (InputStream in = GoldenFilesTest.class.getResourceAsStream("/golden/" + name)) {
            assertThat(in).as("golden file " + name + " on the test classpath").isNotNull();
            return in.readAllBytes();
        }
    }
}
