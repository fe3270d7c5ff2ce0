package org.hessinv.bench;

import org.hessinv.solve.SweepCost;

import java.util.Arrays;
import java.util.Locale;
import java.util.function.IntFunction;
import org.hessinv.curvature.Curvature;
import org.hessinv.linalg.SingularStageException;
import org.hessinv.solve.DenseSolver;
import org.hessinv.solve.RiccatiSolution;
import org.hessinv.solve.RiccatiSolver;
import org.hessinv.solve.SolveMemory;
import org.hessinv.solve.SweepProgress;

/**
 * Runs the workloads' rows: per row the exact Riccati solve (timed, peak heap, residual), the dense LAPACK
 * solve where it fits, and CG (GGN) or MINRES (Hessian) on R-pass products to the exact solve's residual.
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

    void tall(int[] depths) {
        sweep("tall: residual tanh width 8, input 8, mse head, batch 16, hessian, damping 1e-3; depth", "depth", depths, Workloads::tall);
    }

    void anchor(int[] batches) {
        sweep("anchor: input 768, 7 dense tanh layers of width 24, softmax head (10 classes), GGN, damping 1e-3; batch", "batch",
                batches, Workloads::anchor);
    }

    void anchorProxy(int[] batches) {
        sweep("anchor-proxy: the anchor with input 24 (its stages 2..8 without the wide first layer), GGN, damping 1e-3; batch", "batch",
                batches, Workloads::anchorProxy);
    }

    /** One workload's rows over a swept knob, after a JIT warm-up on its first row that is planned to run. */
    private void sweep(String heading, String knob, int[] values, IntFunction<Workloads.Problem> problem) {
        say("\n== " + heading + " " + Arrays.toString(values));
        workloadStart = System.nanoTime();
        boolean warmed = false;
        for (int value : values) {
            Workloads.Problem p = problem.apply(value);
            ResultRow r = newRow(p, knob, value);
            if (!warmed && plan(p, r)) {
                warmUp(p, p.batch().gradient());
                warmed = true;
            }
            runRow(p, r, null);
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
            ResultRow r = newRow(p, "condition_target", kappa);
            r.condition = (lmax + p.damping) / (lmin + p.damping);
            if (!warmed) {
                warmUp(p, rhs);
                warmed = true;
            }
            double[] m = g.clone();
            for (int i = 0; i < n; i++) m[i * n + i] += p.damping;
            runRow(p, r, new DenseRef(m, assembly));
        }
    }

    /**
     * JIT warm-up on a workload's first (small) problem: solves for at least 3 s and 5 repeats (two solves
     * were not enough: the first timed row of tall came out 2-4x slow).
     */
    private static void warmUp(Workloads.Problem p, double[] rhs) {
        long t = System.nanoTime();
        for (int k = 0; k < 5 || System.nanoTime() - t < 3e9; k++) {
            RiccatiSolver.solve(p.batch(), p.damping, rhs, SweepProgress.NONE);
            if (k > 200) break;
        }
    }

    /** The assembled C + delta I of a workload whose matrix is built once (conditioning) and its assembly time. */
    private record DenseRef(double[] matrix, double assemblySeconds) {}

    private ResultRow newRow(Workloads.Problem p, String knob, double value) {
        ResultRow r = new ResultRow();
        r.workload = p.workload;
        r.knob = knob;
        r.value = value;
        r.depth = p.depth;
        r.batch = p.batchSize();
        r.params = p.net.paramCount();
        r.curvature = p.curvature.specName();
        r.damping = p.damping;
        r.dgemm = rates.dgemm();
        SweepCost cost = SweepCost.of(p.net, r.batch);
        r.sweepGflop = cost.totalFlops() / 1e9;
        r.estSeconds = cost.seconds(rates.dgemm(), 0.5, rates.cholesky());
        r.estGb = SolveMemory.estimateBytes(p.net, r.batch) / 1e9;
        return r;
    }

    /** True when the exact solve fits the heap and the time budget; otherwise marks the row skipped. */
    private boolean plan(Workloads.Problem p, ResultRow r) {
        SweepCost cost = SweepCost.of(p.net, r.batch);
        String estimate = String.format(Locale.ROOT, "estimates: memory %.1f GB (SolveMemory; heap %.1f GB, usable %.0f%%), time ~%.0f s "
                        + "(%.0f GFLOP, %.0f%% of it pivot factorizations at %.2f GFLOP/s, the rest gemm at half of %.1f GFLOP/s; budget %.0f s)",
                r.estGb, maxHeap / 1e9, 100 * SolveMemory.HEAP_SHARE, r.estSeconds, r.sweepGflop,
                100 * cost.factorFlops() / cost.totalFlops(), rates.cholesky(), rates.dgemm(), limits.budgetSeconds());
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

    private void runRow(Workloads.Problem p, ResultRow r, DenseRef dense) {
        results.add(r);
        boolean planned = plan(p, r);
        if (r.status.equals(WORKLOAD_BUDGET_SPENT)) {
            say(String.format(Locale.ROOT, "%-12s %s=%-8s %s", r.workload, r.knob, Report.num(r.value), r.status));
            return;
        }
        double[] rhs = p.batch().gradient();
        if (planned) exact(p, r, rhs);
        dense(p, r, rhs, dense);
        krylov(p, r, rhs);
        say(String.format(Locale.ROOT, "%-12s %s=%-8s params %6d | %s | exact %s s, %s GFLOP/s (%s%% of dgemm), heap %s MB, residual %s | dense %s | %s, %s s",
                r.workload, r.knob, Report.num(r.value), r.params, r.status, Report.num(r.solveSeconds), Report.num(r.sweepGflops),
                Report.num(r.percentOfDgemm()), Report.num(r.peakHeapMb), Report.num(r.residual),
                Double.isNaN(r.denseSeconds) ? r.denseStatus : Report.num(r.denseSeconds) + " s (" + Report.num(r.denseSpeedup()) + "x)",
                r.krylovOutcome(), Report.num(r.krylovSeconds)));
        if (!r.reason.isEmpty()) say("             reason: " + r.reason);
        r.direction = null;
    }

    /** The exact solve, best of a few repeats (fewer for longer solves), with the peak heap while it runs. */
    private static void exact(Workloads.Problem p, ResultRow r, double[] rhs) {
        int repeats = r.estSeconds < 0.5 ? 5 : r.estSeconds < 10 ? 2 : 1;
        try {
            Stopwatch.Best<RiccatiSolution> best;
            try (HeapMonitor heap = HeapMonitor.start(5)) {
                best = Stopwatch.best(repeats, () -> RiccatiSolver.solve(p.batch(), p.damping, rhs, SweepProgress.NONE));
                r.peakHeapMb = heap.peakBytes() / 1e6;
            }
            r.solveSeconds = best.seconds();
            r.sweepGflops = r.sweepGflop / best.seconds();
            r.direction = best.result().direction();
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
