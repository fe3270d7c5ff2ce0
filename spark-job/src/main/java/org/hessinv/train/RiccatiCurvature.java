package org.hessinv.train;

import org.hessinv.curvature.ExampleBatch;
import org.hessinv.solve.RiccatiSolution;
import org.hessinv.solve.RiccatiSolver;
import org.hessinv.solve.SweepProgress;

/**
 * The curvature of a batch solved by the Riccati sweep: each {@code solve(lambda, r)} is one backward and
 * one forward sweep over the batch's stage blocks; C v by the R-pass.
 */
public final class RiccatiCurvature implements DampedCurvature {
    private final ExampleBatch batch;

    public RiccatiCurvature(ExampleBatch batch) { this.batch = batch; }

    @Override public int dimension() { return batch.network().paramCount(); }

    @Override public DampedSolve solve(double lambda, double[] r) {
        long t0 = System.nanoTime();
        RiccatiSolution s = RiccatiSolver.solve(batch, lambda, r, SweepProgress.NONE);
        return new DampedSolve(s.direction(), s.logAbsDet(), s.inertia(), (System.nanoTime() - t0) / 1e9);
    }

    @Override public double[] times(double[] v) { return batch.curvatureTimes(v); }

    @Override public String route() { return "riccati"; }
}
