package org.hessinv.linalg;

/**
 * Panel sizes of the cache blocking of {@link Blas#gemm}: a product whose op(A) is m x k and op(B) k x n is
 * computed panel by panel, op(A) in blocks of at most {@code m} x {@code k} and op(B) in blocks of at most
 * {@code k} x {@code n}, accumulated over k with beta = 1 after the first panel. The split depends only on the
 * sizes, so a given blocking gives reproducible results.
 */
public record GemmBlocking(int m, int k, int n) {
    /**
     * 512 (m) x 512 (k) x 1024 (n). netlib's Java dgemm (VectorBLAS) streams whole operands and its rate
     * collapses once they outgrow the last-level cache: measured on the 2-core reference machine (32 MiB shared
     * L3, 1 MiB L2 per core), ~58 GFLOP/s at n = 1536 through this facade but ~5 at n = 2048 without blocking
     * (raw serial dgemm 29.6 at n = 1024, 5.7 at 1536, where its three operands of 18 MiB each overflow the L3).
     * With these panels one core's A, B and C blocks are 2 + 4 + 4 MiB, so both cores' blocks (20 MiB) stay in
     * the L3; the facade then runs at ~45 GFLOP/s at n = 2048 and 3072. 256 x 256 x (any n) and 512 x 256 x 512
     * measured about the same.
     */
    public static final GemmBlocking DEFAULT = new GemmBlocking(512, 512, 1024);

    public GemmBlocking {
        if (m <= 0 || k <= 0 || n <= 0) throw new IllegalArgumentException("gemm panel sizes must be positive, got " + m + " x " + k + " x " + n);
    }

    /** True when an op(A) rows x inner times op(B) inner x cols product fits one panel: rows <= m, inner <= k and cols <= n. */
    boolean holds(int rows, int inner, int cols) {
        return rows <= m && inner <= k && cols <= n;
    }
}
