package org.hessinv.bench;

import org.hessinv.solve.SolverCosts;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.hessinv.curvature.Curvature;
import org.hessinv.curvature.ExampleBatch;
import org.hessinv.model.Activation;
import org.hessinv.model.Example;
import org.hessinv.model.HiddenLayer;
import org.hessinv.model.MseHead;
import org.hessinv.model.Network;
import org.hessinv.solve.OutputSpaceGgn;
import org.hessinv.solve.RiccatiSolver;
import org.hessinv.solve.SweepProgress;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * Times the output-space GGN route in process (no Spark): {@code factor()} (the Gram), the first solve at a damping
 * (Cholesky of C plus the refined solve), a solve at a second damping, optionally the eigendecomposition and a solve
 * through it, and optionally the Riccati solve of the same system; prints the R-pass residuals and the cost model's
 * flops ({@link SolverCosts}). Usage:
 * {@code OutputSpaceTiming anchor|proxy|deep B [--eigen] [--riccati] [--repeats N]}
 * (anchor: 768 -> 7 dense tanh 24 -> softmax 10; proxy: the same on input 24; deep: input 16, dense tanh 16 then
 * 63 residual tanh 16, mse with 4 outputs).
 */
@Command(name = "output-space-timing", sortOptions = false, usageHelpAutoWidth = true,
        description = "Times the output-space GGN route (Gram, Cholesky solves, optionally eigen and Riccati) in process.")
public final class OutputSpaceTiming implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "WORKLOAD", description = "anchor, proxy or deep")
    String workload;

    @Parameters(index = "1", paramLabel = "B", description = "batch")
    int batch;

    @Option(names = "--eigen", description = "also the eigendecomposition and a solve through it")
    boolean eigen;

    @Option(names = "--riccati", description = "also the Riccati solve of the same system")
    boolean riccati;

    @Option(names = "--repeats", paramLabel = "N", description = "best of this many Gram factorizations (default ${DEFAULT-VALUE})")
    int repeats = 1;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "print this help and exit")
    boolean help;

    public static void main(String[] args) {
        BenchCli.main("output-space-timing", new OutputSpaceTiming(), args);
    }

    @Override public Integer call() {
        BenchCli.require(spec, batch > 0 && repeats > 0, "B and --repeats must be > 0");
        BenchCli.require(spec, java.util.List.of("anchor", "proxy", "deep").contains(workload), "WORKLOAD must be anchor, proxy or deep, got " + workload);
        Workloads.Problem pb = switch (workload) {
            case "anchor" -> Workloads.anchor(batch);
            case "proxy" -> Workloads.anchorProxy(batch);
            default -> deep(batch);
        };
        Network net = pb.net;
        double delta = 1e-3;
        ExampleBatch exact = new ExampleBatch(net, pb.x, pb.examples, Curvature.GGN);
        double[] r = exact.gradient();
        SolverCosts.OutputSpace cost = SolverCosts.outputSpace(net, batch);
        System.out.printf(Locale.ROOT, "%s B=%d K=%d m=%d n=%d (%s)%n", workload, batch, net.head().units(), cost.outputs(),
                net.paramCount(), org.hessinv.linalg.Blas.backend());
        System.out.printf(Locale.ROOT, "  model flops: gram %.3g  cholesky %.3g  solve %.3g  eigen %.3g  riccati %.3g%n",
                cost.gramFlops(), cost.choleskyFlops(), cost.solveFlops(), cost.eigenFlops(), SolverCosts.riccati(net, batch));

        Stopwatch.Best<OutputSpaceGgn> f = Stopwatch.best(repeats, () -> OutputSpaceGgn.factor(net, pb.x, pb.examples));
        OutputSpaceGgn os = f.result();
        System.out.printf(Locale.ROOT, "  factor (Gram)            %8.3f s  (%.1f GFLOP/s by the model)%n", f.seconds(), cost.gramFlops() / f.seconds() / 1e9);
        long t = System.nanoTime();
        double[] d = os.solve(delta, r);
        double first = (System.nanoTime() - t) / 1e9;
        System.out.printf(Locale.ROOT, "  solve delta %.0e (Cholesky) %8.3f s  residual %.2e%n", delta, first, exact.relativeResidual(d, delta, r));
        t = System.nanoTime();
        double ld = os.logAbsDet(delta);
        System.out.printf(Locale.ROOT, "  logAbsDet (cached factor)  %8.3f s  log|det| = %.8g%n", (System.nanoTime() - t) / 1e9, ld);
        t = System.nanoTime();
        double[] d2 = os.solve(10 * delta, r);
        System.out.printf(Locale.ROOT, "  solve delta %.0e (Cholesky) %8.3f s  residual %.2e%n", 10 * delta, (System.nanoTime() - t) / 1e9,
                exact.relativeResidual(d2, 10 * delta, r));
        if (eigen) {
            t = System.nanoTime();
            os.eigen();
            System.out.printf(Locale.ROOT, "  eigen (dsyevr)           %8.3f s%n", (System.nanoTime() - t) / 1e9);
            t = System.nanoTime();
            double[] d3 = os.solve(delta, r);
            System.out.printf(Locale.ROOT, "  solve delta %.0e (eigen)    %8.3f s  residual %.2e  log|det| = %.8g  |d - d_chol|/|d| = %.2e%n", delta,
                    (System.nanoTime() - t) / 1e9, exact.relativeResidual(d3, delta, r), os.logAbsDet(delta), relDiff(d3, d));
        }
        if (riccati) {
            t = System.nanoTime();
            double[] dr = RiccatiSolver.solve(exact, delta, r, SweepProgress.NONE).direction();
            System.out.printf(Locale.ROOT, "  riccati solve            %8.3f s  residual %.2e  |d - d_os|/|d| = %.2e%n", (System.nanoTime() - t) / 1e9,
                    exact.relativeResidual(dr, delta, r), relDiff(d, dr));
        }
        return 0;
    }

    private static double relDiff(double[] a, double[] b) {
        double num = 0, den = 0;
        for (int i = 0; i < a.length; i++) { num += (a[i] - b[i]) * (a[i] - b[i]); den += b[i] * b[i]; }
        return Math.sqrt(num / den);
    }

    /** Input 16, a dense tanh layer and 63 residual tanh layers of width 16, mse head with 4 outputs, seeded data. */
    static Workloads.Problem deep(int batch) {
        List<HiddenLayer> layers = new ArrayList<>();
        layers.add(HiddenLayer.dense(16, 16, Activation.TANH));
        for (int l = 0; l < 63; l++) layers.add(HiddenLayer.residual(16, Activation.TANH));
        Network net = new Network(16, layers, new MseHead(16, 4));
        java.util.SplittableRandom rng = new java.util.SplittableRandom(3);
        List<Example> ex = new ArrayList<>();
        for (int i = 0; i < batch; i++) {
            double[] f = new double[16];
            for (int k = 0; k < 16; k++) f[k] = Network.gaussian(rng);
            double[] y = new double[4];
            for (int k = 0; k < 4; k++) y[k] = Network.gaussian(rng);
            ex.add(new Example(f, y));
        }
        return new Workloads.Problem("deep", net, net.initialParameters(5), ex, Curvature.GGN, 1e-3, 65);
    }
}
