package org.hessinv.linalg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.hessinv.solve.DenseSolver;
import org.hessinv.testing.Dense;
import org.hessinv.testing.RandomProblems;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The contract on indefinite matrices with panels of {@link #SMALL_PANEL} columns, so the contract's
 * orders 20 and 45 cross several panel boundaries (1, 2, 3, 7 fit in one panel: the unblocked path);
 * plus the production panel across its boundary (orders 63..200), 2x2-pivot-heavy saddle matrices and
 * the dispatch at {@link BlockedBunchKaufman#CROSSOVER_ORDER}. References: a known spectrum and a dense
 * eigendecomposition (dsyev), with the contract's tolerances.
 */
class BlockedBunchKaufmanTest extends SymmetricFactorizationContract {
    static final int SMALL_PANEL = 8;

    @Override SymmetricFactorization factor(double[] q, int n) {
        return BlockedBunchKaufman.factor(q, n, Dense.norm1(q, n, n), SMALL_PANEL);
    }

    @Override double[] spectrum(SplittableRandom rng, int n, double kappa) {
        double[] l = magnitudes(rng, n, kappa);
        for (int i = 0; i < n; i++) if (rng.nextBoolean()) l[i] = -l[i];
        if (n >= 2) { l[0] = -Math.abs(l[0]); l[1] = Math.abs(l[1]); }
        return l;
    }

    /** Solve residual ||Q X - B|| <= 10 n eps ||Q|| ||X||, log|det| within 10 n^2 eps kappa and inertia exactly as dsyev's. */
    private static void assertMatchesDense(SymmetricFactorization f, double[] q, int n, double kappa, int nrhs) {
        double[] b = RandomProblems.vector(new SplittableRandom(n + nrhs), n * nrhs);
        double[] x = b.clone();
        f.solveInPlace(x, nrhs);
        double residual = Dense.norm(Dense.minus(Dense.multiply(q, x, n, n, nrhs), b));
        double bound = FORWARD_FACTOR * n * Dense.EPS * Dense.norm(q) * Dense.norm(x);
        assertTrue(residual <= bound, "n=" + n + ": residual " + residual + " > " + bound);
        Dense.Spectrum spectrum = Dense.spectrum(DenseSolver.eigenvalues(q, n));
        assertEquals(spectrum.logAbsDet(), f.logAbsDet(), FORWARD_FACTOR * n * n * Dense.EPS * kappa, "n=" + n + " log|det|");
        assertEquals(spectrum.inertia(), f.inertia(), "n=" + n + " inertia");
    }

    private static double[] indefinite(int n, double kappa, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        double[] l = magnitudes(rng, n, kappa);
        for (int i = 0; i < n; i++) if (rng.nextBoolean()) l[i] = -l[i];
        return Dense.fromEigen(Dense.randomOrthogonal(rng, n), l);
    }

    /** The production panel (64) across its boundary, one and many right-hand sides (the parallel column cut). */
    @ParameterizedTest(name = "n={0}")
    @ValueSource(ints = {63, 64, 65, 129, 200})
    void productionPanelAcrossItsBoundary(int n) {
        double[] q = indefinite(n, 1e4, n);
        SymmetricFactorization f = BlockedBunchKaufman.factor(q, n, Dense.norm1(q, n, n), BlockedBunchKaufman.PANEL);
        assertMatchesDense(f, q, n, 1e4, 1);
        assertMatchesDense(f, q, n, 1e4, 150);
        double[] inv = f.inverse();
        assertEquals(0.0, Dense.asymmetry(inv, n), "inverse must be exactly symmetric");
        double err = Dense.norm(Dense.minus(Dense.multiply(q, inv, n, n, n), Dense.identity(n))) / Math.sqrt(n);
        assertTrue(err <= FORWARD_FACTOR * 2 * n * Dense.EPS * 1e4, "||Q Q^-1 - I|| / sqrt n = " + err);
    }

    /**
     * Saddle matrices [[0, B], [B^T, 0]] (zero diagonal: every pivot is 2x2) and [[H, B], [B^T, -eps I]],
     * with B random m x m, over panel boundaries: inertia (m, 0, m) and log|det| as dsyev's.
     */
    @ParameterizedTest(name = "m={0}")
    @ValueSource(ints = {5, 20, 70})
    void saddleMatricesTakeTwoByTwoPivots(int m) {
        int n = 2 * m;
        SplittableRandom rng = new SplittableRandom(m);
        for (double h : new double[] {0.0, 1e-3}) {
            double[] q = new double[n * n];
            for (int j = 0; j < m; j++) {
                for (int i = 0; i < m; i++) {
                    double v = rng.nextDouble() - 0.5;
                    q[(m + j) * n + i] = v;
                    q[i * n + m + j] = v;
                }
                q[j * n + j] = h;
                q[(m + j) * n + m + j] = -h;
            }
            SymmetricFactorization f = BlockedBunchKaufman.factor(q, n, Dense.norm1(q, n, n), SMALL_PANEL);
            double[] eig = DenseSolver.eigenvalues(q, n);
            double kappa = Dense.condition(eig);
            assertEquals(new Inertia(m, 0, m), f.inertia(), "h=" + h);
            assertMatchesDense(f, q, n, kappa, 3);
        }
    }

    /** The same zero-diagonal cases as the LAPACK path's test: 2x2 pivots, inertia, determinant and solve. */
    @Test
    void smallTwoByTwoPivots() {
        double[][] cases = {
            {0, 1, 1, 0},
            {0, 2, 0, 0, 2, 0, 0, 0, 0, 0, 0, 3, 0, 0, 3, 0},
            {1e-12, 5, 0, 5, -1, -3, 0, -3, -10},
        };
        for (double[] q : cases) {
            int n = (int) Math.round(Math.sqrt(q.length));
            SymmetricFactorization f = BlockedBunchKaufman.factor(q, n, Dense.norm1(q, n, n), 2);
            Dense.Spectrum spectrum = Dense.spectrum(DenseSolver.eigenvalues(q, n));
            assertEquals(spectrum.inertia(), f.inertia(), java.util.Arrays.toString(q));
            assertEquals(spectrum.logAbsDet(), f.logAbsDet(), 1e-12 * Math.max(1, Math.abs(spectrum.logAbsDet())));
            double[] b = new double[n];
            for (int i = 0; i < n; i++) b[i] = i + 1;
            double[] x = b.clone();
            f.solveInPlace(x, 1);
            double res = Dense.norm(Dense.minus(Dense.times(q, n, n, x), b));
            assertTrue(res <= 100 * n * Dense.EPS * Dense.norm(q) * Dense.norm(x), "residual " + res);
        }
    }

    /** An exactly zero column is refused (the order of the matrix named); a near-singular one (kappa 1e15) by the condition threshold. */
    @Test
    void singularPivotsAreRefused() {
        int n = 80;
        double[] q = indefinite(n, 10, 5);
        for (int i = 0; i < n; i++) { q[17 * n + i] = 0; q[i * n + 17] = 0; }
        SingularMatrixException e = assertThrows(SingularMatrixException.class,
                () -> BlockedBunchKaufman.factor(q, n, Dense.norm1(q, n, n), SMALL_PANEL));
        assertEquals(n, e.order());
        double[] nearly = indefinite(n, 1e15, 6);
        SingularMatrixException e2 = assertThrows(SingularMatrixException.class, () -> SymmetricFactorization.factor(nearly, n));
        assertTrue(e2.rcond() < SymmetricFactorization.SINGULAR_RCOND, "rcond " + e2.rcond());
    }

    /** Indefinite pivots from the crossover order on take the blocked factorization, below it LAPACK's. */
    @Test
    void dispatchAtTheCrossover() {
        int big = BlockedBunchKaufman.CROSSOVER_ORDER, small = big - 1;
        assertInstanceOf(BlockedBunchKaufman.class, SymmetricFactorization.factor(indefinite(big, 10, 1), big));
        assertInstanceOf(BunchKaufmanFactorization.class, SymmetricFactorization.factor(indefinite(small, 10, 1), small));
    }

    /** Same inertia, log|det| (to 1e-10 relative) and solves (to the forward bound) as LAPACK's dsytrf at order 150. */
    @Test
    void agreesWithLapack() {
        int n = 150;
        double kappa = 1e3;
        double[] q = indefinite(n, kappa, 11);
        double anorm = Dense.norm1(q, n, n);
        SymmetricFactorization blocked = BlockedBunchKaufman.factor(q, n, anorm, BlockedBunchKaufman.PANEL);
        SymmetricFactorization lapack = BunchKaufmanFactorization.factor(q, n, anorm);
        assertEquals(lapack.inertia(), blocked.inertia());
        assertEquals(lapack.logAbsDet(), blocked.logAbsDet(), 1e-10 * Math.abs(lapack.logAbsDet()));
        double[] b = RandomProblems.vector(new SplittableRandom(3), n * 4);
        double[] x1 = b.clone(), x2 = b.clone();
        blocked.solveInPlace(x1, 4);
        lapack.solveInPlace(x2, 4);
        assertTrue(Dense.relativeError(x1, x2) <= FORWARD_FACTOR * 2 * n * Dense.EPS * kappa, "blocked vs LAPACK " + Dense.relativeError(x1, x2));
        assertTrue(blocked.rcond() >= lapack.rcond() / 10 && blocked.rcond() <= lapack.rcond() * 10,
                "rcond " + blocked.rcond() + " vs LAPACK " + lapack.rcond());
    }

    /**
     * The symmetric-form elimination pieces against the spectral inverse: with W = Qsd P L^-T, Y = W D^-1,
     * Y W^T = Qsd Q^-1 Qsd^T and Y L^-1 P^T = Qsd Q^-1, within the forward bound 10 * 2 n eps kappa
     * (relative to the norms of the products), at a small panel (n = 45, crossing 5 boundaries) and the production one.
     */
    @ParameterizedTest(name = "n={0}")
    @ValueSource(ints = {45, 150})
    void symmetricEliminationMatchesTheSpectralInverse(int n) {
        int rows = 70;
        double kappa = 1e3;
        SplittableRandom rng = new SplittableRandom(n + 5);
        double[] lambda = magnitudes(rng, n, kappa);
        for (int i = 0; i < n; i++) if (rng.nextBoolean()) lambda[i] = -lambda[i];
        double[] u = Dense.randomOrthogonal(rng, n);
        double[] inv = new double[n];
        for (int i = 0; i < n; i++) inv[i] = 1 / lambda[i];
        double[] q = Dense.fromEigen(u, lambda), qInv = Dense.fromEigen(u, inv);
        BlockedBunchKaufman f = BlockedBunchKaufman.factor(q, n, Dense.norm1(q, n, n), n == 45 ? SMALL_PANEL : BlockedBunchKaufman.PANEL);
        double[] qsd = RandomProblems.vector(rng, rows * n);
        double[] gain = Dense.multiply(qsd, qInv, rows, n, n);                                   // Qsd Q^-1
        double[] schur = Dense.multiply(gain, Dense.transpose(qsd, rows, n), rows, n, rows);      // Qsd Q^-1 Qsd^T
        double[] w = qsd.clone();
        f.rightSolveTransposedFactor(w, rows);
        double[] y = w.clone();
        f.rightSolveBlockDiagonal(y, rows);
        double[] s = new double[rows * rows];
        SymmetricProduct.lowerUpdate(rows, n, 1.0, y, rows, w, rows, s, rows);
        RecursiveCholesky.mirrorLower(s, rows);
        double bound = FORWARD_FACTOR * 2 * n * Dense.EPS * kappa;
        assertTrue(Dense.relativeError(s, schur) <= bound, "W D^-1 W^T error " + Dense.relativeError(s, schur) + " > " + bound);
        f.rightSolveFactor(y, rows);
        assertTrue(Dense.relativeError(y, gain) <= bound, "K^T error " + Dense.relativeError(y, gain) + " > " + bound);
    }
}
