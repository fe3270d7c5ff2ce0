package org.hessinv.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The charts are written as PNGs of the stated size, with missing points (NaN) and an empty chart allowed. */
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
}
