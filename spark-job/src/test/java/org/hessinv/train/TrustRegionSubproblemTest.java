package org.hessinv.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.hessinv.model.Network;
import org.hessinv.testing.Dense;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The exact trust-region step against the Moré-Sorensen optimality conditions and against the global
 * minimizer computed independently in the eigenbasis of a matrix of known spectrum:
 * {@code d(lambda) = sum_k (u_k^T g) / (e_k + lambda) u_k}, {@code lambda*} by bisection on the monotone
 * {@code ||d(lambda)||} to machine precision (or the hard-case formula).
 *
 * <p>Tolerances. The search stops at {@code | ||d|| - Delta | <= 1e-10 Delta} (its setting here); the spectra
 * have condition numbers up to 1e3 for the shifted matrices at the solution, so the direction matches the
 * reference to about {@code 1e-10 * kappa ~ 1e-7} relative (asserted: 1e-6), and the dgesv residual of
 * {@code (C + lambda I) d = g} is at the level {@code n eps kappa ~ 1e-12} (asserted: 1e-9).
 */
class TrustRegionSubproblemTest {
    static final TrustRegionSubproblem.Settings TIGHT = new TrustRegionSubproblem.Settings(1e-10, 200, 1e-12, 8);

    /** Spectra: positive definite, indefinite with several negative eigenvalues, and one tiny positive gap. */
    static double[] spectrum(int kind, int n) {
        double[] e = new double[n];
        for (int k = 0; k < n; k++) {
            double t = (double) k / (n - 1);
            e[k] = switch (kind) {
                case 0 -> 0.5 + 9.5 * t;             // PD, condition 20
                case 1 -> -3 + 8 * t;                // indefinite: about 3/8 negative
                default -> (k == 0 ? -2 : 0.01 + t); // one negative, then a cluster near 0
            };
        }
        return e;
    }

    @ParameterizedTest(name = "spectrum {0}")
    @ValueSource(ints = {0, 1, 2})
    void boundaryAndInteriorStepsAreTheGlobalMinimizers(int kind) {
        int n = 12;
        SplittableRandom rng = new SplittableRandom(31 + kind);
        DenseDampedCurvature c = new DenseDampedCurvature(Dense.randomOrthogonal(rng, n), spectrum(kind, n));
        double[] g = new double[n];
        for (int i = 0; i < n; i++) g[i] = Network.gaussian(rng);
        for (double radius : new double[] {0.05, 0.5, 5, 500}) {
            TrustRegionSubproblem.Step s = TrustRegionSubproblem.solve(c, g, radius, TIGHT);
            Reference ref = reference(c, g, radius);
            checkOptimality(c, g, radius, s, ref);
            assertFalse(s.hardCase(), "a generic g is never the hard case");
            assertEquals(ref.lambda == 0 && kind == 0 ? 0 : ref.lambda, s.lambda(), 1e-6 * Math.max(1, ref.lambda), "lambda at radius " + radius);
            assertTrue(Dense.relativeError(s.direction(), ref.d) <= 1e-6, "direction at radius " + radius + ": " + Dense.relativeError(s.direction(), ref.d));
            int negatives = 0;
            for (double e : c.eig) if (e < 0) negatives++;
            assertEquals(negatives, s.negativeEigenvalues(), "negative eigenvalues of C");
            assertEquals(negatives > 0, s.indefinite(), "indefinite reported exactly when C has a negative eigenvalue");
        }
    }

    /**
     * The hard case: g orthogonal to the eigenvector of the smallest eigenvalue e_1 < 0 and a radius larger than
     * ||d(-e_1)||, so no lambda > -e_1 reaches the boundary: the step must be d(-e_1) + tau u_1 on the boundary,
     * whose model value is the global minimum {@code m* = -g.p/2... } computed here in the eigenbasis.
     */
    @ParameterizedTest(name = "n = {0}")
    @ValueSource(ints = {6, 15})
    void hardCaseStepUsesNegativeCurvature(int n) {
        SplittableRandom rng = new SplittableRandom(7 + n);
        double[] eig = spectrum(1, n);
        DenseDampedCurvature c = new DenseDampedCurvature(Dense.randomOrthogonal(rng, n), eig);
        double[] g = new double[n];
        for (int i = 0; i < n; i++) g[i] = Network.gaussian(rng);
        double[] u1 = c.vector(0);
        g = Vectors.plus(g, -Vectors.dot(g, u1), u1);   // g ⟂ u_1
        // p = d(-e_1) without the u_1 component, ||p|| < radius
        double[] p = new double[n];
        for (int k = 1; k < n; k++) p = Vectors.plus(p, Vectors.dot(c.vector(k), g) / (eig[k] - eig[0]), c.vector(k));
        double radius = 2 * Vectors.norm(p);
        TrustRegionSubproblem.Step s = TrustRegionSubproblem.solve(c, g, radius, TIGHT);
        assertTrue(s.hardCase(), "the hard case is recognized");
        assertEquals(radius, Vectors.norm(s.direction()), 1e-6 * radius, "hard-case step on the boundary");
        assertEquals(-eig[0], s.lambda(), 1e-8, "lambda = -e_1");
        // global minimum of m(s) = g.s + s.C.s/2 on the ball: s* = -(p + tau u_1), ||s*|| = radius; its value
        double tau = Math.sqrt(radius * radius - Vectors.dot(p, p));
        double[] best = Vectors.plus(p, tau, u1);
        double mStar = model(c, g, best);
        assertEquals(mStar, model(c, g, s.direction()), 1e-6 * Math.abs(mStar), "model value at the hard-case step");
    }

    /** m(-d) = -g.d + d.C.d / 2 (the step is x - d). */
    static double model(DenseDampedCurvature c, double[] g, double[] d) {
        return -Vectors.dot(g, d) + Vectors.dot(d, c.times(d)) / 2;
    }

    static void checkOptimality(DenseDampedCurvature c, double[] g, double radius, TrustRegionSubproblem.Step s, Reference ref) {
        double[] d = s.direction();
        double dn = Vectors.norm(d);
        assertTrue(dn <= radius * (1 + 1e-9), "||d|| = " + dn + " <= Delta = " + radius);
        double[] res = Vectors.plus(Vectors.plus(c.times(d), s.lambda(), d), -1, g);
        assertTrue(Vectors.norm(res) <= 1e-9 * Vectors.norm(g), "(C + lambda I) d = g: residual " + Vectors.norm(res));
        assertTrue(s.lambda() + c.eig[0] >= -1e-9 * c.maxAbs(), "C + lambda I positive semidefinite: lambda " + s.lambda() + ", e_1 " + c.eig[0]);
        assertTrue(s.lambda() >= 0, "lambda >= 0");
        assertTrue(s.lambda() * Math.abs(radius - dn) <= 1e-9 * Math.max(1, s.lambda()) * radius, "complementarity lambda (Delta - ||d||) = 0");
        assertEquals(model(c, g, ref.d), model(c, g, d), 1e-9 * Math.abs(model(c, g, ref.d)), "model value equals the global minimum");
    }

    record Reference(double lambda, double[] d) {}

    /** The global minimizer for a generic g: lambda = 0 when C is PD and ||C^-1 g|| <= Delta, else the root of ||d(lambda)|| = Delta above max(0, -e_1) by bisection. */
    static Reference reference(DenseDampedCurvature c, double[] g, double radius) {
        int n = c.n;
        double[] gamma = new double[n];
        for (int k = 0; k < n; k++) gamma[k] = Vectors.dot(c.vector(k), g);
        double lo = Math.max(0, -c.eig[0]);
        if (c.eig[0] > 0 && normAt(c.eig, gamma, 0) <= radius) return new Reference(0, dAt(c, gamma, 0));
        double hi = lo + 1;
        while (normAt(c.eig, gamma, hi) > radius) hi *= 2;
        for (int it = 0; it < 2000 && hi - lo > 1e-15 * hi; it++) {
            double mid = 0.5 * (lo + hi);
            if (normAt(c.eig, gamma, mid) > radius) lo = mid; else hi = mid;
        }
        return new Reference(hi, dAt(c, gamma, hi));
    }

    static double normAt(double[] eig, double[] gamma, double lambda) {
        double s = 0;
        for (int k = 0; k < eig.length; k++) s += Math.pow(gamma[k] / (eig[k] + lambda), 2);
        return Math.sqrt(s);
    }

    static double[] dAt(DenseDampedCurvature c, double[] gamma, double lambda) {
        double[] d = new double[c.n];
        for (int k = 0; k < c.n; k++) d = Vectors.plus(d, gamma[k] / (c.eig[k] + lambda), c.vector(k));
        return d;
    }
}
