package org.hessinv.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** What a run writes as text: {@code results.csv} (one line per row), {@code dgemm.csv} and {@code summary.md}. */
final class Report {
    static final String CSV_HEADER = "workload,knob,value,depth,batch,parameters,curvature,damping,condition,status,reason,"
            + "est_memory_gb,est_seconds,solve_seconds,sweep_gflop,sweep_gflops,dgemm_gflops,pct_of_dgemm,peak_heap_mb,residual,"
            + "dense_seconds,dense_speedup,dense_rel_diff,dense_status,krylov,krylov_status,krylov_iterations,krylov_products,"
            + "krylov_seconds,krylov_residual,krylov_target,exact_speedup_vs_krylov";

    private Report() {}

    /** A number as the reports print it: empty when not finite, integers plainly, else 4 significant digits. */
    static String num(double v) {
        if (!Double.isFinite(v)) return "";
        if (v == Math.rint(v) && Math.abs(v) < 1e5) return String.valueOf((long) v);
        return String.format(Locale.ROOT, "%.4g", v);
    }

    private static String csv(String s) { return s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : s; }

    static String csvLine(ResultRow r) {
        return String.join(",", r.workload, r.knob, num(r.value), String.valueOf(r.depth), String.valueOf(r.batch), String.valueOf(r.params),
                r.curvature, num(r.damping), num(r.condition), csv(r.status), csv(r.reason), num(r.estGb), num(r.estSeconds),
                num(r.solveSeconds), num(r.sweepGflop), num(r.sweepGflops), num(r.dgemm), num(r.percentOfDgemm()),
                num(r.peakHeapMb), num(r.residual), num(r.denseSeconds), num(r.denseSpeedup()), num(r.denseRelDiff),
                csv(r.denseStatus), r.krylov, r.krylovStatus, r.krylov.isEmpty() ? "" : String.valueOf(r.krylovIter),
                r.krylov.isEmpty() ? "" : String.valueOf(r.krylovProducts), num(r.krylovSeconds), num(r.krylovResidual),
                num(r.krylovTarget), num(r.krylovSpeedup()));
    }

    /** results.csv: the header, then one line per row. */
    static List<String> resultsCsv(Results results) {
        List<String> lines = new ArrayList<>(List.of(CSV_HEADER));
        for (ResultRow r : results.all()) lines.add(csvLine(r));
        return lines;
    }

    /** dgemm.csv: the probe's orders and rates. */
    static List<String> dgemmCsv(MachineRates rates) {
        List<String> lines = new ArrayList<>(List.of("n,facade_gflops,raw_serial_gflops"));
        for (DgemmProbe.Sample s : rates.dgemmSamples()) lines.add(String.format(Locale.ROOT, "%d,%.3f,%.3f", s.n(), s.facadeGflops(), s.rawGflops()));
        return lines;
    }

    /** The settings a summary states about its run. */
    record RunInfo(String stamp, boolean quick, double budgetSeconds, int krylovMaxIter, double suiteSeconds) {}

    /** summary.md: the machine and the rates, one table row per result row, the fits, and every target's verdict. */
    static List<String> summary(RunInfo run, MachineRates rates, Results results, Targets targets) {
        List<String> s = new ArrayList<>();
        s.add("# hessinv benchmark run " + run.stamp() + " UTC" + (run.quick() ? " (quick)" : ""));
        s.add("");
        s.add(String.format(Locale.ROOT, "- BLAS backend: %s; cores %d; max heap %.1f GB; budget %.0f s per row and method; Krylov cap %d; suite time %.0f s",
                rates.backend(), Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() / 1e9, run.budgetSeconds(),
                run.krylovMaxIter(), run.suiteSeconds()));
        StringBuilder dg = new StringBuilder("- dgemm (GFLOP/s, Blas.gemm / raw serial BLAS.dgemm):");
        for (DgemmProbe.Sample p : rates.dgemmSamples()) dg.append(String.format(Locale.ROOT, " n=%d %.1f / %.1f;", p.n(), p.facadeGflops(), p.rawGflops()));
        s.add(dg.toString());
        s.add(String.format(Locale.ROOT, "- reference dgemm rate %.1f GFLOP/s; pivot Cholesky rate %.1f GFLOP/s; dense reference LU rate %.2f GFLOP/s",
                rates.dgemm(), rates.cholesky(), rates.lapack()));
        s.add("");
        s.add("| workload | knob | params | status | exact s | GFLOP/s (% dgemm) | peak heap MB | residual | cond | dense s (speed-up) | Krylov | Krylov status | it | Krylov s | Krylov residual |");
        s.add("|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---|---|---:|---:|---:|");
        for (ResultRow r : results.all()) {
            s.add(String.format(Locale.ROOT, "| %s | %s=%s | %d | %s | %s | %s (%s%%) | %s | %s | %s | %s | %s | %s | %d | %s | %s |",
                    r.workload, r.knob.equals("condition_target") ? "kappa" : r.knob, num(r.value), r.params, r.status, num(r.solveSeconds),
                    num(r.sweepGflops), num(r.percentOfDgemm()), num(r.peakHeapMb), num(r.residual), num(r.condition),
                    Double.isNaN(r.denseSeconds) ? r.denseStatus : num(r.denseSeconds) + " (" + num(r.denseSpeedup()) + "x)",
                    r.krylov, r.krylovStatus, r.krylovIter, num(r.krylovSeconds), num(r.krylovResidual)));
        }
        s.add("");
        for (Targets.Target t : targets.all()) {
            if (!t.kind().equals("fit")) continue;
            ScalingFit f = results.fit(t.workload(), t.from(), t.to());
            String knob = results.of(t.workload()).stream().map(r -> r.knob).findFirst().orElse("the swept knob");
            s.add(String.format(Locale.ROOT, "- %s: fitted exponent of exact time in %s (%s..%s, %d points): %s (R^2 %s)", t.workload(), knob,
                    num(t.from()), num(t.to()), f.points(), num(f.exponent()), num(f.rSquared())));
        }
        s.add("");
        s.add("## Targets");
        s.add("");
        for (String t : targets.check(results)) s.add("- " + t);
        String proxy = anchorProxyNote(results);
        if (proxy != null) s.add("- " + proxy);
        return s;
    }

    /** Informational (no target): the anchor-proxy rows and their exponent in batch, when the run has them. */
    static String anchorProxyNote(Results results) {
        List<ResultRow> proxy = results.of("anchor-proxy");
        if (proxy.isEmpty()) return null;
        StringBuilder b = new StringBuilder("informational, anchor-proxy (anchor without its wide first layer):");
        for (ResultRow r : proxy) {
            b.append(String.format(Locale.ROOT, " batch %s: %s;", num(r.value), r.ok()
                    ? num(r.solveSeconds) + " s, " + num(r.peakHeapMb) + " MB, " + num(r.percentOfDgemm()) + "% of dgemm" : r.status));
        }
        b.append(" exponent in batch ").append(num(results.fit("anchor-proxy", 64, 512).exponent()));
        return b.toString();
    }
}
