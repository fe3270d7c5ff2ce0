package org.hessinv.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ScalingFitTest {
    @Test
    void recoversAnExactPowerLaw() {
        double[] x = {128, 256, 512, 1024, 2048, 4096};
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) y[i] = 3e-4 * Math.pow(x[i], 1.07);
        ScalingFit f = ScalingFit.fit(x, y);
        assertEquals(1.07, f.exponent(), 1e-12);
        assertEquals(3e-4, f.prefactor(), 1e-15);
        assertEquals(1.0, f.rSquared(), 1e-12);
        assertEquals(3e-4 * Math.pow(300, 1.07), f.predict(300), 1e-12);
    }

    @Test
    void leastSquaresOnNoisyPointsAndSkipsMissingOnes() {
        double[] x = {64, 128, 256, 512, 1024};
        double[] y = {0.1 * 1.1, 0.2 / 1.1, 0.4 * 1.1, Double.NaN, 1.6 / 1.1};
        ScalingFit f = ScalingFit.fit(x, y);
        assertEquals(4, f.points());
        assertTrue(Math.abs(f.exponent() - 1.0) < 0.1, "exponent " + f.exponent());
        assertTrue(f.rSquared() > 0.95 && f.rSquared() < 1.0);
    }

    @Test
    void tooFewPointsGiveNaN() {
        assertTrue(Double.isNaN(ScalingFit.fit(new double[] {1}, new double[] {2}).exponent()));
        assertTrue(Double.isNaN(ScalingFit.fit(new double[] {2, 2}, new double[] {1, 3}).exponent()));
    }
}
