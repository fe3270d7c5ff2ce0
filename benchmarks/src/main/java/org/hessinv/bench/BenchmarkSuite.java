package org.hessinv.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.hessinv.linalg.Blas;
import org.hessinv.linalg.SingularStageException;
import org.hessinv.solve.DenseSolver;
import org.hessinv.solve.RiccatiSolution;
import org.hessinv.solve.RiccatiSolver;
import org.hessinv.solve.SolveMemory;
import org.hessinv.solve.SweepProgress;

/**
 * The benchmark suite of issue 5 (an entry point that prints and writes numbers; not a test).
 * Workloads: {@code anchor} (wide input, batch scaling), {@code tall} (depth scaling), {@code conditioning}
 * (condition number 1e4..1e8). Per row: the exact Riccati solve's time, GFLOP/s against the dgemm rate
 * measured in the same run, peak heap, R-pass residual; side by side the dense LAPACK solve where it fits
 * and CG (GGN) or MINRES (Hessian) on R-pass products run to the exact solve's residual. Rows whose
 * estimated memory or time exceed the limits are skipped with the reason recorded. Writes
 * {@code OUT/run-STAMP/{results.csv, dgemm.csv, summary.md, *.png}}.
 */
public final class BenchmarkSuite {
    static final String HELP = """
            usage: bench [--workloads anchor,anchor-proxy,tall,conditioning] [--out DIR] [--quick] [--budget-seconds S]
                         [--krylov-max-iter N] [--dense-max-params N] [--anchor-batches 64,128,256,512]
                         [--tall-depths 64,128,...,4096] [--kappas 1e4,1e6,1e8]
              --workloads         which workloads to run, comma-separated (default anchor,tall,conditioning;
                                  anchor-proxy, opt-in, ~8 min: the anchor with input 24, i.e. its stages 2..8
                                  without the wide first layer)
              --out               output folder (default target/bench); each run writes OUT/run-<UTC stamp>/
              --quick             smaller sweep for iteration: anchor 64,128; tall 64..512; budgets 60 s / 240 s; Krylov cap 1000
              --budget-seconds    per-row time budget of each method: an exact or dense solve estimated above it is
                                  skipped, CG / MINRES stop at it (default 120)
              --workload-budget-seconds  once a workload has run this long its remaining rows are skipped (default 600)
              --krylov-max-iter   iteration cap of CG / MINRES (default 3000)
              --dense-max-params  largest parameter count solved densely (default 5000)
            """;

    static final List<String> ALL = List.of("anchor", "anchor-proxy", "tall", "conditioning");

    static final class Options {
        Set<String> workloads = new LinkedHashSet<>(List.of("anchor", "tall", "conditioning"));
        Path out = Path.of("target/bench");
        boolean quick;
        double budget = 120;
        double workloadBudget = 600;
        int krylovMaxIter = 3000;
        int denseMaxParams = 5000;
        int[] anchorBatches = {64, 128, 256, 512};
        int[] tallDepths = {64, 128, 256, 512, 1024, 2048, 4096};
        double[] kappas = {1e4, 1e6, 1e8};
        boolean budgetSet, workloadBudgetSet, capSet, batchesSet, depthsSet;
    }

    static Options parse(String[] args) {
        Options o = new Options();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--quick")) { o.quick = true; continue; }
            if (a.equals("--help") || a.equals("-h")) { System.out.print(HELP); System.exit(0); }
            if (i + 1 >= args.length) fail("option " + a + " needs a value");
            String v = args[++i];
            switch (a) {
                case "--workloads" -> {
                    o.workloads = new LinkedHashSet<>(Arrays.asList(v.split(",")));
                    for (String w : o.workloads) if (!ALL.contains(w)) fail("unknown workload " + w + "; use " + String.join(", ", ALL));
                }
                case "--out" -> o.out = Path.of(v);
                case "--budget-seconds" -> { o.budget = Double.parseDouble(v); o.budgetSet = true; }
                case "--workload-budget-seconds" -> { o.workloadBudget = Double.parseDouble(v); o.workloadBudgetSet = true; }
                case "--krylov-max-iter" -> { o.krylovMaxIter = Integer.parseInt(v); o.capSet = true; }
                case "--dense-max-params" -> o.denseMaxParams = Integer.parseInt(v);
                case "--anchor-batches" -> { o.anchorBatches = ints(v); o.batchesSet = true; }
                case "--tall-depths" -> { o.tallDepths = ints(v); o.depthsSet = true; }
                case "--kappas" -> o.kappas = Arrays.stream(v.split(",")).mapToDouble(Double::parseDouble).toArray();
                default -> fail("unknown option " + a + "\n" + HELP);
            }
        }
        if (o.quick) {
            if (!o.budgetSet) o.budget = 60;
            if (!o.workloadBudgetSet) o.workloadBudget = 240;
            if (!o.capSet) o.krylovMaxIter = 1000;
            if (!o.batchesSet) o.anchorBatches = new int[] {64, 128};
            if (!o.depthsSet) o.tallDepths = new int[] {64, 128, 256, 512};
        }
        return o;
    }

    private static int[] ints(String v) { return Arrays.stream(v.split(",")).mapToInt(Integer::parseInt).toArray(); }

    private static void fail(String msg) {
        System.err.println("bench: error: " + msg);
        System.exit(2);
    }

    /** One result row (NaN / empty where not measured). */
    static final class Row {
        String workload, knob;
        double value;
        int depth, batch, params;
        String curvature;
        double damping, condition = Double.NaN;
        String status = "ok", reason = "";
        double estGb, estSeconds, solveSeconds = Double.NaN, sweepGflop, sweepGflops = Double.NaN, dgemm, peakHeapMb = Double.NaN, residual = Double.NaN;
        double denseSeconds = Double.NaN, denseRelDiff = Double.NaN;
        String denseStatus = "";
        String krylov = "", krylovStatus = "";
        int krylovIter, krylovProducts;
        double krylovSeconds = Double.NaN, krylovResidual = Double.NaN, krylovTarget = Double.NaN;
        double[] direction;

        boolean ok() { return status.equals("ok"); }
    }

    static final String CSV_HEADER = "workload,knob,value,depth,batch,parameters,curvature,damping,condition,status,reason,"
            + "est_memory_gb,est_seconds,solve_seconds,sweep_gflop,sweep_gflops,dgemm_gflops,pct_of_dgemm,peak_heap_mb,residual,"
            + "dense_seconds,dense_speedup,dense_rel_diff,dense_status,krylov,krylov_status,krylov_iterations,krylov_products,"
            + "krylov_seconds,krylov_residual,krylov_target,exact_speedup_vs_krylov";

    private static String num(double v) {
        if (!Double.isFinite(v)) return "";
        if (v == Math.rint(v) && Math.abs(v) < 1e5) return String.valueOf((long) v);
        return String.format(Locale.ROOT, "%.4g", v);
    }

    private static String csv(String s) { return s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : s; }

    String csvLine(Row r) {
        return String.join(",", r.workload, r.knob, num(r.value), String.valueOf(r.depth), String.valueOf(r.batch), String.valueOf(r.params),
                r.curvature, num(r.damping), num(r.condition), csv(r.status), csv(r.reason), num(r.estGb), num(r.estSeconds),
                num(r.solveSeconds), num(r.sweepGflop), num(r.sweepGflops), num(r.dgemm), num(100 * r.sweepGflops / r.dgemm),
                num(r.peakHeapMb), num(r.residual), num(r.denseSeconds), num(r.denseSeconds / r.solveSeconds), num(r.denseRelDiff),
                csv(r.denseStatus), r.krylov, r.krylovStatus, r.krylov.isEmpty() ? "" : String.valueOf(r.krylovIter),
                r.krylov.isEmpty() ? "" : String.valueOf(r.krylovProducts), num(r.krylovSeconds), num(r.krylovResidual),
                num(r.krylovTarget), num(r.krylovSeconds / r.solveSeconds));
    }

    private final Options opt;
    private double dgemm;
    private double lapack;
    private double cholesky;
    private final long maxHeap = Runtime.getRuntime().maxMemory();
    private long workloadStart;
    final List<Row> rows = new ArrayList<>();

    BenchmarkSuite(Options opt) { this.opt = opt; }

    public static void main(String[] args) throws IOException {
        Options opt = parse(args);
        new BenchmarkSuite(opt).run();
    }

    void run() throws IOException {
        String stamp = ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        Path dir = opt.out.resolve("run-" + stamp);
        Files.createDirectories(dir);
        long t0 = System.nanoTime();
        String backend = Blas.blas().getClass().getName() + " (LAPACK " + Blas.lapack().getClass().getName() + ")";
        say("hessinv benchmark suite, " + stamp + " UTC" + (opt.quick ? " (quick)" : ""));
        say("BLAS backend: " + backend);
        say(String.format(Locale.ROOT, "cores %d, max heap %.1f GB, per-row budget %.0f s, Krylov cap %d, workloads %s",
                Runtime.getRuntime().availableProcessors(), maxHeap / 1e9, opt.budget, opt.krylovMaxIter, opt.workloads));
        int[] orders = opt.quick ? new int[] {1024, 2048} : new int[] {512, 1024, 1536, 2048, 3072};
        List<DgemmProbe.Sample> probe = DgemmProbe.probe(orders, 3, true);
        List<String> dg = new ArrayList<>(List.of("n,facade_gflops,raw_serial_gflops"));
        for (DgemmProbe.Sample s : probe) {
            say(String.format(Locale.ROOT, "dgemm n=%d: %.1f GFLOP/s through Blas.gemm (raw serial BLAS.dgemm %.1f)", s.n(), s.facadeGflops(), s.rawGflops()));
            dg.add(String.format(Locale.ROOT, "%d,%.3f,%.3f", s.n(), s.facadeGflops(), s.rawGflops()));
        }
        Files.write(dir.resolve("dgemm.csv"), dg);
        dgemm = DgemmProbe.peak(probe);
        lapack = DgemmProbe.lapackGflops(768, 2);
        cholesky = DgemmProbe.choleskyGflops(2048, 2);
        say(String.format(Locale.ROOT, "reference dgemm rate %.1f GFLOP/s; pivot Cholesky (recursive, on gemm, n=2048) %.1f GFLOP/s; "
                + "LAPACK LU of the dense reference (n=768) %.2f GFLOP/s", dgemm, cholesky, lapack));
        if (opt.workloads.contains("tall")) tall();
        if (opt.workloads.contains("conditioning")) conditioning();
        if (opt.workloads.contains("anchor")) anchor();
        if (opt.workloads.contains("anchor-proxy")) anchorProxy();
        List<String> lines = new ArrayList<>(List.of(CSV_HEADER));
        for (Row r : rows) lines.add(csvLine(r));
        Files.write(dir.resolve("results.csv"), lines);
        List<String> summary = summary(backend, probe, stamp, (System.nanoTime() - t0) / 1e9);
        Files.write(dir.resolve("summary.md"), summary);
        plots(dir);
        System.out.println();
        summary.forEach(System.out::println);
        say("wrote " + dir.resolve("results.csv") + ", summary.md, dgemm.csv and the PNG plots in " + dir);
    }

    private static void say(String s) {
        System.out.println(s);
        System.out.flush();
    }

    // ---------------------------------------------------------------- workloads

    private void tall() {
        sweep("tall: residual tanh width 8, input 8, mse head, batch 16, hessian, damping 1e-3; depth", "depth", opt.tallDepths, Workloads::tall);
    }

    private void anchor() {
        sweep("anchor: input 768, 7 dense tanh layers of width 24, softmax head (10 classes), GGN, damping 1e-3; batch", "batch",
                opt.anchorBatches, Workloads::anchor);
    }

    private void anchorProxy() {
        sweep("anchor-proxy: the anchor with input 24 (its stages 2..8 without the wide first layer), GGN, damping 1e-3; batch", "batch",
                opt.anchorBatches, Workloads::anchorProxy);
    }

    /** One workload's rows over a swept knob, after a JIT warm-up on its first row that is planned to run. */
    private void sweep(String heading, String knob, int[] values, java.util.function.IntFunction<Workloads.Problem> problem) {
        say("\n== " + heading + " " + Arrays.toString(values));
        workloadStart = System.nanoTime();
        boolean warmed = false;
        for (int value : values) {
            Workloads.Problem p = problem.apply(value);
            Row r = newRow(p, knob, value);
            if (!warmed && plan(p, r)) {
                warmUp(p, p.batch().gradient());
                warmed = true;
            }
            runRow(p, r, null);
        }
    }

    private void conditioning() {
        say("\n== conditioning: teacher-student regression, depth 32, width 8, 4 outputs, batch 32, GGN; condition " + Arrays.toString(opt.kappas));
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
        for (double kappa : opt.kappas) {
            p.damping = Workloads.dampingFor(kappa, lmin, lmax);
            Row r = newRow(p, "condition_target", kappa);
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
    record DenseRef(double[] matrix, double assemblySeconds) {}

    private Row newRow(Workloads.Problem p, String knob, double value) {
        Row r = new Row();
        r.workload = p.workload;
        r.knob = knob;
        r.value = value;
        r.depth = p.depth;
        r.batch = p.batchSize();
        r.params = p.net.paramCount();
        r.curvature = p.curvature.specName();
        r.damping = p.damping;
        r.dgemm = dgemm;
        SweepCost cost = SweepCost.of(p.net, r.batch);
        r.sweepGflop = cost.totalFlops() / 1e9;
        r.estSeconds = cost.seconds(dgemm, 0.5, cholesky);
        r.estGb = SolveMemory.estimateBytes(p.net, r.batch) / 1e9;
        return r;
    }

    /** True when the exact solve fits the heap and the time budget; otherwise marks the row skipped. */
    private boolean plan(Workloads.Problem p, Row r) {
        SweepCost cost = SweepCost.of(p.net, r.batch);
        String estimate = String.format(Locale.ROOT, "estimates: memory %.1f GB (SolveMemory; heap %.1f GB, usable %.0f%%), time ~%.0f s "
                        + "(%.0f GFLOP, %.0f%% of it pivot factorizations at %.2f GFLOP/s, the rest gemm at half of %.1f GFLOP/s; budget %.0f s)",
                r.estGb, maxHeap / 1e9, 100 * SolveMemory.HEAP_SHARE, r.estSeconds, r.sweepGflop,
                100 * cost.factorFlops() / cost.totalFlops(), cholesky, dgemm, opt.budget);
        if (r.estGb * 1e9 > SolveMemory.HEAP_SHARE * maxHeap) {
            r.status = String.format(Locale.ROOT, "skipped: needs %.1f GB", r.estGb);
            r.reason = estimate;
            return false;
        }
        if (r.estSeconds > opt.budget) {
            r.status = String.format(Locale.ROOT, "skipped: needs ~%.0f s", r.estSeconds);
            r.reason = estimate;
            return false;
        }
        if (workloadStart > 0 && (System.nanoTime() - workloadStart) / 1e9 > opt.workloadBudget) {
            r.status = "skipped: workload budget spent";
            r.reason = String.format(Locale.ROOT, "the workload already ran %.0f s > --workload-budget-seconds %.0f",
                    (System.nanoTime() - workloadStart) / 1e9, opt.workloadBudget);
            return false;
        }
        return true;
    }

    private void runRow(Workloads.Problem p, Row r, DenseRef dense) {
        rows.add(r);
        boolean planned = plan(p, r);
        if (r.status.equals("skipped: workload budget spent")) {
            say(String.format(Locale.ROOT, "%-12s %s=%-8s %s", r.workload, r.knob, num(r.value), r.status));
            return;
        }
        double[] rhs = p.batch().gradient();
        if (planned) {
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
        dense(p, r, rhs, dense);
        krylov(p, r, rhs);
        say(String.format(Locale.ROOT, "%-12s %s=%-8s params %6d | %s | exact %s s, %s GFLOP/s (%s%% of dgemm), heap %s MB, residual %s | dense %s | %s %s: %d it, %s s, residual %s",
                r.workload, r.knob, num(r.value), r.params, r.status, num(r.solveSeconds), num(r.sweepGflops),
                num(100 * r.sweepGflops / r.dgemm), num(r.peakHeapMb), num(r.residual),
                Double.isNaN(r.denseSeconds) ? r.denseStatus : num(r.denseSeconds) + " s (" + num(r.denseSeconds / r.solveSeconds) + "x)",
                r.krylov, r.krylovStatus, r.krylovIter, num(r.krylovSeconds), num(r.krylovResidual)));
        if (!r.reason.isEmpty()) say("             reason: " + r.reason);
        r.direction = null;
    }

    private void dense(Workloads.Problem p, Row r, double[] rhs, DenseRef ref) {
        int n = r.params;
        if (n > opt.denseMaxParams || n > DenseSolver.MAX_PARAMETERS) {
            r.denseStatus = "not run: " + n + " parameters > " + Math.min(opt.denseMaxParams, DenseSolver.MAX_PARAMETERS);
            return;
        }
        double lu = 2.0 / 3.0 * n * (double) n * n / (lapack * 1e9);
        double assembly;
        if (ref != null) {
            assembly = ref.assemblySeconds();
        } else {
            var op = p.dampedProduct();
            double one = Double.MAX_VALUE;
            for (int k = 0; k < 3; k++) {
                long t = System.nanoTime();
                op.apply(new double[n]);
                one = Math.min(one, (System.nanoTime() - t) / 1e9);
            }
            assembly = n * one;
        }
        if (lu + assembly > opt.budget) {
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
        if (r.direction != null) {
            double s = 0, nn = 0;
            for (int i = 0; i < n; i++) { s += (d[i] - r.direction[i]) * (d[i] - r.direction[i]); nn += d[i] * d[i]; }
            r.denseRelDiff = Math.sqrt(s / nn);
        }
    }

    /** The exact solve's residual is the target (floored at 1e-12: below it Krylov recurrences stall on roundoff). */
    static final double KRYLOV_FLOOR = 1e-12;

    private void krylov(Workloads.Problem p, Row r, double[] rhs) {
        boolean cg = p.curvature == org.hessinv.curvature.Curvature.GGN;
        r.krylov = cg ? "cg" : "minres";
        r.krylovTarget = Double.isFinite(r.residual) ? Math.max(r.residual, KRYLOV_FLOOR) : 1e-10;
        Krylov.Limits lim = Krylov.Limits.of(r.krylovTarget, opt.krylovMaxIter, opt.budget);
        Krylov.Result k = cg ? Krylov.cg(p.dampedProduct(), rhs, lim) : Krylov.minres(p.dampedProduct(), rhs, lim);
        r.krylovStatus = k.status().label();
        r.krylovIter = k.iterations();
        r.krylovProducts = k.products();
        r.krylovSeconds = k.seconds();
        r.krylovResidual = k.residual();
    }

    // ---------------------------------------------------------------- summary and targets

    private List<Row> rowsOf(String w) { return rows.stream().filter(r -> r.workload.equals(w)).toList(); }

    private Row find(String w, double value) {
        return rows.stream().filter(r -> r.workload.equals(w) && r.value == value).findFirst().orElse(null);
    }

    static ScalingFit fitRows(List<Row> rs, double from, double to) {
        List<Row> use = rs.stream().filter(r -> r.ok() && r.value >= from && r.value <= to).toList();
        double[] x = use.stream().mapToDouble(r -> r.value).toArray();
        double[] y = use.stream().mapToDouble(r -> r.solveSeconds).toArray();
        return ScalingFit.fit(x, y);
    }

    private List<String> summary(String backend, List<DgemmProbe.Sample> probe, String stamp, double seconds) {
        List<String> s = new ArrayList<>();
        s.add("# hessinv benchmark run " + stamp + " UTC" + (opt.quick ? " (quick)" : ""));
        s.add("");
        s.add(String.format(Locale.ROOT, "- BLAS backend: %s; cores %d; max heap %.1f GB; budget %.0f s per row and method; Krylov cap %d; suite time %.0f s",
                backend, Runtime.getRuntime().availableProcessors(), maxHeap / 1e9, opt.budget, opt.krylovMaxIter, seconds));
        StringBuilder dg = new StringBuilder("- dgemm (GFLOP/s, Blas.gemm / raw serial BLAS.dgemm):");
        for (DgemmProbe.Sample p : probe) dg.append(String.format(Locale.ROOT, " n=%d %.1f / %.1f;", p.n(), p.facadeGflops(), p.rawGflops()));
        s.add(dg.toString());
        s.add(String.format(Locale.ROOT, "- reference dgemm rate %.1f GFLOP/s; pivot Cholesky rate %.1f GFLOP/s; dense reference LU rate %.2f GFLOP/s",
                dgemm, cholesky, lapack));
        s.add("");
        s.add("| workload | knob | params | status | exact s | GFLOP/s (% dgemm) | peak heap MB | residual | cond | dense s (speed-up) | Krylov | Krylov status | it | Krylov s | Krylov residual |");
        s.add("|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---|---|---:|---:|---:|");
        for (Row r : rows) {
            s.add(String.format(Locale.ROOT, "| %s | %s=%s | %d | %s | %s | %s (%s%%) | %s | %s | %s | %s | %s | %s | %d | %s | %s |",
                    r.workload, r.knob.equals("condition_target") ? "kappa" : r.knob, num(r.value), r.params, r.status, num(r.solveSeconds),
                    num(r.sweepGflops), num(100 * r.sweepGflops / r.dgemm), num(r.peakHeapMb), num(r.residual), num(r.condition),
                    Double.isNaN(r.denseSeconds) ? r.denseStatus : num(r.denseSeconds) + " (" + num(r.denseSeconds / r.solveSeconds) + "x)",
                    r.krylov, r.krylovStatus, r.krylovIter, num(r.krylovSeconds), num(r.krylovResidual)));
        }
        s.add("");
        ScalingFit tall = fitRows(rowsOf("tall"), 128, 4096);
        ScalingFit anchor = fitRows(rowsOf("anchor"), 64, 512);
        s.add(String.format(Locale.ROOT, "- tall: fitted exponent of exact time in depth (128..4096, %d points): %s (R^2 %s)", tall.points(), num(tall.exponent()), num(tall.rSquared())));
        s.add(String.format(Locale.ROOT, "- anchor: fitted exponent of exact time in batch (64..512, %d points): %s", anchor.points(), num(anchor.exponent())));
        s.add("");
        s.add("## Targets");
        s.add("");
        for (String t : targets(tall, anchor)) s.add("- " + t);
        return s;
    }

    private static String verdict(boolean met) { return met ? "MET" : "MISSED"; }

    List<String> targets(ScalingFit tall, ScalingFit anchor) {
        List<String> t = new ArrayList<>();
        Row a128 = find("anchor", 128), a256 = find("anchor", 256), a512 = find("anchor", 512);
        t.add("anchor batch 128 < 5 s: " + (a128 == null ? "NOT MEASURED (not in this run)" : !a128.ok() ? "MISSED (" + a128.status + ")"
                : verdict(a128.solveSeconds < 5) + " (" + num(a128.solveSeconds) + " s)"));
        t.add("anchor batch 256 < 20 s, peak heap < 3 GB: " + (a256 == null ? "NOT MEASURED (not in this run)" : !a256.ok() ? "MISSED (" + a256.status + ")"
                : verdict(a256.solveSeconds < 20 && a256.peakHeapMb < 3000) + " (" + num(a256.solveSeconds) + " s, " + num(a256.peakHeapMb) + " MB)"));
        t.add("anchor batch 512 completes < 8 GB: " + (a512 == null ? "NOT MEASURED (not in this run)" : !a512.ok() ? "MISSED (" + a512.status + ")"
                : verdict(a512.peakHeapMb < 8000) + " (" + num(a512.solveSeconds) + " s, " + num(a512.peakHeapMb) + " MB)"));
        t.add("anchor time grows at most like B^2.2 (64..512): " + (anchor.points() < 2 ? "NOT MEASURED (" + anchor.points() + " anchor rows completed)"
                : verdict(anchor.exponent() <= 2.2) + " (exponent " + num(anchor.exponent()) + " over " + anchor.points() + " points)"));
        t.add("tall fitted exponent <= 1.1 (128..4096): " + (tall.points() < 2 ? "NOT MEASURED"
                : verdict(tall.exponent() <= 1.1) + " (" + num(tall.exponent()) + " over " + tall.points() + " depths"
                + (rowsOf("tall").stream().anyMatch(r -> r.value == 4096 && r.ok()) ? "" : ", 4096 not run") + ")"));
        List<Row> hard = rowsOf("conditioning").stream().filter(r -> r.condition >= 0.99e6).toList();
        if (hard.isEmpty()) {
            t.add("exact beats CG at condition >= 1e6: NOT MEASURED");
        } else {
            boolean all = true;
            StringBuilder b = new StringBuilder();
            for (Row r : hard) {
                boolean beats = r.ok() && (!r.krylovStatus.equals("converged") || r.solveSeconds < r.krylovSeconds);
                all &= beats;
                b.append(String.format(Locale.ROOT, " cond %s: exact %s s vs %s %s (%s, %d products);", num(r.condition), num(r.solveSeconds),
                        r.krylov, num(r.krylovSeconds) + " s", r.krylovStatus, r.krylovProducts));
            }
            t.add("exact beats CG/MINRES to the same residual at condition >= 1e6: " + verdict(all) + " (" + b.toString().trim() + ")");
        }
        Row t64 = find("tall", 64);
        t.add(">= 100x faster than dense at tall depth 64: " + (t64 == null || Double.isNaN(t64.denseSeconds) || !t64.ok() ? "NOT MEASURED"
                : verdict(t64.denseSeconds / t64.solveSeconds >= 100) + " (" + num(t64.denseSeconds / t64.solveSeconds) + "x: dense "
                + num(t64.denseSeconds) + " s, exact " + num(t64.solveSeconds) + " s)"));
        List<Row> proxy = rowsOf("anchor-proxy");
        if (!proxy.isEmpty()) {
            StringBuilder b = new StringBuilder("informational, anchor-proxy (anchor without its wide first layer):");
            for (Row r : proxy) {
                b.append(String.format(Locale.ROOT, " batch %s: %s;", num(r.value), r.ok()
                        ? num(r.solveSeconds) + " s, " + num(r.peakHeapMb) + " MB, " + num(100 * r.sweepGflops / r.dgemm) + "% of dgemm" : r.status));
            }
            ScalingFit pf = fitRows(proxy, 64, 512);
            b.append(" exponent in batch ").append(num(pf.exponent()));
            t.add(b.toString());
        }
        t.add("sweep >= 50% of dgemm GFLOP/s at anchor batch 512: " + (a512 == null ? "NOT MEASURED (not in this run)" : !a512.ok() ? "MISSED (" + a512.status + ")"
                : verdict(a512.sweepGflops >= 0.5 * a512.dgemm) + " (" + num(100 * a512.sweepGflops / a512.dgemm) + "%)"));
        return t;
    }

    // ---------------------------------------------------------------- plots

    private void plots(Path dir) throws IOException {
        List<Row> tall = rowsOf("tall");
        if (!tall.isEmpty()) {
            double[] x = tall.stream().mapToDouble(r -> r.value).toArray();
            ScalingFit f = fitRows(tall, 128, 4096);
            List<Plot.Series> s = new ArrayList<>(List.of(
                    new Plot.Series("exact (Riccati)", x, tall.stream().mapToDouble(r -> r.solveSeconds).toArray(), false),
                    new Plot.Series("MINRES (to same res.)", x, tall.stream().mapToDouble(r -> r.krylovStatus.equals("converged") ? r.krylovSeconds : Double.NaN).toArray(), false),
                    new Plot.Series("MINRES (not converged)", x, tall.stream().mapToDouble(r -> r.krylovStatus.equals("converged") ? Double.NaN : r.krylovSeconds).toArray(), false),
                    new Plot.Series("dense LAPACK", x, tall.stream().mapToDouble(r -> r.denseSeconds).toArray(), false)));
            if (Double.isFinite(f.exponent())) {
                s.add(new Plot.Series(String.format(Locale.ROOT, "fit depth^%.2f", f.exponent()), x, Arrays.stream(x).map(f::predict).toArray(), true));
            }
            Plot.logLog(dir.resolve("tall-depth.png"), "tall: solve time vs depth (width 8, batch 16, Hessian)", "depth", "seconds", s);
        }
        List<Row> anc = rowsOf("anchor");
        if (!anc.isEmpty() || !rowsOf("anchor-proxy").isEmpty()) {
            double[] x = anc.stream().mapToDouble(r -> r.value).toArray();
            List<Plot.Series> s = new ArrayList<>(List.of(
                    new Plot.Series("exact (Riccati)", x, anc.stream().mapToDouble(r -> r.solveSeconds).toArray(), false),
                    new Plot.Series("exact: estimate (skipped)", x, anc.stream().mapToDouble(r -> r.ok() ? Double.NaN : r.estSeconds).toArray(), false),
                    new Plot.Series("CG", x, anc.stream().mapToDouble(r -> r.krylovSeconds).toArray(), false)));
            List<Row> proxy = rowsOf("anchor-proxy");
            if (!proxy.isEmpty()) {
                s.add(new Plot.Series("proxy: input 24", proxy.stream().mapToDouble(r -> r.value).toArray(),
                        proxy.stream().mapToDouble(r -> r.solveSeconds).toArray(), false));
            }
            double ref = java.util.stream.Stream.concat(anc.stream(), proxy.stream()).filter(Row::ok)
                    .mapToDouble(r -> r.solveSeconds / Math.pow(r.value, 2.2)).findFirst().orElse(Double.NaN);
            if (Double.isFinite(ref)) s.add(new Plot.Series("B^2.2 target", x, Arrays.stream(x).map(b -> ref * Math.pow(b, 2.2)).toArray(), true));
            Plot.logLog(dir.resolve("anchor-batch.png"), "anchor: solve time vs curvature batch (input 768, GGN)", "batch", "seconds", s);
        }
        List<Row> cond = rowsOf("conditioning");
        if (!cond.isEmpty()) {
            double[] x = cond.stream().mapToDouble(r -> r.condition).toArray();
            Plot.logLog(dir.resolve("conditioning.png"), "conditioning: time to the same residual (depth 32, GGN)", "condition number", "seconds", List.of(
                    new Plot.Series("exact (Riccati)", x, cond.stream().mapToDouble(r -> r.solveSeconds).toArray(), false),
                    new Plot.Series("CG", x, cond.stream().mapToDouble(r -> r.krylovSeconds).toArray(), false),
                    new Plot.Series("dense LAPACK", x, cond.stream().mapToDouble(r -> r.denseSeconds).toArray(), false)));
        }
    }
}
