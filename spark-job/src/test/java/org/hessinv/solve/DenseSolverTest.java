package org.hessinv.solve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.hessinv.curvature.Curvature;
import org.hessinv.curvature.ExampleBatch;
import org.hessinv.testing.Dense;
import org.hessinv.testing.DenseCurvature;
import org.hessinv.testing.RandomProblems;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The dense reference the Riccati tests compare against is itself checked independently: its
 * matrix (R-pass columns, damped) against the Hessian by differences of the gradient and the GGN
 * by differenced Jacobians, on RiccatiSolverTest's random mixed networks (batch sizes 1..32); its
 * eigenvalues and solve against a matrix of known spectrum.
 */
class DenseSolverTest {
    /** FD error budget (FiniteDifferences): Hessian ~1e-11, GGN ~1e-9 relative; 100x margin. */
    private static final double HESSIAN_TOL = 1e-8;
    private static final double GGN_TOL = 1e-6;

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(ints = {0, 3, 5, 9, 14})
    void assembledMatrixIsTheIndependentCurvaturePlusDamping(int seed) {
        RiccatiSolverTest.Problem pb = RiccatiSolverTest.problem(seed);
        int n = pb.net().paramCount();
        double delta = 0.25;
        double[] shift = Dense.scale(delta, Dense.identity(n));
        double[] h = Dense.plus(DenseCurvature.hessianByGradientDifferences(pb.net(), pb.x(), pb.examples()), shift);
        double[] got = DenseSolver.assemble(new ExampleBatch(pb.net(), pb.x(), pb.examples(), Curvature.HESSIAN), delta);
        double err = Dense.norm(Dense.minus(got, h));
        assertTrue(err <= HESSIAN_TOL * Dense.norm(h), "seed " + seed + " B=" + pb.examples().size() + " Hessian error " + err);
        double[] g = Dense.plus(DenseCurvature.ggn(pb.net(), pb.x(), pb.examples()), shift);
        double[] gotG = DenseSolver.assemble(new ExampleBatch(pb.net(), pb.x(), pb.examples(), Curvature.GGN), delta);
        double errG = Dense.norm(Dense.minus(gotG, g));
        assertTrue(errG <= GGN_TOL * Dense.norm(g), "seed " + seed + " GGN error " + errG);
        assertEquals(0.0, Dense.asymmetry(got, n));
    }

    @Test
    void eigenvaluesAndSolveOfAKnownSpectrum() {
        SplittableRandom rng = new SplittableRandom(17);
        int n = 12;
        double[] lambda = {-3, -1, -0.5, 0.01, 0.2, 0.7, 1, 1.5, 2, 4, 8, 16};
        double[] u = Dense.randomOrthogonal(rng, n);
        double[] m = Dense.fromEigen(u, lambda);
        double[] eig = DenseSolver.eigenvalues(m, n);
        double kappa = Dense.condition(lambda);
        for (int i = 0; i < n; i++) assertEquals(lambda[i], eig[i], 10 * n * Dense.EPS * 16, "eigenvalue " + i + " of " + Arrays.toString(eig));
        double[] r = RandomProblems.vector(rng, n);
        double[] inv = new double[n];
        for (int i = 0; i < n; i++) inv[i] = 1 / lambda[i];
        double[] expected = Dense.times(Dense.fromEigen(u, inv), n, n, r);
        double err = Dense.relativeError(DenseSolver.solve(m, n, r), expected);
        assertTrue(err <= 20 * n * Dense.EPS * kappa, "solve error " + err);
    }
}
