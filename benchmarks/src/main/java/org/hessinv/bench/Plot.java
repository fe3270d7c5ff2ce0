package org.hessinv.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/** Minimal log-log line charts drawn with java.awt (headless) and written as PNG. */
public final class Plot {
    /** One series: points (x, y) where y may be NaN (skipped); dashed for reference lines. */
    public record Series(String name, double[] x, double[] y, boolean dashed) {}

    private static final Color[] COLORS = {
        new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0x9467bd), new Color(0xff7f0e), new Color(0x7f7f7f)
    };
    private static final int W = 900, H = 600, LEFT = 90, RIGHT = 230, TOP = 50, BOTTOM = 70;

    private Plot() {}

    public static void logLog(Path file, String title, String xLabel, String yLabel, List<Series> series) throws IOException {
        System.setProperty("java.awt.headless", "true");
        double xMin = Double.MAX_VALUE, xMax = 0, yMin = Double.MAX_VALUE, yMax = 0;
        for (Series s : series) {
            for (int i = 0; i < s.x().length; i++) {
                if (!(s.x()[i] > 0) || !(s.y()[i] > 0) || !Double.isFinite(s.y()[i])) continue;
                xMin = Math.min(xMin, s.x()[i]); xMax = Math.max(xMax, s.x()[i]);
                yMin = Math.min(yMin, s.y()[i]); yMax = Math.max(yMax, s.y()[i]);
            }
        }
        BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, W, H);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        g.drawString(title, LEFT, 30);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        int pw = W - LEFT - RIGHT, ph = H - TOP - BOTTOM;
        if (xMax == 0) {
            g.drawString("no data", LEFT + pw / 2 - 20, TOP + ph / 2);
            g.dispose();
            ImageIO.write(img, "png", file.toFile());
            return;
        }
        double lx0 = Math.floor(Math.log10(xMin) * 4) / 4, lx1 = Math.ceil(Math.log10(xMax) * 4) / 4;
        double ly0 = Math.floor(Math.log10(yMin)), ly1 = Math.ceil(Math.log10(yMax));
        if (lx1 <= lx0) { lx0 -= 0.25; lx1 += 0.25; }
        if (ly1 <= ly0) { ly0 -= 1; ly1 += 1; }
        final double fx0 = lx0, fx1 = lx1, fy0 = ly0, fy1 = ly1;
        java.util.function.DoubleUnaryOperator px = v -> LEFT + (Math.log10(v) - fx0) / (fx1 - fx0) * pw;
        java.util.function.DoubleUnaryOperator py = v -> TOP + ph - (Math.log10(v) - fy0) / (fy1 - fy0) * ph;
        g.drawRect(LEFT, TOP, pw, ph);
        // y decades
        for (int e = (int) ly0; e <= (int) ly1; e++) {
            int yy = (int) py.applyAsDouble(Math.pow(10, e));
            g.setColor(new Color(0xdddddd));
            g.drawLine(LEFT, yy, LEFT + pw, yy);
            g.setColor(Color.BLACK);
            g.drawString("1e" + e, LEFT - 40, yy + 4);
        }
        // x ticks: the distinct x values of the data (powers of two, batch sizes, condition numbers)
        java.util.TreeSet<Double> xs = new java.util.TreeSet<>();
        for (Series s : series) if (!s.dashed()) for (double v : s.x()) if (v > 0) xs.add(v);
        for (double v : xs) {
            int xx = (int) px.applyAsDouble(v);
            g.setColor(new Color(0xdddddd));
            g.drawLine(xx, TOP, xx, TOP + ph);
            g.setColor(Color.BLACK);
            String lab = v >= 1e5 ? String.format(Locale.ROOT, "%.0e", v) : String.format(Locale.ROOT, "%.0f", v);
            g.drawString(lab, xx - 4 * lab.length(), TOP + ph + 18);
        }
        g.drawString(xLabel, LEFT + pw / 2 - 4 * xLabel.length(), H - 25);
        java.awt.geom.AffineTransform saved = g.getTransform();
        g.rotate(-Math.PI / 2);
        g.drawString(yLabel, -(TOP + ph / 2 + 4 * yLabel.length()), 25);
        g.setTransform(saved);
        int legendY = TOP + 10;
        for (int si = 0; si < series.size(); si++) {
            Series s = series.get(si);
            Color c = COLORS[si % COLORS.length];
            g.setColor(c);
            g.setStroke(s.dashed() ? new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 5f}, 0f)
                    : new BasicStroke(2f));
            List<int[]> pts = new ArrayList<>();
            for (int i = 0; i < s.x().length; i++) {
                if (!(s.x()[i] > 0) || !(s.y()[i] > 0) || !Double.isFinite(s.y()[i])) continue;
                pts.add(new int[] {(int) px.applyAsDouble(s.x()[i]), (int) py.applyAsDouble(s.y()[i])});
            }
            for (int i = 1; i < pts.size(); i++) g.drawLine(pts.get(i - 1)[0], pts.get(i - 1)[1], pts.get(i)[0], pts.get(i)[1]);
            if (!s.dashed()) for (int[] p : pts) g.fillOval(p[0] - 4, p[1] - 4, 8, 8);
            g.drawLine(W - RIGHT + 15, legendY, W - RIGHT + 45, legendY);
            g.setColor(Color.BLACK);
            g.drawString(s.name(), W - RIGHT + 52, legendY + 4);
            legendY += 20;
        }
        g.dispose();
        ImageIO.write(img, "png", file.toFile());
    }
}
