package org.hessinv.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link Tanh} against Math.tanh (fdlibm, within 1 ulp of the exact value): within 4 ulp everywhere. */
class TanhTest {
    private static double ulps(double got, double ref) {
        return Math.abs(got - ref) / Math.ulp(ref);
    }

    @Test
    void withinFourUlpOfMathTanh() {
        SplittableRandom rng = new SplittableRandom(1);
        double worst = 0;
        for (int i = 0; i < 1_000_000; i++) {
            double u = (rng.nextDouble() - 0.5) * 50;
            worst = Math.max(worst, ulps(Tanh.tanh(u), Math.tanh(u)));
            double v = Math.scalb(rng.nextDouble() + 0.5, -rng.nextInt(40)) * (rng.nextBoolean() ? 1 : -1);
            worst = Math.max(worst, ulps(Tanh.tanh(v), Math.tanh(v)));
        }
        // the reduction's switch points and the clamps
        for (double u : new double[] {0x1.0p-28, 0x1.0p-29, 0.17328679513998632, 0.1732867951399863, 0.5, 1, 10, 21.999, 22, 23, 1e300}) {
            worst = Math.max(worst, ulps(Tanh.tanh(u), Math.tanh(u)));
            worst = Math.max(worst, ulps(Tanh.tanh(-u), Math.tanh(-u)));
        }
        System.out.println("TanhTest: worst difference from Math.tanh " + worst + " ulp");
        assertTrue(worst <= 4, "worst " + worst + " ulp");
        assertEquals(0.0, Tanh.tanh(0.0));
        assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(Tanh.tanh(-0.0)));
        assertTrue(Double.isNaN(Tanh.tanh(Double.NaN)));
        assertEquals(1.0, Tanh.tanh(Double.POSITIVE_INFINITY));
        assertEquals(-1.0, Tanh.tanh(Double.NEGATIVE_INFINITY));
    }
}
