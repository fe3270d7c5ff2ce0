package org.hessinv.linalg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.hessinv.testing.Dense;
import org.junit.jupiter.api.Test;

/** The contract on indefinite matrices (random signs, at least one of each when n >= 2), plus 2x2-pivot cases. */
class BunchKaufmanFactorizationTest extends SymmetricFactorizationContract {
    @Override SymmetricFactorization factor(double[] q, int n) {
        return BunchKaufmanFactorization.factor(q, n, Dense.norm1(q, n, n));
    }

    @Override double[] spectrum(SplittableRandom rng, int n, double kappa) {
        double[] l = magnitudes(rng, n, kappa);
        for (int i = 0; i < n; i++) if (rng.nextBoolean()) l[i] = -l[i];
        if (n >= 2) { l[0] = -Math.abs(l[0]); l[1] = Math.abs(l[1]); }
        return l;
    }

    /**
     * Zero diagonal forces 2x2 pivots: [[0, 1], [1, 0]] (+-1), [[0, 2], [2, 0]] blocks and a
     * negative definite 2x2 [[-1, -3], [-3, -10]] behind a zero-diagonal coupling.
     */
    @Test
    void twoByTwoPivotsGiveTheRightInertiaAndDeterminant() {
        double[][] cases = {
            {0, 1, 1, 0},
            {0, 2, 0, 0, 2, 0, 0, 0, 0, 0, 0, 3, 0, 0, 3, 0},
            {1e-12, 5, 0, 5, -1, -3, 0, -3, -10},
        };
        for (double[] q : cases) {
            int n = (int) Math.round(Math.sqrt(q.length));
            SymmetricFactorization f = factor(q, n);
            double[] eig = org.hessinv.solve.DenseSolver.eigenvalues(q, n);
            Dense.Spectrum spectrum = Dense.spectrum(eig);
            assertEquals(spectrum.inertia(), f.inertia(), java.util.Arrays.toString(q));
            assertEquals(spectrum.logAbsDet(), f.logAbsDet(), 1e-12 * Math.max(1, Math.abs(spectrum.logAbsDet())), java.util.Arrays.toString(q));
            double[] b = new double[n];
            for (int i = 0; i < n; i++) b[i] = i + 1;
            double[] x = b.clone();
            f.solveInPlace(x, 1);
            double res = Dense.norm(Dense.minus(Dense.times(q, n, n, x), b));
            assertTrue(res <= 100 * n * Dense.EPS * Dense.norm(q) * Dense.norm(x), "residual " + res);
        }
    }

    /** Negative definite: all eigenvalues negative, Cholesky impossible. */
    @Test
    void negativeDefinite() {
        SplittableRandom rng = new SplittableRandom(8);
        int n = 5;
        double[] l = magnitudes(rng, n, 100);
        for (int i = 0; i < n; i++) l[i] = -l[i];
        double[] q = Dense.fromEigen(Dense.randomOrthogonal(rng, n), l);
        assertEquals(new Inertia(n, 0, 0), factor(q, n).inertia());
    }
}
