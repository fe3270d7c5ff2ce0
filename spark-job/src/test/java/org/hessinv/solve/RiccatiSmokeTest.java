package org.hessinv.solve;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.hessinv.curvature.Curvature;
import org.hessinv.curvature.ExampleBatch;
import org.hessinv.model.Network;
import org.hessinv.testing.RandomProblems;
import org.junit.jupiter.api.Test;

class RiccatiSmokeTest {
    @Test
    void smoke() {
        for (int seed = 0; seed < 6; seed++) {
            SplittableRandom rng = new SplittableRandom(seed);
            Network net = RandomProblems.network(rng, 3, 3, seed % 2 == 0);
            double[] x = RandomProblems.parameters(rng, net, 0.8);
            var ex = RandomProblems.examples(rng, net, 4);
            for (Curvature c : Curvature.values()) {
                ExampleBatch b = new ExampleBatch(net, x, ex, c);
                double[] r = RandomProblems.vector(rng, net.paramCount());
                double delta = 0.1;
                double[] dense = DenseSolver.solve(b, delta, r);
                RiccatiSolution s = RiccatiSolver.solve(b, delta, r, SweepProgress.NONE);
                double err = RandomProblems.relativeError(s.direction(), dense);
                System.out.println(seed + " " + c + " " + net.describe() + " err=" + err + " res=" + b.relativeResidual(s.direction(), delta, r));
                assertTrue(err < 1e-8, "err " + err);
            }
        }
    }
}
