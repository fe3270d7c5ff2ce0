package org.hessinv.solve;

import java.util.Optional;
import org.hessinv.curvature.Curvature;
import org.hessinv.model.InvalidInputException;
import org.hessinv.model.Network;

/**
 * The damped GGN in the space of the batch's B K outputs ({@link OutputSpaceGgn}): the Gauss-Newton curvature with
 * delta > 0 only; log|det| by Sylvester's identity, inertia (0, 0, n); no stage pivots.
 */
public final class OutputSpaceDirection implements DirectionSolver {
    @Override public String route() { return "output-space"; }

    @Override public boolean readsExamples() { return true; }

    /** The GGN, delta > 0, and a B K Gram that fits one Java array. */
    @Override public void checkApplicable(Network net, long batch, Curvature curvature, double delta) {
        if (curvature != Curvature.GGN) {
            throw new InvalidInputException("--solver output-space solves the Gauss-Newton curvature only; use --curvature ggn or --solver riccati");
        }
        if (!(delta > 0)) {
            throw new InvalidInputException("--solver output-space needs a damping > 0 (G + delta I is then positive definite); give --damping > 0 or use --solver riccati");
        }
        if (batch > 0) OutputSpaceGgn.requireOutputs(batch * net.head().units());
    }

    /** d = (r - U C^-1 U^T r) / delta with one refinement step; log|det| = (n - m) log delta + log det C - m log B. */
    @Override public DirectionSolution solve(CurvatureSystem system, double delta, double[] r, SweepProgress progress) {
        var batch = DirectionSolver.examplesOf(system, this);
        OutputSpaceGgn ggn = OutputSpaceGgn.factor(batch.network(), batch.parameters(), batch.examples());
        double[] d = ggn.solve(delta, r);
        return new DirectionSolution(route(), d, ggn.logAbsDet(delta), Optional.of(ggn.inertia(delta)), Optional.empty());
    }
}
