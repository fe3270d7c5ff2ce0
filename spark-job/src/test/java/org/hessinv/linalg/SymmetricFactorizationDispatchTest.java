package org.hessinv.linalg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.hessinv.testing.Dense;
import org.junit.jupiter.api.Test;

/** {@link SymmetricFactorization#factor}: Cholesky when positive definite, else Bunch-Kaufman; refuses singular pivots naming the layer. */
class SymmetricFactorizationDispatchTest {
    private static double[] withSpectrum(long seed, double... lambda) {
        return Dense.fromEigen(Dense.randomOrthogonal(new SplittableRandom(seed), lambda.length), lambda);
    }

    @Test
    void positiveDefiniteUsesCholesky() {
        assertInstanceOf(CholeskyFactorization.class, SymmetricFactorization.factor(withSpectrum(1, 3, 2, 1, 0.5), 4, 1, "h"));
    }

    @Test
    void indefiniteUsesBunchKaufman() {
        SymmetricFactorization f = SymmetricFactorization.factor(withSpectrum(2, 3, -2, 1, 0.5), 4, 1, "h");
        assertInstanceOf(BunchKaufmanFactorization.class, f);
        assertEquals(new Inertia(1, 0, 3), f.inertia());
    }

    @Test
    void exactlySingularIsRefusedNamingTheLayerAndTheHint() {
        double[] q = {1, 1, 1, 1}; // rank 1
        SingularStageException e = assertThrows(SingularStageException.class,
                () -> SymmetricFactorization.factor(q, 2, 7, "add damping"));
        assertEquals(7, e.layer());
        assertTrue(e.getMessage().contains("layer 7") && e.getMessage().contains("add damping"), e.getMessage());
    }

    /** kappa 1e15: rcond ~1e-15 < SINGULAR_RCOND = 1e-13 is refused; kappa 1e10 (rcond ~1e-10..1e-11) is accepted. */
    @Test
    void nearSingularIsRefusedByTheConditionThreshold() {
        for (double sign : new double[] {1, -1}) {
            double[] bad = withSpectrum(3, 1, 0.5, sign * 1e-15);
            SingularStageException e = assertThrows(SingularStageException.class, () -> SymmetricFactorization.factor(bad, 3, 2, "h"));
            assertTrue(e.rcond() < SymmetricFactorization.SINGULAR_RCOND, "rcond " + e.rcond());
            SymmetricFactorization ok = SymmetricFactorization.factor(withSpectrum(3, 1, 0.5, sign * 1e-10), 3, 2, "h");
            assertTrue(ok.rcond() >= SymmetricFactorization.SINGULAR_RCOND);
        }
    }

    @Test
    void nonFiniteEntriesAreRefused() {
        double[] q = {1, Double.NaN, Double.NaN, 1};
        SingularStageException e = assertThrows(SingularStageException.class, () -> SymmetricFactorization.factor(q, 2, 4, "h"));
        assertTrue(e.getMessage().contains("non-finite") && e.getMessage().contains("layer 4"), e.getMessage());
    }
}
