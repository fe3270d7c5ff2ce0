package org.hessinv.bench;

/** One row of the benchmark suite: a workload at one value of its swept knob (NaN / empty where not measured). */
final class ResultRow {
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
}
