package org.hessinv.linalg;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The cache-blocked gemm equals a naive triple loop, for every transpose, offsets, leading dimensions and beta. */
class BlasGemmBlockingTest {
    private static double[] random(SplittableRandom rng, int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = rng.nextDouble() - 0.5;
        return v;
    }

    /** C[cOff + i + j ldc] = alpha sum_p op(A)_ip op(B)_pj + beta C. */
    private static void naive(boolean tA, boolean tB, int m, int n, int k, double alpha, double[] a, int aOff, int lda,
                              double[] b, int bOff, int ldb, double beta, double[] c, int cOff, int ldc) {
        for (int j = 0; j < n; j++) {
            for (int i = 0; i < m; i++) {
                double s = 0;
                for (int p = 0; p < k; p++) {
                    double av = tA ? a[aOff + i * lda + p] : a[aOff + p * lda + i];
                    double bv = tB ? b[bOff + p * ldb + j] : b[bOff + j * ldb + p];
                    s += av * bv;
                }
                c[cOff + j * ldc + i] = alpha * s + beta * c[cOff + j * ldc + i];
            }
        }
    }

    private static double maxDiff(double[] x, double[] y) {
        double d = 0;
        for (int i = 0; i < x.length; i++) d = Math.max(d, Math.abs(x[i] - y[i]));
        return d;
    }

    @Test
    void smallPanelsMatchTheTripleLoop() {
        SplittableRandom rng = new SplittableRandom(5);
        int m = 23, n = 19, k = 31;
        for (boolean tA : new boolean[] {false, true}) {
            for (boolean tB : new boolean[] {false, true}) {
                int lda = (tA ? k : m) + 3, ldb = (tB ? n : k) + 2, ldc = m + 4;
                // operands placed at the end of their arrays (the netlib bounds-check corner)
                int aOff = 5, bOff = 7, cOff = 2;
                double[] a = random(rng, aOff + lda * (tA ? m : k));
                double[] b = random(rng, bOff + ldb * (tB ? k : n));
                double[] c = random(rng, cOff + ldc * n);
                double[] expect = c.clone();
                naive(tA, tB, m, n, k, 0.7, a, aOff, lda, b, bOff, ldb, -0.3, expect, cOff, ldc);
                Blas.gemmBlocked(tA, tB, m, n, k, 0.7, a, aOff, lda, b, bOff, ldb, -0.3, c, cOff, ldc, new GemmBlocking(5, 7, 4));
                assertTrue(maxDiff(c, expect) < 1e-12, "transA " + tA + " transB " + tB + ": " + maxDiff(c, expect));
            }
        }
    }

    @Test
    void publicGemmAboveTheDefaultPanelsMatchesTheTripleLoop() {
        SplittableRandom rng = new SplittableRandom(9);
        int m = GemmBlocking.DEFAULT.m() + 17, n = 40, k = GemmBlocking.DEFAULT.k() + 9;
        for (boolean tA : new boolean[] {false, true}) {
            double[] a = random(rng, m * k);
            double[] b = random(rng, k * n);
            double[] c = random(rng, m * n);
            double[] expect = c.clone();
            int lda = tA ? k : m;
            naive(tA, false, m, n, k, 1.0, a, 0, lda, b, 0, k, 0.5, expect, 0, m);
            Blas.gemm(tA, false, m, n, k, 1.0, a, 0, lda, b, 0, k, 0.5, c, 0, m);
            assertTrue(maxDiff(c, expect) < 1e-11, "transA " + tA + ": " + maxDiff(c, expect));
        }
    }

    /** The public gemm with a given blocking, large enough to be split over the cores: each core's column block panel by panel. */
    @Test
    void publicGemmWithAGivenBlockingMatchesTheTripleLoop() {
        SplittableRandom rng = new SplittableRandom(13);
        int m = 203, n = 200, k = 101;
        GemmBlocking small = new GemmBlocking(37, 16, 23);
        for (boolean tB : new boolean[] {false, true}) {
            double[] a = random(rng, m * k);
            double[] b = random(rng, k * n);
            double[] c = random(rng, m * n);
            double[] expect = c.clone();
            int ldb = tB ? n : k;
            naive(false, tB, m, n, k, -0.8, a, 0, m, b, 0, ldb, 0.25, expect, 0, m);
            Blas.gemm(false, tB, m, n, k, -0.8, a, 0, m, b, 0, ldb, 0.25, c, 0, m, small);
            assertTrue(maxDiff(c, expect) < 1e-11, "transB " + tB + ": " + maxDiff(c, expect));
        }
    }
}
