package org.hessinv.testing;

import java.util.SplittableRandom;
import org.hessinv.model.Network;

/** Small dense column-major matrix helpers for the tests (no BLAS: an independent code path). */
public final class Dense {
    /** Unit roundoff of double precision, 2^-52. */
    public static final double EPS = Math.ulp(1.0);

    private Dense() {}

    /** C = A B, A m x k, B k x n. */
    public static double[] multiply(double[] a, double[] b, int m, int k, int n) {
        double[] c = new double[m * n];
        for (int j = 0; j < n; j++) {
            for (int p = 0; p < k; p++) {
                double bpj = b[j * k + p];
                if (bpj == 0.0) continue;
                for (int i = 0; i < m; i++) c[j * m + i] += a[p * m + i] * bpj;
            }
        }
        return c;
    }

    /** A^T for A m x n. */
    public static double[] transpose(double[] a, int m, int n) {
        double[] t = new double[n * m];
        for (int j = 0; j < n; j++) for (int i = 0; i < m; i++) t[i * n + j] = a[j * m + i];
        return t;
    }

    /** A v for A m x n. */
    public static double[] times(double[] a, int m, int n, double[] v) {
        double[] out = new double[m];
        for (int j = 0; j < n; j++) for (int i = 0; i < m; i++) out[i] += a[j * m + i] * v[j];
        return out;
    }

    public static double[] identity(int n) {
        double[] id = new double[n * n];
        for (int i = 0; i < n; i++) id[i * n + i] = 1.0;
        return id;
    }

    public static double[] minus(double[] a, double[] b) {
        double[] c = new double[a.length];
        for (int i = 0; i < a.length; i++) c[i] = a[i] - b[i];
        return c;
    }

    public static double[] plus(double[] a, double[] b) {
        double[] c = new double[a.length];
        for (int i = 0; i < a.length; i++) c[i] = a[i] + b[i];
        return c;
    }

    public static double[] scale(double s, double[] a) {
        double[] c = new double[a.length];
        for (int i = 0; i < a.length; i++) c[i] = s * a[i];
        return c;
    }

    /** Euclidean / Frobenius norm. */
    public static double norm(double[] a) {
        double s = 0;
        for (double v : a) s += v * v;
        return Math.sqrt(s);
    }

    public static double maxAbs(double[] a) {
        double m = 0;
        for (double v : a) m = Math.max(m, Math.abs(v));
        return m;
    }

    /** 1-norm (largest column sum) of an m x n matrix. */
    public static double norm1(double[] a, int m, int n) {
        double best = 0;
        for (int j = 0; j < n; j++) {
            double s = 0;
            for (int i = 0; i < m; i++) s += Math.abs(a[j * m + i]);
            best = Math.max(best, s);
        }
        return best;
    }

    /** ||a - b|| / ||b||. */
    public static double relativeError(double[] a, double[] b) {
        return norm(minus(a, b)) / norm(b);
    }

    /** max |a_ij - a_ji| for an n x n matrix. */
    public static double asymmetry(double[] a, int n) {
        double m = 0;
        for (int j = 0; j < n; j++) for (int i = 0; i < j; i++) m = Math.max(m, Math.abs(a[j * n + i] - a[i * n + j]));
        return m;
    }

    /** The rows x cols block of an m-row matrix at (r0, c0). */
    public static double[] block(double[] a, int m, int r0, int c0, int rows, int cols) {
        double[] out = new double[rows * cols];
        for (int j = 0; j < cols; j++) for (int i = 0; i < rows; i++) out[j * rows + i] = a[(c0 + j) * m + r0 + i];
        return out;
    }

    /** A random orthogonal n x n matrix: Gram-Schmidt (twice) on Gaussian columns. */
    public static double[] randomOrthogonal(SplittableRandom rng, int n) {
        double[] q = new double[n * n];
        for (int i = 0; i < q.length; i++) q[i] = Network.gaussian(rng);
        for (int j = 0; j < n; j++) {
            for (int pass = 0; pass < 2; pass++) {
                for (int k = 0; k < j; k++) {
                    double dot = 0;
                    for (int i = 0; i < n; i++) dot += q[k * n + i] * q[j * n + i];
                    for (int i = 0; i < n; i++) q[j * n + i] -= dot * q[k * n + i];
                }
            }
            double s = 0;
            for (int i = 0; i < n; i++) s += q[j * n + i] * q[j * n + i];
            s = Math.sqrt(s);
            for (int i = 0; i < n; i++) q[j * n + i] /= s;
        }
        return q;
    }

    /** U diag(lambda) U^T, made exactly symmetric. */
    public static double[] fromEigen(double[] u, double[] lambda) {
        int n = lambda.length;
        double[] m = new double[n * n];
        for (int j = 0; j < n; j++) {
            for (int i = 0; i <= j; i++) {
                double s = 0;
                for (int k = 0; k < n; k++) s += u[k * n + i] * lambda[k] * u[k * n + j];
                m[j * n + i] = s;
                m[i * n + j] = s;
            }
        }
        return m;
    }

    /** max |lambda| / min |lambda|: the 2-norm condition number of a symmetric matrix from its eigenvalues. */
    public static double condition(double[] eigenvalues) {
        double max = 0, min = Double.POSITIVE_INFINITY;
        for (double e : eigenvalues) { max = Math.max(max, Math.abs(e)); min = Math.min(min, Math.abs(e)); }
        return max / min;
    }

    /** What a symmetric matrix's eigenvalues say of it: log|det|, inertia (exact zeros counted as zero) and 2-norm condition. */
    public record Spectrum(double logAbsDet, org.hessinv.linalg.Inertia inertia, double condition) {}

    /** log|det| = sum log|lambda|, inertia = the sign counts, condition = max |lambda| / min |lambda|. */
    public static Spectrum spectrum(double[] eigenvalues) {
        double logAbsDet = 0;
        int neg = 0, zero = 0, pos = 0;
        for (double e : eigenvalues) {
            logAbsDet += Math.log(Math.abs(e));
            if (e < 0) neg++; else if (e > 0) pos++; else zero++;
        }
        return new Spectrum(logAbsDet, new org.hessinv.linalg.Inertia(neg, zero, pos), condition(eigenvalues));
    }
}
