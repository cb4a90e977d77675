package io.qpart.serve.http;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A parsed request line and header section (RFC 9112 §3, §5).
 *
 * @param method   the method token, as sent
 * @param rawPath  the target's path, still percent-encoded
 * @param rawQuery the target's query without '?', null when there is none
 * @param minor    HTTP/1.minor
 * @param names    header names, lower case, in arrival order
 * @param values   header values, trimmed, parallel to names
 */
record RequestHead(String method, String rawPath, String rawQuery, int minor, List<String> names, List<String> values) {
    RequestHead {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(rawPath, "rawPath");
        names = List.copyOf(names);
        values = List.copyOf(values);
        if (names.size() != values.size()) {
            throw new IllegalArgumentException(names.size() + " header names but " + values.size() + " values");
        }
    }

    /** The first value of header {@code name} (any case), or null. */
    String header(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        for (int i = 0; i < names.size(); i++) {
            if (names.get(i).equals(n)) {
                return values.get(i);
            }
        }
        return null;
    }

    /** Every value of header {@code name}, in order. */
    List<String> headers(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        List<String> out = new ArrayList<>(1);
        for (int i = 0; i < names.size(); i++) {
            if (names.get(i).equals(n)) {
                out.add(values.get(i));
            }
        }
        return out;
    }

    /** Whether a comma-separated header such as Connection lists {@code token}. */
    boolean lists(String name, String token) {
        for (String v : headers(name)) {
            for (String t : v.split(",")) {
                if (t.trim().equalsIgnoreCase(token)) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Reads one request head; null when the connection ends cleanly before it starts. Empty lines
     * before the request line are skipped (RFC 9112 §2.2).
     */
    static RequestHead read(ConnectionInput in, int maxBytes) throws IOException, HttpProblem {
        int[] budget = {maxBytes, maxBytes};
        String line;
        do {
            line = in.line(budget);
            if (line == null) {
                return null;
            }
        } while (line.isEmpty());
        int sp1 = line.indexOf(' ');
        int sp2 = sp1 < 0 ? -1 : line.indexOf(' ', sp1 + 1);
        if (sp1 <= 0 || sp2 < 0 || line.indexOf(' ', sp2 + 1) >= 0) {
            throw new HttpProblem(400, "expected a request line 'METHOD TARGET HTTP/1.1', found '" + abbreviate(line) + "'");
        }
        String method = line.substring(0, sp1);
        String target = line.substring(sp1 + 1, sp2);
        String version = line.substring(sp2 + 1);
        if (!isToken(method)) {
            throw new HttpProblem(400, "expected a method token, found '" + abbreviate(method) + "'");
        }
        int minor;
        if (version.equals("HTTP/1.1")) {
            minor = 1;
        } else if (version.equals("HTTP/1.0")) {
            minor = 0;
        } else if (version.matches("HTTP/[0-9](\\.[0-9])?")) {
            throw new HttpProblem(505, "this server speaks HTTP/1.1 (and 1.0), found " + version);
        } else {
            throw new HttpProblem(400, "expected HTTP/1.1 at the end of the request line, found '" + abbreviate(version) + "'");
        }
        String path = target;
        if (target.startsWith("http://") || target.startsWith("https://")) {
            int slash = target.indexOf('/', target.indexOf("//") + 2);
            path = slash < 0 ? "/" : target.substring(slash);
        }
        if (!path.startsWith("/")) {
            throw new HttpProblem(400, "expected a request target starting with '/', found '" + abbreviate(target) + "'");
        }
        int hash = path.indexOf('#');
        if (hash >= 0) {
            path = path.substring(0, hash);
        }
        String query = null;
        int q = path.indexOf('?');
        if (q >= 0) {
            query = path.substring(q + 1);
            path = path.substring(0, q);
        }
        List<String> names = new ArrayList<>(8);
        List<String> values = new ArrayList<>(8);
        while (true) {
            String h = in.line(budget);
            if (h == null) {
                throw new HttpProblem(400, "the connection ended inside the request head");
            }
            if (h.isEmpty()) {
                break;
            }
            if (h.charAt(0) == ' ' || h.charAt(0) == '\t') {
                throw new HttpProblem(400, "folded header lines are not allowed (RFC 9112 §5.2), found '" + abbreviate(h) + "'");
            }
            int colon = h.indexOf(':');
            if (colon <= 0 || !isToken(h.substring(0, colon))) {
                throw new HttpProblem(400, "expected a header line 'Name: value', found '" + abbreviate(h) + "'");
            }
            names.add(h.substring(0, colon).toLowerCase(Locale.ROOT));
            values.add(h.substring(colon + 1).strip());
        }
        return new RequestHead(method, path, query, minor, names, values);
    }

    private static boolean isToken(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    static String abbreviate(String s) {
        String clean = s.replaceAll("[\\x00-\\x1f\\x7f]", "?");
        return clean.length() <= 80 ? clean : clean.substring(0, 77) + "...";
    }
}
