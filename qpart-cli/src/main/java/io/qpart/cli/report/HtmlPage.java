package io.qpart.cli.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A self-contained HTML report: one file, styles inline, plots inline as SVG, no scripts and
 * nothing fetched from elsewhere. Text is escaped; only {@link #raw(String)} and the SVG of
 * {@link #figure(String, String)} go in as markup.
 */
public final class HtmlPage {
    private final String title;
    private final StringBuilder body = new StringBuilder();

    public HtmlPage(String title) {
        this.title = Objects.requireNonNull(title, "title");
    }

    public HtmlPage h2(String text) {
        body.append("<h2>").append(esc(text)).append("</h2>\n");
        return this;
    }

    public HtmlPage h3(String text) {
        body.append("<h3>").append(esc(text)).append("</h3>\n");
        return this;
    }

    /** A paragraph of plain text. */
    public HtmlPage p(String text) {
        body.append("<p>").append(esc(text)).append("</p>\n");
        return this;
    }

    /** A bulleted list of plain-text items. */
    public HtmlPage list(List<String> items) {
        body.append("<ul>\n");
        for (String i : items) {
            body.append("<li>").append(esc(i)).append("</li>\n");
        }
        body.append("</ul>\n");
        return this;
    }

    /** Preformatted text (a command, a console table). */
    public HtmlPage pre(String text) {
        body.append("<pre>").append(esc(text)).append("</pre>\n");
        return this;
    }

    /** Markup the caller built and escaped itself. */
    public HtmlPage raw(String html) {
        body.append(html).append('\n');
        return this;
    }

    /** A table of plain-text cells; cells that look numeric are right-aligned. */
    public HtmlPage table(List<String> header, List<List<String>> rows) {
        body.append("<table>\n<thead><tr>");
        for (String h : header) {
            body.append("<th>").append(esc(h)).append("</th>");
        }
        body.append("</tr></thead>\n<tbody>\n");
        for (List<String> r : rows) {
            if (r.size() != header.size()) {
                throw new IllegalArgumentException("table row has " + r.size() + " cells, expected " + header.size());
            }
            body.append("<tr>");
            for (String c : r) {
                String v = c == null ? "" : c;
                boolean num = v.matches("[-+]?[0-9][0-9,.]*(e[-+]?[0-9]+)?\\s*%?");
                body.append(num ? "<td class=\"n\">" : "<td>").append(esc(v)).append("</td>");
            }
            body.append("</tr>\n");
        }
        body.append("</tbody>\n</table>\n");
        return this;
    }

    /** An inline SVG figure with a caption. */
    public HtmlPage figure(String svg, String caption) {
        body.append("<figure>\n").append(svg).append("<figcaption>").append(esc(caption)).append("</figcaption>\n</figure>\n");
        return this;
    }

    /** The provenance block: the exact command, git commit, hashes, seeds and versions. */
    public HtmlPage provenance(Provenance p) {
        body.append("<section class=\"prov\">\n<h2>Provenance</h2>\n<pre>").append(esc(p.command())).append("</pre>\n<table>\n");
        row("git commit", p.gitCommit());
        row("created (UTC)", p.createdUtc());
        for (Map.Entry<String, String> e : p.hashes().entrySet()) {
            row("sha256 of " + e.getKey(), e.getValue());
        }
        for (Map.Entry<String, String> e : p.seeds().entrySet()) {
            row("seed: " + e.getKey(), e.getValue());
        }
        for (Map.Entry<String, String> e : p.versions().entrySet()) {
            row("version: " + e.getKey(), e.getValue());
        }
        body.append("</table>\n</section>\n");
        return this;
    }

    private void row(String k, String v) {
        body.append("<tr><th>").append(esc(k)).append("</th><td><code>").append(esc(v)).append("</code></td></tr>\n");
    }

    public String render() {
        return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" + esc(title) + "</title>\n<style>\n"
                + "body{font-family:Helvetica,Arial,sans-serif;max-width:1000px;margin:2em auto;padding:0 1em;color:#222;line-height:1.45}\n"
                + "h1{font-size:1.6em}h2{font-size:1.25em;margin-top:1.8em;border-bottom:1px solid #ddd}h3{font-size:1.05em}\n"
                + "table{border-collapse:collapse;margin:0.8em 0;font-size:0.9em}th,td{border:1px solid #ccc;padding:3px 8px;text-align:left}\n"
                + "td.n{text-align:right;font-variant-numeric:tabular-nums}thead th{background:#f2f2f2}\n"
                + "pre{background:#f6f6f6;padding:0.7em;overflow-x:auto;font-size:0.85em}figure{margin:1.2em 0}\n"
                + "figcaption{font-size:0.9em;color:#444;max-width:760px}svg{max-width:100%;height:auto}.prov th{background:#fafafa;width:16em}\n"
                + ".note{background:#fff8e0;border-left:4px solid #e69f00;padding:0.4em 0.8em}\n"
                + "</style>\n</head>\n<body>\n<h1>" + esc(title) + "</h1>\n" + body + "</body>\n</html>\n";
    }

    public void write(Path file) throws IOException {
        Files.writeString(file, render(), StandardCharsets.UTF_8);
    }

    /** HTML text escaping. */
    public static String esc(String s) {
        return s == null ? "" : s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
