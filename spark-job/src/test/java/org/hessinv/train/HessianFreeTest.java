package org.hessinv.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.hessinv.curvature.Curvature;
import org.hessinv.model.Example;
import org.hessinv.model.Network;
import org.hessinv.testing.Dense;
import org.hessinv.testing.RandomProblems;
import org.junit.jupiter.api.Test;

/** Hessian-free's CG on a small damped GGN against the exact Riccati solve (itself tested against dense LAPACK). */
class HessianFreeTest {
    record Problem(BatchObjective f, double[] x, double[] g, DampedCurvature c) {}

    static Problem problem(long seed) {
        Network net = LevenbergMarquardtTest.tanhNetwork();
        SplittableRandom rng = new SplittableRandom(seed);
        List<Example> data = RandomProblems.examples(rng, net, 30);
        BatchObjective f = new BatchObjective(net, data, Curvature.GGN, 12);
        double[] x = RandomProblems.parameters(rng, net, 1.0);
        return new Problem(f, x, f.lossAndGradient(x).gradient(), f.curvature(x, 1));
    }

    /**
     * Untruncated CG (progress test off, up to 10 n iterations) solves (G + lambda I) d = g to the exact solve's answer:
     * lambda 1e-2 keeps kappa <= ~1e3 here, so 1e-8 relative is far above CG's rounding (~kappa eps).
     */
    @Test
    void untruncatedCgEqualsTheExactSolve() {
        Problem p = problem(8);
        double lambda = 1e-2;
        int n = p.g().length;
        HessianFree.Cg cg = HessianFree.conjugateGradient(p.c(), lambda, p.g(), new double[n], 10 * n, 0);
        double[] exact = p.c().solve(lambda, p.g()).direction();
        assertTrue(Dense.relativeError(cg.direction(), exact) < 1e-8, "CG vs exact: " + Dense.relativeError(cg.direction(), exact) + " (" + cg.stop() + ")");
        assertEquals("residual", cg.stop());
        assertEquals(cg.iterations(), cg.products(), "one product per iteration from a zero start");
    }

    /** Martens' test stops CG before the cap, at a model value within 1% of the exact minimum; a start at the solution costs one product. */
    @Test
    void truncationAndWarmStart() {
        Problem p = problem(9);
        double lambda = 1e-4;
        int n = p.g().length;
        HessianFree.Cg cg = HessianFree.conjugateGradient(p.c(), lambda, p.g(), new double[n], 10 * n, 5e-4);
        double[] exact = p.c().solve(lambda, p.g()).direction();
        double qCg = model(p, lambda, cg.direction()), qExact = model(p, lambda, exact);
        assertTrue(qExact < 0 && qCg <= 0.99 * qExact, "model: CG " + qCg + " vs exact " + qExact);
        assertTrue(qCg >= qExact - 1e-12 * Math.abs(qExact), "CG cannot beat the exact minimizer");
        HessianFree.Cg warm = HessianFree.conjugateGradient(p.c(), lambda, p.g(), exact, 10 * n, 5e-4);
        assertTrue(warm.iterations() <= 1, "warm start at the solution: " + warm.iterations() + " iterations (" + warm.stop() + ")");
    }

    /** q(d) = d^T (C + lambda I) d / 2 - g^T d, by an independent product. */
    static double model(Problem p, double lambda, double[] d) {
        double[] cd = p.c().times(d);
        double q = 0;
        for (int i = 0; i < d.length; i++) q += 0.5 * d[i] * (cd[i] + lambda * d[i]) - p.g()[i] * d[i];
        return q;
    }
}
