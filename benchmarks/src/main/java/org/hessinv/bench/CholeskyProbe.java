package org.hessinv.bench;

import java.util.Locale;
import java.util.SplittableRandom;
import org.hessinv.linalg.Blas;
import org.hessinv.linalg.RecursiveCholesky;
import org.netlib.util.intW;

/**
 * Measures GFLOP/s of F2J dpotrf against {@link RecursiveCholesky#factorLower} (n^3 / 3 flops), and of
 * the recursive right solves B L^-T and B L^-1 (rows n^2 flops) against F2J dtrsm. Not a test: prints only.
 * Arguments (optional): comma-separated orders, then the rows and order of the solves.
 */
public final class CholeskyProbe {
    /**
     * F2J dpotrf is skipped when its time, extrapolated as n^3 from the previous order, exceeds this many
     * seconds (property hessinv.probe.f2jBudget; 0 skips F2J after the first order, e.g. when tuning).
     */
    private static final double F2J_BUDGET_SECONDS = Double.parseDouble(System.getProperty("hessinv.probe.f2jBudget", "60"));
    /** Repeats of each recursive measurement, best of (property hessinv.probe.repeats). */
    private static final int REPEATS = Integer.getInteger("hessinv.probe.repeats", 2);

    private CholeskyProbe() {}

    /** A random SPD matrix M M^T / n + I of order n (well conditioned; the rate does not depend on kappa). */
    static double[] spd(int n, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        double[] m = new double[n * n];
        for (int i = 0; i < m.length; i++) m[i] = rng.nextDouble() - 0.5;
        double[] a = new double[n * n];
        Blas.gemm(false, true, n, n, n, 1.0 / n, m, 0, n, m, 0, n, 0.0, a, 0, n);
        for (int i = 0; i < n; i++) a[i * n + i] += 1.0;
        return a;
    }

    /** Seconds of F2J dpotrf on a copy of a. */
    static double timeF2j(double[] a, int n) {
        double[] w = a.clone();
        intW info = new intW(0);
        long t = System.nanoTime();
        Blas.lapack().dpotrf("L", n, w, 0, n, info);
        double s = (System.nanoTime() - t) / 1e9;
        if (info.val != 0) throw new IllegalStateException("dpotrf info " + info.val);
        return s;
    }

    /** Best seconds of RecursiveCholesky.factorLower on copies of a. */
    static double timeRecursive(double[] a, int n) {
        double best = Double.MAX_VALUE;
        for (int r = 0; r < REPEATS; r++) {
            double[] w = a.clone();
            long t = System.nanoTime();
            int info = RecursiveCholesky.factorLower(w, 0, n, n);
            best = Math.min(best, (System.nanoTime() - t) / 1e9);
            if (info != 0) throw new IllegalStateException("factorLower info " + info);
        }
        return best;
    }

    public static void main(String[] args) {
        int[] orders = args.length > 0 ? java.util.Arrays.stream(args[0].split(",")).mapToInt(Integer::parseInt).toArray()
                : new int[] {1024, 2048, 4096, 6144};
        int rows = args.length > 1 ? Integer.parseInt(args[1]) : 6144;
        int order = args.length > 2 ? Integer.parseInt(args[2]) : 600;
        System.out.println("backend: " + Blas.backend() + ", cores " + Runtime.getRuntime().availableProcessors());
        // JIT warm-up on a small problem
        double[] warm = spd(512, 1);
        timeRecursive(warm, 512);
        timeF2j(warm, 512);
        double lastF2jSeconds = Double.NaN;
        int lastF2jOrder = 0;
        for (int n : orders) {
            double[] a = spd(n, n);
            double flops = (double) n * n * n / 3;
            double rec = timeRecursive(a, n);
            double predicted = lastF2jOrder == 0 ? 0 : lastF2jSeconds * Math.pow((double) n / lastF2jOrder, 3);
            String f2j;
            if (lastF2jOrder > 0 && predicted > F2J_BUDGET_SECONDS) {
                f2j = String.format(Locale.ROOT, "skipped (~%.0f s estimated, ~%.2f GFLOP/s)", predicted, flops / predicted / 1e9);
            } else {
                double s = timeF2j(a, n);
                lastF2jSeconds = s;
                lastF2jOrder = n;
                f2j = String.format(Locale.ROOT, "%7.2f GFLOP/s (%.2f s)", flops / s / 1e9, s);
            }
            System.out.printf(Locale.ROOT, "cholesky n=%5d  recursive %7.2f GFLOP/s (%.2f s)   F2J dpotrf %s%n",
                    n, flops / rec / 1e9, rec, f2j);
        }
        int largest = java.util.Arrays.stream(orders).max().orElse(0);
        double[] m = new double[largest * largest];
        long t0 = System.nanoTime();
        for (int j = 0; j < largest; j++) for (int i = j + 1; i < largest; i++) m[i * largest + j] = m[j * largest + i];
        double naive = (System.nanoTime() - t0) / 1e9;
        t0 = System.nanoTime();
        RecursiveCholesky.mirrorLower(m, largest);
        double tiled = (System.nanoTime() - t0) / 1e9;
        t0 = System.nanoTime();
        Blas.symmetrize(m, largest);
        double symmetrize = (System.nanoTime() - t0) / 1e9;
        System.out.printf(Locale.ROOT, "mirrorLower n=%d  naive loop %.3f s   tiled %.3f s   (tiled symmetrize %.3f s)%n",
                largest, naive, tiled, symmetrize);
        double[] l = spd(order, 7);
        if (RecursiveCholesky.factorLower(l, 0, order, order) != 0) throw new IllegalStateException("not SPD");
        SplittableRandom rng = new SplittableRandom(11);
        double[] b = new double[rows * order];
        for (int i = 0; i < b.length; i++) b[i] = rng.nextDouble() - 0.5;
        double flops = (double) rows * order * order;
        for (String which : new String[] {"B L^-T", "B L^-1"}) {
            boolean transposed = which.equals("B L^-T");
            double best = Double.MAX_VALUE, f2jBest = Double.MAX_VALUE;
            for (int r = 0; r < REPEATS + 1; r++) {
                double[] w = b.clone();
                long t = System.nanoTime();
                if (transposed) RecursiveCholesky.solveRightLowerTransposed(rows, order, l, 0, order, w, 0, rows);
                else RecursiveCholesky.solveRightLower(rows, order, l, 0, order, w, 0, rows);
                best = Math.min(best, (System.nanoTime() - t) / 1e9);
                w = b.clone();
                t = System.nanoTime();
                Blas.blas().dtrsm("R", "L", transposed ? "T" : "N", "N", rows, order, 1.0, l, 0, order, w, 0, rows);
                f2jBest = Math.min(f2jBest, (System.nanoTime() - t) / 1e9);
            }
            System.out.printf(Locale.ROOT, "solve %s rows=%d n=%d  recursive %7.2f GFLOP/s   F2J dtrsm %7.2f GFLOP/s%n",
                    which, rows, order, flops / best / 1e9, flops / f2jBest / 1e9);
        }
    }
}
