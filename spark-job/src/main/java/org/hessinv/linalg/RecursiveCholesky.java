package org.hessinv.linalg;

/** TEMPORARY stand-in (replaced by the recursive implementation). */
public final class RecursiveCholesky {
    private RecursiveCholesky() {}

    /** Lower triangle of C <- alpha A A^T + beta C (A n x k). */
    public static void rankKUpdateLower(int n, int k, double alpha, double[] a, int aOff, int lda, double beta, double[] c, int cOff, int ldc) {
        Blas.gemm(false, true, n, n, k, alpha, a, aOff, lda, a, aOff, lda, beta, c, cOff, ldc);
    }
}
