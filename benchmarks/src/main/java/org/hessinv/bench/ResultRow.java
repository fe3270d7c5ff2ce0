package org.hessinv.bench;

/** One row of the benchmark suite: a workload at one value of its swept knob (NaN / empty where not measured). */
final class ResultRow {
    String workload, knob;
    double value;
    int depth, batch, params;
    /** How the row was computed: riccati or output-space (exact solves), per-example or blocked (data pass). */
    String route = "riccati";
    String curvature;
    double damping, condition = Double.NaN;
    String status = "ok", reason = "";
    double estGb, estSeconds, solveSeconds = Double.NaN, sweepGflop, factorGflop, sweepGflops = Double.NaN, dgemm, peakHeapMb = Double.NaN, residual = Double.NaN;
    double denseSeconds = Double.NaN, denseRelDiff = Double.NaN;
    String denseStatus = "";
    String krylov = "", krylovStatus = "";
    int krylovIter, krylovProducts;
    double krylovSeconds = Double.NaN, krylovResidual = Double.NaN, krylovTarget = Double.NaN;
    /** The exact solve's direction while the row is being measured (compared with the dense one), then dropped. */
    double[] direction;

    /** The exact solve ran and finished. */
    boolean ok() { return status.equals("ok"); }

    /** The sweep's GFLOP/s as a percentage of the dgemm rate measured in the same run. */
    double percentOfDgemm() { return 100 * sweepGflops / dgemm; }

    /** Dense reference time over exact solve time (NaN when either was not measured). */
    double denseSpeedup() { return denseSeconds / solveSeconds; }

    /** CG / MINRES time over exact solve time. */
    double krylovSpeedup() { return krylovSeconds / solveSeconds; }

    boolean krylovConverged() { return krylovStatus.equals("converged"); }

    /** The row ran faster than the reference dgemm rate: the probe, not the row, is off (a busier machine during the probe). */
    boolean rateExceedsProbe() { return sweepGflops > dgemm; }

    /**
     * How CG / MINRES ended, as the summary and the plots state it: "cg converged in 264 iterations, residual 1e-12",
     * "minres capped at 3000 iterations, residual 2.1e-03", "cg stopped at the time budget after 800 iterations (120 s),
     * residual 3e-05", or "cg stagnated / diverged / broke down after N iterations, residual R"; empty when not run.
     */
    String krylovOutcome() {
        if (krylov.isEmpty()) return "";
        String res = "residual " + Report.num(krylovResidual);
        return switch (krylovStatus) {
            case "converged" -> krylov + " converged in " + krylovIter + " iterations, " + res;
            case "max-iterations" -> krylov + " capped at " + krylovIter + " iterations, " + res;
            case "time-budget" -> krylov + " stopped at the time budget after " + krylovIter + " iterations (" + Report.num(krylovSeconds) + " s), " + res;
            case "breakdown" -> krylov + " broke down (non-positive curvature) after " + krylovIter + " iterations, " + res;
            default -> krylov + " " + krylovStatus + " after " + krylovIter + " iterations, " + res;
        };
    }
}
