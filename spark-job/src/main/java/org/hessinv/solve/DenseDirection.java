package org.hessinv.solve;

import java.util.Optional;
import org.hessinv.curvature.Curvature;
import org.hessinv.linalg.Inertia;
import org.hessinv.model.Network;

/**
 * The dense reference ({@link DenseSolver}): C + delta I assembled from n R-passes, d by LU, log|det| and inertia
 * from its eigenvalues. O(n^3), at most {@link DenseSolver#MAX_PARAMETERS} parameters.
 */
public final class DenseDirection implements DirectionSolver {
    @Override public String route() { return "dense"; }

    @Override public boolean readsExamples() { return true; }

    /** At most {@link DenseSolver#MAX_PARAMETERS} parameters. */
    @Override public void checkApplicable(Network net, long batch, Curvature curvature, double delta) {
        DenseSolver.requireAssemblable(net.paramCount());
    }

    /** d = M^-1 r (dgesv), log|det M| = sum log|lambda_i| and the signs of the lambda_i (dsyev), M = C + delta I. */
    @Override public DirectionSolution solve(CurvatureSystem system, double delta, double[] r, SweepProgress progress) {
        var batch = DirectionSolver.examplesOf(system, this);
        int n = batch.network().paramCount();
        double[] m = DenseSolver.assemble(batch, delta);
        double[] lambda = DenseSolver.eigenvalues(m, n);
        double logAbsDet = 0;
        int negative = 0, zero = 0;
        for (double l : lambda) {
            logAbsDet += Math.log(Math.abs(l));
            if (l < 0) negative++;
            else if (l == 0) zero++;
        }
        return new DirectionSolution(route(), DenseSolver.solve(m, n, r), logAbsDet,
                Optional.of(new Inertia(negative, zero, n - negative - zero)), Optional.empty());
    }
}
