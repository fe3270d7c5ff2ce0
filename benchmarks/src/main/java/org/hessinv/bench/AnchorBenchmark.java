package org.hessinv.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import org.hessinv.curvature.Curvature;
import org.hessinv.curvature.ExampleBatch;
import org.hessinv.linalg.Blas;
import org.hessinv.model.Activation;
import org.hessinv.model.Example;
import org.hessinv.model.HiddenLayer;
import org.hessinv.model.Network;
import org.hessinv.model.SoftmaxHead;
import org.hessinv.solve.RiccatiSolution;
import org.hessinv.solve.RiccatiSolver;
import org.hessinv.solve.SolveMemory;
import org.hessinv.solve.SweepOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * Timing entry (not a test) for the anchor workload: input 768, seven dense tanh layers of width 24,
 * softmax head with 10 classes, curvature batch B, damping 1e-3, r = the gradient.
 * Usage (one JVM per measurement, so the heap peak is that run's):
 * {@code java -cp ... org.hessinv.bench.AnchorBenchmark B [capacitance|dense] [hessian|ggn] [--stages]}.
 * "dense" forces the dense p x p pivot on the first (capacitance) stage (the behaviour before the capacitance route).
 * {@code --stages} prints per-stage times.
 *
 * <p>Measured 2026-11-29, 2 shared cores, VectorBLAS + F2jLAPACK, -Xmx16g, damping 1e-3 (solve seconds,
 * layer-1 seconds, peak heap): dense pivot, Hessian, B=64: 1040 s (layer 1: 1035 s), 9.4 GB. Capacitance pivot:
 * Hessian B=64 7.7 s (0.65 s), 0.74 GB; B=128 56 s (3.8 s), 1.0 GB; B=256 206 s (27 s), 2.7 GB;
 * GGN B=64 6.5 s (0.8 s); B=128 49 s (5.7 s); B=256 197 s (43 s), 2.8 GB. Same log|det| and inertia
 * as the dense pivot at B=64. Above B=64 the seven narrow layers' O((B a)^2 p) Riccati updates dominate.
 */
@Command(name = "anchor-benchmark", sortOptions = false, usageHelpAutoWidth = true,
        description = "One Riccati solve of the anchor workload (input 768, 7 dense tanh 24, softmax 10): time, peak heap, residual.")
public final class AnchorBenchmark implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "B", description = "curvature batch")
    int batch;

    @Parameters(index = "1", arity = "0..1", paramLabel = "PIVOT", description = "capacitance or dense: the first (capacitance) stage's pivot (default ${DEFAULT-VALUE})")
    String pivot = "capacitance";

    @Parameters(index = "2", arity = "0..1", paramLabel = "CURVATURE", description = "hessian or ggn (default hessian)")
    String curvature = "hessian";

    @Option(names = "--stages", description = "print each stage's time")
    boolean stages;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "print this help and exit")
    boolean help;

    public static Network anchor() {
        List<HiddenLayer> layers = new ArrayList<>();
        int width = 768;
        for (int l = 0; l < 7; l++) {
            layers.add(HiddenLayer.dense(width, 24, Activation.TANH));
            width = 24;
        }
        return new Network(768, layers, new SoftmaxHead(24, 10));
    }

    public static void main(String[] args) {
        BenchCli.main("anchor-benchmark", new AnchorBenchmark(), args);
    }

    @Override public Integer call() {
        BenchCli.require(spec, batch > 0, "the batch B must be > 0");
        BenchCli.require(spec, curvature.equals("hessian") || curvature.equals("ggn"), "CURVATURE must be hessian or ggn, got " + curvature);
        Curvature curvature = Curvature.valueOf(this.curvature.toUpperCase(Locale.ROOT));
        BenchCli.require(spec, pivot.equals("capacitance") || pivot.equals("dense"), "PIVOT must be capacitance or dense, got " + pivot);
        boolean capacitance = pivot.equals("capacitance");
        double delta = 1e-3;
        Network net = anchor();
        SplittableRandom rng = new SplittableRandom(42);
        List<Example> ex = new ArrayList<>();
        for (int i = 0; i < batch; i++) {
            double[] f = new double[768];
            for (int k = 0; k < f.length; k++) f[k] = Network.gaussian(rng);
            ex.add(new Example(f, new double[] {rng.nextInt(10)}));
        }
        ExampleBatch b = new ExampleBatch(net, net.initialParameters(7), ex, curvature);
        double[] r = b.gradient();
        System.out.printf(Locale.ROOT, "anchor: %s, p = %d, B = %d, %s, delta %g, pivot of layer 1: %s; %s, cores %d, max heap %.1f GB%n",
                net.describe(), net.paramCount(), batch, curvature, delta, capacitance ? "capacitance" : "dense",
                Blas.backend(), Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() / 1e9);
        System.out.printf(Locale.ROOT, "SolveMemory estimate: %.3f GB%n", SolveMemory.estimateBytes(net, batch) / 1e9);
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) pool.resetPeakUsage();
        long t0 = System.nanoTime();
        long[] last = {t0};
        boolean verbose = stages;
        SweepOptions options = capacitance ? SweepOptions.DEFAULT : SweepOptions.DEFAULT.withDensePivots();
        RiccatiSolution s = RiccatiSolver.solve(b, delta, r, (sweep, layer, done, total) -> {
            long now = System.nanoTime();
            if (verbose) System.out.printf(Locale.ROOT, "  %s layer %d: %.2f s%n", sweep, layer, (now - last[0]) / 1e9);
            last[0] = now;
        }, options);
        double seconds = (System.nanoTime() - t0) / 1e9;
        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) peak += pool.getPeakUsage().getUsed();
        }
        double residual = b.relativeResidual(s.direction(), delta, r);
        System.out.printf(Locale.ROOT, "RESULT B=%d mode=%s curvature=%s solve_seconds=%.2f peak_heap_gb=%.2f logabsdet=%.10g inertia=%s residual=%.2e%n",
                batch, capacitance ? "capacitance" : "dense", curvature, seconds, peak / 1e9, s.logAbsDet(), s.inertia(), residual);
        return 0;
    }
}
