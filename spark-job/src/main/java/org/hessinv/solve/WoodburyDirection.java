package org.hessinv.solve;

import java.util.Optional;
import org.hessinv.curvature.Curvature;
import org.hessinv.model.Network;

/** The paper's section 6 route ({@link WoodburySolver}): square-parameterized layers, one example; log|det| but no inertia. */
public final class WoodburyDirection implements DirectionSolver {
    @Override public String route() { return "woodbury"; }

    @Override public boolean readsExamples() { return false; }

    /** {@link WoodburySolver#checkApplicable}: one example and p_l = a_l for every stage. */
    @Override public void checkApplicable(Network net, long batch, Curvature curvature, double delta) {
        WoodburySolver.checkApplicable(net, batch);
    }

    /** d and log|det| by the route's block structures, linear in depth. */
    @Override public DirectionSolution solve(CurvatureSystem system, double delta, double[] r, SweepProgress progress) {
        WoodburySolver.Solution s = WoodburySolver.solve(system.stages(), delta, r);
        return new DirectionSolution(route(), s.direction(), s.logAbsDet(), Optional.empty(), Optional.empty());
    }
}
