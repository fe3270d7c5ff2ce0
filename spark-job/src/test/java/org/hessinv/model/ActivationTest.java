package org.hessinv.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.hessinv.testing.FiniteDifferences;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every activation's first and second derivatives against central differences of its value (and of
 * its first derivative). Grid -8..8, which covers every pre-activation of the test networks.
 */
class ActivationTest {
    /**
     * d1 vs differences of value, d2 vs differences of d1: FiniteDifferences' first-derivative error is
     * ~1e-12 times max(1, |s|) (|s| <= 8 on the grid); 1e-9 leaves a 100x margin and still catches any
     * wrong formula (those are off by O(1e-2) or more somewhere on the grid).
     */
    private static final double FIRST_DIFF_TOL = 1e-9;
    /** d2 vs second differences of value: that estimate's error is ~1e-9 max(1, |s|) (roundoff eps |s| / h^2). */
    private static final double SECOND_DIFF_TOL = 1e-7;

    private static double[] grid() {
        int n = 161;
        double[] u = new double[n + 2];
        for (int i = 0; i < n; i++) u[i] = -8.0 + 16.0 * i / (n - 1) + 0.013; // avoid landing only on round numbers
        u[n] = 0.0;
        u[n + 1] = -1e-3;
        return u;
    }

    @ParameterizedTest
    @EnumSource(Activation.class)
    void firstDerivativeMatchesDifferencesOfValue(Activation s) {
        for (double u : grid()) {
            double fd = FiniteDifferences.derivative(s::value, u);
            assertEquals(fd, s.d1(u), FIRST_DIFF_TOL * Math.max(1.0, Math.abs(s.value(u))), s + " d1 at u=" + u);
        }
    }

    @ParameterizedTest
    @EnumSource(Activation.class)
    void secondDerivativeMatchesDifferencesOfFirst(Activation s) {
        for (double u : grid()) {
            double fd = FiniteDifferences.derivative(s::d1, u);
            assertEquals(fd, s.d2(u), FIRST_DIFF_TOL * Math.max(1.0, Math.abs(s.d1(u))), s + " d2 at u=" + u);
        }
    }

    @ParameterizedTest
    @EnumSource(Activation.class)
    void secondDerivativeMatchesSecondDifferencesOfValue(Activation s) {
        for (double u : grid()) {
            double fd = FiniteDifferences.secondDerivative(s::value, u);
            assertEquals(fd, s.d2(u), SECOND_DIFF_TOL * Math.max(1.0, Math.abs(s.value(u))), s + " d2 (from values) at u=" + u);
        }
    }

    /** Far tails: no overflow to NaN or infinity (exp(700) is near overflow, exp(800) overflows). */
    @ParameterizedTest
    @EnumSource(Activation.class)
    void finiteInTheFarTails(Activation s) {
        for (double u : new double[] {-800, -700, -40, 40, 700, 800}) {
            assertTrue(Double.isFinite(s.value(u)) && Double.isFinite(s.d1(u)) && Double.isFinite(s.d2(u)),
                    s + " at u=" + u + ": " + s.value(u) + ", " + s.d1(u) + ", " + s.d2(u));
        }
    }

    @ParameterizedTest
    @EnumSource(Activation.class)
    void specNameRoundTrips(Activation s) {
        assertEquals(s, Activation.fromSpec(s.specName()));
    }
}
