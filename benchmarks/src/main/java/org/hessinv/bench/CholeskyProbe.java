package org.hessinv.bench;

import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import org.hessinv.linalg.Blas;
import org.hessinv.linalg.CholeskyBases;
import org.hessinv.linalg.RecursiveCholesky;
import org.netlib.util.intW;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * Measures GFLOP/s of F2J dpotrf against {@link RecursiveCholesky#factorLower} (n^3 / 3 flops), and of
 * the recursive right solves B L^-T and B L^-1 (rows n^2 flops) against F2J dtrsm. Not a test: prints only.
 * Arguments (optional): comma-separated orders, then the rows and order of the solves; {@code --bases} times
 * other {@link CholeskyBases} than the default (when tuning them).
 */
@Command(name = "cholesky-probe", sortOptions = false, usageHelpAutoWidth = true,
        description = "GFLOP/s of the recursive Cholesky and right solves against F2J dpotrf / dtrsm.")
public final class CholeskyProbe implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", split = ",", paramLabel = "ORDERS", description = "factorization orders, comma-separated (default 1024,2048,4096,6144)")
    int[] orders = {1024, 2048, 4096, 6144};

    @Parameters(index = "1", arity = "0..1", paramLabel = "ROWS", description = "rows of B in the right solves (default ${DEFAULT-VALUE})")
    int rows = 6144;

    @Parameters(index = "2", arity = "0..1", paramLabel = "ORDER", description = "order of L in the right solves (default ${DEFAULT-VALUE})")
    int order = 600;

    @Option(names = "--f2j-budget", paramLabel = "S", description = "F2J dpotrf is skipped when its time, extrapolated as n^3 from the previous "
            + "order, exceeds S seconds; 0 skips F2J after the first order, e.g. when tuning (default ${DEFAULT-VALUE})")
    double f2jBudgetSeconds = 60;

    @Option(names = "--repeats", paramLabel = "N", description = "best of this many recursive runs (default ${DEFAULT-VALUE})")
    int repeats = 2;

    @Option(names = "--bases", split = ",", paramLabel = "F,S,R,I", description = "the recursion's bases: factor, solve, rank-k, recursive "
            + "inverse from (default 128,64,128,256: CholeskyBases.DEFAULT)")
    int[] bases = {CholeskyBases.DEFAULT.factor(), CholeskyBases.DEFAULT.solve(), CholeskyBases.DEFAULT.rankK(),
        CholeskyBases.DEFAULT.recursiveInverseMinOrder()};

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "print this help and exit")
    boolean help;

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

    /** Best seconds of {@code repeats} runs of RecursiveCholesky.factorLower with the given bases on copies of a. */
    static double timeRecursive(double[] a, int n, int repeats, CholeskyBases bases) {
        double best = Double.MAX_VALUE;
        for (int r = 0; r < repeats; r++) {
            double[] w = a.clone();
            long t = System.nanoTime();
            int info = RecursiveCholesky.factorLower(w, 0, n, n, bases);
            best = Math.min(best, (System.nanoTime() - t) / 1e9);
            if (info != 0) throw new IllegalStateException("factorLower info " + info);
        }
        return best;
    }

    public static void main(String[] args) {
        BenchCli.main("cholesky-probe", new CholeskyProbe(), args);
    }

    /** The bases of --bases (an error here is reported like a parse error: one line, exit 2). */
    CholeskyBases bases() {
        BenchCli.require(spec, bases.length == 4 && bases[0] >= 1 && bases[1] >= 1 && bases[2] >= 1 && bases[3] >= 0,
                "--bases takes four sizes F,S,R,I (the first three >= 1, the last >= 0), e.g. 128,64,128,256");
        return new CholeskyBases(bases[0], bases[1], bases[2], bases[3]);
    }

    @Override public Integer call() {
        CholeskyBases b0 = bases();
        BenchCli.require(spec, orders.length > 0 && java.util.Arrays.stream(orders).allMatch(n -> n > 0) && rows > 0 && order > 0 && repeats > 0
                && f2jBudgetSeconds >= 0, "orders, ROWS, ORDER and --repeats must be > 0, --f2j-budget >= 0");
        System.out.println("backend: " + Blas.backend() + ", cores " + Runtime.getRuntime().availableProcessors() + ", " + b0);
        // JIT warm-up on a small problem
        double[] warm = spd(512, 1);
        timeRecursive(warm, 512, repeats, b0);
        timeF2j(warm, 512);
        double lastF2jSeconds = Double.NaN;
        int lastF2jOrder = 0;
        for (int n : orders) {
            double[] a = spd(n, n);
            double flops = (double) n * n * n / 3;
            double rec = timeRecursive(a, n, repeats, b0);
            double predicted = lastF2jOrder == 0 ? 0 : lastF2jSeconds * Math.pow((double) n / lastF2jOrder, 3);
            String f2j;
            if (lastF2jOrder > 0 && predicted > f2jBudgetSeconds) {
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
        if (RecursiveCholesky.factorLower(l, 0, order, order, b0) != 0) throw new IllegalStateException("not SPD");
        SplittableRandom rng = new SplittableRandom(11);
        double[] b = new double[rows * order];
        for (int i = 0; i < b.length; i++) b[i] = rng.nextDouble() - 0.5;
        double flops = (double) rows * order * order;
        for (String which : new String[] {"B L^-T", "B L^-1"}) {
            boolean transposed = which.equals("B L^-T");
            double best = Double.MAX_VALUE, f2jBest = Double.MAX_VALUE;
            for (int r = 0; r < repeats + 1; r++) {
                double[] w = b.clone();
                long t = System.nanoTime();
                if (transposed) RecursiveCholesky.solveRightLowerTransposed(rows, order, l, 0, order, w, 0, rows, b0);
                else RecursiveCholesky.solveRightLower(rows, order, l, 0, order, w, 0, rows, b0);
                best = Math.min(best, (System.nanoTime() - t) / 1e9);
                w = b.clone();
                t = System.nanoTime();
                Blas.blas().dtrsm("R", "L", transposed ? "T" : "N", "N", rows, order, 1.0, l, 0, order, w, 0, rows);
                f2jBest = Math.min(f2jBest, (System.nanoTime() - t) / 1e9);
            }
            System.out.printf(Locale.ROOT, "solve %s rows=%d n=%d  recursive %7.2f GFLOP/s   F2J dtrsm %7.2f GFLOP/s%n",
                    which, rows, order, flops / best / 1e9, flops / f2jBest / 1e9);
        }
        return 0;
    }
}
