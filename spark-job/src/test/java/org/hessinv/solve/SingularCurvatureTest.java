package org.hessinv.solve;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.hessinv.curvature.Curvature;
import org.hessinv.curvature.ExampleBatch;
import org.hessinv.model.Activation;
import org.hessinv.model.Example;
import org.hessinv.model.HiddenLayer;
import org.hessinv.model.MseHead;
import org.hessinv.model.Network;
import org.hessinv.testing.Dense;
import org.hessinv.testing.RandomProblems;
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
        assertTrue(msg.contains("singular") && msg.contains("layer " + e.layer()) && msg.contains("--damping"), msg);
        // a capacitance stage (more parameters than batch x units) is singular for the GGN too: there the advice is a larger batch
        String alternative = msg.contains("rank at most") ? "--curvature-batch" : "ggn";
        assertTrue(msg.contains(alternative), msg);
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
     * A numerically singular GGN without damping whose stage pivots are each factorizable: RiccatiSolverTest's
     * problem seed 7 (batch 16, 36 parameters, kappa(G) ~5e16, worst pivot kappa ~2e9, none below
     * SINGULAR_RCOND). The pivots cannot see it; the R-pass residual certificate does: solveCertified refuses
     * with the residual and the worst pivot's layer, and never returns the meaningless direction.
     */
    @Test
    void undampedSingularGgnOfABatchIsRefusedByTheCertificate() {
        RiccatiSolverTest.Problem pb = RiccatiSolverTest.problem(7);
        ExampleBatch b = new ExampleBatch(pb.net(), pb.x(), pb.examples(), Curvature.GGN);
        int n = pb.net().paramCount();
        double[] r = RandomProblems.vector(new SplittableRandom(7 + 99), n);
        // precondition of the test: the system really is numerically singular (dense eigenvalues)
        double[] eig = DenseSolver.eigenvalues(DenseSolver.assemble(b, 0), n);
        assertTrue(Math.abs(eig[0]) <= 1e-12 * Math.abs(eig[n - 1]), "expected a numerically singular GGN, smallest eigenvalue " + eig[0]);
        NumericallySingularException e = assertThrows(NumericallySingularException.class,
                () -> RiccatiSolver.solveCertified(b, 0, r, ResidualCertificate.DEFAULT_LIMIT, SweepProgress.NONE));
        assertTrue(e.residual() > ResidualCertificate.DEFAULT_LIMIT, "residual " + e.residual());
        assertTrue(e.getMessage().contains("numerically singular") && e.getMessage().contains("layer " + e.layer())
                && e.getMessage().contains("--damping"), e.getMessage());
        assertTrue(e.layer() >= 1 && e.layer() <= pb.net().stageCount(), "layer " + e.layer());
        // with damping the same system is certified
        RiccatiSolution s = RiccatiSolver.solveCertified(b, 1e-2, r, ResidualCertificate.DEFAULT_LIMIT, SweepProgress.NONE);
        assertTrue(b.relativeResidual(s.direction(), 1e-2, r) <= ResidualCertificate.DEFAULT_LIMIT);
    }
}
