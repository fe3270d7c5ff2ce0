package org.hessinv.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** What a run writes as text: {@code results.csv} (one line per row), {@code dgemm.csv} and {@code summary.md}. */
final class Report {
    static final String CSV_HEADER = "workload,knob,value,route,depth,batch,parameters,curvature,damping,condition,status,reason,"
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
        return String.join(",", r.workload, r.knob, num(r.value), r.route, String.valueOf(r.depth), String.valueOf(r.batch), String.valueOf(r.params),
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

    /** dgemm.csv: the probes' orders and rates, at the start and at the end of the run. */
    static List<String> dgemmCsv(MachineRates rates) {
        List<String> lines = new ArrayList<>(List.of("probe,n,facade_gflops,raw_serial_gflops"));
        for (DgemmProbe.Sample s : rates.dgemmSamples()) lines.add(String.format(Locale.ROOT, "start,%d,%.3f,%.3f", s.n(), s.facadeGflops(), s.rawGflops()));
        for (DgemmProbe.Sample s : rates.endSamples()) lines.add(String.format(Locale.ROOT, "end,%d,%.3f,", s.n(), s.facadeGflops()));
        return lines;
    }

    /** The warning printed for a row whose rate exceeds the reference dgemm rate (its % of dgemm is not a measurement of the row). */
    static String probeWarning(ResultRow r) {
        return String.format(Locale.ROOT, "warning: %s %s=%s ran at %s GFLOP/s, above the dgemm probe's %s GFLOP/s (%s%%): the probe ran "
                        + "while the machine was busier than during the row; its %% of dgemm is unreliable",
                r.workload, r.knob, num(r.value), num(r.sweepGflops), num(r.dgemm), num(r.percentOfDgemm()));
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
        StringBuilder dg = new StringBuilder("- dgemm at the start (GFLOP/s, Blas.gemm / raw serial BLAS.dgemm, best of 3):");
        for (DgemmProbe.Sample p : rates.dgemmSamples()) dg.append(String.format(Locale.ROOT, " n=%d %.1f / %.1f;", p.n(), p.facadeGflops(), p.rawGflops()));
        s.add(dg.toString());
        if (!rates.endSamples().isEmpty()) {
            StringBuilder end = new StringBuilder("- dgemm at the end (GFLOP/s, Blas.gemm, best of " + MachineRates.END_REPEATS + "):");
            for (DgemmProbe.Sample p : rates.endSamples()) end.append(String.format(Locale.ROOT, " n=%d %.1f;", p.n(), p.facadeGflops()));
            s.add(end.toString());
        }
        s.add(String.format(Locale.ROOT, "- reference dgemm rate %.1f GFLOP/s (the better of the start probe's %.1f and the end probe's %.1f); "
                        + "pivot Cholesky rate %.1f GFLOP/s; dense reference LU rate %.2f GFLOP/s",
                rates.dgemm(), rates.startDgemm(), rates.endDgemm(), rates.cholesky(), rates.lapack()));
        s.add("");
        s.add("| workload | knob | route | params | status | exact s | GFLOP/s (% dgemm) | peak heap MB | residual | cond | dense s (speed-up) | Krylov | Krylov status | it | Krylov s | Krylov residual |");
        s.add("|---|---:|---|---:|---|---:|---:|---:|---:|---:|---:|---|---|---:|---:|---:|");
        for (ResultRow r : results.all()) {
            if (r.workload.equals("data-pass")) continue;
            s.add(String.format(Locale.ROOT, "| %s | %s=%s | %s | %d | %s | %s | %s (%s%%) | %s | %s | %s | %s | %s | %s | %d | %s | %s |",
                    r.workload, r.knob.equals("condition_target") ? "kappa" : r.knob, num(r.value), r.route, r.params, r.status, num(r.solveSeconds),
                    num(r.sweepGflops), num(r.percentOfDgemm()), num(r.peakHeapMb), num(r.residual), num(r.condition),
                    Double.isNaN(r.denseSeconds) ? r.denseStatus : num(r.denseSeconds) + " (" + num(r.denseSpeedup()) + "x)",
                    r.krylov, r.krylovStatus, r.krylovIter, num(r.krylovSeconds), num(r.krylovResidual)));
        }
        List<ResultRow> pass = results.of("data-pass");
        if (!pass.isEmpty()) {
            s.add("");
            s.add("Data pass (training loss+gradient, deep-narrow preset, " + DataPassBenchmark.FLOPS_PER_PARAMETER + " p flops per example):");
            s.add("");
            s.add("| examples | path | seconds | examples/s | GFLOP/s | % of dgemm | notes |");
            s.add("|---:|---|---:|---:|---:|---:|---|");
            for (ResultRow r : pass) {
                s.add(String.format(Locale.ROOT, "| %d | %s | %s | %s | %s | %s%% | %s |", (long) r.value, r.route, num(r.solveSeconds),
                        num(r.value / r.solveSeconds), num(r.sweepGflops), num(r.percentOfDgemm()), r.reason));
            }
        }
        s.add("");
        for (String note : krylovNotes(results)) s.add("- " + note);
        for (ResultRow r : results.all()) if (r.rateExceedsProbe()) s.add("- " + probeWarning(r));
        s.add("");
        for (Targets.Target t : targets.all()) {
            if (!t.kind().equals("fit")) continue;
            ScalingFit f = results.fit(t.workload(), t.route(), t.from(), t.to());
            String knob = results.of(t.workload()).stream().map(r -> r.knob).findFirst().orElse("the swept knob");
            s.add(String.format(Locale.ROOT, "- %s (%s): fitted exponent of exact time in %s (%s..%s, %d points): %s (R^2 %s)", t.workload(), t.route(), knob,
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

    /**
     * One line per row whose CG / MINRES did not reach its target residual, saying how it stopped (those rows' Krylov
     * times are not times to the residual, and the plots draw them as a separate, "not converged" series).
     */
    static List<String> krylovNotes(Results results) {
        List<String> notes = new ArrayList<>();
        for (ResultRow r : results.all()) {
            if (r.krylov.isEmpty() || r.krylovConverged()) continue;
            notes.add(String.format(Locale.ROOT, "%s %s=%s: %s (target %s; not converged, its time is not a time to the residual)",
                    r.workload, r.knob, num(r.value), r.krylovOutcome(), num(r.krylovTarget)));
        }
        return notes;
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
