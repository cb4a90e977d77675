package io.qpart.cli;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** The predicted-versus-measured scatter plot of {@code qpart fidelity}, as PNG. */
final class FidelityPlot {
    private FidelityPlot() {
    }

    static void write(Path png, List<FidelityCommand.Point> points, String title) throws IOException {
        XYChart chart = new XYChartBuilder().width(800).height(700).title("Predicted vs measured accuracy drop: " + title)
                .xAxisTitle("predicted drop (percentage points)").yAxisTitle("measured drop (percentage points)").build();
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setMarkerSize(6);
        double lo = 0;
        double hi = 0.5;
        for (FidelityCommand.Point p : points) {
            lo = Math.min(lo, Math.min(p.predictedPp(), p.measuredPp()));
            hi = Math.max(hi, Math.max(p.predictedPp(), p.measuredPp()));
        }
        XYSeries diag = chart.addSeries("y = x", new double[]{lo, hi}, new double[]{lo, hi});
        diag.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        diag.setMarker(SeriesMarkers.NONE);
        diag.setLineColor(Color.GRAY);
        add(chart, "single tensor", points.stream().filter(FidelityCommand.Point::single).toList(), new Color(31, 119, 180));
        add(chart, "mixed configuration", points.stream().filter(p -> !p.single()).toList(), new Color(214, 39, 40));
        String file = png.toString();
        BitmapEncoder.saveBitmap(chart, file.endsWith(".png") ? file.substring(0, file.length() - 4) : file, BitmapEncoder.BitmapFormat.PNG);
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
