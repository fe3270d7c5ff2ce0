package org.hessinv.solve;

import java.util.Optional;
import org.hessinv.curvature.Curvature;
import org.hessinv.model.Network;

/** The Riccati sweep ({@link RiccatiSolver}): any network, curvature, batch and damping; log|det|, inertia and the worst pivot. */
public final class RiccatiDirection implements DirectionSolver {
    @Override public String route() { return "riccati"; }

    @Override public boolean readsExamples() { return false; }

    /** Every network and batch: the memory of the sweep is checked where the heap is known ({@link SolveMemory}). */
    @Override public void checkApplicable(Network net, long batch, Curvature curvature, double delta) {}

    /** d by one backward and one forward sweep; log|det| and inertia from the pivots (block LDL^T, Sylvester). */
    @Override public DirectionSolution solve(CurvatureSystem system, double delta, double[] r, SweepProgress progress) {
        progress.planned(SweepCost.stageFlops(system.network(), system.batchSize()));
        RiccatiSolution s = RiccatiSolver.solve(system.stages(), delta, r, progress, SweepOptions.DEFAULT.withSegment(system.segment()));
        return new DirectionSolution(route(), s.direction(), s.logAbsDet(), Optional.of(s.inertia()), Optional.ofNullable(s.worstPivot()));
    }
}
