package org.hessinv.solve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.hessinv.curvature.Curvature;
import org.hessinv.curvature.ExampleBatch;
import org.hessinv.linalg.Inertia;
import org.hessinv.model.Example;
import org.hessinv.model.InvalidInputException;
import org.hessinv.model.Network;
import org.hessinv.testing.Dense;
import org.hessinv.testing.DenseGgn;
import org.hessinv.testing.RandomProblems;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The direction-solver family on one small GGN problem against a dense reference that shares none of the routes'
 * code: G assembled by the chain rule ({@link DenseGgn}), {@code G + delta I} solved by LAPACK's LU and its
 * log|det| and inertia from LAPACK's dsyev. Tolerances as in OutputSpaceGgnTest, with
 * {@code kappa = (lambda_max + delta) / lambda_min} from the dense eigenvalues and FACTOR = 10 the backward-error
 * constant of RiccatiSolverTest: direction {@code FACTOR n eps kappa} relative (floor 1e-12), log|det|
 * {@code FACTOR n^2 eps kappa} absolute, inertia exact (every eigenvalue is at least delta away from 0).
 * Then the route choice: auto by the cost models, the Hessian never in output space.
 */
class DirectionSolverTest {
    private static final double FACTOR = 10;
    private static final double DELTA = 1e-2;

    /** The reference and one route's solution of the same system. */
    private static void assertAgrees(double[] dRef, double logDetRef, Inertia inertiaRef, double kappa, int n, DirectionSolution s, String what) {
        double dirTol = Math.max(1e-12, FACTOR * n * Dense.EPS * kappa);
        double err = RandomProblems.relativeError(s.direction(), dRef);
        assertTrue(err <= dirTol, what + ": |d - d_ref| / |d_ref| = " + err + " > " + dirTol);
        assertEquals(logDetRef, s.logAbsDet(), FACTOR * n * n * Dense.EPS * kappa, what + ": log|det|");
        assertEquals(inertiaRef, s.inertia().orElseThrow(), what + ": inertia");
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(ints = {1, 2, 3})
    void everyRouteAgreesWithTheDenseReferenceOnTheGgn(int seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        Network net = RandomProblems.network(rng, 3, 3, seed % 2 == 0);
        List<Example> examples = RandomProblems.examples(rng, net, 4);
        double[] x = RandomProblems.parameters(rng, net, 0.8);
        int n = net.paramCount();
        double[] r = RandomProblems.vector(rng, n);

        double[] m = DenseGgn.ggn(net, x, examples);
        for (int i = 0; i < n; i++) m[i * n + i] += DELTA;
        double[] lambda = DenseSolver.eigenvalues(m, n);
        double logDet = 0;
        for (double l : lambda) logDet += Math.log(Math.abs(l));
        assertTrue(lambda[0] > DELTA / 2, "G + delta I is positive definite: " + lambda[0]);
        double kappa = lambda[n - 1] / lambda[0];
        double[] dRef = DenseSolver.solve(m, n, r);
        Inertia inertiaRef = new Inertia(0, 0, n);

        CurvatureSystem system = new CurvatureSystem.Examples(new ExampleBatch(net, x, examples, Curvature.GGN));
        for (SolverChoice choice : List.of(SolverChoice.RICCATI, SolverChoice.OUTPUT_SPACE, SolverChoice.DENSE)) {
            DirectionSolver solver = choice.resolve(net, examples.size(), Curvature.GGN, DELTA, 1);
            DirectionSolution s = solver.solve(system, DELTA, r, SweepProgress.NONE);
            assertEquals(choice.specName(), s.route(), "the solution names the route that ran");
            assertAgrees(dRef, logDet, inertiaRef, kappa, n, s, net.describe() + " by " + s.route());
        }
        // the Riccati route through stage blocks alone reads the same system
        DirectionSolution stages = new RiccatiDirection().solve(new CurvatureSystem.Stages(net, examples.size(), system.stages(),
                net.stageCount()), DELTA, r, SweepProgress.NONE);
        assertAgrees(dRef, logDet, inertiaRef, kappa, n, stages, "riccati on stage blocks");
        assertTrue(stages.worstPivot().isPresent(), "the Riccati route reports its worst pivot");
    }

    @Test
    void routesThatReadExamplesRefuseStageBlocksAlone() {
        SplittableRandom rng = new SplittableRandom(9);
        Network net = RandomProblems.network(rng, 3, 2, false);
        List<Example> examples = RandomProblems.examples(rng, net, 2);
        ExampleBatch batch = new ExampleBatch(net, net.initialParameters(0), examples, Curvature.GGN);
        CurvatureSystem stages = new CurvatureSystem.Stages(net, 2, batch, net.stageCount());
        double[] r = new double[net.paramCount()];
        assertThrows(IllegalArgumentException.class, () -> new OutputSpaceDirection().solve(stages, DELTA, r, SweepProgress.NONE));
        assertThrows(IllegalArgumentException.class, () -> new DenseDirection().solve(stages, DELTA, r, SweepProgress.NONE));
    }

    /** The anchor preset (conf/models/wide-input.json): n = 22,306 parameters, 10 classes. */
    private static final Network WIDE_INPUT = SolverCostsTest.ANCHOR;

    @Test
    void autoTakesTheCheaperRouteByTheCostModels() {
        for (long batch : new long[] {1, 4, 16, 128, 2048}) {
            for (Curvature c : Curvature.values()) {
                DirectionSolver s = SolverChoice.AUTO.resolve(WIDE_INPUT, batch, c, 1e-3, 1);
                String expected = SolverCosts.cheaper(WIDE_INPUT, batch, c, 1e-3, 1) == SolverCosts.Route.OUTPUT_SPACE ? "output-space" : "riccati";
                assertEquals(expected, s.route(), "batch " + batch + ", " + c.specName());
            }
        }
        assertInstanceOf(OutputSpaceDirection.class, SolverChoice.AUTO.resolve(WIDE_INPUT, 4, Curvature.GGN, 1e-3, 1),
                "the wide-input preset at a small batch: B K = 40 outputs against n = 22,306 parameters");
        assertInstanceOf(RiccatiDirection.class, SolverChoice.AUTO.resolve(WIDE_INPUT, 4, Curvature.GGN, 0.0, 1),
                "no damping: the output space does not apply");
    }

    @Test
    void theHessianNeverGoesToTheOutputSpace() {
        for (long batch : new long[] {1, 4, 64, 4096}) {
            assertInstanceOf(RiccatiDirection.class, SolverChoice.AUTO.resolve(WIDE_INPUT, batch, Curvature.HESSIAN, 1e-3, 1));
        }
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> SolverChoice.OUTPUT_SPACE.resolve(WIDE_INPUT, 4, Curvature.HESSIAN, 1e-3, 1));
        assertEquals("--solver output-space solves the Gauss-Newton curvature only; use --curvature ggn or --solver riccati", e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
        assertThrows(InvalidInputException.class, () -> SolverChoice.OUTPUT_SPACE.resolve(WIDE_INPUT, 4, Curvature.GGN, 0.0, 1));
    }

    @Test
    void everyChoiceParsesFromItsName() {
        for (SolverChoice c : SolverChoice.values()) assertEquals(c, SolverChoice.fromSpec(c.specName()));
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> SolverChoice.fromSpec("cg"));
        assertTrue(e.getMessage().startsWith("unknown --solver \"cg\""), e.getMessage());
    }
}
