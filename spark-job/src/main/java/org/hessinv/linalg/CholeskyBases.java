package org.hessinv.linalg;

/**
 * Where the recursive Cholesky routines ({@link RecursiveCholesky}, {@link CholeskyFactorization#inverse}) hand a
 * problem to netlib's single-threaded F2J LAPACK instead of recursing into gemm: below these orders the
 * recursion's gemm calls are too small to beat F2J (2-3 GFLOP/s) and its fixed costs dominate.
 *
 * @param factor                   order at or below which the factorization and triangular inversion call F2J
 *                                 dpotrf / dtrtri (their n^3 / 3 flops are then a small part of the total)
 * @param solve                    triangle order at or below which a triangular solve calls F2J dtrsm (rows * n^2 flops)
 * @param rankK                    order at or below which the symmetric rank-k update forms a whole diagonal block with one gemm
 * @param recursiveInverseMinOrder order from which {@link CholeskyFactorization#inverse} is formed by the recursive
 *                                 routines (L^-1, then L^-T L^-1: 4n^3 / 3 flops in gemm) instead of F2J dpotri
 *                                 (2n^3 / 3 flops)
 */
public record CholeskyBases(int factor, int solve, int rankK, int recursiveInverseMinOrder) {
    /**
     * factor 128, solve 64, rank-k 128, recursive inverse from 256. The leaves are whole multiples of the
     * recursion's split alignment (16), large enough that the gemm calls above them run near the facade's rate
     * (~50 GFLOP/s on 2 cores against F2J's 2-3) and small enough that the F2J leaves carry a small part of the
     * flops. The inverse's order was measured on the 2-core reference machine: break-even with dpotri near
     * n = 230 (3.5 vs 3.1 ms at 256), the recursive inverse 2.9x faster at 600 and 5.6x at 2048.
     */
    public static final CholeskyBases DEFAULT = new CholeskyBases(128, 64, 128, 256);

    public CholeskyBases {
        if (factor < 1 || solve < 1 || rankK < 1 || recursiveInverseMinOrder < 0) {
            throw new IllegalArgumentException("Cholesky bases must be >= 1 (inverse order >= 0), got factor " + factor
                    + ", solve " + solve + ", rank-k " + rankK + ", recursive inverse from " + recursiveInverseMinOrder);
        }
    }
}
