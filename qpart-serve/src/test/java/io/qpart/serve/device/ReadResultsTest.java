package io.qpart.serve.device;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The device's streaming reader of infer answers: fields in any order, extra fields skipped, clear errors. */
class ReadResultsTest {
    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void readsResultsInAnyFieldOrderAndSkipsTheRest() throws Exception {
        int[] classes = new int[2];
        float[][] logits = new float[2][];
        DeviceClient.readResults(b("{\"results\":[{\"logits\":[1,2.5,-3E-2],\"extra\":{\"a\":[1,2]},\"class\":1},"
                + "{\"class\":0,\"logits\":[0.5]}],\"model\":\"m\",\"cut\":0,\"samples\":2,\"later\":[{}]}"), classes, logits);
        assertThat(classes).containsExactly(1, 0);
        assertThat(logits[0]).containsExactly(1f, 2.5f, -0.03f);
        assertThat(logits[1]).containsExactly(0.5f);
    }

    @Test
    void manyLogitsGrowTheRow() throws Exception {
        StringBuilder sb = new StringBuilder("{\"results\":[{\"class\":3,\"logits\":[");
        for (int i = 0; i < 100; i++) {
            sb.append(i == 0 ? "" : ",").append(i);
        }
        sb.append("]}]}");
        int[] classes = new int[1];
        float[][] logits = new float[1][];
        DeviceClient.readResults(b(sb.toString()), classes, logits);
        assertThat(logits[0]).hasSize(100);
        assertThat(logits[0][99]).isEqualTo(99f);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "not json|not JSON",
            "[1]|not a JSON object",
            "{\"results\":3}|'results' to be an array",
            "{\"results\":[]}|expected 2 results from the server, found 0",
            "{\"results\":[{\"class\":1,\"logits\":[1]}]}|expected 2 results from the server, found 1",
            "{\"results\":[{\"class\":1,\"logits\":[1]},{\"class\":1,\"logits\":[1]},{\"class\":1,\"logits\":[1]}]}|found more",
            "{\"results\":[{\"logits\":[1]},{\"class\":1,\"logits\":[1]}]}|lacks 'class' or 'logits'",
            "{\"results\":[{\"class\":1,\"logits\":[\"x\"]},{\"class\":1,\"logits\":[1]}]}|expected numbers in 'logits'",
            "{\"results\":[{\"class\":1,\"logits\":[1]},{\"class\":1,\"logits\":[1|not JSON"})
    void brokenAnswersAreReportedInOneLine(String testCase) {
        String[] p = testCase.split("\\|");
        assertThatThrownBy(() -> DeviceClient.readResults(b(p[0]), new int[2], new float[2][]))
                .isInstanceOf(DeviceException.class).hasMessageContaining(p[1]).message().doesNotContain("\n");
    }
}
