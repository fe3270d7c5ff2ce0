package org.hessinv.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The charts are written as PNGs of the stated size, with missing points (NaN) and an empty chart allowed; a CG / MINRES
 * row that stopped at its cap or budget is drawn in a labelled "not converged" series, never as a time to the residual.
 */
class PlotTest {
    @Test
    void writesPng(@TempDir Path dir) throws IOException {
        double[] x = {64, 128, 256};
        Path f = dir.resolve("a.png");
        Plot.logLog(f, "title", "depth", "seconds", List.of(
                new Plot.Series("exact", x, new double[] {0.1, 0.2, Double.NaN}, false),
                new Plot.Series("fit", x, new double[] {0.1, 0.2, 0.4}, true)));
        BufferedImage img = ImageIO.read(f.toFile());
        assertEquals(Plot.WIDTH, img.getWidth());
        assertEquals(Plot.HEIGHT, img.getHeight());
        Path empty = dir.resolve("empty.png");
        Plot.logLog(empty, "none", "condition number", "seconds", List.of(new Plot.Series("exact", new double[] {1e4}, new double[] {Double.NaN}, false)));
        assertEquals(Plot.WIDTH, ImageIO.read(empty.toFile()).getWidth());
    }

    private static ResultRow krylovRow(double value, String status, int iterations, double seconds, double residual) {
        ResultRow r = new ResultRow();
        r.workload = "anchor";
        r.knob = "batch";
        r.value = value;
        r.krylov = "cg";
        r.krylovStatus = status;
        r.krylovIter = iterations;
        r.krylovSeconds = seconds;
        r.krylovResidual = residual;
        r.krylovTarget = 1e-12;
        return r;
    }

    @Test
    void cappedKrylovRowsAreLabelledAndNotPlottedAsConverged() {
        List<ResultRow> rows = List.of(krylovRow(64, "converged", 300, 0.8, 9e-13), krylovRow(128, "max-iterations", 3000, 9.5, 3e-3),
                krylovRow(256, "time-budget", 800, 120, 5e-5));
        double[] x = {64, 128, 256};
        List<Plot.Series> s = SuitePlots.krylovSeries("CG", rows, x);
        assertEquals(2, s.size());
        assertEquals("CG (to same res.)", s.get(0).name());
        assertArrayEquals(new double[] {0.8, Double.NaN, Double.NaN}, s.get(0).y());
        assertEquals("CG capped at 3000 it. / time budget, not converged (res. >= 5e-05)", s.get(1).name());
        assertArrayEquals(new double[] {Double.NaN, 9.5, 120}, s.get(1).y());
        assertEquals(1, SuitePlots.krylovSeries("CG", rows.subList(0, 1), new double[] {64}).size());

        Results res = new Results();
        rows.forEach(res::add);
        List<String> notes = Report.krylovNotes(res);
        assertEquals(List.of(
                "anchor batch=128: cg capped at 3000 iterations, residual 0.003000 (target 1.000e-12; not converged, its time is not a time to the residual)",
                "anchor batch=256: cg stopped at the time budget after 800 iterations (120 s), residual 5.000e-05 (target 1.000e-12; not converged, its time is not a time to the residual)"),
                notes);
        assertEquals("cg converged in 300 iterations, residual 9.000e-13", rows.get(0).krylovOutcome());
    }
}
