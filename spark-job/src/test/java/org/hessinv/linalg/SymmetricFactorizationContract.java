package org.hessinv.linalg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.hessinv.solve.DenseSolver;
import org.hessinv.testing.Dense;
import org.hessinv.testing.RandomProblems;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One abstract suite every {@link SymmetricFactorization} runs (EJML style: a generic contract,
 * one concrete subclass per implementation). Matrices are built with a known spectrum,
 * {@code Q = U diag(lambda) U^T} with U random orthogonal, so Q^-1 = U diag(1/lambda) U^T is known
 * without any solver; log|det|, inertia and the condition are compared with a dense eigendecomposition
 * of the stored Q ({@link DenseSolver#eigenvalues}).
 *
 * <p>Tolerances: Q as stored differs from U diag(lambda) U^T by rounding, ||dQ|| <~ n eps ||Q||, and a
 * backward-stable factorization adds as much again, so the forward error of a solve or inverse is
 * bounded by ~2 n eps kappa (first-order perturbation theory); we allow {@link #FORWARD_FACTOR} times
 * that. The residual ||Q X - B|| of a backward-stable solve is ~n eps ||Q|| ||X|| whatever kappa.
 * log|det| moves by tr(Q^-1 dQ) <= n ||Q^-1|| ||dQ|| ~ n^2 eps kappa.
 */
abstract class SymmetricFactorizationContract {
    static final double FORWARD_FACTOR = 10;

    /** Factorizes (the implementation under test). */
    abstract SymmetricFactorization factor(double[] q, int n);

    /** n eigenvalues, magnitudes from 1 to 1/kappa, with the signs this implementation handles. */
    abstract double[] spectrum(SplittableRandom rng, int n, double kappa);

    static Stream<Arguments> sizes() {
        List<Arguments> out = new ArrayList<>();
        for (int n : new int[] {1, 2, 3, 7, 20, 45}) {
            for (double kappa : new double[] {1.0, 1e3, 1e8}) out.add(Arguments.of(n, kappa));
        }
        return out.stream();
    }

    /** |lambda| log-spaced from 1 to 1/kappa (both ends present), shuffled, with random signs when {@code indefinite}. */
    static double[] magnitudes(SplittableRandom rng, int n, double kappa) {
        double[] l = new double[n];
        for (int i = 0; i < n; i++) l[i] = n == 1 ? 1.0 : Math.pow(kappa, -(double) i / (n - 1));
        for (int i = n - 1; i > 0; i--) { int j = rng.nextInt(i + 1); double t = l[i]; l[i] = l[j]; l[j] = t; }
        return l;
    }

    private record Problem(int n, double[] q, double[] inverse, double kappa) {}

    private Problem problem(int n, double kappa, long seed) {
        SplittableRandom rng = new SplittableRandom(seed * 7919 + n);
        double[] lambda = spectrum(rng, n, kappa);
        double[] u = Dense.randomOrthogonal(rng, n);
        double[] inv = new double[n];
        for (int i = 0; i < n; i++) inv[i] = 1.0 / lambda[i];
        return new Problem(n, Dense.fromEigen(u, lambda), Dense.fromEigen(u, inv), Dense.condition(lambda));
    }

    private static double forwardBound(Problem p) {
        return FORWARD_FACTOR * 2 * p.n * Dense.EPS * p.kappa;
    }

    @ParameterizedTest(name = "n={0} kappa={1}")
    @MethodSource("sizes")
    void solvesSeveralRightHandSides(int n, double kappa) {
        Problem p = problem(n, kappa, 1);
        SymmetricFactorization f = factor(p.q, n);
        assertEquals(n, f.dimension());
        int nrhs = 3;
        double[] b = RandomProblems.vector(new SplittableRandom(n), n * nrhs);
        double[] x = b.clone();
        f.solveInPlace(x, nrhs);
        double[] expected = Dense.multiply(p.inverse, b, n, n, nrhs);
        double err = Dense.relativeError(x, expected);
        assertTrue(err <= forwardBound(p), "forward error " + err + " > " + forwardBound(p));
        double residual = Dense.norm(Dense.minus(Dense.multiply(p.q, x, n, n, nrhs), b));
        double bound = FORWARD_FACTOR * n * Dense.EPS * Dense.norm(p.q) * Dense.norm(x);
        assertTrue(residual <= bound, "residual " + residual + " > " + bound);
    }

    @ParameterizedTest(name = "n={0} kappa={1}")
    @MethodSource("sizes")
    void inverseIsSymmetricAndMatchesTheSpectralInverse(int n, double kappa) {
        Problem p = problem(n, kappa, 2);
        double[] inv = factor(p.q, n).inverse();
        assertEquals(0.0, Dense.asymmetry(inv, n), "inverse must be exactly symmetric");
        double err = Dense.relativeError(inv, p.inverse);
        assertTrue(err <= forwardBound(p), "inverse error " + err + " > " + forwardBound(p));
    }

    @ParameterizedTest(name = "n={0} kappa={1}")
    @MethodSource("sizes")
    void logAbsDetAndInertiaMatchTheEigendecomposition(int n, double kappa) {
        Problem p = problem(n, kappa, 3);
        SymmetricFactorization f = factor(p.q, n);
        double[] eig = DenseSolver.eigenvalues(p.q, n);
        Dense.Spectrum spectrum = Dense.spectrum(eig);
        double tol = FORWARD_FACTOR * n * n * Dense.EPS * p.kappa;
        assertEquals(spectrum.logAbsDet(), f.logAbsDet(), tol, "log|det|");
        // the smallest |eigenvalue| (1/kappa >= 1e-8) is far above the eigensolver's error n eps ||Q||: signs are exact
        assertEquals(spectrum.inertia(), f.inertia(), "inertia of eigenvalues " + Arrays.toString(eig));
    }

    /**
     * rcond against the exact 1-norm reciprocal condition 1 / (||Q||_1 ||Q^-1||_1) (Q^-1 known).
     * LAPACK's estimator returns a lower bound of ||Q^-1||_1, so rcond is never below the exact value
     * (up to rounding, 1e-6 relative here), and in practice within a factor 3 of it (Higham, Accuracy
     * and Stability, section 15.3); we allow 10.
     */
    @ParameterizedTest(name = "n={0} kappa={1}")
    @MethodSource("sizes")
    void rcondEstimatesTheOneNormCondition(int n, double kappa) {
        Problem p = problem(n, kappa, 4);
        double exact = 1.0 / (Dense.norm1(p.q, n, n) * Dense.norm1(p.inverse, n, n));
        double est = factor(p.q, n).rcond();
        assertTrue(est >= exact * (1 - 1e-6) && est <= 10 * exact, "rcond " + est + " vs exact " + exact);
    }

    /**
     * C <- C - X Q^-1 X^T and X <- X Q^-1 (the Schur complement the Riccati sweep eliminates with) against the
     * spectral inverse: X Q^-1 within the solves' forward bound relative to ||X|| ||Q^-1||, C within that bound
     * times ||X||^2 ||Q^-1|| plus ||C||, and C returned exactly symmetric.
     */
    @ParameterizedTest(name = "n={0} kappa={1}")
    @MethodSource("sizes")
    void schurComplementMatchesTheSpectralInverse(int n, double kappa) {
        Problem p = problem(n, kappa, 4);
        SymmetricFactorization f = factor(p.q, n);
        int rows = 5;
        SplittableRandom rng = new SplittableRandom(31L * n + 3);
        double[] x = RandomProblems.vector(rng, rows * n);
        double[] g = RandomProblems.vector(rng, rows * rows);
        double[] c = Dense.multiply(g, Dense.transpose(g, rows, rows), rows, rows, rows);
        double[] xQinv = Dense.multiply(x, p.inverse, rows, n, n);
        double[] expectedC = Dense.minus(c, Dense.multiply(xQinv, Dense.transpose(x, rows, n), rows, n, rows));
        double[] gotX = x.clone(), gotC = c.clone();
        f.schurComplement(gotX, rows, gotC);
        double scale = Dense.norm(x) * Dense.norm(p.inverse);
        assertTrue(Dense.norm(Dense.minus(gotX, xQinv)) <= forwardBound(p) * scale, "X Q^-1 off by " + Dense.norm(Dense.minus(gotX, xQinv)));
        double cBound = forwardBound(p) * (Dense.norm(x) * scale + Dense.norm(c));
        assertTrue(Dense.norm(Dense.minus(gotC, expectedC)) <= cBound, "C - X Q^-1 X^T off by " + Dense.norm(Dense.minus(gotC, expectedC)) + " > " + cBound);
        assertEquals(0.0, Dense.asymmetry(gotC, rows), "the Schur complement must be returned exactly symmetric");
    }
}
