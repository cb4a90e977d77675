package io.qpart.cli;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;


import javax.imageio.ImageIO;
import java.awt.Color;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Predicate;

/**
 * The predicted-versus-measured scatter plots of {@code qpart fidelity}, as PNG: the full range,
 * and the range of budgets that matter (0 to {@value #ZOOM_PP} percentage points).
 */
final class FidelityPlot {
    /** Upper end of the zoomed plot, percentage points. */
    static final double ZOOM_PP = 3;

    private FidelityPlot() {
    }

    /** Writes {@code stem.png} (full range) and {@code stem-zoom.png}. */
    static void write(Path dir, String stem, List<FidelityCommand.Point> points, String title) throws IOException {
        double lo = 0;
        double hi = 0.5;
        for (FidelityCommand.Point p : points) {
            lo = Math.min(lo, Math.min(p.predictedPp(), p.measuredPp()));
            hi = Math.max(hi, Math.max(p.predictedPp(), p.measuredPp()));
        }
        save(chart(points, title, lo, hi, p -> true), dir.resolve(stem));
        double zlo = Math.min(0, lo);
        save(chart(points, title + " (0 to " + (int) ZOOM_PP + " pp)", zlo, ZOOM_PP,
                p -> p.predictedPp() <= ZOOM_PP && p.measuredPp() <= ZOOM_PP), dir.resolve(stem + "-zoom"));
    }

    private static XYChart chart(List<FidelityCommand.Point> points, String title, double lo, double hi,
                                 Predicate<FidelityCommand.Point> keep) {
        XYChart chart = new XYChartBuilder().width(800).height(700).title("Predicted vs measured accuracy drop: " + title)
                .xAxisTitle("predicted drop (percentage points)").yAxisTitle("measured drop (percentage points)").build();
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setMarkerSize(6);
        chart.getStyler().setXAxisMin(lo).setXAxisMax(hi).setYAxisMin(lo).setYAxisMax(hi);
        XYSeries diag = chart.addSeries("y = x", new double[]{lo, hi}, new double[]{lo, hi});
        diag.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        diag.setMarker(SeriesMarkers.NONE);
        diag.setLineColor(Color.GRAY);
        add(chart, "single tensor", points.stream().filter(FidelityCommand.Point::single).filter(keep).toList(), new Color(31, 119, 180));
        add(chart, "random mixed configuration", points.stream().filter(p -> p.kind().equals("mixed")).filter(keep).toList(),
                new Color(214, 39, 40));
        add(chart, "budget-driven configuration", points.stream().filter(p -> p.kind().equals("budget")).filter(keep).toList(),
                new Color(44, 160, 44));
        return chart;
    }

    private static void save(XYChart chart, Path withoutExtension) throws IOException {
        Path png = withoutExtension.resolveSibling(withoutExtension.getFileName() + ".png");
        try (OutputStream out = Files.newOutputStream(png)) {
            if (!ImageIO.write(BitmapEncoder.getBufferedImage(chart), "png", out)) {
                throw new IOException("no PNG writer available to write " + png);
            }
        }
    }

    private static void add(XYChart chart, String name, List<FidelityCommand.Point> pts, Color color) {
        if (pts.isEmpty()) {
            return;
        }
        double[] x = new double[pts.size()];
        double[] y = new double[pts.size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = pts.get(i).predictedPp();
            y[i] = pts.get(i).measuredPp();
        }
        XYSeries s = chart.addSeries(name, x, y);
        s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        s.setMarker(SeriesMarkers.CIRCLE);
        s.setMarkerColor(color);
    }
}
