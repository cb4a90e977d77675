package io.qpart.core.format;

/** Error messages as the user sees them: one line each. */
public final class Messages {
    private Messages() {
    }

    /** {@code s} on one line (parser and runtime messages often span several); "no detail" for null. */
    public static String oneLine(String s) {
        return s == null ? "no detail" : s.replace('\n', ' ').replace('\r', ' ').trim();
    }
}
