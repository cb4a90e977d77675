package io.qpart.core.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qpart.core.format.FormatException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PythonLiteralTest {

    @Test
    void parsesTheNumpyHeaderSubset() throws Exception {
        Object value = PythonLiteral.parse(
                " {'a': (1, -2L, +3), \"b\": [True, False, None], 'c': 'q\\'s', 'd': (), 'e': (7,),"
                        + " 'f': (8)}  \n", "t");

        assertThat(value).isEqualTo(Map.of(
                "a", List.of(1L, -2L, 3L),
                "b", List.of(true, false, PythonLiteral.NONE),
                "c", "q's",
                "d", List.of(),
                "e", List.of(7L),
                "f", 8L));
    }

    @Test
    void refusesWhatItDoesNotUnderstand() {
        for (String text : List.of("{1: 2}", "{'a': 1, 'a': 2}", "{'a' 1}", "'open", "(1, 2",
                "1.5", "{'a': 1} x", "", "-", "[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]")) {
            assertThatThrownBy(() -> PythonLiteral.parse(text, "t"))
                    .as(text)
                    .isInstanceOf(FormatException.class)
                    .hasMessageStartingWith("t: .npy header expected");
        }
    }
}
