package org.hessinv.solve;

import org.hessinv.curvature.Curvature;
import org.hessinv.model.Network;

/**
 * One exact route for {@code (C + delta I) d = r} on a curvature batch. Adding a route: its class (one file), named
 * in {@code permits} here, and its constant in {@link SolverChoice}.
 */
public sealed interface DirectionSolver permits RiccatiDirection, WoodburyDirection, DenseDirection, OutputSpaceDirection {
    /** The route's name on the command line and in reports ("riccati", "output-space", ...). */
    String route();

    /** Whether the route needs the batch's examples on this machine ({@link CurvatureSystem.Examples}); else stage blocks do. */
    boolean readsExamples();

    /**
     * Refuses ({@link org.hessinv.model.InvalidInputException}, one line naming the fix) a network, curvature batch of
     * {@code batch} examples, curvature or damping the route does not solve exactly; called before any data is read.
     */
    void checkApplicable(Network net, long batch, Curvature curvature, double delta);

    /** d = (C + delta I)^-1 r with log|det(C + delta I)|, and the inertia and worst pivot where the route has them. */
    DirectionSolution solve(CurvatureSystem system, double delta, double[] r, SweepProgress progress);

    /** The system's examples, for a route that {@link #readsExamples}. */
    static org.hessinv.curvature.ExampleBatch examplesOf(CurvatureSystem system, DirectionSolver route) {
        if (system instanceof CurvatureSystem.Examples e) return e.batch();
        throw new IllegalArgumentException("the " + route.route() + " route reads the batch's examples, not only its stage blocks");
    }
}
