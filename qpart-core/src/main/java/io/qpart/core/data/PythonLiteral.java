package io.qpart.core.data;

import io.qpart.core.format.FormatException;
import io.qpart.core.format.FormatException.Reason;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A parser for the small subset of Python literals that a {@code .npy} header uses: dicts with
 * string keys, tuples and lists, quoted strings, integers (with Python 2's optional {@code L}
 * suffix), {@code True}, {@code False} and {@code None}.
 *
 * <p>Values come back as {@link String}, {@link Long}, {@link Boolean}, {@link #NONE},
 * {@code List<Object>} (tuples and lists alike, unmodifiable) and {@code Map<String, Object>}
 * (unmodifiable, in source order). A parenthesised value without a comma is the value itself, as in
 * Python: {@code (3)} is {@code 3}, {@code (3,)} is a one-element tuple.
 */
final class PythonLiteral {

    /** Python's {@code None}. */
    enum None { NONE }

    static final None NONE = None.NONE;

    private static final int MAX_DEPTH = 16;

    private final String text;
    private final String source;
    private int pos;

    private PythonLiteral(String text, String source) {
        this.text = text;
        this.source = source;
    }

    /**
     * Parses one literal that makes up the whole of {@code text} (surrounding whitespace allowed).
     *
     * @param source names the file in error messages
     */
    static Object parse(String text, String source) throws FormatException {
        PythonLiteral parser = new PythonLiteral(text, source);
        Object value = parser.value(0);
        parser.skipWhitespace();
        if (parser.pos != text.length()) {
            throw parser.error("expected the end of the header, found '" + text.charAt(parser.pos)
                    + "'");
        }
        return value;
    }

    private Object value(int depth) throws FormatException {
        if (depth > MAX_DEPTH) {
            throw error("expected at most " + MAX_DEPTH + " levels of nesting, found more");
        }
        skipWhitespace();
        if (pos >= text.length()) {
            throw error("expected a value, found the end of the header");
        }
        char c = text.charAt(pos);
        return switch (c) {
            case '{' -> dict(depth);
            case '[' -> sequence(depth, ']', false);
            case '(' -> sequence(depth, ')', true);
            case '\'', '"' -> string();
            default -> {
                if (c == '-' || c == '+' || isDigit(c)) {
                    yield integer();
                }
                if (Character.isLetter(c)) {
                    yield word();
                }
                throw error("expected a value, found '" + c + "'");
            }
        };
    }

    private Map<String, Object> dict(int depth) throws FormatException {
        pos++; // '{'
        Map<String, Object> entries = new LinkedHashMap<>();
        while (true) {
            skipWhitespace();
            if (peek() == '}') {
                pos++;
                return Collections.unmodifiableMap(entries);
            }
            int keyAt = pos;
            if (!(value(depth + 1) instanceof String key)) {
                pos = keyAt;
                throw error("expected a quoted dict key");
            }
            skipWhitespace();
            expect(':');
            Object item = value(depth + 1);
            if (entries.putIfAbsent(key, item) != null) {
                throw error("expected each dict key once, found '" + key + "' twice");
            }
            skipWhitespace();
            if (peek() == ',') {
                pos++;
            } else if (peek() != '}') {
                throw error("expected ',' or '}' in a dict, found " + describe(peek()));
            }
        }
    }

    private Object sequence(int depth, char close, boolean parenthesised) throws FormatException {
        pos++; // '[' or '('
        List<Object> items = new ArrayList<>();
        boolean sawComma = false;
        while (true) {
            skipWhitespace();
            if (peek() == close) {
                pos++;
                if (parenthesised && items.size() == 1 && !sawComma) {
                    return items.get(0);
                }
                return Collections.unmodifiableList(items);
            }
            items.add(value(depth + 1));
            skipWhitespace();
            if (peek() == ',') {
                pos++;
                sawComma = true;
            } else if (peek() != close) {
                throw error("expected ',' or '" + close + "', found " + describe(peek()));
            }
        }
    }

    private String string() throws FormatException {
        char quote = text.charAt(pos++);
        StringBuilder value = new StringBuilder();
        while (pos < text.length()) {
            char c = text.charAt(pos++);
            if (c == quote) {
                return value.toString();
            }
            if (c == '\\') {
                if (pos >= text.length()) {
                    break;
                }
                char escaped = text.charAt(pos++);
                value.append(switch (escaped) {
                    case 'n' -> '\n';
                    case 't' -> '\t';
                    case 'r' -> '\r';
                    case '0' -> '\0';
                    default -> escaped;
                });
            } else {
                value.append(c);
            }
        }
        throw error("expected a closing " + quote + ", found the end of the header");
    }

    private Long integer() throws FormatException {
        int start = pos;
        if (text.charAt(pos) == '-' || text.charAt(pos) == '+') {
            pos++;
        }
        int digitsAt = pos;
        while (pos < text.length() && isDigit(text.charAt(pos))) {
            pos++;
        }
        if (pos == digitsAt) {
            throw error("expected digits after the sign, found " + describe(peek()));
        }
        String digits = text.substring(start, pos);
        if (pos < text.length() && (text.charAt(pos) == 'L' || text.charAt(pos) == 'l')) {
            pos++;
        }
        try {
            return Long.parseLong(digits);
        } catch (NumberFormatException e) {
            pos = start;
            throw error("expected an integer that fits in 64 bits, found " + digits);
        }
    }

    private Object word() throws FormatException {
        int start = pos;
        while (pos < text.length() && Character.isLetterOrDigit(text.charAt(pos))) {
            pos++;
        }
        String word = text.substring(start, pos);
        return switch (word) {
            case "True" -> Boolean.TRUE;
            case "False" -> Boolean.FALSE;
            case "None" -> NONE;
            default -> {
                pos = start;
                throw error("expected True, False, None or a literal, found '" + word + "'");
            }
        };
    }

    private void expect(char wanted) throws FormatException {
        if (peek() != wanted) {
            throw error("expected '" + wanted + "', found " + describe(peek()));
        }
        pos++;
    }

    /** The next character, or {@code 0} at the end of the text. */
    private char peek() {
        return pos < text.length() ? text.charAt(pos) : 0;
    }

    private void skipWhitespace() {
        while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
            pos++;
        }
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static String describe(char c) {
        return c == 0 ? "the end of the header" : "'" + c + "'";
    }

    private FormatException error(String what) {
        return new FormatException(Reason.INVALID_FIELD,
                source + ": .npy header " + what + " (at header offset " + pos + ")");
    }
}
