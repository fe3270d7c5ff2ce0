package org.hessinv.linalg;

import dev.ludovic.netlib.blas.BLAS;
import dev.ludovic.netlib.lapack.LAPACK;

/**
 * The one place that touches BLAS/LAPACK ({@code dev.ludovic.netlib}, the library Spark and Breeze use).
 * All matrices are column-major {@code double[]} with an offset and a leading dimension.
 */
public final class Blas {
    private static final BLAS BLAS_INSTANCE = BLAS.getInstance();
    private static final LAPACK LAPACK_INSTANCE = LAPACK.getInstance();

    private Blas() {}

    public static BLAS blas() { return BLAS_INSTANCE; }

    public static LAPACK lapack() { return LAPACK_INSTANCE; }

    /** The implementations in use, e.g. "BLAS VectorBLAS, LAPACK F2jLAPACK", for logs and reports. */
    public static String backend() {
        return "BLAS " + BLAS_INSTANCE.getClass().getSimpleName() + ", LAPACK " + LAPACK_INSTANCE.getClass().getSimpleName();
    }

    /** Worker threads for large products: the machine's cores (netlib's Java BLAS itself is single-threaded). */
    static final int THREADS = Runtime.getRuntime().availableProcessors();
    /** Products below this many flops run on the calling thread: a fork costs more than it saves. */
    static final double PARALLEL_FLOPS = 8e6;

    /**
     * C = alpha op(A) op(B) + beta C, with op(A) m x k and op(B) k x n, cache-blocked by {@link GemmBlocking#DEFAULT}.
     * Large products are split by column blocks of C over the cores; the split depends only on the sizes, so
     * results are reproducible.
     */
    public static void gemm(boolean transA, boolean transB, int m, int n, int k, double alpha,
                            double[] a, int aOff, int lda, double[] b, int bOff, int ldb,
                            double beta, double[] c, int cOff, int ldc) {
        gemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc, GemmBlocking.DEFAULT);
    }

    /** C = alpha op(A) op(B) + beta C as {@link #gemm}, with the given panel sizes within each core's column block. */
    public static void gemm(boolean transA, boolean transB, int m, int n, int k, double alpha,
                            double[] a, int aOff, int lda, double[] b, int bOff, int ldb,
                            double beta, double[] c, int cOff, int ldc, GemmBlocking blocking) {
        if (m == 0 || n == 0) return;
        if (k == 0) {
            scale(beta, c, cOff, ldc, m, n);
            return;
        }
        int chunks = chunks(2.0 * m * n * k, n);
        if (chunks == 1) {
            gemmBlocked(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc, blocking);
            return;
        }
        java.util.stream.IntStream.range(0, chunks).parallel().forEach(j -> {
            int n0 = (int) ((long) n * j / chunks);
            int n1 = (int) ((long) n * (j + 1) / chunks);
            gemmBlocked(transA, transB, m, n1 - n0, k, alpha, a, aOff, lda,
                    b, transB ? bOff + n0 : bOff + n0 * ldb, ldb, beta, c, cOff + n0 * ldc, ldc, blocking);
        });
    }

    /** C = alpha op(A) op(B) + beta C on the calling thread, panel by panel of {@link GemmBlocking#DEFAULT}. */
    static void gemmBlocked(boolean transA, boolean transB, int m, int n, int k, double alpha,
                                    double[] a, int aOff, int lda, double[] b, int bOff, int ldb,
                                    double beta, double[] c, int cOff, int ldc) {
        gemmBlocked(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc, GemmBlocking.DEFAULT);
    }

    /** C = alpha op(A) op(B) + beta C on the calling thread, panel by panel of the given blocking (tests use small ones). */
    static void gemmBlocked(boolean transA, boolean transB, int m, int n, int k, double alpha,
                            double[] a, int aOff, int lda, double[] b, int bOff, int ldb,
                            double beta, double[] c, int cOff, int ldc, GemmBlocking blocking) {
        if (blocking.holds(m, k, n)) {
            gemmSerial(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
            return;
        }
        int blockM = blocking.m(), blockK = blocking.k(), blockN = blocking.n();
        for (int j0 = 0; j0 < n; j0 += blockN) {
            int nb = Math.min(blockN, n - j0);
            for (int k0 = 0; k0 < k; k0 += blockK) {
                int kb = Math.min(blockK, k - k0);
                double bt = k0 == 0 ? beta : 1.0;
                // op(B)[k0.., j0..]: B stored k x n (no trans) or n x k (trans)
                int bo = transB ? bOff + k0 * ldb + j0 : bOff + j0 * ldb + k0;
                for (int i0 = 0; i0 < m; i0 += blockM) {
                    int mb = Math.min(blockM, m - i0);
                    // op(A)[i0.., k0..]: A stored m x k (no trans) or k x m (trans)
                    int ao = transA ? aOff + i0 * lda + k0 : aOff + k0 * lda + i0;
                    gemmSerial(transA, transB, mb, nb, kb, alpha, a, ao, lda, b, bo, ldb, bt, c, cOff + j0 * ldc + i0, ldc);
                }
            }
        }
    }

    private static int chunks(double flops, int columns) {
        if (THREADS == 1 || flops < PARALLEL_FLOPS) return 1;
        return Math.max(1, Math.min(THREADS, columns / 8));
    }

    private static void gemmSerial(boolean transA, boolean transB, int m, int n, int k, double alpha,
                                   double[] a, int aOff, int lda, double[] b, int bOff, int ldb,
                                   double beta, double[] c, int cOff, int ldc) {
        int aRows = transA ? k : m, aCols = transA ? m : k;
        int bRows = transB ? n : k, bCols = transB ? k : n;
        if (!fits(a, aOff, lda, aCols)) { a = compact(a, aOff, lda, aRows, aCols); aOff = 0; lda = aRows; }
        if (!fits(b, bOff, ldb, bCols)) { b = compact(b, bOff, ldb, bRows, bCols); bOff = 0; ldb = bRows; }
        if (!fits(c, cOff, ldc, n)) {
            double[] cc = compact(c, cOff, ldc, m, n);
            BLAS_INSTANCE.dgemm(transA ? "T" : "N", transB ? "T" : "N", m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, cc, 0, m);
            for (int j = 0; j < n; j++) System.arraycopy(cc, j * m, c, cOff + j * ldc, m);
            return;
        }
        BLAS_INSTANCE.dgemm(transA ? "T" : "N", transB ? "T" : "N", m, n, k, alpha,
                a, aOff, Math.max(1, lda), b, bOff, Math.max(1, ldb), beta, c, cOff, Math.max(1, ldc));
    }

    /** y = alpha op(A) x + beta y, A stored m x n. */
    public static void gemv(boolean transA, int m, int n, double alpha, double[] a, int aOff, int lda,
                            double[] x, int xOff, double beta, double[] y, int yOff) {
        int ySize = transA ? n : m;
        if (m == 0 || n == 0) {
            scale(beta, y, yOff, Math.max(1, ySize), ySize, 1);
            return;
        }
        if (!fits(a, aOff, lda, n)) { a = compact(a, aOff, lda, m, n); aOff = 0; lda = m; }
        BLAS_INSTANCE.dgemv(transA ? "T" : "N", m, n, alpha, a, aOff, lda, x, xOff, 1, beta, y, yOff, 1);
    }

    /**
     * netlib's Java BLAS bounds-checks a sub-matrix as {@code off + cols * ld <= length}, stricter than
     * the last element it touches; a row-offset block at the end of an array fails that check.
     */
    private static boolean fits(double[] a, int off, int ld, int cols) {
        return (long) off + (long) cols * ld <= a.length;
    }

    /** The rows x cols sub-matrix at off (leading dimension ld) as a compact column-major copy. */
    private static double[] compact(double[] a, int off, int ld, int rows, int cols) {
        double[] out = new double[rows * cols];
        for (int j = 0; j < cols; j++) System.arraycopy(a, off + j * ld, out, j * rows, rows);
        return out;
    }

    private static void scale(double beta, double[] c, int cOff, int ldc, int m, int n) {
        for (int j = 0; j < n; j++) {
            for (int i = 0; i < m; i++) c[cOff + j * ldc + i] = beta == 0.0 ? 0.0 : beta * c[cOff + j * ldc + i];
        }
    }

    /**
     * Tile order of the transposing loops ({@link #symmetrize}, {@link RecursiveCholesky#mirrorLower}):
     * a 64 x 64 tile of doubles is 32 KiB, so the strided side of a transpose stays in L1/L2 while the
     * contiguous side streams; the naive loop misses the cache on every strided access once n * 8 bytes
     * exceeds a page.
     */
    static final int TRANSPOSE_TILE = 64;

    /** A <- (A + A^T) / 2 for an n x n matrix, tile pair by tile pair. */
    public static void symmetrize(double[] a, int n) {
        for (int j0 = 0; j0 < n; j0 += TRANSPOSE_TILE) {
            int j1 = Math.min(n, j0 + TRANSPOSE_TILE);
            for (int i0 = j0; i0 < n; i0 += TRANSPOSE_TILE) {
                int i1 = Math.min(n, i0 + TRANSPOSE_TILE);
                for (int j = j0; j < j1; j++) {
                    for (int i = Math.max(i0, j + 1); i < i1; i++) {
                        double m = 0.5 * (a[j * n + i] + a[i * n + j]);
                        a[j * n + i] = m;
                        a[i * n + j] = m;
                    }
                }
            }
        }
    }

    /**
     * B <- alpha op(A)^-1 B (side "L") or alpha B op(A)^-1 (side "R"), A triangular, B m x n, on the
     * calling thread (netlib dtrsm). Operands failing netlib's strict bounds check ({@link #fits}) are
     * passed as compact copies.
     */
    static void trsm(String side, String uplo, String trans, int m, int n, double alpha,
                     double[] a, int aOff, int lda, double[] b, int bOff, int ldb) {
        if (m == 0 || n == 0) return;
        int k = side.equals("L") ? m : n;
        if (!fits(a, aOff, lda, k)) { a = compact(a, aOff, lda, k, k); aOff = 0; lda = k; }
        if (!fits(b, bOff, ldb, n)) {
            double[] bb = compact(b, bOff, ldb, m, n);
            BLAS_INSTANCE.dtrsm(side, uplo, trans, "N", m, n, alpha, a, aOff, Math.max(1, lda), bb, 0, m);
            for (int j = 0; j < n; j++) System.arraycopy(bb, j * m, b, bOff + j * ldb, m);
            return;
        }
        BLAS_INSTANCE.dtrsm(side, uplo, trans, "N", m, n, alpha, a, aOff, Math.max(1, lda), b, bOff, Math.max(1, ldb));
    }
}
