package org.hessinv.linalg;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.hessinv.testing.Dense;
import org.junit.jupiter.api.Test;

/** The contract on positive definite matrices, plus Cholesky's own: refusal of indefinite Q, and L^-T. */
class CholeskyFactorizationTest extends SymmetricFactorizationContract {
    @Override SymmetricFactorization factor(double[] q, int n) {
        CholeskyFactorization f = CholeskyFactorization.tryFactor(q, n, Dense.norm1(q, n, n));
        assertNotNull(f, "positive definite matrix refused");
        return f;
    }

    @Override double[] spectrum(SplittableRandom rng, int n, double kappa) { return magnitudes(rng, n, kappa); }

    @Test
    void refusesAnIndefiniteMatrix() {
        SplittableRandom rng = new SplittableRandom(5);
        int n = 6;
        double[] l = magnitudes(rng, n, 10);
        l[3] = -l[3];
        double[] q = Dense.fromEigen(Dense.randomOrthogonal(rng, n), l);
        assertNull(CholeskyFactorization.tryFactor(q, n, Dense.norm1(q, n, n)));
    }

    /** T = L^-T (the sampling map) satisfies Q T T^T = I to ~n eps kappa. */
    @Test
    void inverseTransposeFactorIsASquareRootOfTheInverse() {
        SplittableRandom rng = new SplittableRandom(6);
        int n = 9;
        double kappa = 1e3;
        double[] q = Dense.fromEigen(Dense.randomOrthogonal(rng, n), magnitudes(rng, n, kappa));
        CholeskyFactorization f = CholeskyFactorization.tryFactor(q, n, Dense.norm1(q, n, n));
        double[] t = new double[n * n];
        for (int j = 0; j < n; j++) {
            double[] e = new double[n];
            e[j] = 1;
            f.applyInverseSquareRoot(e);
            System.arraycopy(e, 0, t, j * n, n);
        }
        double[] qttT = Dense.multiply(q, Dense.multiply(t, Dense.transpose(t, n, n), n, n, n), n, n, n);
        double err = Dense.norm(Dense.minus(qttT, Dense.identity(n)));
        assertTrue(err <= FORWARD_FACTOR * 2 * n * Dense.EPS * kappa, "||Q T T^T - I|| = " + err);
    }
}
