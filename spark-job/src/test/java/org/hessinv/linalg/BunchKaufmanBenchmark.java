package org.hessinv.linalg;

import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Timing entry (not a test): LAPACK's unblocked F2J Bunch-Kaufman ({@link BunchKaufmanFactorization},
 * dsytrf + dsycon, solves by dsytrs) against {@link BlockedBunchKaufman}, per order n: milliseconds of the
 * factorization with its condition estimate, of a one-right-hand-side solve and of a solve with {@code nrhs}
 * right-hand sides (the gain K = Qdd^-1 Qsd^T of a Riccati stage), best of 5, with the dgemm rate of the
 * same run. Usage: {@code java -cp ... org.hessinv.linalg.BunchKaufmanBenchmark [orders,...] [nrhs]}.
 */
public final class BunchKaufmanBenchmark {
    private BunchKaufmanBenchmark() {}

    private static double bestMs(Runnable task) {
        double best = Double.MAX_VALUE;
        for (int r = 0; r < 5; r++) {
            long t = System.nanoTime();
            task.run();
            best = Math.min(best, (System.nanoTime() - t) / 1e6);
        }
        return best;
    }

    /** A random symmetric indefinite matrix, entries uniform in (-0.5, 0.5). */
    private static double[] indefinite(int n) {
        SplittableRandom rng = new SplittableRandom(n);
        double[] q = new double[n * n];
        for (int j = 0; j < n; j++) for (int i = j; i < n; i++) { double v = rng.nextDouble() - 0.5; q[j * n + i] = v; q[i * n + j] = v; }
        return q;
    }

    public static void main(String[] args) {
        String[] orders = (args.length > 0 ? args[0] : "16,32,48,64,96,128,272,600,1200").split(",");
        int nrhs = args.length > 1 ? Integer.parseInt(args[1]) : 1024;
        int g = 1024;
        double[] ga = indefinite(g), gc = new double[g * g];
        double gemmMs = bestMs(() -> Blas.gemm(false, false, g, g, g, 1.0, ga, 0, g, ga, 0, g, 0.0, gc, 0, g));
        gemmMs = Math.min(gemmMs, bestMs(() -> Blas.gemm(false, false, g, g, g, 1.0, ga, 0, g, ga, 0, g, 0.0, gc, 0, g)));
        System.out.printf(Locale.ROOT, "dgemm n=1024: %.1f GFLOP/s; %s%n", 2.0 * g * g * g / gemmMs / 1e6, Blas.backend());
        System.out.println("n  lapack_factor_ms blocked_factor_ms  lapack_solve1_ms blocked_solve1_ms  lapack_solve" + nrhs + "_ms blocked_solve" + nrhs + "_ms");
        for (String o : orders) {
            int n = Integer.parseInt(o.trim());
            double[] q = indefinite(n);
            double anorm = org.hessinv.linalg.Blas.lapack().dlansy("1", "L", n, q, 0, n, new double[n], 0);
            SymmetricFactorization[] f = new SymmetricFactorization[2];
            for (int w = 0; w < 2; w++) { f[0] = BunchKaufmanFactorization.factor(q, n, anorm); f[1] = BlockedBunchKaufman.factor(q, n, anorm, BlockedBunchKaufman.PANEL); }
            double lf = bestMs(() -> f[0] = BunchKaufmanFactorization.factor(q, n, anorm));
            double bf = bestMs(() -> f[1] = BlockedBunchKaufman.factor(q, n, anorm, BlockedBunchKaufman.PANEL));
            double[] b1 = new double[n];
            java.util.Arrays.fill(b1, 1);
            double ls1 = bestMs(() -> f[0].solveInPlace(b1.clone(), 1));
            double bs1 = bestMs(() -> f[1].solveInPlace(b1.clone(), 1));
            double[] bm = new double[n * nrhs];
            java.util.Arrays.fill(bm, 1);
            double lsm = bestMs(() -> f[0].solveInPlace(bm.clone(), nrhs));
            double bsm = bestMs(() -> f[1].solveInPlace(bm.clone(), nrhs));
            System.out.printf(Locale.ROOT, "%d  %.2f %.2f  %.3f %.3f  %.1f %.1f%n", n, lf, bf, ls1, bs1, lsm, bsm);
        }
    }
}
