package org.hessinv.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import org.hessinv.linalg.Blas;
import org.hessinv.linalg.GemmBlocking;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * Measures this machine's dgemm rate in the same run as the benchmarks: square products
 * {@code C = A B} of order n, through {@link Blas#gemm} (the facade the sweep uses: column-split over
 * the cores, cache-blocked) and through the raw single-threaded {@code BLAS.dgemm}, best of a few repeats.
 * As an entry point it prints the rates at the given orders, with the default or a given {@link GemmBlocking}.
 */
@Command(name = "dgemm-probe", sortOptions = false, usageHelpAutoWidth = true,
        description = "GFLOP/s of square products through Blas.gemm (column-split, cache-blocked) and raw serial BLAS.dgemm.")
public final class DgemmProbe implements Callable<Integer> {
    /** One measurement: order n, GFLOP/s of the facade and of the raw serial BLAS call (NaN when not run). */
    public record Sample(int n, double facadeGflops, double rawGflops) {}

    @Spec CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", split = ",", paramLabel = "ORDERS", description = "orders n, comma-separated (default 512,1024,1536,2048,3072)")
    int[] orders = {512, 1024, 1536, 2048, 3072};

    @Option(names = "--blocking", split = ",", paramLabel = "M,K,N", description = "panel sizes of Blas.gemm's cache blocking (default 512,512,1024: GemmBlocking.DEFAULT)")
    int[] blocking = {GemmBlocking.DEFAULT.m(), GemmBlocking.DEFAULT.k(), GemmBlocking.DEFAULT.n()};

    @Option(names = "--repeats", paramLabel = "N", description = "best of this many products (default ${DEFAULT-VALUE})")
    int repeats = 3;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "print this help and exit")
    boolean help;

    /** 2 n^3 flops / best time of {@code repeats} runs of the facade (and of raw BLAS when {@code raw}). */
    public static Sample measure(int n, int repeats, boolean raw) {
        return measure(n, repeats, raw, GemmBlocking.DEFAULT);
    }

    /** 2 n^3 flops / best time of {@code repeats} runs of the facade with the given panels (and of raw BLAS when {@code raw}). */
    public static Sample measure(int n, int repeats, boolean raw, GemmBlocking blocking) {
        SplittableRandom rng = new SplittableRandom(n);
        double[] a = new double[n * n];
        double[] b = new double[n * n];
        double[] c = new double[n * n];
        for (int i = 0; i < a.length; i++) { a[i] = rng.nextDouble() - 0.5; b[i] = rng.nextDouble() - 0.5; }
        double flops = 2.0 * n * n * (double) n;
        double best = Stopwatch.bestSeconds(repeats, () -> Blas.gemm(false, false, n, n, n, 1.0, a, 0, n, b, 0, n, 0.0, c, 0, n, blocking));
        double rawRate = Double.NaN;
        if (raw) {
            rawRate = flops / Stopwatch.bestSeconds(repeats, () -> Blas.blas().dgemm("N", "N", n, n, n, 1.0, a, 0, n, b, 0, n, 0.0, c, 0, n)) / 1e9;
        }
        return new Sample(n, flops / best / 1e9, rawRate);
    }

    /** Warm-up (JIT) on a small product, then one sample per order. */
    public static List<Sample> probe(int[] orders, int repeats, boolean raw) {
        return probe(orders, repeats, raw, GemmBlocking.DEFAULT);
    }

    /** Warm-up (JIT) on a small product, then one sample per order, the facade with the given panels. */
    public static List<Sample> probe(int[] orders, int repeats, boolean raw, GemmBlocking blocking) {
        measure(256, 5, raw, blocking);
        List<Sample> out = new ArrayList<>();
        for (int n : orders) out.add(measure(n, repeats, raw, blocking));
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
        BenchCli.main("dgemm-probe", new DgemmProbe(), args);
    }

    /** The panel sizes of --blocking (an error here is reported like a parse error: one line, exit 2). */
    GemmBlocking blocking() {
        BenchCli.require(spec, blocking.length == 3 && java.util.Arrays.stream(blocking).allMatch(b -> b > 0),
                "--blocking takes three positive panel sizes M,K,N, e.g. 512,512,1024");
        return new GemmBlocking(blocking[0], blocking[1], blocking[2]);
    }

    @Override public Integer call() {
        GemmBlocking panels = blocking();
        BenchCli.require(spec, orders.length > 0 && java.util.Arrays.stream(orders).allMatch(n -> n > 0) && repeats > 0, "orders and --repeats must be > 0");
        System.out.println("backend: " + Blas.backend() + ", cores " + Runtime.getRuntime().availableProcessors()
                + ", panels " + panels.m() + " x " + panels.k() + " x " + panels.n());
        for (Sample s : probe(orders, repeats, true, panels)) {
            System.out.printf(java.util.Locale.ROOT, "n=%5d  facade %7.2f GFLOP/s   raw serial BLAS %7.2f GFLOP/s%n",
                    s.n(), s.facadeGflops(), s.rawGflops());
        }
        return 0;
    }
}
