package org.hessinv.linalg;

import org.netlib.util.doubleW;
import org.netlib.util.intW;

/**
 * A factorization of a symmetric matrix Q: Cholesky {@code Q = L L^T} when Q is positive definite,
 * else Bunch-Kaufman {@code P^T Q P = L D L^T} (LAPACK dsytrf below {@link BlockedBunchKaufman#CROSSOVER_ORDER},
 * its blocked algorithm on gemm above); or, for the pivot {@code delta I + U M U^T} of a
 * capacitance stage (p > m), through its small capacitance matrix ({@link CapacitanceFactorization}). Gives solves,
 * log|det Q| and inertia(Q).
 */
public sealed interface SymmetricFactorization permits CholeskyFactorization, BunchKaufmanFactorization,
        BlockedBunchKaufman, CapacitanceFactorization {
    /**
     * Reciprocal 1-norm condition estimate below which a pivot is refused as numerically singular:
     * about 450 units of roundoff, i.e. a solve through it would keep fewer than ~2 correct digits.
     */
    double SINGULAR_RCOND = 1e-13;

    int dimension();

    /** B <- Q^-1 B for the n x nrhs column-major matrix B. */
    void solveInPlace(double[] b, int nrhs);

    /**
     * Q^-1 as a dense symmetric matrix. The sweep multiplies by it with gemm, which runs 5-10x faster
     * than the level-2 triangular and Bunch-Kaufman solves of the pure-Java LAPACK on many right-hand sides.
     */
    double[] inverse();

    /** log|det Q|. */
    double logAbsDet();

    /** (negative, zero, positive) eigenvalue counts of Q (Sylvester: those of D). */
    Inertia inertia();

    /** Reciprocal condition number estimate in the 1-norm (LAPACK xPOCON / xSYCON). */
    double rcond();

    /** The bytes this factorization holds (its factors and pivots). */
    long bytes();

    /**
     * The bytes a dense factorization of order n holds at most, whichever {@link #factor} takes: Cholesky's
     * n x n factor (8 n^2), LAPACK's Bunch-Kaufman (8 n^2 + 4 n: its pivot indices) or the blocked Bunch-Kaufman
     * (the largest: L with a spare column 8 n (n + 1), D's diagonal and subdiagonal 16 n, the 2x2 marks n, the permutation 4 n).
     */
    static long factorBytes(long n) { return factorBytes(n, HeapFootprint.EXACT); }

    /** {@link #factorBytes(long)} with each array at its footprint in the heap. */
    static long factorBytes(long n, HeapFootprint fp) { return fp.doubles(n * (n + 1)) + 2 * fp.doubles(n) + n + fp.ints(n); }

    /** Whether Q was factorized as positive definite (Cholesky; a capacitance pivot whose capacitance was). */
    boolean isPositiveDefinite();

    /**
     * x <- T x for a square root T of Q^-1 ({@code T T^T = Q^-1}): maps eps ~ N(0, I) to a sample of N(0, Q^-1).
     * Needs Q positive definite ({@link #isPositiveDefinite}).
     */
    void applyInverseSquareRoot(double[] x);

    /**
     * C <- C - X Q^-1 X^T and X <- X Q^-1, for X rows x n and C rows x rows (column-major; C given by its lower
     * triangle, returned whole and symmetric): the Schur complement of Q in [[Q, X^T], [X, C]]. Here by n solves
     * with Q and a general product; {@link CholeskyFactorization} takes the symmetric rank-n update instead.
     */
    default void schurComplement(double[] x, int rows, double[] c) {
        int n = dimension();
        // K = Q^-1 X^T (n x rows); no refinement step: it would move K off the factorization the caller's other solves are consistent with
        double[] k = new double[n * rows];
        for (int j = 0; j < rows; j++) for (int i = 0; i < n; i++) k[j * n + i] = x[i * rows + j];
        solveInPlace(k, rows);
        mirrorLower(c, rows);
        Blas.gemm(false, false, rows, rows, n, -1.0, x, 0, rows, k, 0, n, 1.0, c, 0, rows);
        Blas.symmetrize(c, rows);
        for (int j = 0; j < n; j++) for (int i = 0; i < rows; i++) x[j * rows + i] = k[i * n + j];
    }

    /**
     * Factorizes the symmetric n x n matrix q (column-major; q is not modified): Cholesky when positive
     * definite, else Bunch-Kaufman. Throws {@link SingularMatrixException} when Q has non-finite entries, is
     * singular, or its reciprocal condition is below {@link #SINGULAR_RCOND}.
     */
    static SymmetricFactorization factor(double[] q, int n) {
        double[] work = new double[Math.max(1, n)];
        double anorm = Blas.lapack().dlansy("1", "L", n, q, 0, Math.max(1, n), work, 0);
        if (!Double.isFinite(anorm)) throw new SingularMatrixException(n, Double.NaN);
        SymmetricFactorization f = CholeskyFactorization.tryFactor(q, n, anorm);
        if (f == null) f = BlockedBunchKaufman.factor(q, n, anorm);
        if (n > 0 && !(f.rcond() >= SINGULAR_RCOND)) throw new SingularMatrixException(n, f.rcond());
        return f;
    }

    /** Copies the lower triangle of the n x n matrix a onto its upper triangle. */
    static void mirrorLower(double[] a, int n) {
        RecursiveCholesky.mirrorLower(a, n);
    }

    /** Wraps the LAPACK condition estimate call result. */
    static double checkedRcond(doubleW rcond, intW info) {
        return info.val == 0 ? rcond.val : 0.0;
    }
}
