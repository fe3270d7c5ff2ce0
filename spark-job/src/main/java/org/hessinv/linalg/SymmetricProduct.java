package org.hessinv.linalg;

/**
 * lower(C) <- lower(C) + alpha A B^T for A, B n x k, when A B^T is known to be symmetric (e.g.
 * {@code (W D^-1) W^T} of a Bunch-Kaufman elimination): only C's lower block triangle is formed, by one
 * {@link Blas#gemm} per block column of {@link #BLOCK} columns, about half the flops of the full product.
 */
public final class SymmetricProduct {
    /** Block columns of the lower triangle: the diagonal blocks' wasted upper halves cost BLOCK / (2 n) of the product. */
    static final int BLOCK = 128;

    private SymmetricProduct() {}

    /** C(j0:n, j0:j1) += alpha A(j0:n, :) B(j0:j1, :)^T for each block column [j0, j1): lower(C) += alpha A B^T. */
    public static void lowerUpdate(int n, int k, double alpha, double[] a, int lda, double[] b, int ldb, double[] c, int ldc) {
        for (int j0 = 0; j0 < n; j0 += BLOCK) {
            int j1 = Math.min(n, j0 + BLOCK);
            Blas.gemm(false, true, n - j0, j1 - j0, k, alpha, a, j0, lda, b, j0, ldb, 1.0, c, j0 * ldc + j0, ldc);
        }
    }
}
