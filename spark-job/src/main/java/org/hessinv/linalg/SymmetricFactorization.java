package org.hessinv.linalg;

import org.netlib.util.doubleW;
import org.netlib.util.intW;

/**
 * A factorization of a symmetric matrix Q: Cholesky {@code Q = L L^T} when Q is positive definite,
 * else Bunch-Kaufman {@code P^T Q P = L D L^T} (LAPACK dsytrf below {@link BlockedBunchKaufman#CROSSOVER_ORDER},
 * its blocked algorithm on gemm above); or, for the pivot {@code delta I + U M U^T} of a
 * wide stage, through its small capacitance matrix ({@link CapacitanceFactorization}). Gives solves,
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

    /**
     * Factorizes the symmetric n x n matrix q (column-major; q is not modified). Throws
     * {@link SingularStageException} naming {@code layer} when Q is singular or its reciprocal
     * condition is below {@link #SINGULAR_RCOND}.
     */
    static SymmetricFactorization factor(double[] q, int n, int layer, String hint) {
        double[] work = new double[Math.max(1, n)];
        double anorm = Blas.lapack().dlansy("1", "L", n, q, 0, Math.max(1, n), work, 0);
        if (!Double.isFinite(anorm)) {
            throw new SingularStageException(layer, Double.NaN, "the pivot block has non-finite entries; " + hint);
        }
        SymmetricFactorization f = CholeskyFactorization.tryFactor(q, n, anorm);
        if (f == null) f = BlockedBunchKaufman.factor(q, n, anorm, layer, hint);
        if (n > 0 && !(f.rcond() >= SINGULAR_RCOND)) throw new SingularStageException(layer, f.rcond(), hint);
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
