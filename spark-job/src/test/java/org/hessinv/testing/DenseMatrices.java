package org.hessinv.testing;

import org.hessinv.linalg.Blas;
import org.hessinv.solve.DenseSolver;

/** Small dense column-major matrix helpers for tests. */
public final class DenseMatrices {
    private DenseMatrices() {}

    /** C = A B, A m x k, B k x n. */
    public static double[] mul(double[] a, double[] b, int m, int k, int n) {
        double[] c = new double[m * n];
        Blas.gemm(false, false, m, n, k, 1.0, a, 0, m, b, 0, k, 0.0, c, 0, m);
        return c;
    }

    public static double[] transpose(double[] a, int rows, int cols) {
        double[] t = new double[rows * cols];
        for (int j = 0; j < cols; j++) for (int i = 0; i < rows; i++) t[i * cols + j] = a[j * rows + i];
        return t;
    }

    public static double[] inverse(double[] a, int n) {
        double[] inv = new double[n * n];
        for (int j = 0; j < n; j++) {
            double[] e = new double[n];
            e[j] = 1.0;
            System.arraycopy(DenseSolver.solve(a, n, e), 0, inv, j * n, n);
        }
        return inv;
    }

    public static double[] add(double[] a, double[] b, double sb) {
        double[] c = a.clone();
        for (int i = 0; i < c.length; i++) c[i] += sb * b[i];
        return c;
    }

    public static double[] identity(int n) {
        double[] i = new double[n * n];
        for (int j = 0; j < n; j++) i[j * n + j] = 1.0;
        return i;
    }

    public static double maxAbs(double[] a) {
        double m = 0;
        for (double v : a) m = Math.max(m, Math.abs(v));
        return m;
    }

    /** max |a - b| / max |b|. */
    public static double relDiff(double[] a, double[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
        return m / maxAbs(b);
    }

    /** Submatrix rows [r0, r1) x cols [c0, c1) of the n-row matrix a. */
    public static double[] sub(double[] a, int n, int r0, int r1, int c0, int c1) {
        int rows = r1 - r0;
        double[] s = new double[rows * (c1 - c0)];
        for (int j = c0; j < c1; j++) for (int i = r0; i < r1; i++) s[(j - c0) * rows + (i - r0)] = a[j * n + i];
        return s;
    }

    /** y = A x for the m x n matrix A. */
    public static double[] apply(double[] a, int m, int n, double[] x) {
        double[] y = new double[m];
        Blas.gemv(false, m, n, 1.0, a, 0, m, x, 0, 0.0, y, 0);
        return y;
    }

    /** 2-norm condition number of a symmetric matrix from its eigenvalues. */
    public static double symmetricCondition(double[] a, int n) {
        double[] eig = DenseSolver.eigenvalues(a, n);
        double max = 0, min = Double.MAX_VALUE;
        for (double e : eig) { max = Math.max(max, Math.abs(e)); min = Math.min(min, Math.abs(e)); }
        return max / min;
    }
}
