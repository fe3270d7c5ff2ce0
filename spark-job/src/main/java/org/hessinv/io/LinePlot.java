package org.hessinv.io;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** A PNG line chart (JFreeChart, headless): one line per series, optionally a logarithmic y axis. */
public final class LinePlot {
    /** One line: its name and its (x, y) points. */
    public record Series(String name, double[] x, double[] y) {}

    private LinePlot() {}

    /** Writes the chart; points with a non-finite y (or y <= 0 on a log axis) are left out. */
    public static void write(Path file, String title, String xLabel, String yLabel, boolean logY, List<Series> lines) throws IOException {
        System.setProperty("java.awt.headless", "true");
        XYSeriesCollection data = new XYSeriesCollection();
        for (Series s : lines) {
            XYSeries xy = new XYSeries(s.name(), false, true);
            for (int i = 0; i < s.x().length; i++) {
                double y = s.y()[i];
                if (Double.isFinite(y) && Double.isFinite(s.x()[i]) && (!logY || y > 0)) xy.add(s.x()[i], y);
            }
            data.addSeries(xy);
        }
        JFreeChart chart = ChartFactory.createXYLineChart(title, xLabel, yLabel, data, PlotOrientation.VERTICAL, true, false, false);
        if (logY) {
            LogAxis axis = new LogAxis(yLabel);
            axis.setSmallestValue(1e-300);
            axis.setNumberFormatOverride(new java.text.DecimalFormat("0.##E0"));
            chart.getXYPlot().setRangeAxis(axis);
        }
        ChartUtils.saveChartAsPNG(file.toFile(), chart, 900, 540);
    }
}
