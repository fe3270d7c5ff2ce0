package org.hessinv.linalg;

import org.netlib.util.doubleW;
import org.netlib.util.intW;

/**
 * Q = L L^T (lower), for a positive definite stage pivot: factorized by {@link RecursiveCholesky}
 * (gemm-rich; LAPACK's dpotrf here is the single-threaded F2J build), condition by LAPACK dpocon.
 */
public final class CholeskyFactorization implements SymmetricFactorization {
    /**
     * Right-hand sides from which {@link #solveInPlace} takes the recursive (gemm) triangular solves:
     * with fewer columns the gemm calls degenerate to matrix-vector products; measured on 2 cores at
     * n = 100, the two paths break even at 8 right-hand sides (recursive 3x faster from 64).
     */
    static final int RECURSIVE_SOLVE_MIN_RHS = 8;
    /**
     * Order from which {@link #solveInPlace} takes the recursive solves whatever the right-hand sides:
     * at n = 600 they beat F2J dpotrs already for one right-hand side (0.20 vs 0.26 ms), at n = 100 they
     * lose 3x (the recursion's fixed costs).
     */
    static final int RECURSIVE_SOLVE_MIN_ORDER = 512;

    private final int n;
    private final double[] l;
    private final double rcond;
    private final CholeskyBases bases;

    private CholeskyFactorization(int n, double[] l, double rcond, CholeskyBases bases) {
        this.n = n;
        this.l = l;
        this.rcond = rcond;
        this.bases = bases;
    }

    /** Q = L L^T with the {@link CholeskyBases#DEFAULT} bases, or null when Q is not (numerically) positive definite. */
    static CholeskyFactorization tryFactor(double[] q, int n, double anorm) {
        return tryFactor(q, n, anorm, CholeskyBases.DEFAULT);
    }

    /** Q = L L^T, factorized and later solved and inverted with the given bases; null when Q is not (numerically) positive definite. */
    static CholeskyFactorization tryFactor(double[] q, int n, double anorm, CholeskyBases bases) {
        double[] l = java.util.Arrays.copyOf(q, n * n);
        if (RecursiveCholesky.factorLower(l, 0, Math.max(1, n), n, bases) != 0) return null;
        doubleW rc = new doubleW(0);
        intW info2 = new intW(0);
        if (n > 0) Blas.lapack().dpocon("L", n, l, 0, n, anorm, rc, new double[3 * n], 0, new int[n], 0, info2);
        return new CholeskyFactorization(n, l, n == 0 ? 1.0 : SymmetricFactorization.checkedRcond(rc, info2), bases);
    }

    @Override public int dimension() { return n; }

    /** B <- Q^-1 B = L^-T (L^-1 B): by the recursive solves when large, else by LAPACK dpotrs. */
    @Override public void solveInPlace(double[] b, int nrhs) {
        if (n == 0 || nrhs == 0) return;
        if (nrhs >= RECURSIVE_SOLVE_MIN_RHS || n >= RECURSIVE_SOLVE_MIN_ORDER) {
            RecursiveCholesky.solveLeftLower(n, nrhs, l, 0, n, b, 0, n, bases);
            RecursiveCholesky.solveLeftLowerTransposed(n, nrhs, l, 0, n, b, 0, n, bases);
            return;
        }
        intW info = new intW(0);
        Blas.lapack().dpotrs("L", n, nrhs, l, 0, n, b, 0, n, info);
    }

    /** log det Q = 2 sum log L_ii. */
    @Override public double logAbsDet() {
        double s = 0;
        for (int i = 0; i < n; i++) s += Math.log(l[i * n + i]);
        return 2 * s;
    }

    @Override public Inertia inertia() { return new Inertia(0, 0, n); }

    @Override public double rcond() { return rcond; }

    /**
     * Q^-1 = L^-T L^-1, both triangles (symmetrized: the two halves are computed independently): by the recursive
     * routines from {@link CholeskyBases#recursiveInverseMinOrder}, else by F2J dpotri.
     */
    @Override public double[] inverse() {
        if (n >= bases.recursiveInverseMinOrder()) {
            double[] inv = new double[n * n];
            for (int j = 0; j < n; j++) System.arraycopy(l, j * n + j, inv, j * n + j, n - j);
            RecursiveCholesky.invertLower(inv, 0, n, n, bases);
            RecursiveCholesky.solveLeftLowerTransposed(n, n, l, 0, n, inv, 0, n, bases);
            Blas.symmetrize(inv, n);
            return inv;
        }
        double[] inv = l.clone();
        if (n == 0) return inv;
        intW info = new intW(0);
        Blas.lapack().dpotri("L", n, inv, 0, n, info);
        SymmetricFactorization.mirrorLower(inv, n);
        return inv;
    }

    /** B <- B L^-T for B rows x n (column-major, leading dimension rows). */
    public void rightSolveTransposedFactor(double[] b, int rows) {
        RecursiveCholesky.solveRightLowerTransposed(rows, n, l, 0, Math.max(1, n), b, 0, Math.max(1, rows), bases);
    }

    /** B <- B L^-1 for B rows x n (column-major, leading dimension rows). */
    public void rightSolveFactor(double[] b, int rows) {
        RecursiveCholesky.solveRightLower(rows, n, l, 0, Math.max(1, n), b, 0, Math.max(1, rows), bases);
    }

    @Override public boolean isPositiveDefinite() { return true; }

    @Override public long bytes() { return (long) Double.BYTES * l.length; }

    /**
     * C <- C - X Q^-1 X^T, X <- X Q^-1 with Q = L L^T: W = X L^-T, C <- C - W W^T (a symmetric rank-n update,
     * half the flops of a general product), X Q^-1 = W L^-1.
     */
    @Override public void schurComplement(double[] x, int rows, double[] c) {
        rightSolveTransposedFactor(x, rows);
        RecursiveCholesky.rankKUpdateLower(rows, n, -1.0, x, 0, rows, 1.0, c, 0, rows);
        SymmetricFactorization.mirrorLower(c, rows);
        rightSolveFactor(x, rows);
    }

    /** x <- L^-T x (T = L^-T: T T^T = Q^-1): maps eps ~ N(0, I) to a sample of N(0, Q^-1). */
    @Override public void applyInverseSquareRoot(double[] x) {
        if (n == 0) return;
        Blas.blas().dtrsv("L", "T", "N", n, l, 0, n, x, 0, 1);
    }
}
