package org.hessinv.bench;

import java.util.Arrays;
import java.util.Locale;
import java.util.function.IntFunction;
import org.hessinv.curvature.Curvature;
import org.hessinv.solve.SingularStageException;
import org.hessinv.solve.DenseSolver;
import org.hessinv.solve.SolveMemory;

/**
 * Runs the workloads' rows: per row the exact solve by its route ({@link ExactRoute}: Riccati or the output-space
 * GGN; timed, peak heap, residual), for Riccati rows the dense LAPACK solve where it fits, and CG (GGN) or MINRES
 * (Hessian) on R-pass products to the exact solve's residual; and the data pass rows.
 * A row whose estimated memory or time exceeds the limits is skipped with the estimate recorded. Each row
 * is printed as it completes and added to the results.
 */
final class WorkloadRunner {
    /** Per-row and per-workload limits of a run. */
    record Limits(double budgetSeconds, double workloadBudgetSeconds, int krylovMaxIter, int denseMaxParams) {}

    /** The exact solve's residual is the Krylov target, floored here: below it the recurrences stall on roundoff. */
    static final double KRYLOV_FLOOR = 1e-12;
    static final String WORKLOAD_BUDGET_SPENT = "skipped: workload budget spent";

    private final Limits limits;
    private final MachineRates rates;
    private final Results results;
    private final long maxHeap = Runtime.getRuntime().maxMemory();
    private long workloadStart;

    WorkloadRunner(Limits limits, MachineRates rates, Results results) {
        this.limits = limits;
        this.rates = rates;
        this.results = results;
    }

    static final ExactRoute RICCATI = new ExactRoute.Riccati();
    static final ExactRoute OUTPUT_SPACE = new ExactRoute.OutputSpace();

    /** Tall: the Hessian by Riccati (with dense and MINRES), then the GGN by the output space at the same depths (no baselines). */
    void tall(int[] depths) {
        sweep("tall: residual tanh width 8, input 8, mse head, batch 16, hessian, damping 1e-3; depth", "depth", depths, Workloads::tall, RICCATI, true);
        sweep("tall, GGN through the output space (m = 16): depth", "depth", depths, d -> Workloads.tall(d).withCurvature(Curvature.GGN), OUTPUT_SPACE, false);
    }

    /** Anchor: Riccati rows, then output-space rows (to larger batches), both with CG to the same residual. */
    void anchor(int[] batches, int[] outputSpaceBatches) {
        sweep("anchor: input 768, 7 dense tanh layers of width 24, softmax head (10 classes), GGN, damping 1e-3; batch", "batch",
                batches, Workloads::anchor, RICCATI, true);
        sweep("anchor through the output space (capacitance of order 10 B); batch", "batch", outputSpaceBatches, Workloads::anchor, OUTPUT_SPACE, true);
    }

    /** The anchor with the exact Hessian (Riccati; MINRES to the same residual). */
    void anchorHessian(int[] batches) {
        sweep("anchor-hessian: the anchor with the exact Hessian (softmax head), damping 1e-3; batch", "batch", batches, Workloads::anchorHessian, RICCATI, true);
    }

    /** The default newton-direction run's problem: deep-narrow preset, batch 64, Hessian (Riccati; MINRES). */
    void defaultDirection() {
        sweep("default-direction: the default newton-direction run's problem (deep-narrow, 65 stages of width 16, Hessian, damping 1e-3); batch",
                "batch", new int[] {Workloads.DEFAULT_DIRECTION_BATCH}, b -> Workloads.defaultDirection(), RICCATI, true);
    }

    void anchorProxy(int[] batches) {
        sweep("anchor-proxy: the anchor with input 24 (its stages 2..8 without the wide first layer), GGN, damping 1e-3; batch", "batch",
                batches, Workloads::anchorProxy, RICCATI, true);
    }

    /** One workload's rows over a swept knob by one route, after a JIT warm-up on its first row that is planned to run. */
    private void sweep(String heading, String knob, int[] values, IntFunction<Workloads.Problem> problem, ExactRoute route, boolean krylov) {
        say("\n== " + heading + " " + Arrays.toString(values) + " (" + route.label() + ")");
        workloadStart = System.nanoTime();
        boolean warmed = false;
        for (int value : values) {
            Workloads.Problem p = problem.apply(value);
            ResultRow r = newRow(p, knob, value, route);
            if (!warmed && plan(r)) {
                warmUp(p, p.batch().gradient(), route);
                warmed = true;
                // the warm-up (at least 5 solves) does not count against the workload budget: a one-row workload would skip its row
                workloadStart = System.nanoTime();
            }
            runRow(p, r, null, route, krylov);
        }
    }

    /**
     * The training data pass on the deep-narrow preset (the default problem's data and parameters), per example and
     * blocked, on the first {@code examples} examples, one thread per core: two rows, knob {@code examples}, routes
     * {@code per-example} and {@code blocked}; flops {@link DataPassBenchmark#FLOPS_PER_PARAMETER} p per example.
     */
    void dataPass(int examples, int repeats) {
        say("\n== data-pass: training loss+gradient pass, deep-narrow preset, per example vs blocked (" + org.hessinv.curvature.BlockSweep.BLOCK_SIZE + " examples per block); examples " + examples);
        org.hessinv.model.Network net = org.hessinv.cli.DefaultProblem.network();
        double[] x = net.initialParameters(0);
        int threads = Runtime.getRuntime().availableProcessors();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
        try {
            java.util.List<org.hessinv.model.Example> data = DataPassBenchmark.examples(net, examples);
            DataPassBenchmark.warmUp(pool, threads, net, x, data);
            DataPassBenchmark.Timing t = DataPassBenchmark.time(pool, threads, net, x, data, repeats);
            for (boolean blocked : new boolean[] {false, true}) {
                ResultRow r = new ResultRow();
                r.workload = "data-pass";
                r.knob = "examples";
                r.value = examples;
                r.route = blocked ? "blocked" : "per-example";
                r.depth = net.stageCount();
                r.batch = examples;
                r.params = net.paramCount();
                r.curvature = "";
                r.damping = Double.NaN;
                r.dgemm = rates.dgemm();
                r.sweepGflop = DataPassBenchmark.FLOPS_PER_PARAMETER * net.paramCount() * (double) examples / 1e9;
                r.solveSeconds = blocked ? t.blocked() : t.perExample();
                r.sweepGflops = r.sweepGflop / r.solveSeconds;
                r.reason = String.format(Locale.ROOT, "CPU %s s; blocked vs per example: wall %sx, CPU %sx; gradient difference %s of the largest entry",
                        Report.num(blocked ? t.blockedCpu() : t.perExampleCpu()), Report.num(t.perExample() / t.blocked()),
                        Report.num(t.perExampleCpu() / t.blockedCpu()), Report.num(t.gradientDifference()));
                results.add(r);
                say(String.format(Locale.ROOT, "%-12s examples=%-8d %-12s %s s, %s examples/s, %s GFLOP/s (%s%% of dgemm) | %s", r.workload, examples, r.route,
                        Report.num(r.solveSeconds), Report.num(examples / r.solveSeconds), Report.num(r.sweepGflops), Report.num(r.percentOfDgemm()), r.reason));
            }
        } catch (Exception e) {
            throw new IllegalStateException("data pass failed: " + e.getMessage(), e);
        } finally {
            pool.shutdown();
        }
    }

    /** The conditioning workload: one problem, its GGN assembled once, the damping set per target condition number. */
    void conditioning(double[] kappas) {
        say("\n== conditioning: teacher-student regression, depth 32, width 8, 4 outputs, batch 32, GGN; condition " + Arrays.toString(kappas));
        workloadStart = System.nanoTime();
        Workloads.Problem p = Workloads.conditioning();
        int n = p.net.paramCount();
        long t = System.nanoTime();
        double[] g = DenseSolver.assemble(p.batch(), 0.0);
        double assembly = (System.nanoTime() - t) / 1e9;
        t = System.nanoTime();
        double[] eig = DenseSolver.eigenvalues(g, n);
        double eigSeconds = (System.nanoTime() - t) / 1e9;
        double lmin = eig[0], lmax = eig[n - 1];
        int rank = 0;
        for (double e : eig) if (e > lmax * 1e-12) rank++;
        say(String.format(Locale.ROOT, "GGN: %d parameters, eigenvalues [%.3e, %.3e], numerical rank %d (assembled by %d R-passes in %.1f s, dsyev %.1f s)",
                n, lmin, lmax, rank, n, assembly, eigSeconds));
        double[] rhs = p.batch().gradient();
        boolean warmed = false;
        for (double kappa : kappas) {
            p.damping = Workloads.dampingFor(kappa, lmin, lmax);
            ResultRow r = newRow(p, "condition_target", kappa, RICCATI);
            r.condition = (lmax + p.damping) / (lmin + p.damping);
            if (!warmed) {
                warmUp(p, rhs, RICCATI);
                warmed = true;
            }
            double[] m = g.clone();
            for (int i = 0; i < n; i++) m[i * n + i] += p.damping;
            runRow(p, r, new DenseRef(m, assembly), RICCATI, true);
        }
        say("-- conditioning through the output space (m = 128; its own workload budget)");
        workloadStart = System.nanoTime();
        warmed = false;
        for (double kappa : kappas) {
            p.damping = Workloads.dampingFor(kappa, lmin, lmax);
            ResultRow r = newRow(p, "condition_target", kappa, OUTPUT_SPACE);
            r.condition = (lmax + p.damping) / (lmin + p.damping);
            if (!warmed) {
                warmUp(p, rhs, OUTPUT_SPACE);
                warmed = true;
            }
            runRow(p, r, null, OUTPUT_SPACE, false);
        }
    }

    /**
     * JIT warm-up on a workload's first (small) problem: solves by the route for at least 3 s, at least 5 of them when
     * one takes under a second (two solves were not enough: the first timed row of tall came out 2-4x slow) and at
     * least 2 otherwise (a single-row workload such as anchor-hessian warms up on its own, large, problem).
     */
    private static void warmUp(Workloads.Problem p, double[] rhs, ExactRoute route) {
        long t = System.nanoTime();
        int least = 5;
        for (int k = 0; k < least || System.nanoTime() - t < 3e9; k++) {
            if (k == 1 && System.nanoTime() - t > 1e9) least = 2;
            route.solve(p, rhs);
            if (k > 200) break;
        }
    }

    /** The assembled C + delta I of a workload whose matrix is built once (conditioning) and its assembly time. */
    private record DenseRef(double[] matrix, double assemblySeconds) {}

    private ResultRow newRow(Workloads.Problem p, String knob, double value, ExactRoute route) {
        ResultRow r = new ResultRow();
        r.workload = p.workload;
        r.knob = knob;
        r.value = value;
        r.route = route.label();
        r.depth = p.depth;
        r.batch = p.batchSize();
        r.params = p.net.paramCount();
        r.curvature = p.curvature.specName();
        r.damping = p.damping;
        r.dgemm = rates.dgemm();
        r.sweepGflop = route.flops(p.net, r.batch) / 1e9;
        r.factorGflop = route.factorFlops(p.net, r.batch) / 1e9;
        r.estSeconds = route.seconds(p.net, r.batch, rates);
        r.estGb = route.bytes(p.net, r.batch) / 1e9;
        return r;
    }

    /** True when the exact solve fits the heap and the time budget; otherwise marks the row skipped. */
    private boolean plan(ResultRow r) {
        String estimate = String.format(Locale.ROOT, "estimates (%s): memory %.1f GB (heap %.1f GB, usable %.0f%%), time ~%.0f s "
                        + "(%.0f GFLOP, %.0f%% of it factorizations at %.2f GFLOP/s, the rest gemm at half of %.1f GFLOP/s; budget %.0f s)",
                r.route, r.estGb, maxHeap / 1e9, 100 * SolveMemory.HEAP_SHARE, r.estSeconds, r.sweepGflop,
                100 * r.factorGflop / r.sweepGflop, rates.cholesky(), rates.dgemm(), limits.budgetSeconds());
        if (r.estGb * 1e9 > SolveMemory.HEAP_SHARE * maxHeap) {
            r.status = String.format(Locale.ROOT, "skipped: needs %.1f GB", r.estGb);
            r.reason = estimate;
            return false;
        }
        if (r.estSeconds > limits.budgetSeconds()) {
            r.status = String.format(Locale.ROOT, "skipped: needs ~%.0f s", r.estSeconds);
            r.reason = estimate;
            return false;
        }
        double ran = (System.nanoTime() - workloadStart) / 1e9;
        if (workloadStart > 0 && ran > limits.workloadBudgetSeconds()) {
            r.status = WORKLOAD_BUDGET_SPENT;
            r.reason = String.format(Locale.ROOT, "the workload already ran %.0f s > --workload-budget-seconds %.0f", ran, limits.workloadBudgetSeconds());
            return false;
        }
        return true;
    }

    private void runRow(Workloads.Problem p, ResultRow r, DenseRef dense, ExactRoute route, boolean krylov) {
        results.add(r);
        boolean planned = plan(r);
        if (r.status.equals(WORKLOAD_BUDGET_SPENT)) {
            say(String.format(Locale.ROOT, "%-12s %s=%-8s %s", r.workload, r.knob, Report.num(r.value), r.status));
            return;
        }
        double[] rhs = p.batch().gradient();
        if (planned) exact(p, r, rhs, route);
        if (route instanceof ExactRoute.Riccati) dense(p, r, rhs, dense);
        else r.denseStatus = "not run (see the riccati rows)";
        if (krylov) krylov(p, r, rhs);
        say(String.format(Locale.ROOT, "%-12s %s=%-8s %-12s params %6d | %s | exact %s s, %s GFLOP/s (%s%% of dgemm), heap %s MB, residual %s | dense %s | %s%s",
                r.workload, r.knob, Report.num(r.value), r.route, r.params, r.status, Report.num(r.solveSeconds), Report.num(r.sweepGflops),
                Report.num(r.percentOfDgemm()), Report.num(r.peakHeapMb), Report.num(r.residual),
                Double.isNaN(r.denseSeconds) ? r.denseStatus : Report.num(r.denseSeconds) + " s (" + Report.num(r.denseSpeedup()) + "x)",
                r.krylov.isEmpty() ? "no Krylov baseline" : r.krylovOutcome(), r.krylov.isEmpty() ? "" : ", " + Report.num(r.krylovSeconds) + " s"));
        if (!r.reason.isEmpty()) say("             reason: " + r.reason);
        if (r.rateExceedsProbe()) say(Report.probeWarning(r));
        r.direction = null;
    }

    /** The exact solve by the route, best of a few repeats (fewer for longer solves), with the peak heap while it runs. */
    private static void exact(Workloads.Problem p, ResultRow r, double[] rhs, ExactRoute route) {
        int repeats = r.estSeconds < 0.5 ? 5 : r.estSeconds < 10 ? 2 : 1;
        try {
            Stopwatch.Best<double[]> best;
            try (HeapMonitor heap = HeapMonitor.start(5)) {
                best = Stopwatch.best(repeats, () -> route.solve(p, rhs));
                r.peakHeapMb = heap.peakBytes() / 1e6;
            }
            r.solveSeconds = best.seconds();
            r.sweepGflops = r.sweepGflop / best.seconds();
            r.direction = best.result();
            r.residual = p.batch().relativeResidual(r.direction, p.damping, rhs);
        } catch (OutOfMemoryError e) {
            r.status = "failed: out of memory";
            r.reason = "OutOfMemoryError in the exact solve despite the estimate " + String.format(Locale.ROOT, "%.1f GB", r.estGb);
        } catch (SingularStageException e) {
            r.status = "failed: singular";
            r.reason = e.getMessage();
        }
    }

    private void dense(Workloads.Problem p, ResultRow r, double[] rhs, DenseRef ref) {
        int n = r.params;
        if (n > limits.denseMaxParams() || n > DenseSolver.MAX_PARAMETERS) {
            r.denseStatus = "not run: " + n + " parameters > " + Math.min(limits.denseMaxParams(), DenseSolver.MAX_PARAMETERS);
            return;
        }
        double lu = 2.0 / 3.0 * n * (double) n * n / (rates.lapack() * 1e9);
        double assembly;
        if (ref != null) {
            assembly = ref.assemblySeconds();
        } else {
            var op = p.dampedProduct();
            assembly = n * Stopwatch.bestSeconds(3, () -> op.apply(new double[n]));
        }
        if (lu + assembly > limits.budgetSeconds()) {
            r.denseStatus = String.format(Locale.ROOT, "not run: needs ~%.0f s > budget", lu + assembly);
            return;
        }
        long t = System.nanoTime();
        double[] d;
        if (ref != null) {
            d = DenseSolver.solve(ref.matrix(), n, rhs);
            r.denseSeconds = ref.assemblySeconds() + (System.nanoTime() - t) / 1e9;
        } else {
            d = DenseSolver.solve(p.batch(), p.damping, rhs);
            r.denseSeconds = (System.nanoTime() - t) / 1e9;
        }
        r.denseStatus = "ok";
        if (r.direction != null) r.denseRelDiff = Vectors.relativeDifference(r.direction, d);
    }

    private void krylov(Workloads.Problem p, ResultRow r, double[] rhs) {
        boolean cg = p.curvature == Curvature.GGN;
        r.krylov = cg ? "cg" : "minres";
        r.krylovTarget = Double.isFinite(r.residual) ? Math.max(r.residual, KRYLOV_FLOOR) : 1e-10;
        Krylov.Limits lim = Krylov.Limits.of(r.krylovTarget, limits.krylovMaxIter(), limits.budgetSeconds());
        Krylov.Result k = cg ? Krylov.cg(p.dampedProduct(), rhs, lim) : Krylov.minres(p.dampedProduct(), rhs, lim);
        r.krylovStatus = k.status().label();
        r.krylovIter = k.iterations();
        r.krylovProducts = k.products();
        r.krylovSeconds = k.seconds();
        r.krylovResidual = k.residual();
    }

    static void say(String s) {
        System.out.println(s);
        System.out.flush();
    }
}
