package org.hessinv.linalg;

import java.util.Locale;
import java.util.SplittableRandom;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * Timing entry (not a test): ns per added value of {@link ReproducibleSum#add(double[])} against a plain
 * {@code a[i] += v[i]} loop, for vectors of the default preset's gradient length (17,000 entries), plus the
 * cost of merge and result, in thread CPU time. Usage: {@code java -cp ... org.hessinv.linalg.ReproducibleSumBenchmark [n] [vectors]}.
 */
@Command(name = "reproducible-sum-benchmark", mixinStandardHelpOptions = true,
        description = "ns per added value of ReproducibleSum.add against a plain a[i] += v[i] loop, in thread CPU time.")
public final class ReproducibleSumBenchmark implements Runnable {
    @Parameters(index = "0", arity = "0..1", paramLabel = "N", description = "vector length (default ${DEFAULT-VALUE})")
    int n = 17_000;

    @Parameters(index = "1", arity = "0..1", paramLabel = "VECTORS", description = "vectors added per run (default ${DEFAULT-VALUE})")
    int count = 4096;

    /** This thread's CPU time (ns): on a shared machine wall time mostly measures the other builds. */
    private static long cpu() { return java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime(); }

    public static void main(String[] args) {
        org.hessinv.testing.TimingEntry.main(new ReproducibleSumBenchmark(), args);
    }

    @Override public void run() {
        SplittableRandom rng = new SplittableRandom(1);
        // gradient-like contributions: magnitudes spread over ~12 decades, signs random, some exact zeros
        double[][] vs = new double[16][n];
        for (double[] v : vs) {
            for (int i = 0; i < n; i++) {
                v[i] = rng.nextInt(20) == 0 ? 0.0 : (rng.nextBoolean() ? 1 : -1) * Math.pow(10, -14 + 12 * rng.nextDouble());
            }
        }
        double sink = 0;
        for (int rep = 0; rep < 8; rep++) {
            double[] plain = new double[n];
            long t0 = cpu();
            for (int k = 0; k < count; k++) {
                double[] v = vs[k & 15];
                for (int i = 0; i < n; i++) plain[i] += v[i];
            }
            long t1 = cpu();
            ReproducibleSum s = new ReproducibleSum(n);
            long t2 = cpu();
            for (int k = 0; k < count; k++) s.add(vs[k & 15]);
            long t3 = cpu();
            ReproducibleSum other = new ReproducibleSum(n);
            for (int k = 0; k < 16; k++) other.add(vs[k]);
            long t4 = cpu();
            s.merge(other);
            long t5 = cpu();
            double[] r = s.result();
            long t6 = cpu();
            sink += plain[rep] + r[rep];
            double values = (double) n * count;
            System.out.printf(Locale.ROOT, "rep %d: plain %.2f ns/value, binned add %.2f ns/value (%.1fx), merge %.1f ns/entry, result %.1f ns/entry%n",
                    rep, (t1 - t0) / values, (t3 - t2) / values, (double) (t3 - t2) / (t1 - t0), (double) (t5 - t4) / n, (double) (t6 - t5) / n);
        }
        System.out.println("(checksum " + sink + ")");
    }
}
