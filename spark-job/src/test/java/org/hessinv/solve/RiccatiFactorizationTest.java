package org.hessinv.solve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.hessinv.curvature.Curvature;
import org.hessinv.curvature.ExampleBatch;
import org.hessinv.model.Network;
import org.hessinv.testing.Dense;
import org.hessinv.testing.FiniteDifferences;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The sampling map of {@link RiccatiFactorization}: T (eps -> d) is a square root of the inverse,
 * {@code T T^T = (C + delta I)^-1}; sample() is T applied to standard normal draws; a system that
 * is not positive definite is refused with a clear message.
 */
class RiccatiFactorizationTest {
    /** A small network (seed 1: 3 dense sigmoid layers, mse head, 23 parameters), batch 2. */
    private static RiccatiSolverTest.Problem small() { return RiccatiSolverTest.problem(1); }

    private static double[] matrix(ExampleBatch b, double delta) { return DenseSolver.assemble(b, delta); }

    /**
     * The damping that makes C + delta I positive definite with a margin: 0.1 above -lambda_min(C).
     * Hessian: H has negative eigenvalues here (checked), so this is a real shift.
     */
    private static double positiveDamping(ExampleBatch b, int n) {
        double[] eig = DenseSolver.eigenvalues(matrix(b, 0), n);
        return Math.max(0, -eig[0]) + 0.1;
    }

    @ParameterizedTest
    @EnumSource(Curvature.class)
    void sampleMapIsASquareRootOfTheInverse(Curvature c) {
        RiccatiSolverTest.Problem pb = small();
        ExampleBatch b = new ExampleBatch(pb.net(), pb.x(), pb.examples(), c);
        int n = pb.net().paramCount();
        double delta = positiveDamping(b, n);
        double[] m = matrix(b, delta);
        double[] eig = DenseSolver.eigenvalues(m, n);
        if (c == Curvature.HESSIAN) assertTrue(DenseSolver.eigenvalues(matrix(b, 0), n)[0] < -1e-3, "the Hessian should be indefinite");
        RiccatiFactorization f = RiccatiSolver.backwardSweep(b, delta, new double[n], SweepProgress.NONE);
        double[] t = new double[n * n];
        for (int j = 0; j < n; j++) System.arraycopy(f.sampleMap(b, FiniteDifferences.unit(n, j)), 0, t, j * n, n);
        double[] ttT = Dense.multiply(t, Dense.transpose(t, n, n), n, n, n);
        // M T T^T = I up to the forward error of an inverse, ~n eps kappa per column: Frobenius sqrt(n) times that
        double err = Dense.norm(Dense.minus(Dense.multiply(m, ttT, n, n, n), Dense.identity(n)));
        double bound = 10 * Math.sqrt(n) * n * Dense.EPS * Dense.condition(eig);
        assertTrue(err <= bound, c + ": ||M T T^T - I||_F = " + err + " > " + bound);
    }

    /** sample() is the map applied to the standard normal draws of the same generator, layer by layer. */
    @Test
    void sampleIsTheMapOfNormalDraws() {
        RiccatiSolverTest.Problem pb = small();
        ExampleBatch b = new ExampleBatch(pb.net(), pb.x(), pb.examples(), Curvature.GGN);
        int n = pb.net().paramCount();
        RiccatiFactorization f = RiccatiSolver.backwardSweep(b, 0.1, new double[n], SweepProgress.NONE);
        SplittableRandom draws = new SplittableRandom(42);
        double[] eps = new double[n];
        for (int i = 0; i < n; i++) eps[i] = Network.gaussian(draws);
        assertArrayEquals(f.sampleMap(b, eps), f.sample(b, new SplittableRandom(42)));
    }

    /** An indefinite system (Hessian, delta 1e-3) is refused by both sample and sampleMap, naming the fix. */
    @Test
    void samplingRefusesANonPositiveDefiniteSystem() {
        RiccatiSolverTest.Problem pb = small();
        ExampleBatch b = new ExampleBatch(pb.net(), pb.x(), pb.examples(), Curvature.HESSIAN);
        int n = pb.net().paramCount();
        RiccatiFactorization f = RiccatiSolver.backwardSweep(b, 1e-3, new double[n], SweepProgress.NONE);
        assertTrue(f.inertia().negative() > 0, "this case must be indefinite: " + f.inertia());
        for (Runnable call : new Runnable[] {() -> f.sample(b, new SplittableRandom(1)), () -> f.sampleMap(b, new double[n])}) {
            IllegalStateException e = assertThrows(IllegalStateException.class, call::run);
            String msg = e.getMessage();
            assertTrue(msg.contains("positive definite") && msg.contains("damping") && msg.contains("ggn")
                    && msg.contains("negative=" + f.inertia().negative()), msg);
        }
    }

    /** The forward sweep of a kept factorization gives the solve's direction. */
    @Test
    void forwardSweepReproducesTheSolve() {
        RiccatiSolverTest.Problem pb = small();
        ExampleBatch b = new ExampleBatch(pb.net(), pb.x(), pb.examples(), Curvature.HESSIAN);
        int n = pb.net().paramCount();
        double[] r = org.hessinv.testing.RandomProblems.vector(new SplittableRandom(3), n);
        RiccatiFactorization f = RiccatiSolver.backwardSweep(b, 0.05, r, SweepProgress.NONE);
        RiccatiSolution s = RiccatiSolver.solve(b, 0.05, r, SweepProgress.NONE);
        assertArrayEquals(s.direction(), f.forwardSweep(b, SweepProgress.NONE));
        assertEquals(s.logAbsDet(), f.logAbsDet());
        assertEquals(s.inertia(), f.inertia());
    }

    /**
     * Many right-hand sides on one factorization ({@link RiccatiFactorization#solveAll}) equal a full sweep per
     * right-hand side, for both curvatures, with every gain kept and with gains recomputed per segment.
     */
    @ParameterizedTest
    @EnumSource(Curvature.class)
    void manyRightHandSidesEqualSeparateSolves(Curvature c) {
        for (int seed = 1; seed <= 6; seed++) {
            RiccatiSolverTest.Problem pb = RiccatiSolverTest.problem(seed);
            ExampleBatch b = new ExampleBatch(pb.net(), pb.x(), pb.examples(), c);
            int n = pb.net().paramCount();
            double delta = c == Curvature.HESSIAN ? positiveDamping(b, n) : 1e-3;
            SplittableRandom rng = new SplittableRandom(100 + seed);
            double[][] rhs = new double[5][];
            for (int j = 0; j < rhs.length; j++) rhs[j] = org.hessinv.testing.RandomProblems.vector(rng, n);
            for (int segment : new int[] {pb.net().stageCount(), 1}) {
                RiccatiFactorization f = RiccatiSolver.backwardSweep(b, delta, new double[n], SweepProgress.NONE, SweepOptions.DEFAULT.withSegment(segment));
                double[][] many = f.solveAll(b, rhs);
                for (int j = 0; j < rhs.length; j++) {
                    double[] separate = RiccatiSolver.solve(b, delta, rhs[j], SweepProgress.NONE).direction();
                    double err = org.hessinv.testing.RandomProblems.relativeError(many[j], separate);
                    // the same eliminations, with K_l^T qd in place of Qsd k_l: equal up to a few rounding errors of the solve
                    double bound = 1e3 * n * Dense.EPS * Dense.condition(DenseSolver.eigenvalues(matrix(b, delta), n));
                    assertTrue(err <= Math.max(1e-12, bound), c + " seed " + seed + " segment " + segment + " rhs " + j + ": relative difference " + err);
                }
            }
        }
    }
}
