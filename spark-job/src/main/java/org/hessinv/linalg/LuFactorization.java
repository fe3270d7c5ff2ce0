package org.hessinv.linalg;

import org.netlib.util.doubleW;
import org.netlib.util.intW;

/**
 * P A = L U with partial pivoting (LAPACK dgetrf) of a general square n x n column-major matrix:
 * solves with A or A^T, the inverse, log|det A| and the sign of det A, a 1-norm reciprocal condition estimate.
 */
public final class LuFactorization {
    private final int n;
    private final double[] lu;
    private final int[] ipiv;
    private final boolean singular;
    private final double rcond;

    private LuFactorization(int n, double[] lu, int[] ipiv, boolean singular, double rcond) {
        this.n = n;
        this.lu = lu;
        this.ipiv = ipiv;
        this.singular = singular;
        this.rcond = rcond;
    }

    /** Factorizes a (not modified). A zero pivot gives {@link #isSingular()} true and rcond 0. */
    public static LuFactorization factor(double[] a, int n) {
        double[] lu = java.util.Arrays.copyOf(a, n * n);
        int[] ipiv = new int[Math.max(1, n)];
        if (n == 0) return new LuFactorization(0, lu, ipiv, false, 1.0);
        double anorm = Blas.lapack().dlange("1", n, n, lu, 0, n, new double[n], 0);
        intW info = new intW(0);
        Blas.lapack().dgetrf(n, n, lu, 0, n, ipiv, 0, info);
        if (info.val > 0 || !Double.isFinite(anorm)) return new LuFactorization(n, lu, ipiv, true, 0.0);
        doubleW rc = new doubleW(0);
        intW info2 = new intW(0);
        Blas.lapack().dgecon("1", n, lu, 0, n, anorm, rc, new double[4 * n], 0, new int[n], 0, info2);
        return new LuFactorization(n, lu, ipiv, false, info2.val == 0 ? rc.val : 0.0);
    }

    public int dimension() { return n; }

    /** An exactly zero pivot (the matrix is singular). */
    public boolean isSingular() { return singular; }

    /** Reciprocal condition estimate in the 1-norm (0 when singular). */
    public double rcond() { return rcond; }

    /** B <- A^-1 B (or A^-T B when {@code transpose}) for the n x nrhs column-major B. */
    public void solveInPlace(double[] b, int nrhs, boolean transpose) {
        if (singular) throw new ArithmeticException("solve with a singular LU factorization");
        if (n == 0 || nrhs == 0) return;
        intW info = new intW(0);
        Blas.lapack().dgetrs(transpose ? "T" : "N", n, nrhs, lu, 0, n, ipiv, 0, b, 0, n, info);
    }

    /** A^-1, dense column-major. */
    public double[] inverse() {
        double[] inv = new double[n * n];
        for (int i = 0; i < n; i++) inv[i * n + i] = 1.0;
        solveInPlace(inv, n, false);
        return inv;
    }

    /** log|det A| = sum log|U_ii|. */
    public double logAbsDet() {
        double s = 0;
        for (int i = 0; i < n; i++) s += Math.log(Math.abs(lu[i * n + i]));
        return s;
    }

    /** sign(det A): the signs of U's diagonal times (-1)^(row swaps). */
    public int detSign() {
        int sign = 1;
        for (int i = 0; i < n; i++) {
            if (lu[i * n + i] < 0) sign = -sign;
            if (ipiv[i] != i + 1) sign = -sign;
        }
        return singular ? 0 : sign;
    }
}
