package org.hessinv.solve;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.hessinv.curvature.Curvature;
import org.hessinv.curvature.ExampleBatch;
import org.hessinv.model.Network;
import org.hessinv.testing.RandomProblems;
import org.hessinv.testing.SquareProblems;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Appendix A: the paper's eq. (24), assembled from the stage blocks, is Pearlmutter's R-pass. */
class PaperHessianProductTest {
    /**
     * Both products sum the same O(n) terms in different orders; their difference is a few ulps of the
     * largest intermediate term, far below 1e-12 relative for these small, moderately scaled problems.
     */
    private static final double TOL = 1e-12;

    @ParameterizedTest(name = "seed {0}, {1}, square {2}, batch {3}")
    @CsvSource({"1, hessian, false, 1", "2, hessian, false, 3", "3, ggn, false, 3", "4, hessian, true, 1",
            "5, hessian, true, 4", "6, ggn, true, 2", "7, hessian, false, 5"})
    void equation24EqualsRPass(int seed, String curvature, boolean square, int batch) {
        SplittableRandom rng = new SplittableRandom(seed);
        Network net = square ? SquareProblems.network(rng, 3, 3, 4) : RandomProblems.network(rng, 3, 4, seed % 2 == 0);
        double[] x = square ? SquareProblems.parameters(rng, net) : RandomProblems.parameters(rng, net, 0.8);
        ExampleBatch b = new ExampleBatch(net, x, RandomProblems.examples(rng, net, batch), Curvature.fromSpec(curvature));
        for (int k = 0; k < 3; k++) {
            double[] v = RandomProblems.vector(rng, net.paramCount());
            double[] eq24 = PaperHessianProduct.apply(b, v);
            double[] rpass = b.curvatureTimes(v);
            double err = RandomProblems.relativeError(eq24, rpass);
            assertTrue(err < TOL, net.describe() + ": eq. (24) vs R-pass " + err);
        }
    }
}
