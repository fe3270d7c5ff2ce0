package org.hessinv.linalg;

import java.util.stream.IntStream;
import org.netlib.util.intW;

/**
 * Recursive (Gustavson / Elmroth) Cholesky factorization and triangular solves that put almost all
 * their flops in {@link Blas#gemm}. The LAPACK of this stack is netlib's pure-Java F2J build
 * (dpotrf, dtrsm at 2-3 GFLOP/s on one thread) while the gemm facade runs at ~50 GFLOP/s on the
 * cores; splitting each problem in halves leaves only small diagonal blocks to F2J.
 *
 * <p>All matrices are column-major {@code double[]} with an offset and a leading dimension. Work is
 * spread over the cores with splits that depend only on the sizes, so results are reproducible. Where the
 * recursion stops is a {@link CholeskyBases} ({@link CholeskyBases#DEFAULT} unless given).
 */
public final class RecursiveCholesky {
    /**
     * Split points are rounded down to a multiple of this, so the off-diagonal gemm operands have
     * vector-friendly sizes and the recursion's leaves are whole blocks.
     */
    static final int SPLIT_ALIGN = 16;
    /** Fewest independent rows (or columns) of B one parallel task of a triangular solve gets. */
    static final int MIN_PER_TASK = 32;

    private RecursiveCholesky() {}

    /** n1 = n / 2 rounded down to a multiple of {@link #SPLIT_ALIGN} (when that leaves it positive). */
    static int split(int n) {
        int half = n / 2;
        int aligned = half - half % SPLIT_ALIGN;
        return aligned > 0 ? aligned : half;
    }

    /** Parallel tasks for {@code flops} over {@code independent} rows or columns: 1 when a fork would not pay. */
    private static int tasks(double flops, int independent) {
        if (Blas.THREADS == 1 || flops < Blas.PARALLEL_FLOPS) return 1;
        return Math.max(1, Math.min(Blas.THREADS, independent / MIN_PER_TASK));
    }

    /**
     * Runs {@code task(from, to)} over {@code count} independent rows or columns of a solve costing
     * {@code flops}, cut into near-equal parts over the cores when that pays (the cut depends only on the sizes).
     */
    private static void splitOver(int count, double flops, java.util.function.BiConsumer<Integer, Integer> task) {
        int parts = tasks(flops, count);
        if (parts == 1) {
            task.accept(0, count);
            return;
        }
        IntStream.range(0, parts).parallel().forEach(t -> task.accept(cut(count, t, parts), cut(count, t + 1, parts)));
    }

    /** Start of part t of {@code total} items cut in {@code parts} near-equal parts. */
    private static int cut(int total, int t, int parts) {
        return (int) ((long) total * t / parts);
    }

    // ---------------------------------------------------------------- factorization

    /**
     * A = L L^T in place (lower triangle; the strict upper triangle is not touched). Returns 0, or the
     * LAPACK info k > 0 when the leading minor of order k is not positive definite (A then holds a
     * partial factorization). Recursion: L11 = chol(A11), L21 = A21 L11^-T, L22 = chol(A22 - L21 L21^T).
     */
    public static int factorLower(double[] a, int off, int lda, int n) {
        return factorLower(a, off, lda, n, CholeskyBases.DEFAULT);
    }

    /** A = L L^T in place as {@link #factorLower(double[], int, int, int)}, recursing down to the given bases. */
    public static int factorLower(double[] a, int off, int lda, int n, CholeskyBases bases) {
        if (n <= bases.factor()) {
            if (n == 0) return 0;
            intW info = new intW(0);
            Blas.lapack().dpotrf("L", n, a, off, Math.max(1, lda), info);
            return info.val;
        }
        int n1 = split(n), n2 = n - n1;
        int a21 = off + n1, a22 = off + n1 * lda + n1;
        int info = factorLower(a, off, lda, n1, bases);
        if (info != 0) return info;
        solveRightLowerTransposed(n2, n1, a, off, lda, a, a21, lda, bases);
        rankKUpdateLower(n2, n1, -1.0, a, a21, lda, 1.0, a, a22, lda, bases);
        info = factorLower(a, a22, lda, n2, bases);
        return info == 0 ? 0 : n1 + info;
    }

    /**
     * L <- L^-1 in place for L n x n lower triangular (strict upper triangle not touched). Recursion:
     * X21 = -L22^-1 (L21 L11^-1) by two solves with the original L11 and L22, then X11 = L11^-1 and
     * X22 = L22^-1 recursively; n^3 / 3 flops, all but the F2J dtrtri leaves in gemm.
     */
    public static void invertLower(double[] a, int off, int lda, int n) {
        invertLower(a, off, lda, n, CholeskyBases.DEFAULT);
    }

    /** L <- L^-1 in place as {@link #invertLower(double[], int, int, int)}, recursing down to the given bases. */
    public static void invertLower(double[] a, int off, int lda, int n, CholeskyBases bases) {
        if (n <= bases.factor()) {
            if (n == 0) return;
            intW info = new intW(0);
            Blas.lapack().dtrtri("L", "N", n, a, off, Math.max(1, lda), info);
            if (info.val != 0) throw new ArithmeticException("singular triangular factor: L(" + info.val + "," + info.val + ") = 0");
            return;
        }
        int n1 = split(n), n2 = n - n1;
        int a21 = off + n1, a22 = off + n1 * lda + n1;
        solveRightLower(n2, n1, a, off, lda, a, a21, lda, bases);
        solveLeftLower(n2, n1, a, a22, lda, a, a21, lda, bases);
        for (int j = 0; j < n1; j++) {
            int col = a21 + j * lda;
            for (int i = 0; i < n2; i++) a[col + i] = -a[col + i];
        }
        invertLower(a, off, lda, n1, bases);
        invertLower(a, a22, lda, n2, bases);
    }

    // ---------------------------------------------------------------- right-side solves (rows of B independent)

    /** B <- B L^-T for B rows x n and L n x n lower triangular. */
    public static void solveRightLowerTransposed(int rows, int n, double[] l, int lOff, int ldl,
                                                 double[] b, int bOff, int ldb) {
        solveRightLowerTransposed(rows, n, l, lOff, ldl, b, bOff, ldb, CholeskyBases.DEFAULT);
    }

    /** B <- B L^-T for B rows x n, recursing down to the given bases. */
    public static void solveRightLowerTransposed(int rows, int n, double[] l, int lOff, int ldl,
                                                 double[] b, int bOff, int ldb, CholeskyBases bases) {
        if (rows == 0 || n == 0) return;
        splitOver(rows, (double) rows * n * n, (r0, r1) -> rightLowerTransposed(r1 - r0, n, l, lOff, ldl, b, bOff + r0, ldb, bases));
    }

    /** B <- B L^-T on the calling thread: X1 = B1 L11^-T, B2 -= X1 L21^T, X2 = B2 L22^-T. */
    private static void rightLowerTransposed(int rows, int n, double[] l, int lOff, int ldl,
                                             double[] b, int bOff, int ldb, CholeskyBases bases) {
        if (n <= bases.solve()) {
            Blas.trsm("R", "L", "T", rows, n, 1.0, l, lOff, ldl, b, bOff, ldb);
            return;
        }
        int n1 = split(n), n2 = n - n1;
        int b2 = bOff + n1 * ldb;
        rightLowerTransposed(rows, n1, l, lOff, ldl, b, bOff, ldb, bases);
        Blas.gemmBlocked(false, true, rows, n2, n1, -1.0, b, bOff, ldb, l, lOff + n1, ldl, 1.0, b, b2, ldb);
        rightLowerTransposed(rows, n2, l, lOff + n1 * ldl + n1, ldl, b, b2, ldb, bases);
    }

    /** B <- B L^-1 for B rows x n and L n x n lower triangular. */
    public static void solveRightLower(int rows, int n, double[] l, int lOff, int ldl,
                                       double[] b, int bOff, int ldb) {
        solveRightLower(rows, n, l, lOff, ldl, b, bOff, ldb, CholeskyBases.DEFAULT);
    }

    /** B <- B L^-1 for B rows x n, recursing down to the given bases. */
    public static void solveRightLower(int rows, int n, double[] l, int lOff, int ldl,
                                       double[] b, int bOff, int ldb, CholeskyBases bases) {
        if (rows == 0 || n == 0) return;
        splitOver(rows, (double) rows * n * n, (r0, r1) -> rightLower(r1 - r0, n, l, lOff, ldl, b, bOff + r0, ldb, bases));
    }

    /** B <- B L^-1 on the calling thread: X2 = B2 L22^-1, B1 -= X2 L21, X1 = B1 L11^-1. */
    private static void rightLower(int rows, int n, double[] l, int lOff, int ldl,
                                   double[] b, int bOff, int ldb, CholeskyBases bases) {
        if (n <= bases.solve()) {
            Blas.trsm("R", "L", "N", rows, n, 1.0, l, lOff, ldl, b, bOff, ldb);
            return;
        }
        int n1 = split(n), n2 = n - n1;
        int b2 = bOff + n1 * ldb;
        rightLower(rows, n2, l, lOff + n1 * ldl + n1, ldl, b, b2, ldb, bases);
        Blas.gemmBlocked(false, false, rows, n1, n2, -1.0, b, b2, ldb, l, lOff + n1, ldl, 1.0, b, bOff, ldb);
        rightLower(rows, n1, l, lOff, ldl, b, bOff, ldb, bases);
    }

    // ---------------------------------------------------------------- left-side solves (columns of B independent)

    /** B <- L^-1 B for B n x cols and L n x n lower triangular. */
    public static void solveLeftLower(int n, int cols, double[] l, int lOff, int ldl,
                                      double[] b, int bOff, int ldb) {
        solveLeftLower(n, cols, l, lOff, ldl, b, bOff, ldb, CholeskyBases.DEFAULT);
    }

    /** B <- L^-1 B for B n x cols, recursing down to the given bases. */
    public static void solveLeftLower(int n, int cols, double[] l, int lOff, int ldl,
                                      double[] b, int bOff, int ldb, CholeskyBases bases) {
        if (n == 0 || cols == 0) return;
        splitOver(cols, (double) cols * n * n, (c0, c1) -> leftLower(n, c1 - c0, l, lOff, ldl, b, bOff + c0 * ldb, ldb, bases));
    }

    /** B <- L^-1 B on the calling thread: X1 = L11^-1 B1, B2 -= L21 X1, X2 = L22^-1 B2. */
    private static void leftLower(int n, int cols, double[] l, int lOff, int ldl,
                                  double[] b, int bOff, int ldb, CholeskyBases bases) {
        if (n <= bases.solve()) {
            Blas.trsm("L", "L", "N", n, cols, 1.0, l, lOff, ldl, b, bOff, ldb);
            return;
        }
        int n1 = split(n), n2 = n - n1;
        leftLower(n1, cols, l, lOff, ldl, b, bOff, ldb, bases);
        Blas.gemmBlocked(false, false, n2, cols, n1, -1.0, l, lOff + n1, ldl, b, bOff, ldb, 1.0, b, bOff + n1, ldb);
        leftLower(n2, cols, l, lOff + n1 * ldl + n1, ldl, b, bOff + n1, ldb, bases);
    }

    /** B <- L^-T B for B n x cols and L n x n lower triangular. */
    public static void solveLeftLowerTransposed(int n, int cols, double[] l, int lOff, int ldl,
                                                double[] b, int bOff, int ldb) {
        solveLeftLowerTransposed(n, cols, l, lOff, ldl, b, bOff, ldb, CholeskyBases.DEFAULT);
    }

    /** B <- L^-T B for B n x cols, recursing down to the given bases. */
    public static void solveLeftLowerTransposed(int n, int cols, double[] l, int lOff, int ldl,
                                                double[] b, int bOff, int ldb, CholeskyBases bases) {
        if (n == 0 || cols == 0) return;
        splitOver(cols, (double) cols * n * n, (c0, c1) -> leftLowerTransposed(n, c1 - c0, l, lOff, ldl, b, bOff + c0 * ldb, ldb, bases));
    }

    /** B <- L^-T B on the calling thread: X2 = L22^-T B2, B1 -= L21^T X2, X1 = L11^-T B1. */
    private static void leftLowerTransposed(int n, int cols, double[] l, int lOff, int ldl,
                                            double[] b, int bOff, int ldb, CholeskyBases bases) {
        if (n <= bases.solve()) {
            Blas.trsm("L", "L", "T", n, cols, 1.0, l, lOff, ldl, b, bOff, ldb);
            return;
        }
        int n1 = split(n), n2 = n - n1;
        leftLowerTransposed(n2, cols, l, lOff + n1 * ldl + n1, ldl, b, bOff + n1, ldb, bases);
        Blas.gemmBlocked(true, false, n1, cols, n2, -1.0, l, lOff + n1, ldl, b, bOff + n1, ldb, 1.0, b, bOff, ldb);
        leftLowerTransposed(n1, cols, l, lOff, ldl, b, bOff, ldb, bases);
    }

    // ---------------------------------------------------------------- symmetric rank-k update

    /**
     * lower(C) <- alpha A A^T + beta lower(C), A n x k (the strict upper triangle of C is not touched).
     * Recursion: C11 and C22 recursively, C21 = alpha A2 A1^T + beta C21 by one gemm.
     */
    public static void rankKUpdateLower(int n, int k, double alpha, double[] a, int aOff, int lda,
                                        double beta, double[] c, int cOff, int ldc) {
        rankKUpdateLower(n, k, alpha, a, aOff, lda, beta, c, cOff, ldc, CholeskyBases.DEFAULT);
    }

    /** lower(C) <- alpha A A^T + beta lower(C), recursing down to the given bases. */
    public static void rankKUpdateLower(int n, int k, double alpha, double[] a, int aOff, int lda,
                                        double beta, double[] c, int cOff, int ldc, CholeskyBases bases) {
        if (n == 0) return;
        if (n <= bases.rankK()) {
            rankKBlock(n, k, alpha, a, aOff, lda, beta, c, cOff, ldc);
            return;
        }
        int n1 = split(n), n2 = n - n1;
        rankKUpdateLower(n1, k, alpha, a, aOff, lda, beta, c, cOff, ldc, bases);
        Blas.gemm(false, true, n2, n1, k, alpha, a, aOff + n1, lda, a, aOff, lda, beta, c, cOff + n1, ldc);
        rankKUpdateLower(n2, k, alpha, a, aOff + n1, lda, beta, c, cOff + n1 * ldc + n1, ldc, bases);
    }

    /** lower(C) <- T + beta lower(C) with T = alpha A A^T formed whole in a scratch block by gemm. */
    private static void rankKBlock(int n, int k, double alpha, double[] a, int aOff, int lda,
                                   double beta, double[] c, int cOff, int ldc) {
        double[] t = new double[n * n];
        Blas.gemm(false, true, n, n, k, alpha, a, aOff, lda, a, aOff, lda, 0.0, t, 0, n);
        for (int j = 0; j < n; j++) {
            int cj = cOff + j * ldc;
            for (int i = j; i < n; i++) {
                c[cj + i] = beta == 0.0 ? t[j * n + i] : t[j * n + i] + beta * c[cj + i];
            }
        }
    }

    // ---------------------------------------------------------------- triangle copy

    /** upper(A) <- lower(A)^T for the n x n matrix a (leading dimension n). */
    public static void mirrorLower(double[] a, int n) {
        mirrorLower(a, 0, n, n);
    }

    /** upper(A) <- lower(A)^T, tile pair by tile pair ({@link Blas#TRANSPOSE_TILE}) to keep the strided writes in cache. */
    public static void mirrorLower(double[] a, int off, int lda, int n) {
        for (int j0 = 0; j0 < n; j0 += Blas.TRANSPOSE_TILE) {
            int j1 = Math.min(n, j0 + Blas.TRANSPOSE_TILE);
            for (int i0 = j0; i0 < n; i0 += Blas.TRANSPOSE_TILE) {
                int i1 = Math.min(n, i0 + Blas.TRANSPOSE_TILE);
                for (int j = j0; j < j1; j++) {
                    int col = off + j * lda;
                    for (int i = Math.max(i0, j + 1); i < i1; i++) a[off + i * lda + j] = a[col + i];
                }
            }
        }
    }
}
