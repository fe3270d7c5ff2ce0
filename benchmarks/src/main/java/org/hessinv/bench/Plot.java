package org.hessinv.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.util.List;
import java.util.Locale;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** Log-log line charts with JFreeChart, written as PNG (headless). */
public final class Plot {
    /** One series: points (x, y) where y may be NaN (skipped); dashed for reference lines (no markers). */
    public record Series(String name, double[] x, double[] y, boolean dashed) {}

    static final int WIDTH = 900, HEIGHT = 600;
    private static final Color[] COLORS = {
        new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0x9467bd), new Color(0xff7f0e), new Color(0x7f7f7f)
    };

    private Plot() {}

    /** Writes a log-log chart of the series to {@code file}; points with a non-positive or non-finite coordinate are left out. */
    public static void logLog(Path file, String title, String xLabel, String yLabel, List<Series> series) throws IOException {
        System.setProperty("java.awt.headless", "true");
        ChartUtils.saveChartAsPNG(file.toFile(), chart(title, xLabel, yLabel, series), WIDTH, HEIGHT);
    }

    private static DecimalFormat format(String pattern) {
        DecimalFormatSymbols symbols = DecimalFormatSymbols.getInstance(Locale.ROOT);
        symbols.setExponentSeparator("e");
        return new DecimalFormat(pattern, symbols);
    }

    /**
     * A base-10 axis over [lo, hi]: a tick per decade when the data spans one or more, labelled plainly
     * (0.01, 1, 100) inside 1e-3..1e5 and as 1e6 outside.
     */
    private static void decades(LogAxis axis, double lo, double hi) {
        if (!(lo > 0) || !(hi > 0) || Double.isNaN(lo) || Double.isNaN(hi)) return;
        if (Math.log10(hi / lo) >= 1) axis.setTickUnit(new NumberTickUnit(1));
        axis.setNumberFormatOverride(format(lo >= 1e-3 && hi <= 1e5 ? "#,##0.####" : "0.##E0"));
    }

    static JFreeChart chart(String title, String xLabel, String yLabel, List<Series> series) {
        XYSeriesCollection data = new XYSeriesCollection();
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
        boolean powersOfTwo = true;
        for (int i = 0; i < series.size(); i++) {
            Series s = series.get(i);
            XYSeries xy = new XYSeries(s.name(), true, true);
            for (int k = 0; k < s.x().length; k++) {
                double x = s.x()[k], y = s.y()[k];
                if (!(x > 0 && y > 0 && Double.isFinite(x) && Double.isFinite(y))) continue;
                xy.add(x, y);
                if (!s.dashed()) powersOfTwo &= x == Math.rint(x) && Long.bitCount((long) x) == 1;
            }
            data.addSeries(xy);
            renderer.setSeriesPaint(i, COLORS[i % COLORS.length]);
            renderer.setSeriesShapesVisible(i, !s.dashed());
            renderer.setSeriesStroke(i, s.dashed()
                    ? new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 5f}, 0f)
                    : new BasicStroke(2f));
        }
        LogAxis x = new LogAxis(xLabel);
        if (powersOfTwo) {
            // depths and batch sizes: a tick at every power of two, labelled plainly
            x.setBase(2);
            x.setTickUnit(new NumberTickUnit(1));
            x.setNumberFormatOverride(format("0"));
        } else {
            decades(x, data.getDomainLowerBound(false), data.getDomainUpperBound(false));
        }
        LogAxis y = new LogAxis(yLabel);
        decades(y, data.getRangeLowerBound(false), data.getRangeUpperBound(false));
        XYPlot plot = new XYPlot(data, x, y, renderer);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(new Color(0xdddddd));
        plot.setRangeGridlinePaint(new Color(0xdddddd));
        plot.setNoDataMessage("no data");
        JFreeChart chart = new JFreeChart(null, JFreeChart.DEFAULT_TITLE_FONT, plot, true);
        chart.setTitle(new TextTitle(title, new Font(Font.SANS_SERIF, Font.BOLD, 16)));
        chart.getLegend().setPosition(RectangleEdge.RIGHT);
        chart.setBackgroundPaint(Color.WHITE);
        return chart;
    }
}
