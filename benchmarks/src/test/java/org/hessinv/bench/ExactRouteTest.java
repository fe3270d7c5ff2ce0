package org.hessinv.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.hessinv.curvature.Curvature;
import org.hessinv.solve.DenseSolver;
import org.junit.jupiter.api.Test;

/**
 * Both exact routes of the suite solve the same damped GGN system: each against the dense LAPACK solve of
 * {@code G + delta I} assembled from R-passes (the independent reference), on tall depth 4 with the GGN (297 parameters).
 */
class ExactRouteTest {
    @Test
    void riccatiAndOutputSpaceMatchTheDenseSolve() {
        Workloads.Problem p = Workloads.tall(4).withCurvature(Curvature.GGN);
        double[] rhs = p.batch().gradient();
        double[] dense = DenseSolver.solve(p.batch(), p.damping, rhs);
        for (ExactRoute route : new ExactRoute[] {new ExactRoute.Riccati(), new ExactRoute.OutputSpace()}) {
            double[] d = route.solve(p, rhs);
            double diff = Vectors.relativeDifference(d, dense);
            assertTrue(diff < 1e-8, route.label() + ": relative difference to the dense solve " + diff);
            assertTrue(p.batch().relativeResidual(d, p.damping, rhs) < 1e-10, route.label());
        }
        assertEquals(2L * 16 * 16 * Double.BYTES, new ExactRoute.OutputSpace().bytes(p.net, 16));
    }
}
