package org.hessinv.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.hessinv.cli.DefaultProblem;
import org.hessinv.curvature.BlockSweep;
import org.hessinv.curvature.ExampleSweep;
import org.hessinv.linalg.Blas;
import org.hessinv.linalg.ReproducibleSum;
import org.hessinv.model.Example;
import org.hessinv.model.ModelSpec;
import org.hessinv.model.Network;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The training job's loss+gradient pass in process (no Spark), per example against blocked, on the
 * deep-narrow preset, with the dgemm rate measured in the same run.
 *
 * <p>Both paths do what the Spark pass does inside a partition: the per-example path one {@link ExampleSweep}
 * per example and one {@link ReproducibleSum#add} of its p + 1 terms per example; the blocked path one
 * {@link BlockSweep} per block of {@link BlockSweep#BLOCK_SIZE} examples and one add per block. The examples are
 * split into one contiguous, block-aligned range per thread (the cores, like partitions), the threads' sums merged.
 *
 * <p>Flops counted: 6 p per example (p = 17,425 parameters: forward 2 p, adjoint 2 p, weight gradient 2 p; the
 * exact gemm count is 6 x 16,400 weights less the first stage's adjoint, 5% fewer; elementwise work not counted).
 *
 * <p>Usage: {@code DataPassBenchmark [--sizes 100000,300000,1000000] [--model conf/models/deep-narrow.json]
 * [--threads T] [--repeats R] [--out DIR]}: best of R runs of each path, alternating, in wall time and in the
 * pass threads' CPU time (less sensitive to other jobs on the cores); prints a table and writes DIR/data-pass.csv (default target/bench/data-pass).
 */
@Command(name = "data-pass", sortOptions = false, usageHelpAutoWidth = true,
        description = "The training data pass in process: per example (ExampleSweep) against blocked (BlockSweep), with the dgemm rate of the run.")
public final class DataPassBenchmark implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--sizes", split = ",", paramLabel = "N", description = "example counts, comma-separated (default 100000,300000,1000000)")
    int[] sizes = {100_000, 300_000, 1_000_000};

    @Option(names = "--model", paramLabel = "M.json", description = "the network (default ${DEFAULT-VALUE})")
    Path model = Path.of("conf/models/deep-narrow.json");

    @Option(names = "--threads", paramLabel = "T", description = "pass threads (default: the cores)")
    int threads = Runtime.getRuntime().availableProcessors();

    @Option(names = "--repeats", paramLabel = "R", description = "best of R runs of each path, the paths alternating (default ${DEFAULT-VALUE})")
    int repeats = 1;

    @Option(names = "--out", paramLabel = "DIR", description = "writes DIR/data-pass.csv (default ${DEFAULT-VALUE})")
    Path out = Path.of("target/bench/data-pass");

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "print this help and exit")
    boolean help;

    public static void main(String[] args) {
        BenchCli.main("data-pass", new DataPassBenchmark(), args);
    }

    @Override public Integer call() throws Exception {
        BenchCli.require(spec, sizes.length > 0 && java.util.Arrays.stream(sizes).allMatch(n -> n > 0) && threads > 0 && repeats > 0,
                "--sizes, --threads and --repeats must be > 0");
        BenchCli.require(spec, java.nio.file.Files.isRegularFile(model), "no model file " + model + "; give --model M.json");
        Network net = ModelSpec.read(model);
        int p = net.paramCount();
        double[] x = net.initialParameters(0);
        System.out.printf(Locale.ROOT, "data pass benchmark: %s, %d threads, best of %d, %s%n", net.describe(), threads, repeats, Blas.backend());

        List<DgemmProbe.Sample> probe = DgemmProbe.probe(new int[] {512, 1024, 1536}, 3, false);
        double dgemm = DgemmProbe.peak(probe);
        System.out.printf(Locale.ROOT, "dgemm through Blas.gemm (best of n = 512, 1024, 1536): %.1f GFLOP/s%n", dgemm);

        int max = java.util.Arrays.stream(sizes).max().orElse(0);
        List<Example> data = examples(net, max);
        double flopsPerExample = FLOPS_PER_PARAMETER * p;

        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<String> rows = new ArrayList<>();
        rows.add("examples,path,seconds,examples_per_second,gflops,percent_of_dgemm,dgemm_gflops,speedup,cpu_seconds,cpu_speedup,loss,max_gradient_difference");
        System.out.printf(Locale.ROOT, "%10s %-12s %9s %12s %8s %8s %8s %9s %9s%n", "examples", "path", "seconds", "examples/s", "GFLOP/s", "%dgemm", "speedup", "CPU-s", "CPU ratio");
        warmUp(pool, threads, net, x, data);
        for (int n : sizes) {
            List<Example> sub = data.subList(0, n);
            Timing tm = time(pool, threads, net, x, sub, repeats);
            double perExample = tm.perExample(), blocked = tm.blocked(), perExampleCpu = tm.perExampleCpu(), blockedCpu = tm.blockedCpu();
            double[] ref = tm.perExampleSums(), blk = tm.blockedSums();
            double rel = tm.gradientDifference();
            for (int k = 0; k < 2; k++) {
                double s = k == 0 ? perExample : blocked;
                double gf = flopsPerExample * n / s / 1e9;
                String path = k == 0 ? "per-example" : "blocked";
                double speedup = perExample / s;
                double cpu = k == 0 ? perExampleCpu : blockedCpu;
                System.out.printf(Locale.ROOT, "%10d %-12s %9.2f %12.0f %8.2f %7.1f%% %7.2fx %9.2f %8.2fx%n", n, path, s, n / s, gf, 100 * gf / dgemm,
                        speedup, cpu, perExampleCpu / cpu);
                rows.add(String.format(Locale.ROOT, "%d,%s,%.4f,%.1f,%.3f,%.2f,%.2f,%.3f,%.3f,%.3f,%.17g,%.3g", n, path, s, n / s, gf, 100 * gf / dgemm, dgemm,
                        speedup, cpu, perExampleCpu / cpu, (k == 0 ? ref : blk)[p] / n, rel));
            }
            System.out.printf(Locale.ROOT, "%10s blocked vs per-example: max |difference| / max |gradient| = %.2e%n", "", rel);
        }
        pool.shutdown();
        // the probe again at the end: the rate the rows are compared with is the better of the two (conservative)
        double dgemmEnd = DgemmProbe.peak(DgemmProbe.probe(new int[] {512, 1024, 1536}, 3, false));
        System.out.printf(Locale.ROOT, "dgemm at the end of the run: %.1f GFLOP/s (the rows above use %.1f)%n", dgemmEnd, dgemm);
        Files.createDirectories(out);
        Path csv = out.resolve("data-pass.csv");
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(csv, StandardCharsets.UTF_8))) {
            for (String r : rows) w.println(r);
        }
        System.out.println("wrote " + csv);
        return 0;
    }

    /** Flops counted per example and parameter: forward, adjoint and weight gradient, 2 p each. */
    static final double FLOPS_PER_PARAMETER = 6.0;

    /** The first n teacher-student examples of the default problem's data (teacher seed {@link DefaultProblem#TEACHER_SEED}). */
    static List<Example> examples(Network net, int n) {
        double[] teacher = net.initialParameters(DefaultProblem.TEACHER_SEED);
        List<Example> data = new ArrayList<>(n);
        for (long i = 0; i < n; i++) data.add(DefaultProblem.example(net, teacher, i));
        return data;
    }

    /** JIT warm-up of both paths on the first 20,000 examples (or all, when fewer). */
    static void warmUp(ExecutorService pool, int threads, Network net, double[] x, List<Example> data) throws Exception {
        pass(pool, threads, net, x, data.subList(0, Math.min(data.size(), 20_000)), false);
        pass(pool, threads, net, x, data.subList(0, Math.min(data.size(), 20_000)), true);
    }

    /**
     * Best wall and pass-thread CPU seconds of each path over the repeats, the sums (gradient, then the loss) of each,
     * and max |blocked - per example| / max |per example| over the gradient.
     */
    record Timing(double perExample, double blocked, double perExampleCpu, double blockedCpu, double[] perExampleSums, double[] blockedSums) {
        double gradientDifference() {
            double diff = 0, scale = 0;
            for (int i = 0; i < perExampleSums.length - 1; i++) {
                diff = Math.max(diff, Math.abs(blockedSums[i] - perExampleSums[i]));
                scale = Math.max(scale, Math.abs(perExampleSums[i]));
            }
            return diff / scale;
        }
    }

    /** Both paths on the data, best of {@code repeats}, alternating (other jobs share the cores). */
    static Timing time(ExecutorService pool, int threads, Network net, double[] x, List<Example> data, int repeats) throws Exception {
        double perExample = Double.MAX_VALUE, blocked = Double.MAX_VALUE;
        double perExampleCpu = Double.MAX_VALUE, blockedCpu = Double.MAX_VALUE;
        double[] ref = null, blk = null;
        for (int r = 0; r < repeats; r++) {
            long t0 = System.nanoTime();
            Pass pe = pass(pool, threads, net, x, data, false);
            ref = pe.sums();
            perExample = Math.min(perExample, (System.nanoTime() - t0) / 1e9);
            perExampleCpu = Math.min(perExampleCpu, pe.cpuNanos() / 1e9);
            long t1 = System.nanoTime();
            Pass bp = pass(pool, threads, net, x, data, true);
            blk = bp.sums();
            blocked = Math.min(blocked, (System.nanoTime() - t1) / 1e9);
            blockedCpu = Math.min(blockedCpu, bp.cpuNanos() / 1e9);
        }
        return new Timing(perExample, blocked, perExampleCpu, blockedCpu, ref, blk);
    }

    private static final java.lang.management.ThreadMXBean CPU = java.lang.management.ManagementFactory.getThreadMXBean();

    /** One pass: the sums (gradient, then the loss) and the CPU time of its threads, summed. */
    record Pass(double[] sums, long cpuNanos) {}

    /** sum_i (d/dx w loss_i, loss_i) over the examples, w = 1/N, one contiguous block-aligned range per thread. */
    static Pass pass(ExecutorService pool, int threads, Network net, double[] x, List<Example> data, boolean blocked) throws Exception {
        int n = data.size();
        int p = net.paramCount();
        double w = 1.0 / n;
        int s = BlockSweep.BLOCK_SIZE;
        long blocks = (n + s - 1) / s;
        List<Future<ReproducibleSum>> parts = new ArrayList<>();
        java.util.concurrent.atomic.AtomicLong cpuNanos = new java.util.concurrent.atomic.AtomicLong();
        for (int t = 0; t < threads; t++) {
            int from = (int) Math.min(n, blocks * t / threads * s);
            int to = (int) Math.min(n, blocks * (t + 1) / threads * s);
            parts.add(pool.submit(() -> {
                long c0 = CPU.getCurrentThreadCpuTime();
                ReproducibleSum acc = new ReproducibleSum(p + 1);
                double[] scratch = new double[p + 1];
                if (blocked) {
                    BlockSweep sweep = new BlockSweep(net, x);
                    for (int b0 = from; b0 < to; b0 += s) {
                        java.util.Arrays.fill(scratch, 0.0);
                        scratch[p] = sweep.lossAndGradient(data.subList(b0, Math.min(to, b0 + s)), w, scratch);
                        acc.add(scratch);
                    }
                } else {
                    for (int i = from; i < to; i++) {
                        java.util.Arrays.fill(scratch, 0.0);
                        ExampleSweep e = new ExampleSweep(net, x, data.get(i), w);
                        e.accumulateGradient(scratch);
                        scratch[p] = e.loss();
                        acc.add(scratch);
                    }
                }
                cpuNanos.addAndGet(CPU.getCurrentThreadCpuTime() - c0);
                return acc;
            }));
        }
        ReproducibleSum total = null;
        for (Future<ReproducibleSum> f : parts) total = total == null ? f.get() : total.merge(f.get());
        return new Pass(total.result(), cpuNanos.get());
    }
}
