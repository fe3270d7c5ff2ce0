package org.hessinv.bench;

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
import org.hessinv.model.MseHead;
import org.hessinv.model.Network;
import org.hessinv.model.Parameterization;
import org.hessinv.solve.DenseSolver;
import org.hessinv.solve.PaperHessianProduct;
import org.hessinv.solve.RiccatiSolution;
import org.hessinv.solve.RiccatiSolver;
import org.hessinv.solve.SweepProgress;
import org.hessinv.solve.WoodburySolver;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The paper's route side by side with ours (not a test): for each depth, a square-parameterized network the
 * paper's section 6 applies to (input and width W, hidden layers alternating tanh gain {@code s(x * (W z))} and
 * tanh bias {@code s(W z + x)} with seeded frozen W, a scalar mse head whose only parameter is its bias), one
 * example, the Hessian plus damping. Prints a markdown table: the relative error of each solver against the dense
 * LAPACK solve, the condition number, the eq. (24) product against the R-pass, and the times (best of --repeats).
 */
@Command(name = "paper-comparison", sortOptions = false, usageHelpAutoWidth = true,
        description = "The paper's section 6 (woodbury) route vs Riccati vs dense on square-parameterized networks, as a markdown table.")
public final class PaperComparison implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--depths", split = ",", paramLabel = "D", description = "hidden layers per row (default 4,8,16,32,64)")
    List<Integer> depths = List.of(4, 8, 16, 32, 64);

    @Option(names = "--width", paramLabel = "W", description = "layer width (= input size) (default ${DEFAULT-VALUE})")
    int width = 4;

    @Option(names = "--damping", paramLabel = "DELTA", description = "delta of C + delta I (default ${DEFAULT-VALUE})")
    double damping = 1e-3;

    @Option(names = "--repeats", paramLabel = "N", description = "best of this many solves (default ${DEFAULT-VALUE})")
    int repeats = 10;

    @Option(names = "--seed", paramLabel = "S", description = "seed of W, x and the example (default ${DEFAULT-VALUE})")
    long seed = 1;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "print this help and exit")
    boolean help;

    public static void main(String[] args) {
        BenchCli.main("paper-comparison", new PaperComparison(), args);
    }

    @Override public Integer call() {
        BenchCli.require(spec, width > 0 && repeats > 0 && damping >= 0 && !depths.isEmpty() && depths.stream().allMatch(d -> d >= 1),
                "sizes must be positive and damping >= 0");
        System.out.printf(Locale.ROOT, "Paper route (woodbury) vs Riccati vs dense: width %d, tanh gain/bias layers, scalar mse head (bias),"
                + " one example, Hessian + %g I, seed %d, best of %d; %s, %d cores%n%n", width, damping, seed, repeats, Blas.backend(),
                Runtime.getRuntime().availableProcessors());
        // JIT warm-up on a small problem so the first row is not charged for compilation
        ExampleBatch warm = problem(8, width, seed);
        double[] wr = warm.gradient();
        for (int k = 0; k < 20; k++) {
            WoodburySolver.solve(warm, damping, wr);
            RiccatiSolver.solve(warm, damping, wr, SweepProgress.NONE);
        }
        System.out.println("| depth | parameters | cond(C + dI) | woodbury rel. error | riccati rel. error | woodbury vs riccati | eq. (24) vs R-pass | woodbury ms | riccati ms | dense ms |");
        System.out.println("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (int depth : depths) printRow(depth, width, damping, repeats, seed);
        System.out.println();
        System.out.println("relative errors are ||d - d_dense|| / ||d_dense||; a backward-stable solve errs by about eps cond = 2.2e-16 cond.");
        System.out.println("times: one solve from the stage blocks of one example (woodbury: steps 1-6 and the final combination;"
                + " riccati: backward and forward sweeps); dense: C assembled by n R-passes plus LAPACK LU.");
        return 0;
    }

    /** One table row: errors against the dense solve, agreement of the two routes, eq. (24) against the R-pass, times. */
    private static void printRow(int depth, int width, double damping, int repeats, long seed) {
        ExampleBatch b = problem(depth, width, seed);
        int n = b.network().paramCount();
        double[] r = b.gradient();
        long t0 = System.nanoTime();
        double[] c = DenseSolver.assemble(b, damping);
        double[] dense = DenseSolver.solve(c, n, r);
        double denseMs = (System.nanoTime() - t0) / 1e6;
        double cond = condition(c, n);
        String woodErr, agree, woodMs;
        double[] wd = null;
        try {
            Stopwatch.Best<double[]> timed = Stopwatch.best(repeats, () -> WoodburySolver.solve(b, damping, r).direction());
            wd = timed.result();
            woodErr = sci(Vectors.relativeDifference(wd, dense));
            woodMs = String.format(Locale.ROOT, "%.2f", timed.seconds() * 1e3);
        } catch (RuntimeException e) {
            woodErr = "failed: " + e.getMessage();
            woodMs = "-";
        }
        Stopwatch.Best<RiccatiSolution> timedR = Stopwatch.best(repeats, () -> RiccatiSolver.solve(b, damping, r, SweepProgress.NONE));
        RiccatiSolution rs = timedR.result();
        double bestR = timedR.seconds() * 1e3;
        agree = wd == null ? "-" : sci(Vectors.relativeDifference(wd, rs.direction()));
        double[] v = new double[n];
        SplittableRandom rng = new SplittableRandom(seed + depth);
        for (int i = 0; i < n; i++) v[i] = Network.gaussian(rng);
        double eq24 = Vectors.relativeDifference(PaperHessianProduct.apply(b, v), b.curvatureTimes(v));
        System.out.printf(Locale.ROOT, "| %d | %d | %s | %s | %s | %s | %s | %s | %.2f | %.1f |%n", depth, n, sci(cond), woodErr,
                sci(Vectors.relativeDifference(rs.direction(), dense)), agree, sci(eq24), woodMs, bestR, denseMs);
    }

    /** The comparison's network of {@code depth} hidden layers and its one example (seeded). */
    public static ExampleBatch problem(int depth, int width, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        List<HiddenLayer> layers = new ArrayList<>();
        for (int l = 0; l < depth; l++) {
            Parameterization p = l % 2 == 0 ? Parameterization.GAIN : Parameterization.BIAS;
            layers.add(HiddenLayer.square(width, width, Activation.TANH, p, frozen(rng, width, width)));
        }
        Network net = new Network(width, layers, new MseHead(width, 1, Parameterization.BIAS, frozen(rng, 1, width)));
        double[] f = new double[width];
        for (int k = 0; k < width; k++) f[k] = Network.gaussian(rng);
        Example ex = new Example(f, new double[] {Network.gaussian(rng)});
        return new ExampleBatch(net, net.initialParameters(seed), List.of(ex), Curvature.HESSIAN);
    }

    /** W ~ N(0, 1.5^2 / inputs): gain above 1 keeps tanh layers from shrinking the signal with depth. */
    private static double[] frozen(SplittableRandom rng, int units, int inputs) {
        double[] w = new double[units * inputs];
        for (int i = 0; i < w.length; i++) w[i] = 1.5 * Network.gaussian(rng) / Math.sqrt(inputs);
        return w;
    }

    private static double condition(double[] c, int n) {
        double[] eig = DenseSolver.eigenvalues(c, n);
        double max = 0, min = Double.MAX_VALUE;
        for (double e : eig) { max = Math.max(max, Math.abs(e)); min = Math.min(min, Math.abs(e)); }
        return max / min;
    }

    private static String sci(double v) { return String.format(Locale.ROOT, "%.2e", v); }
}
