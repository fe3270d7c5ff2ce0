package org.hessinv.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.hessinv.linalg.Blas;

/**
 * Measures this machine's dgemm rate in the same run as the benchmarks: square products
 * {@code C = A B} of order n, through {@link Blas#gemm} (the facade the sweep uses: column-split over
 * the cores, cache-blocked) and through the raw single-threaded {@code BLAS.dgemm}, best of a few repeats.
 */
public final class DgemmProbe {
    /** One measurement: order n, GFLOP/s of the facade and of the raw serial BLAS call (NaN when not run). */
    public record Sample(int n, double facadeGflops, double rawGflops) {}

    private DgemmProbe() {}

    /** 2 n^3 flops / best time of {@code repeats} runs of the facade (and of raw BLAS when {@code raw}). */
    public static Sample measure(int n, int repeats, boolean raw) {
        SplittableRandom rng = new SplittableRandom(n);
        double[] a = new double[n * n];
        double[] b = new double[n * n];
        double[] c = new double[n * n];
        for (int i = 0; i < a.length; i++) { a[i] = rng.nextDouble() - 0.5; b[i] = rng.nextDouble() - 0.5; }
        double flops = 2.0 * n * n * (double) n;
        double best = Stopwatch.bestSeconds(repeats, () -> Blas.gemm(false, false, n, n, n, 1.0, a, 0, n, b, 0, n, 0.0, c, 0, n));
        double rawRate = Double.NaN;
        if (raw) {
            rawRate = flops / Stopwatch.bestSeconds(repeats, () -> Blas.blas().dgemm("N", "N", n, n, n, 1.0, a, 0, n, b, 0, n, 0.0, c, 0, n)) / 1e9;
        }
        return new Sample(n, flops / best / 1e9, rawRate);
    }

    /** Warm-up (JIT) on a small product, then one sample per order. */
    public static List<Sample> probe(int[] orders, int repeats, boolean raw) {
        measure(256, 5, raw);
        List<Sample> out = new ArrayList<>();
        for (int n : orders) out.add(measure(n, repeats, raw));
        return out;
    }

    /** A symmetric, diagonally dominant (positive definite) n x n matrix, seeded by n. */
    private static double[] spd(int n) {
        SplittableRandom rng = new SplittableRandom(n + 1);
        double[] q = new double[n * n];
        for (int j = 0; j < n; j++) {
            for (int i = 0; i <= j; i++) {
                double v = rng.nextDouble() - 0.5;
                q[j * n + i] = v;
                q[i * n + j] = v;
            }
            q[j * n + j] += n;
        }
        return q;
    }

    /**
     * GFLOP/s of the pivot factorization ({@code SymmetricFactorization.factor}: the recursive Cholesky on
     * gemm, with its condition estimate; n^3/3 flops) at order n: estimates the stages whose factorizations dominate.
     */
    public static double choleskyGflops(int n, int repeats) {
        double[] q = spd(n);
        return (double) n * n * n / 3 / Stopwatch.bestSeconds(repeats, () -> org.hessinv.linalg.SymmetricFactorization.factor(q, n)) / 1e9;
    }

    /** GFLOP/s of the LAPACK LU (dgetrf, 2n^3/3 flops) at order n, as the dense reference solve runs it. */
    public static double lapackGflops(int n, int repeats) {
        double[] q = spd(n);
        return 2.0 / 3.0 * n * n * n / Stopwatch.bestSeconds(repeats, () -> {
            double[] lu = q.clone();
            org.hessinv.linalg.Blas.lapack().dgetrf(n, n, lu, 0, n, new int[n], 0, new org.netlib.util.intW(0));
        }) / 1e9;
    }

    /** The reference rate: the best facade GFLOP/s over the probed orders. */
    public static double peak(List<Sample> samples) {
        double m = 0;
        for (Sample s : samples) m = Math.max(m, s.facadeGflops());
        return m;
    }

    public static void main(String[] args) {
        int[] orders = args.length == 0 ? new int[] {512, 1024, 1536, 2048, 3072}
                : java.util.Arrays.stream(args[0].split(",")).mapToInt(Integer::parseInt).toArray();
        System.out.println("backend: " + Blas.backend() + ", cores " + Runtime.getRuntime().availableProcessors());
        for (Sample s : probe(orders, 3, true)) {
            System.out.printf(java.util.Locale.ROOT, "n=%5d  facade %7.2f GFLOP/s   raw serial BLAS %7.2f GFLOP/s%n",
                    s.n(), s.facadeGflops(), s.rawGflops());
        }
    }
}
