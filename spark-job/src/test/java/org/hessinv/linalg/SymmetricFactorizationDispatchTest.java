package org.hessinv.linalg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.hessinv.testing.Dense;
import org.junit.jupiter.api.Test;

/** {@link SymmetricFactorization#factor}: Cholesky when positive definite, else Bunch-Kaufman; refuses singular matrices with their order and condition estimate. */
class SymmetricFactorizationDispatchTest {
    private static double[] withSpectrum(long seed, double... lambda) {
        return Dense.fromEigen(Dense.randomOrthogonal(new SplittableRandom(seed), lambda.length), lambda);
    }

    @Test
    void positiveDefiniteUsesCholesky() {
        assertInstanceOf(CholeskyFactorization.class, SymmetricFactorization.factor(withSpectrum(1, 3, 2, 1, 0.5), 4));
    }

    @Test
    void indefiniteUsesBunchKaufman() {
        SymmetricFactorization f = SymmetricFactorization.factor(withSpectrum(2, 3, -2, 1, 0.5), 4);
        assertInstanceOf(BunchKaufmanFactorization.class, f);
        assertEquals(new Inertia(1, 0, 3), f.inertia());
    }

    @Test
    void exactlySingularIsRefusedWithItsOrderAndCondition() {
        double[] q = {1, 1, 1, 1}; // rank 1
        SingularMatrixException e = assertThrows(SingularMatrixException.class, () -> SymmetricFactorization.factor(q, 2));
        assertEquals(2, e.order());
        assertTrue(e.rcond() < SymmetricFactorization.SINGULAR_RCOND, "rcond " + e.rcond());
        assertTrue(e.getMessage().contains("2 x 2 matrix is singular"), e.getMessage());
    }

    /** kappa 1e15: rcond ~1e-15 < SINGULAR_RCOND = 1e-13 is refused; kappa 1e10 (rcond ~1e-10..1e-11) is accepted. */
    @Test
    void nearSingularIsRefusedByTheConditionThreshold() {
        for (double sign : new double[] {1, -1}) {
            double[] bad = withSpectrum(3, 1, 0.5, sign * 1e-15);
            SingularMatrixException e = assertThrows(SingularMatrixException.class, () -> SymmetricFactorization.factor(bad, 3));
            assertTrue(e.rcond() < SymmetricFactorization.SINGULAR_RCOND, "rcond " + e.rcond());
            SymmetricFactorization ok = SymmetricFactorization.factor(withSpectrum(3, 1, 0.5, sign * 1e-10), 3);
            assertTrue(ok.rcond() >= SymmetricFactorization.SINGULAR_RCOND);
        }
    }

    @Test
    void nonFiniteEntriesAreRefused() {
        double[] q = {1, Double.NaN, Double.NaN, 1};
        SingularMatrixException e = assertThrows(SingularMatrixException.class, () -> SymmetricFactorization.factor(q, 2));
        assertTrue(e.nonFinite() && e.getMessage().contains("non-finite"), e.getMessage());
    }
}
