package org.hessinv.linalg;

import org.netlib.util.doubleW;
import org.netlib.util.intW;

/** Q = L L^T (LAPACK dpotrf, lower), for a positive definite stage pivot. */
public final class CholeskyFactorization implements SymmetricFactorization {
    private final int n;
    private final double[] l;
    private final double rcond;

    private CholeskyFactorization(int n, double[] l, double rcond) {
        this.n = n;
        this.l = l;
        this.rcond = rcond;
    }

    /** The factorization, or null when Q is not (numerically) positive definite. */
    static CholeskyFactorization tryFactor(double[] q, int n, double anorm) {
        double[] l = java.util.Arrays.copyOf(q, n * n);
        intW info = new intW(0);
        Blas.lapack().dpotrf("L", n, l, 0, Math.max(1, n), info);
        if (info.val != 0) return null;
        doubleW rc = new doubleW(0);
        intW info2 = new intW(0);
        if (n > 0) Blas.lapack().dpocon("L", n, l, 0, n, anorm, rc, new double[3 * n], 0, new int[n], 0, info2);
        return new CholeskyFactorization(n, l, n == 0 ? 1.0 : SymmetricFactorization.checkedRcond(rc, info2));
    }

    @Override public int dimension() { return n; }

    @Override public void solveInPlace(double[] b, int nrhs) {
        if (n == 0 || nrhs == 0) return;
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

    /** Q^-1 = L^-T L^-1 (LAPACK dpotri), both triangles. */
    @Override public double[] inverse() {
        double[] inv = l.clone();
        if (n == 0) return inv;
        intW info = new intW(0);
        Blas.lapack().dpotri("L", n, inv, 0, n, info);
        SymmetricFactorization.mirrorLower(inv, n);
        return inv;
    }

    /** B <- B L^-T for B rows x n (leading dimension rows). */
    public void rightSolveTransposedFactor(double[] b, int rows) {
        if (n == 0 || rows == 0) return;
        Blas.blas().dtrsm("R", "L", "T", "N", rows, n, 1.0, l, 0, n, b, 0, rows);
    }

    /** B <- B L^-1 for B rows x n (leading dimension rows). */
    public void rightSolveFactor(double[] b, int rows) {
        if (n == 0 || rows == 0) return;
        Blas.blas().dtrsm("R", "L", "N", "N", rows, n, 1.0, l, 0, n, b, 0, rows);
    }

    /** x <- L^-T x: maps eps ~ N(0, I) to a sample of N(0, Q^-1). */
    public void applyInverseTransposeFactor(double[] x) {
        if (n == 0) return;
        Blas.blas().dtrsv("L", "T", "N", n, l, 0, n, x, 0, 1);
    }
}
