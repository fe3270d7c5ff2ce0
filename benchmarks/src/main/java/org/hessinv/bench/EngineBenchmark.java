package org.hessinv.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.hessinv.curvature.Curvature;
import org.hessinv.curvature.ExampleBatch;
import org.hessinv.linalg.Blas;
import org.hessinv.model.Example;
import org.hessinv.model.HiddenLayer;
import org.hessinv.model.MseHead;
import org.hessinv.model.Network;
import org.hessinv.model.Activation;
import org.hessinv.solve.DenseSolver;
import org.hessinv.solve.RiccatiSolution;
import org.hessinv.solve.RiccatiSolver;
import org.hessinv.solve.SweepProgress;

/**
 * Engine benchmark (not a test): a generated tall-skinny problem (residual tanh layers of width 8,
 * input 8, mse head, batch 16, Hessian, damping 1e-3). Prints and writes to CSV the Riccati solve time as
 * depth doubles, and the dense LAPACK solve time (assembly by R-passes + LU) where it fits.
 * Usage: EngineBenchmark [--depths 64,128,256,512] [--dense-max-depth 64] [--out FILE.csv] [--repeats 3]
 */
public final class EngineBenchmark {
    private static final int WIDTH = 8;
    private static final int BATCH = 16;
    private static final double DAMPING = 1e-3;

    private EngineBenchmark() {}

    public static void main(String[] args) throws IOException {
        List<Integer> depths = List.of(64, 128, 256, 512);
        int denseMax = 64;
        int repeats = 3;
        Path out = Path.of("target/bench/engine-scaling.csv");
        for (int i = 0; i < args.length; i += 2) {
            switch (args[i]) {
                case "--depths" -> depths = java.util.Arrays.stream(args[i + 1].split(",")).map(Integer::parseInt).toList();
                case "--dense-max-depth" -> denseMax = Integer.parseInt(args[i + 1]);
                case "--repeats" -> repeats = Integer.parseInt(args[i + 1]);
                case "--out" -> out = Path.of(args[i + 1]);
                default -> {
                    System.err.println("error: unknown option " + args[i] + "; options: --depths, --dense-max-depth, --repeats, --out");
                    System.exit(2);
                }
            }
        }
        System.out.println("engine benchmark: residual tanh width " + WIDTH + ", batch " + BATCH + ", hessian, damping " + DAMPING);
        System.out.println("backend: " + Blas.backend() + ", cores " + Runtime.getRuntime().availableProcessors());
        List<String> rows = new ArrayList<>();
        rows.add("depth,parameters,riccati_seconds,dense_seconds,speedup,relative_difference,residual");
        System.out.printf(Locale.ROOT, "%6s %10s %12s %12s %9s %12s %10s%n", "depth", "params", "riccati s", "dense s", "speedup", "rel.diff", "residual");
        // JIT warm-up on the smallest problem, so the first timed depth is not charged for compilation
        ExampleBatch warm = problem(depths.get(0));
        for (int k = 0; k < 3; k++) RiccatiSolver.solve(warm, DAMPING, warm.gradient(), SweepProgress.NONE);
        double[] logDepth = new double[depths.size()];
        double[] logTime = new double[depths.size()];
        for (int di = 0; di < depths.size(); di++) {
            int depth = depths.get(di);
            ExampleBatch batch = problem(depth);
            double[] r = batch.gradient();
            Stopwatch.Best<RiccatiSolution> timed = Stopwatch.best(repeats, () -> RiccatiSolver.solve(batch, DAMPING, r, SweepProgress.NONE));
            RiccatiSolution sol = timed.result();
            double best = timed.seconds();
            double residual = batch.relativeResidual(sol.direction(), DAMPING, r);
            double dense = Double.NaN;
            double diff = Double.NaN;
            if (depth <= denseMax) {
                long t = System.nanoTime();
                double[] d = DenseSolver.solve(batch, DAMPING, r);
                dense = (System.nanoTime() - t) / 1e9;
                diff = relDiff(sol.direction(), d);
            }
            logDepth[di] = Math.log(depth);
            logTime[di] = Math.log(best);
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
        double exponent = slope(logDepth, logTime);
        System.out.printf(Locale.ROOT, "fitted exponent of Riccati time in depth: %.3f (1 = linear)%n", exponent);
        rows.add("# fitted exponent of time in depth: " + String.format(Locale.ROOT, "%.3f", exponent));
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.write(out, rows);
        System.out.println("wrote " + out);
    }

    /** The tall-skinny problem of a given depth: depth residual tanh layers of width 8, mse head, 16 examples. */
    static ExampleBatch problem(int depth) {
        List<HiddenLayer> layers = new ArrayList<>();
        for (int l = 0; l < depth; l++) layers.add(HiddenLayer.residual(WIDTH, Activation.TANH));
        Network net = new Network(WIDTH, layers, new MseHead(WIDTH, 1));
        SplittableRandom rng = new SplittableRandom(42);
        List<Example> ex = new ArrayList<>();
        for (int i = 0; i < BATCH; i++) {
            double[] f = new double[WIDTH];
            for (int k = 0; k < WIDTH; k++) f[k] = Network.gaussian(rng);
            ex.add(new Example(f, new double[] {Network.gaussian(rng)}));
        }
        return new ExampleBatch(net, net.initialParameters(7), ex, Curvature.HESSIAN);
    }

    /** Least-squares slope of y on x. */
    static double slope(double[] x, double[] y) {
        double mx = 0, my = 0;
        for (int i = 0; i < x.length; i++) { mx += x[i]; my += y[i]; }
        mx /= x.length;
        my /= y.length;
        double sxy = 0, sxx = 0;
        for (int i = 0; i < x.length; i++) { sxy += (x[i] - mx) * (y[i] - my); sxx += (x[i] - mx) * (x[i] - mx); }
        return sxx == 0 ? Double.NaN : sxy / sxx;
    }

    private static double relDiff(double[] a, double[] b) {
        double s = 0, n = 0;
        for (int i = 0; i < a.length; i++) { s += (a[i] - b[i]) * (a[i] - b[i]); n += b[i] * b[i]; }
        return Math.sqrt(s / n);
    }
}
