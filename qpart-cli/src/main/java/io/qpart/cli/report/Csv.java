package io.qpart.cli.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A CSV table (RFC 4180: comma separated, CRLF-free, fields with a comma, quote or line break
 * quoted). Numbers are written with {@link Double#toString(double)} precision; a missing value
 * (null or NaN) is an empty field.
 */
public final class Csv {
    private final List<String> header;
    private final List<List<Object>> rows = new ArrayList<>();

    public Csv(List<String> header) {
        if (header.isEmpty()) {
            throw new IllegalArgumentException("a CSV table needs at least one column");
        }
        this.header = List.copyOf(header);
    }

    public Csv(String... header) {
        this(List.of(header));
    }

    /** Appends a row; it must have one value per column. */
    public Csv row(Object... values) {
        if (values.length != header.size()) {
            throw new IllegalArgumentException("CSV row has " + values.length + " values, expected " + header.size() + " (" + header + ")");
        }
        rows.add(java.util.Arrays.asList(values.clone()));
        return this;
    }

    public List<String> header() {
        return header;
    }

    public int size() {
        return rows.size();
    }

    /** The value at row {@code r}, column {@code name}. */
    public Object get(int r, String name) {
        int c = header.indexOf(name);
        if (c < 0) {
            throw new IllegalArgumentException("no column '" + name + "' in " + header);
        }
        return rows.get(r).get(c);
    }

    /** The text of the table, one line per row after the header, each ending with '\n'. */
    public String render() {
        StringBuilder sb = new StringBuilder();
        line(sb, new ArrayList<>(header));
        for (List<Object> r : rows) {
            line(sb, r);
        }
        return sb.toString();
    }

    public void write(Path file) throws IOException {
        Files.writeString(file, render(), StandardCharsets.UTF_8);
    }

    /** Rows as column name to value maps (for JSON results). */
    public List<java.util.Map<String, Object>> records() {
        List<java.util.Map<String, Object>> out = new ArrayList<>();
        for (List<Object> r : rows) {
            java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
            for (int i = 0; i < header.size(); i++) {
                Object v = r.get(i);
                m.put(header.get(i), v instanceof Double d && !Double.isFinite(d) ? null : v);
            }
            out.add(m);
        }
        return out;
    }

    private static void line(StringBuilder sb, List<?> values) {
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append(field(values.get(i)));
        }
        sb.append('\n');
    }

    /** One field as written. */
    static String field(Object v) {
        if (v == null) {
            return "";
        }
        if (v instanceof Double d) {
            return Double.isFinite(d) ? Double.toString(d) : "";
        }
        if (v instanceof Float f) {
            return Float.isFinite(f) ? Float.toString(f) : "";
        }
        String s = Objects.toString(v);
        if (s.indexOf(',') >= 0 || s.indexOf('"') >= 0 || s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0) {
            return '"' + s.replace("\"", "\"\"") + '"';
        }
        return s;
    }
}
