package org.hessinv.solve;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.hessinv.curvature.Curvature;
import org.hessinv.curvature.ExampleBatch;
import org.hessinv.linalg.SingularStageException;
import org.hessinv.model.Activation;
import org.hessinv.model.Example;
import org.hessinv.model.HiddenLayer;
import org.hessinv.model.MseHead;
import org.hessinv.model.Network;
import org.hessinv.testing.Dense;
import org.hessinv.testing.RandomProblems;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * MATH.md section 4: one example's Hessian of a dense-layer network is rank deficient (here
 * 4 tanh layers of width 4, 3 inputs, mse head, 81 parameters). Undamped, the solver must refuse it
 * with {@link SingularStageException} naming the layer and suggesting damping or GGN, never a NaN;
 * damped, it solves.
 */
class SingularCurvatureTest {
    private static final Network NET = new Network(3, List.of(
            HiddenLayer.dense(3, 4, Activation.TANH), HiddenLayer.dense(4, 4, Activation.TANH),
            HiddenLayer.dense(4, 4, Activation.TANH), HiddenLayer.dense(4, 4, Activation.TANH)), new MseHead(4, 1));

    private static ExampleBatch oneExample(Curvature c) {
        SplittableRandom rng = new SplittableRandom(11);
        double[] x = RandomProblems.parameters(rng, NET, 0.8);
        List<Example> ex = RandomProblems.examples(rng, NET, 1);
        return new ExampleBatch(NET, x, ex, c);
    }

    @ParameterizedTest
    @EnumSource(Curvature.class)
    void undampedSingleExampleIsRefusedNamingTheLayer(Curvature c) {
        ExampleBatch b = oneExample(c);
        int n = NET.paramCount();
        double[] eig = DenseSolver.eigenvalues(DenseSolver.assemble(b, 0), n);
        double norm = Math.max(-eig[0], eig[n - 1]);
        int nullity = 0;
        for (double e : eig) if (Math.abs(e) <= 1e-10 * norm) nullity++;
        assertTrue(nullity >= n / 3, c + ": expected a large null space, got " + nullity + " of " + n);
        double[] r = RandomProblems.vector(new SplittableRandom(1), n);
        SingularStageException e = assertThrows(SingularStageException.class, () -> RiccatiSolver.solve(b, 0, r, SweepProgress.NONE));
        assertTrue(e.layer() >= 1 && e.layer() <= NET.stageCount(), "layer " + e.layer());
        String msg = e.getMessage();
        assertTrue(msg.contains("singular") && msg.contains("layer " + e.layer()) && msg.contains("--damping") && msg.contains("ggn"), msg);
    }

    @ParameterizedTest
    @EnumSource(Curvature.class)
    void dampedItSolves(Curvature c) {
        ExampleBatch b = oneExample(c);
        int n = NET.paramCount();
        double delta = 1e-2;
        double[] m = DenseSolver.assemble(b, delta);
        double kappa = Dense.condition(DenseSolver.eigenvalues(m, n));
        double[] r = b.gradient();
        RiccatiSolution s = RiccatiSolver.solve(b, delta, r, SweepProgress.NONE);
        for (double v : s.direction()) assertTrue(Double.isFinite(v));
        double err = Dense.relativeError(s.direction(), DenseSolver.solve(m, n, r));
        // same bound as RiccatiSolverTest: 1e-9, or 10 n eps kappa where kappa makes that unreachable
        double bound = Math.max(1e-9, 10 * n * Dense.EPS * kappa);
        assertTrue(err <= bound, c + ": relative error " + err + " > " + bound + " (kappa " + kappa + ")");
    }

    @Test
    void badDampingOrRightHandSideIsRefused() {
        ExampleBatch b = oneExample(Curvature.GGN);
        int n = NET.paramCount();
        for (double delta : new double[] {-1e-3, Double.NaN, Double.POSITIVE_INFINITY}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RiccatiSolver.solve(b, delta, new double[n], SweepProgress.NONE));
            assertTrue(e.getMessage().contains("damping"), e.getMessage());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RiccatiSolver.solve(b, 0.1, new double[n - 1], SweepProgress.NONE));
        assertTrue(e.getMessage().contains("right-hand side has " + (n - 1)), e.getMessage());
    }

    /**
     * KNOWN ENGINE LIMITATION (reported, not fixed): a numerically singular GGN without damping is not
     * always refused. RiccatiSolverTest's problem seed 7 (batch 16, 36 parameters, kappa(G) ~5e16) has no
     * single pivot below SINGULAR_RCOND = 1e-13 (worst pivot kappa ~2e9), so the solve returns a direction
     * whose relative residual is ~150 (for this r) with no exception (seeds 15, 17, 19 likewise: 2e3..8e3).
     * Enable once the solver detects a singular system from all its pivots (or checks its residual).
     */
    @Disabled("known engine limitation: undamped singular GGN returns a meaningless direction (residual ~150) instead of SingularStageException")
    @Test
    void undampedSingularGgnOfABatchIsRefused() {
        RiccatiSolverTest.Problem pb = RiccatiSolverTest.problem(7);
        ExampleBatch b = new ExampleBatch(pb.net(), pb.x(), pb.examples(), Curvature.GGN);
        int n = pb.net().paramCount();
        double[] r = RandomProblems.vector(new SplittableRandom(7 + 99), n);
        RiccatiSolution s;
        try {
            s = RiccatiSolver.solve(b, 0, r, SweepProgress.NONE);
        } catch (SingularStageException expected) {
            return;
        }
        double res = b.relativeResidual(s.direction(), 0, r);
        assertTrue(res <= 1e-6, "singular GGN solved silently with relative residual " + res);
    }
}
