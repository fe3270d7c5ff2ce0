package org.hessinv.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.hessinv.curvature.ExampleBatch;
import org.hessinv.linalg.Blas;
import org.hessinv.solve.DenseSolver;
import org.hessinv.solve.RiccatiSolution;
import org.hessinv.solve.RiccatiSolver;
import org.hessinv.solve.SweepProgress;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Engine benchmark (not a test): the suite's {@code tall} problem ({@link Workloads#tall}: residual tanh
 * layers of width 8, input 8, mse head, batch 16, Hessian, damping 1e-3). Prints and writes to CSV the
 * Riccati solve time as depth doubles, and the dense LAPACK solve time (assembly by R-passes + LU) where it fits.
 */
@Command(name = "bench-engine", sortOptions = false, usageHelpAutoWidth = true,
        description = "Riccati solve time of the tall problem as depth doubles, against the dense reference where it fits.")
public final class EngineBenchmark implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--depths", split = ",", paramLabel = "D", description = "depths to time (default 64,128,256,512)")
    List<Integer> depths = List.of(64, 128, 256, 512);

    @Option(names = "--dense-max-depth", paramLabel = "D", description = "largest depth solved densely (default ${DEFAULT-VALUE})")
    int denseMax = 64;

    @Option(names = "--repeats", paramLabel = "N", description = "best of this many solves (default ${DEFAULT-VALUE})")
    int repeats = 3;

    @Option(names = "--out", paramLabel = "FILE.csv", description = "CSV written (default ${DEFAULT-VALUE})")
    Path out = Path.of("target/bench/engine-scaling.csv");

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "print this help and exit")
    boolean help;

    public static void main(String[] args) {
        BenchCli.main("bench-engine", new EngineBenchmark(), args);
    }

    @Override public Integer call() throws IOException {
        BenchCli.require(spec, !depths.isEmpty() && depths.stream().allMatch(d -> d > 0) && repeats > 0, "depths and --repeats must be > 0");
        double damping = Workloads.TALL_DAMPING;
        System.out.println("engine benchmark: residual tanh width 8, batch 16, hessian, damping " + damping);
        System.out.println("backend: " + Blas.backend() + ", cores " + Runtime.getRuntime().availableProcessors());
        List<String> rows = new ArrayList<>();
        rows.add("depth,parameters,riccati_seconds,dense_seconds,speedup,relative_difference,residual");
        System.out.printf(Locale.ROOT, "%6s %10s %12s %12s %9s %12s %10s%n", "depth", "params", "riccati s", "dense s", "speedup", "rel.diff", "residual");
        // JIT warm-up on the smallest problem, so the first timed depth is not charged for compilation
        ExampleBatch warm = Workloads.tall(depths.get(0)).batch();
        for (int k = 0; k < 3; k++) RiccatiSolver.solve(warm, damping, warm.gradient(), SweepProgress.NONE);
        double[] x = new double[depths.size()];
        double[] y = new double[depths.size()];
        for (int di = 0; di < depths.size(); di++) {
            int depth = depths.get(di);
            ExampleBatch batch = Workloads.tall(depth).batch();
            double[] r = batch.gradient();
            Stopwatch.Best<RiccatiSolution> timed = Stopwatch.best(repeats, () -> RiccatiSolver.solve(batch, damping, r, SweepProgress.NONE));
            RiccatiSolution sol = timed.result();
            double best = timed.seconds();
            double residual = batch.relativeResidual(sol.direction(), damping, r);
            double dense = Double.NaN;
            double diff = Double.NaN;
            if (depth <= denseMax) {
                long t = System.nanoTime();
                double[] d = DenseSolver.solve(batch, damping, r);
                dense = (System.nanoTime() - t) / 1e9;
                diff = Vectors.relativeDifference(sol.direction(), d);
            }
            x[di] = depth;
            y[di] = best;
            int params = batch.network().paramCount();
            System.out.printf(Locale.ROOT, "%6d %10d %12.4f %12s %9s %12s %10.2e%n", depth, params, best,
                    Double.isNaN(dense) ? "-" : String.format(Locale.ROOT, "%.3f", dense),
                    Double.isNaN(dense) ? "-" : String.format(Locale.ROOT, "%.0fx", dense / best),
                    Double.isNaN(diff) ? "-" : String.format(Locale.ROOT, "%.2e", diff), residual);
            rows.add(String.format(Locale.ROOT, "%d,%d,%.6f,%s,%s,%s,%.3e", depth, params, best,
                    Double.isNaN(dense) ? "" : String.format(Locale.ROOT, "%.6f", dense),
                    Double.isNaN(dense) ? "" : String.format(Locale.ROOT, "%.2f", dense / best),
                    Double.isNaN(diff) ? "" : String.format(Locale.ROOT, "%.3e", diff), residual));
        }
        double exponent = ScalingFit.fit(x, y).exponent();
        System.out.printf(Locale.ROOT, "fitted exponent of Riccati time in depth: %.3f (1 = linear)%n", exponent);
        rows.add("# fitted exponent of time in depth: " + String.format(Locale.ROOT, "%.3f", exponent));
        Path parent = out.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        Files.write(out, rows);
        System.out.println("wrote " + out);
        return 0;
    }
}
