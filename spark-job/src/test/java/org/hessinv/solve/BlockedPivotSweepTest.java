package org.hessinv.solve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.hessinv.curvature.Curvature;
import org.hessinv.curvature.ExampleBatch;
import org.hessinv.linalg.BlockedBunchKaufman;
import org.hessinv.model.Activation;
import org.hessinv.model.Example;
import org.hessinv.model.HiddenLayer;
import org.hessinv.model.MseHead;
import org.hessinv.model.Network;
import org.hessinv.testing.Dense;
import org.hessinv.testing.RandomProblems;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Riccati solve of an indefinite Hessian whose pivots (p = 90 >= the crossover order 64) go through
 * {@link BlockedBunchKaufman}: input 9, a dense and two residual tanh layers of width 9, mse head with 2
 * outputs, 12 examples, damping 1e-3; direction, log|det| and inertia against the dense LU solve and
 * eigendecomposition with {@link RiccatiSolverTest}'s tolerances (direction within max(1e-9, 10 n eps kappa),
 * log|det| within 10 n^2 eps kappa, inertia exact).
 */
class BlockedPivotSweepTest {
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(ints = {1, 2, 3})
    void indefiniteBlockedPivotsMatchTheDenseSolve(int seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        int w = 9;
        Network net = new Network(w, List.of(HiddenLayer.dense(w, w, Activation.TANH), HiddenLayer.residual(w, Activation.TANH),
                HiddenLayer.residual(w, Activation.TANH)), new MseHead(w, 2));
        double[] x = RandomProblems.parameters(rng, net, 1.5);
        List<Example> examples = RandomProblems.examples(rng, net, 12);
        ExampleBatch batch = new ExampleBatch(net, x, examples, Curvature.HESSIAN);
        double delta = 1e-3;
        int n = net.paramCount();
        double[] r = RandomProblems.vector(rng, n);
        RiccatiFactorization f = RiccatiSolver.backwardSweep(batch, delta, r, SweepProgress.NONE);
        int blocked = 0;
        for (int l = 0; l < net.stageCount(); l++) if (f.pivot(l) instanceof BlockedBunchKaufman) blocked++;
        assertTrue(blocked >= 1, "no pivot went through the blocked Bunch-Kaufman");

        double[] m = DenseSolver.assemble(batch, delta);
        double[] eig = DenseSolver.eigenvalues(m, n);
        double kappa = Dense.condition(eig);
        assertTrue(eig[0] < 0, "the damped Hessian must be indefinite for this test");
        double[] d = f.forwardSweep(batch, SweepProgress.NONE);
        double err = Dense.relativeError(d, DenseSolver.solve(m, n, r));
        double bound = Math.max(1e-9, 10 * n * Dense.EPS * kappa);
        assertTrue(err <= bound, "relative error " + err + " > " + bound + " (kappa " + kappa + ")");
        Dense.Spectrum spectrum = Dense.spectrum(eig);
        assertEquals(spectrum.logAbsDet(), f.logAbsDet(), 10.0 * n * n * Dense.EPS * kappa, "log|det|");
        assertEquals(spectrum.inertia(), f.inertia(), "inertia");
    }
}
