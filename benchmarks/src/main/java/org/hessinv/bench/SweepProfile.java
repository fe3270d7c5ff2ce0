package org.hessinv.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import org.hessinv.cli.DefaultProblem;
import org.hessinv.curvature.Curvature;
import org.hessinv.curvature.ExampleBatch;
import org.hessinv.linalg.Blas;
import org.hessinv.model.Example;
import org.hessinv.model.Network;
import org.hessinv.solve.RiccatiSolution;
import org.hessinv.solve.RiccatiSolver;
import org.hessinv.solve.SweepCost;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * Timing entry (not a test) for the Riccati solve in process, as a fraction of this machine's dgemm rate
 * measured in the same run: the default newton-direction problem ({@link DefaultProblem}: 65 stages of
 * width 16, the first {@code B} examples, exact Hessian, damping 1e-3) or the anchor workload
 * ({@link AnchorBenchmark#anchor}). Prints the dgemm rate (order 1024, best of 3), the stage assembly time
 * (what the solver spends in {@code StageSource.stage}), the solve's best of {@code repeats} seconds, its
 * {@link SweepCost} flops and their rate as a percentage of dgemm, the same per CPU second (process CPU time of
 * the solve against that of the dgemm: steadier than wall time when other jobs share the cores), and with {@code --stages} the
 * seconds of every backward and forward stage of the last run.
 * Usage: {@code java -cp ... org.hessinv.bench.SweepProfile [default|anchor] [B] [repeats] [--stages]}.
 */
@Command(name = "sweep-profile", sortOptions = false, usageHelpAutoWidth = true,
        description = "One Riccati solve in process (the default newton-direction problem or the anchor, exact Hessian) as a percentage of dgemm.")
public final class SweepProfile implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "WORKLOAD", description = "default or anchor (default ${DEFAULT-VALUE})")
    String workload = "default";

    @Parameters(index = "1", arity = "0..1", paramLabel = "B", description = "curvature batch (default ${DEFAULT-VALUE})")
    int batch = 64;

    @Parameters(index = "2", arity = "0..1", paramLabel = "REPEATS", description = "solves timed, the best kept (default ${DEFAULT-VALUE})")
    int repeats = 3;

    @Option(names = "--stages", description = "print every backward and forward stage's time of the last solve")
    boolean stages;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "print this help and exit")
    boolean help;

    /** CPU time of all this process's threads (ns): on a machine shared with other jobs it counts only this run's work. */
    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** 2 n^3 flops per CPU second of the fastest of {@code repeats} products C = A B of order n through {@link Blas#gemm}. */
    private static double gemmCpuGflops(int n, int repeats) {
        SplittableRandom rng = new SplittableRandom(n);
        double[] a = new double[n * n], c = new double[n * n];
        for (int i = 0; i < a.length; i++) a[i] = rng.nextDouble() - 0.5;
        double best = Double.MAX_VALUE;
        for (int r = 0; r < repeats; r++) {
            long t = processCpuNanos();
            Blas.gemm(false, false, n, n, n, 1.0, a, 0, n, a, 0, n, 0.0, c, 0, n);
            best = Math.min(best, (processCpuNanos() - t) / 1e9);
        }
        return 2.0 * n * n * n / best / 1e9;
    }

    public static void main(String[] args) {
        BenchCli.main("sweep-profile", new SweepProfile(), args);
    }

    @Override public Integer call() {
        BenchCli.require(spec, workload.equals("default") || workload.equals("anchor"), "WORKLOAD must be default or anchor, got " + workload);
        BenchCli.require(spec, batch > 0, "the batch B must be > 0");
        BenchCli.require(spec, repeats > 0, "REPEATS must be > 0");
        double delta = 1e-3;
        Network net;
        double[] x;
        List<Example> examples = new ArrayList<>();
        if (workload.equals("anchor")) {
            net = AnchorBenchmark.anchor();
            x = net.initialParameters(7);
            SplittableRandom rng = new SplittableRandom(42);
            for (int i = 0; i < batch; i++) {
                double[] f = new double[net.inputSize()];
                for (int k = 0; k < f.length; k++) f[k] = Network.gaussian(rng);
                examples.add(new Example(f, new double[] {rng.nextInt(10)}));
            }
        } else {
            net = DefaultProblem.network();
            x = net.initialParameters(0);
            double[] teacher = net.initialParameters(DefaultProblem.TEACHER_SEED);
            for (long i = 0; i < batch; i++) examples.add(DefaultProblem.example(net, teacher, i));
        }
        ExampleBatch b = new ExampleBatch(net, x, examples, Curvature.HESSIAN);
        double[] r = b.gradient();
        DgemmProbe.Sample gemm = DgemmProbe.probe(new int[] {1024}, 3, false).get(0);
        double gemmCpuGflops = gemmCpuGflops(1024, 3);
        long a0 = System.nanoTime();
        for (int l = 0; l < b.stageCount(); l++) b.stage(l);
        double assembly = (System.nanoTime() - a0) / 1e9;
        List<String> stageLines = new ArrayList<>();
        RiccatiSolution[] last = new RiccatiSolution[1];
        double[] bestCpu = {Double.MAX_VALUE};
        double best = Stopwatch.bestSeconds(repeats, () -> {
            long cpu0 = processCpuNanos();
            stageLines.clear();
            long[] t = {System.nanoTime()};
            last[0] = RiccatiSolver.solve(b, delta, r, (sweep, layer, done, total) -> {
                long now = System.nanoTime();
                stageLines.add(String.format(Locale.ROOT, "  %s layer %d: %.1f ms", sweep, layer, (now - t[0]) / 1e6));
                t[0] = now;
            });
            bestCpu[0] = Math.min(bestCpu[0], (processCpuNanos() - cpu0) / 1e9);
        });
        SweepCost cost = SweepCost.of(net, batch);
        double rate = cost.totalFlops() / best / 1e9;
        if (stages) stageLines.forEach(System.out::println);
        System.out.printf(Locale.ROOT, "%s: %s, B = %d, p = %d, %s, cores %d%n", workload, net.describe(), batch, net.paramCount(),
                Blas.backend(), Runtime.getRuntime().availableProcessors());
        System.out.printf(Locale.ROOT,
                "RESULT workload=%s B=%d dgemm_gflops=%.1f assembly_seconds=%.2f solve_seconds=%.3f sweep_gflop=%.1f "
                        + "solve_gflops=%.1f percent_of_dgemm=%.0f dgemm_cpu_gflops=%.1f solve_cpu_seconds=%.3f "
                        + "cpu_percent_of_dgemm=%.0f logabsdet=%.12g inertia=%s%n",
                workload, batch, gemm.facadeGflops(), assembly, best, cost.totalFlops() / 1e9, rate,
                100 * rate / gemm.facadeGflops(), gemmCpuGflops, bestCpu[0],
                100 * cost.totalFlops() / bestCpu[0] / 1e9 / gemmCpuGflops, last[0].logAbsDet(), last[0].inertia());
        return 0;
    }
}
