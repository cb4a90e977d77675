package io.qpart.cli.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A two-dimensional plot written as SVG text, for reports that must print as a paper figure:
 * axis titles carry units, every series has its own colour (Okabe-Ito, safe for colour-blind
 * readers), dash pattern and marker so that it stays distinguishable in grey, log axes have
 * decade ticks with superscript exponents, and the legend sits beside the axes. Points that
 * are NaN (or not positive on a log axis) break the line.
 */
public final class SvgPlot {
    /** Axis scale. */
    public enum Scale { LINEAR, LOG }

    /** Point marker. */
    public enum Marker { CIRCLE, SQUARE, TRIANGLE_UP, DIAMOND, TRIANGLE_DOWN, CROSS, PLUS, NONE }

    /** How a series joins its points. */
    public enum Render { LINE, STEP, SCATTER }

    /** Colour (CSS), dash pattern (SVG {@code stroke-dasharray}, empty for solid) and marker of a series. */
    public record Style(String color, String dash, Marker marker) {
        public Style {
            Objects.requireNonNull(color, "color");
            Objects.requireNonNull(dash, "dash");
            Objects.requireNonNull(marker, "marker");
        }
    }

    /** One named series; {@code x} and {@code y} have the same length. */
    public record Series(String name, double[] x, double[] y, Style style, Render render) {
        public Series {
            Objects.requireNonNull(name, "name");
            if (x.length != y.length) {
                throw new IllegalArgumentException("series '" + name + "': " + x.length + " x values but " + y.length + " y values");
            }
            x = x.clone();
            y = y.clone();
        }
    }

    private record VLine(double x, String label) {
    }

    private static final String[] COLORS = {"#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#999999"};
    private static final String[] DASHES = {"", "7,3", "2,2", "9,3,2,3", "4,4", "1,3", "12,4", "6,2,2,2,2,2"};
    private static final Marker[] MARKERS = {Marker.CIRCLE, Marker.SQUARE, Marker.TRIANGLE_UP, Marker.DIAMOND, Marker.TRIANGLE_DOWN,
            Marker.CROSS, Marker.PLUS, Marker.CIRCLE};
    private static final String FONT = "font-family=\"Helvetica, Arial, sans-serif\"";

    private final String title;
    private final String xLabel;
    private final String yLabel;
    private Scale xScale = Scale.LINEAR;
    private Scale yScale = Scale.LINEAR;
    private boolean integerX;
    private boolean integerY;
    private boolean yFromZero;
    private double xMin = Double.NaN;
    private double xMax = Double.NaN;
    private double yMin = Double.NaN;
    private double yMax = Double.NaN;
    private int width = 760;
    private int height = 430;
    private final List<Series> series = new ArrayList<>();
    private final List<VLine> vlines = new ArrayList<>();

    /** A plot with a title and axis titles (put the unit in the axis titles). */
    public SvgPlot(String title, String xLabel, String yLabel) {
        this.title = Objects.requireNonNull(title, "title");
        this.xLabel = Objects.requireNonNull(xLabel, "xLabel");
        this.yLabel = Objects.requireNonNull(yLabel, "yLabel");
    }

    /** The i-th of eight distinguishable styles (colour, dash and marker all differ). */
    public static Style style(int i) {
        int k = Math.floorMod(i, COLORS.length);
        return new Style(COLORS[k], DASHES[k], MARKERS[k]);
    }

    public SvgPlot xLog() {
        xScale = Scale.LOG;
        return this;
    }

    public SvgPlot yLog() {
        yScale = Scale.LOG;
        return this;
    }

    /** Ticks on the x axis at integers only (cut indices). */
    public SvgPlot integerX() {
        integerX = true;
        return this;
    }

    /** Ticks on the y axis at integers only (cut indices). */
    public SvgPlot integerY() {
        integerY = true;
        return this;
    }

    /** A linear y axis that starts at zero. */
    public SvgPlot yFromZero() {
        yFromZero = true;
        return this;
    }

    public SvgPlot xRange(double min, double max) {
        xMin = min;
        xMax = max;
        return this;
    }

    public SvgPlot yRange(double min, double max) {
        yMin = min;
        yMax = max;
        return this;
    }

    public SvgPlot size(int w, int h) {
        if (w < 300 || h < 200) {
            throw new IllegalArgumentException("plot size must be at least 300 x 200, was " + w + " x " + h);
        }
        width = w;
        height = h;
        return this;
    }

    /** Adds a line series in the next style. */
    public SvgPlot line(String name, double[] x, double[] y) {
        return add(new Series(name, x, y, style(series.size()), Render.LINE));
    }

    public SvgPlot add(Series s) {
        series.add(s);
        return this;
    }

    public int seriesCount() {
        return series.size();
    }

    /** A dashed vertical marker line at {@code x} with a label (for example the chosen cut). */
    public SvgPlot vline(double x, String label) {
        vlines.add(new VLine(x, label));
        return this;
    }

    // ---- rendering

    private static final int LEFT = 78;
    private static final int TOP = 38;
    private static final int BOTTOM = 56;
    private int legendWidth() {
        int chars = vlines.isEmpty() ? 0 : 12;
        for (Series s : series) {
            chars = Math.max(chars, s.name().length());
        }
        return Math.max(120, 58 + (int) Math.ceil(7.2 * chars));
    }

    /** The SVG document (no XML declaration, so it can be inlined in HTML). */
    public String render() {
        double[] xr = range(true);
        double[] yr = range(false);
        int pw = width - LEFT - legendWidth();
        int ph = height - TOP - BOTTOM;
        Axis ax = new Axis(xScale, xr[0], xr[1], LEFT, LEFT + pw);
        Axis ay = new Axis(yScale, yr[0], yr[1], TOP + ph, TOP);
        StringBuilder sb = new StringBuilder();
        String clip = "clip" + Integer.toHexString(Objects.hash(title, xLabel, yLabel, series.size()) & 0x7fffffff);
        sb.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" %s font-size=\"12\">%n",
                width, height, width, height, FONT));
        sb.append(String.format(Locale.ROOT, "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"white\"/>%n", width, height));
        sb.append(String.format(Locale.ROOT, "<defs><clipPath id=\"%s\"><rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\"/></clipPath></defs>%n",
                clip, LEFT, TOP, pw, ph));
        sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"22\" text-anchor=\"middle\" font-size=\"14\" font-weight=\"bold\">%s</text>%n",
                LEFT + pw / 2.0, esc(title)));
        // grid and ticks
        List<Tick> xt = ticks(ax, integerX);
        List<Tick> yt = ticks(ay, integerY);
        for (Tick t : xt) {
            double px = ax.map(t.value);
            if (t.major) {
                sb.append(String.format(Locale.ROOT, "<line x1=\"%.2f\" y1=\"%d\" x2=\"%.2f\" y2=\"%d\" stroke=\"#e4e4e4\"/>%n", px, TOP, px, TOP + ph));
            }
            sb.append(String.format(Locale.ROOT, "<line x1=\"%.2f\" y1=\"%d\" x2=\"%.2f\" y2=\"%d\" stroke=\"black\"/>%n", px, TOP + ph, px,
                    TOP + ph + (t.major ? 5 : 3)));
            if (t.label != null) {
                sb.append(String.format(Locale.ROOT, "<text x=\"%.2f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n", px, TOP + ph + 19, t.label));
            }
        }
        for (Tick t : yt) {
            double py = ay.map(t.value);
            if (t.major) {
                sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.2f\" x2=\"%d\" y2=\"%.2f\" stroke=\"#e4e4e4\"/>%n", LEFT, py, LEFT + pw, py));
            }
            sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.2f\" x2=\"%d\" y2=\"%.2f\" stroke=\"black\"/>%n", LEFT - (t.major ? 5 : 3), py,
                    LEFT, py));
            if (t.label != null) {
                sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.2f\" text-anchor=\"end\" dominant-baseline=\"middle\">%s</text>%n",
                        LEFT - 8, py, t.label));
            }
        }
        sb.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"black\"/>%n", LEFT, TOP, pw, ph));
        sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" font-size=\"13\">%s</text>%n", LEFT + pw / 2.0,
                height - 14, esc(xLabel)));
        sb.append(String.format(Locale.ROOT, "<text x=\"16\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"13\" transform=\"rotate(-90 16 %.1f)\">%s</text>%n",
                TOP + ph / 2.0, TOP + ph / 2.0, esc(yLabel)));
        boolean any = false;
        sb.append("<g clip-path=\"url(#").append(clip).append(")\">\n");
        for (VLine v : vlines) {
            if (!ax.valid(v.x)) {
                continue;
            }
            double px = ax.map(v.x);
            sb.append(String.format(Locale.ROOT, "<line x1=\"%.2f\" y1=\"%d\" x2=\"%.2f\" y2=\"%d\" stroke=\"#555555\" stroke-width=\"1.2\" stroke-dasharray=\"3,3\"/>%n",
                    px, TOP, px, TOP + ph));
            boolean right = px > LEFT + pw * 0.6;
            sb.append(String.format(Locale.ROOT, "<text x=\"%.2f\" y=\"%d\" font-size=\"11\" fill=\"#333333\" text-anchor=\"%s\">%s</text>%n",
                    right ? px - 4 : px + 4, TOP + 14, right ? "end" : "start", esc(v.label)));
        }
        for (int i = 0; i < series.size(); i++) {
            Series s = series.get(i);
            any |= drawSeries(sb, s, ax, ay, i);
        }
        sb.append("</g>\n");
        if (!any) {
            sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" fill=\"#777777\">no data to plot</text>%n",
                    LEFT + pw / 2.0, TOP + ph / 2.0));
        }
        legend(sb, LEFT + pw + 14, TOP + 6);
        sb.append("</svg>\n");
        return sb.toString();
    }

    private boolean drawSeries(StringBuilder sb, Series s, Axis ax, Axis ay, int index) {
        Style st = s.style();
        List<double[]> pts = new ArrayList<>();
        StringBuilder path = new StringBuilder();
        boolean pen = false;
        double lastX = 0;
        double lastY = 0;
        for (int i = 0; i < s.x().length; i++) {
            double x = s.x()[i];
            double y = s.y()[i];
            if (!ax.valid(x) || !ay.valid(y)) {
                pen = false;
                continue;
            }
            double px = ax.map(x);
            double py = ay.map(y);
            pts.add(new double[]{px, py});
            if (!pen) {
                path.append(String.format(Locale.ROOT, "M%.2f %.2f", px, py));
            } else if (s.render() == Render.STEP) {
                double mid = (lastX + px) / 2;
                path.append(String.format(Locale.ROOT, "H%.2f V%.2f H%.2f", mid, py, px));
            } else {
                path.append(String.format(Locale.ROOT, "L%.2f %.2f", px, py));
            }
            pen = true;
            lastX = px;
            lastY = py;
        }
        if (pts.isEmpty()) {
            return false;
        }
        if (s.render() != Render.SCATTER && !path.isEmpty()) {
            sb.append(String.format(Locale.ROOT, "<path d=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"1.8\"%s/>%n", path, st.color(),
                    st.dash().isEmpty() ? "" : " stroke-dasharray=\"" + st.dash() + "\""));
        }
        int every = pts.size() > 24 ? (int) Math.ceil(pts.size() / 12.0) : 1;
        int offset = every > 1 ? index % every : 0;
        for (int i = 0; i < pts.size(); i++) {
            if (s.render() == Render.SCATTER || i % every == offset) {
                marker(sb, st, pts.get(i)[0], pts.get(i)[1], 4.2);
            }
        }
        return true;
    }

    private void legend(StringBuilder sb, int x, int y) {
        int row = 0;
        for (Series s : series) {
            int cy = y + 10 + row * 20;
            Style st = s.style();
            if (s.render() != Render.SCATTER) {
                sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"1.8\"%s/>%n", x, cy, x + 30,
                        cy, st.color(), st.dash().isEmpty() ? "" : " stroke-dasharray=\"" + st.dash() + "\""));
            }
            marker(sb, st, x + 15, cy, 4.2);
            sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" dominant-baseline=\"middle\">%s</text>%n", x + 38, cy, esc(s.name())));
            row++;
        }
        if (!vlines.isEmpty()) {
            int cy = y + 10 + row * 20;
            sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#555555\" stroke-width=\"1.2\" stroke-dasharray=\"3,3\"/>%n",
                    x, cy, x + 30, cy));
            sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" dominant-baseline=\"middle\">marked value</text>%n", x + 38, cy));
        }
    }

    private static void marker(StringBuilder sb, Style st, double x, double y, double r) {
        String c = st.color();
        switch (st.marker()) {
            case CIRCLE -> sb.append(String.format(Locale.ROOT, "<circle cx=\"%.2f\" cy=\"%.2f\" r=\"%.2f\" fill=\"%s\"/>%n", x, y, r, c));
            case SQUARE -> sb.append(String.format(Locale.ROOT, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"white\" stroke=\"%s\" stroke-width=\"1.6\"/>%n",
                    x - r * 0.85, y - r * 0.85, 1.7 * r, 1.7 * r, c));
            case TRIANGLE_UP -> polygon(sb, c, true, x, y - r * 1.15, x - r, y + r * 0.75, x + r, y + r * 0.75);
            case TRIANGLE_DOWN -> polygon(sb, c, false, x, y + r * 1.15, x - r, y - r * 0.75, x + r, y - r * 0.75);
            case DIAMOND -> polygon(sb, c, false, x, y - r * 1.2, x + r, y, x, y + r * 1.2, x - r, y);
            case CROSS -> sb.append(String.format(Locale.ROOT, "<path d=\"M%.2f %.2fL%.2f %.2fM%.2f %.2fL%.2f %.2f\" stroke=\"%s\" stroke-width=\"1.8\"/>%n",
                    x - r, y - r, x + r, y + r, x - r, y + r, x + r, y - r, c));
            case PLUS -> sb.append(String.format(Locale.ROOT, "<path d=\"M%.2f %.2fL%.2f %.2fM%.2f %.2fL%.2f %.2f\" stroke=\"%s\" stroke-width=\"1.8\"/>%n",
                    x - r * 1.2, y, x + r * 1.2, y, x, y - r * 1.2, x, y + r * 1.2, c));
            case NONE -> {
            }
        }
    }

    private static void polygon(StringBuilder sb, String color, boolean filled, double... xy) {
        StringBuilder p = new StringBuilder();
        for (int i = 0; i < xy.length; i += 2) {
            p.append(String.format(Locale.ROOT, "%.2f,%.2f ", xy[i], xy[i + 1]));
        }
        sb.append(String.format(Locale.ROOT, "<polygon points=\"%s\" fill=\"%s\" stroke=\"%s\" stroke-width=\"1.6\"/>%n", p.toString().trim(),
                filled ? color : "white", color));
    }

    // ---- axes

    private double[] range(boolean isX) {
        Scale scale = isX ? xScale : yScale;
        double fixedMin = isX ? xMin : yMin;
        double fixedMax = isX ? xMax : yMax;
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (Series s : series) {
            double[] v = isX ? s.x() : s.y();
            double[] o = isX ? s.y() : s.x();
            Scale os = isX ? yScale : xScale;
            for (int i = 0; i < v.length; i++) {
                if (ok(v[i], scale) && ok(o[i], os)) {
                    lo = Math.min(lo, v[i]);
                    hi = Math.max(hi, v[i]);
                }
            }
        }
        if (isX) {
            for (VLine l : vlines) {
                if (ok(l.x, scale)) {
                    lo = Math.min(lo, l.x);
                    hi = Math.max(hi, l.x);
                }
            }
        }
        if (lo > hi) {
            lo = scale == Scale.LOG ? 1 : 0;
            hi = scale == Scale.LOG ? 10 : 1;
        }
        if (scale == Scale.LOG) {
            if (hi / lo < 1.0001) {
                lo /= 2;
                hi *= 2;
            }
            double span = Math.log10(hi / lo);
            lo = span >= 2 ? Math.pow(10, Math.floor(Math.log10(lo) + 1e-9)) : lo / Math.pow(10, 0.06 * Math.max(span, 0.3));
            hi = span >= 2 ? Math.pow(10, Math.ceil(Math.log10(hi) - 1e-9)) : hi * Math.pow(10, 0.06 * Math.max(span, 0.3));
        } else {
            if (!isX && yFromZero) {
                lo = Math.min(lo, 0);
            }
            if (hi - lo < 1e-12 * Math.max(1, Math.abs(hi))) {
                double d = Math.abs(hi) > 0 ? Math.abs(hi) * 0.1 : 1;
                lo -= d;
                hi += d;
            }
            if (isX ? integerX : integerY) {
                lo -= 0.5;
                hi += 0.5;
            } else {
                double pad = (hi - lo) * 0.05;
                lo = !isX && yFromZero && lo == 0 ? 0 : lo - pad;
                hi += pad;
            }
        }
        if (!Double.isNaN(fixedMin)) {
            lo = fixedMin;
        }
        if (!Double.isNaN(fixedMax)) {
            hi = fixedMax;
        }
        return new double[]{lo, hi};
    }

    private static boolean ok(double v, Scale s) {
        return Double.isFinite(v) && (s == Scale.LINEAR || v > 0);
    }

    private record Tick(double value, boolean major, String label) {
    }

    private static final class Axis {
        final Scale scale;
        final double lo;
        final double hi;
        final double p0;
        final double p1;

        Axis(Scale scale, double lo, double hi, double p0, double p1) {
            this.scale = scale;
            this.lo = lo;
            this.hi = hi;
            this.p0 = p0;
            this.p1 = p1;
        }

        double t(double v) {
            return scale == Scale.LOG ? Math.log10(v) : v;
        }

        boolean valid(double v) {
            return ok(v, scale);
        }

        double map(double v) {
            return p0 + (t(v) - t(lo)) / (t(hi) - t(lo)) * (p1 - p0);
        }
    }

    private static List<Tick> ticks(Axis a, boolean integer) {
        List<Tick> out = new ArrayList<>();
        if (a.scale == Scale.LOG) {
            int k0 = (int) Math.floor(Math.log10(a.lo) + 1e-9);
            int k1 = (int) Math.ceil(Math.log10(a.hi) - 1e-9);
            int decades = (int) Math.ceil(Math.log10(a.hi / a.lo) - 1e-6);
            int labelEvery = decades > 8 ? 2 : 1;
            for (int k = k0; k <= k1; k++) {
                for (int m = 1; m <= 9; m++) {
                    double v = m * Math.pow(10, k);
                    if (v < a.lo * (1 - 1e-9) || v > a.hi * (1 + 1e-9)) {
                        continue;
                    }
                    if (m == 1) {
                        out.add(new Tick(v, true, Math.floorMod(k, labelEvery) == 0 ? (plain(k, decades) ? plainNumber(v) : power(k)) : null));
                    } else if (decades <= 6) {
                        boolean label = decades <= 2 && (m == 2 || m == 5);
                        out.add(new Tick(v, label, label ? (plain(k, decades) ? plainNumber(v) : m + "×" + power(k)) : null));
                    }
                }
            }
            return out;
        }
        double range = a.hi - a.lo;
        double raw = range / 6;
        double mag = Math.pow(10, Math.floor(Math.log10(raw)));
        double step = mag;
        for (double f : new double[]{1, 2, 2.5, 5, 10}) {
            if (f * mag >= raw) {
                step = f * mag;
                break;
            }
        }
        if (integer) {
            step = Math.max(1, Math.round(step));
        }
        double first = Math.ceil(a.lo / step - 1e-9) * step;
        double maxAbs = Math.max(Math.abs(a.lo), Math.abs(a.hi));
        boolean sci = maxAbs >= 1e5 || (maxAbs < 1e-3 && maxAbs > 0);
        int decimals = Math.max(0, (int) -Math.floor(Math.log10(step) + 1e-9));
        if (Math.abs(step / Math.pow(10, Math.floor(Math.log10(step) + 1e-9)) - 2.5) < 1e-9) {
            decimals++;
        }
        for (double v = first; v <= a.hi + 1e-9 * step; v += step) {
            double val = Math.abs(v) < step * 1e-9 ? 0 : v;
            out.add(new Tick(val, true, sci ? sci(val) : String.format(Locale.ROOT, "%." + (integer ? 0 : decimals) + "f", val)));
        }
        return out;
    }

    private static boolean plain(int k, int decades) {
        return decades <= 2 && k >= -3 && k <= 4;
    }

    private static String plainNumber(double v) {
        return java.math.BigDecimal.valueOf(v).round(new java.math.MathContext(6)).stripTrailingZeros().toPlainString();
    }

    private static String power(int k) {
        return "10<tspan dy=\"-6\" font-size=\"9\">" + k + "</tspan><tspan dy=\"6\"></tspan>";
    }

    private static String sci(double v) {
        if (v == 0) {
            return "0";
        }
        int k = (int) Math.floor(Math.log10(Math.abs(v)) + 1e-9);
        double m = v / Math.pow(10, k);
        String ms = Math.abs(m - Math.rint(m)) < 1e-6 ? String.valueOf((long) Math.rint(m)) : String.format(Locale.ROOT, "%.1f", m);
        return ms + "×" + power(k);
    }

    /** XML text escaping. */
    public static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
