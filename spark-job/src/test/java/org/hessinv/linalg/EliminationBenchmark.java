package org.hessinv.linalg;

import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Timing entry (not a test): one indefinite Riccati elimination at a stage's sizes (pivot order p, state
 * m; the default newton-direction problem has p = 272, m = 1024; the anchor p = 600, m = 1536): factorize
 * Qdd, K = Qdd^-1 Qsd^T, V = Qss - Qsd K, three ways, best of {@code repeats} wall-clock runs interleaved,
 * with the dgemm rate of the same run: (lapack) F2J dsytrf + dsytrs + a full gemm (the sweep before
 * {@link BlockedBunchKaufman}); (blocked) the blocked factorization and solve + the same gemm; (symmetric)
 * the blocked factorization, W = Qsd P L^-T, V = Qss - (W D^-1) W^T on the lower triangle, K^T = W D^-1 L^-1 P^T.
 * Usage: {@code java -cp ... org.hessinv.linalg.EliminationBenchmark [p] [m] [repeats]}.
 */
public final class EliminationBenchmark {
    private EliminationBenchmark() {}

    public static void main(String[] args) {
        int p = args.length > 0 ? Integer.parseInt(args[0]) : 272;
        int m = args.length > 1 ? Integer.parseInt(args[1]) : 1024;
        int repeats = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        SplittableRandom rng = new SplittableRandom(p + m);
        double[] q = new double[p * p];
        for (int j = 0; j < p; j++) for (int i = j; i < p; i++) { double v = rng.nextDouble() - 0.5; q[j * p + i] = v; q[i * p + j] = v; }
        double[] qsd = new double[m * p];
        for (int i = 0; i < qsd.length; i++) qsd[i] = rng.nextDouble() - 0.5;
        double[] qss = new double[m * m];
        double anorm = Blas.lapack().dlansy("1", "L", p, q, 0, p, new double[p], 0);
        double[] best = {Double.MAX_VALUE, Double.MAX_VALUE, Double.MAX_VALUE, Double.MAX_VALUE};
        double[] ga = new double[1024 * 1024], gc = new double[1024 * 1024];
        for (int i = 0; i < ga.length; i++) ga[i] = rng.nextDouble() - 0.5;
        for (int r = 0; r < repeats; r++) {
            for (int v = 0; v < 4; v++) {
                long t = System.nanoTime();
                if (v == 3) {
                    Blas.gemm(false, false, 1024, 1024, 1024, 1.0, ga, 0, 1024, ga, 0, 1024, 0.0, gc, 0, 1024);
                } else if (v < 2) {
                    SymmetricFactorization f = v == 0 ? BunchKaufmanFactorization.factor(q, p, anorm)
                            : BlockedBunchKaufman.factor(q, p, anorm, BlockedBunchKaufman.PANEL);
                    double[] k = new double[p * m];
                    for (int j = 0; j < m; j++) for (int i = 0; i < p; i++) k[j * p + i] = qsd[i * m + j];
                    f.solveInPlace(k, m);
                    double[] vv = qss.clone();
                    Blas.gemm(false, false, m, m, p, -1.0, qsd, 0, m, k, 0, p, 1.0, vv, 0, m);
                } else {
                    BlockedBunchKaufman f = BlockedBunchKaufman.factor(q, p, anorm, BlockedBunchKaufman.PANEL);
                    double[] w = qsd.clone();
                    f.rightSolveTransposedFactor(w, m);
                    double[] y = w.clone();
                    f.rightSolveBlockDiagonal(y, m);
                    double[] vv = qss.clone();
                    SymmetricProduct.lowerUpdate(m, p, -1.0, y, m, w, m, vv, m);
                    f.rightSolveFactor(y, m);
                }
                best[v] = Math.min(best[v], (System.nanoTime() - t) / 1e9);
            }
        }
        double gemm = 2.0 * Math.pow(1024, 3) / best[3] / 1e9;
        // the flops of the symmetric form (what SweepCost counts for a Cholesky pivot): p^3/3 + 2 m p^2 + m^2 p
        double flops = p * (double) p * p / 3 + 2.0 * m * p * p + (double) m * m * p;
        System.out.printf(Locale.ROOT, "p=%d m=%d dgemm %.1f GFLOP/s; lapack %.1f ms, blocked %.1f ms, symmetric %.1f ms "
                        + "(symmetric-form flops at %.0f%% / %.0f%% / %.0f%% of dgemm)%n", p, m, gemm,
                1e3 * best[0], 1e3 * best[1], 1e3 * best[2],
                100 * flops / best[0] / 1e9 / gemm, 100 * flops / best[1] / 1e9 / gemm, 100 * flops / best[2] / 1e9 / gemm);
    }
}
