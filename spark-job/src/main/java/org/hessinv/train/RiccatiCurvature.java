package org.hessinv.train;

import org.hessinv.curvature.ExampleBatch;
import org.hessinv.solve.RiccatiFactorization;
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

    /** The factorization at one damping, kept for further right-hand sides and samples at that damping. */
    private double factoredLambda = Double.NaN;
    private RiccatiFactorization factorization;

    private RiccatiFactorization factorization(double lambda) {
        if (factorization == null || Double.compare(lambda, factoredLambda) != 0) {
            factorization = null; // the old gains go before the new sweep: one sweep's worth of memory, as estimated
            factorization = RiccatiSolver.backwardSweep(batch, lambda, new double[dimension()], SweepProgress.NONE);
            factoredLambda = lambda;
        }
        return factorization;
    }

    @Override public double[][] solveMany(double lambda, double[][] rhs) { return factorization(lambda).solveAll(batch, rhs); }

    @Override public double logAbsDet(double lambda) { return factorization(lambda).logAbsDet(); }

    @Override public double[] sampleMap(double lambda, double[] eps) { return factorization(lambda).sampleMap(batch, eps); }

    @Override public double[] times(double[] v) { return batch.curvatureTimes(v); }

    @Override public String route() { return "riccati"; }
}
