package org.hessinv.train;

import java.util.SplittableRandom;
import org.hessinv.solve.SingularStageException;

/**
 * The exact trust-region step (Moré and Sorensen, 1983): minimize the model
 * {@code m(s) = g^T s + s^T C s / 2} over {@code ||s|| <= Delta}. Its solution is {@code s = -d},
 *
 * <pre>
 *   (C + lambda I) d = g,   C + lambda I positive semidefinite,   lambda >= 0,   lambda (Delta - ||d||) = 0,
 * </pre>
 *
 * found with an exact solver whose inertia tells, for each trial {@code lambda}, whether {@code C + lambda I}
 * is positive definite; no eigenvalue solver. The search keeps a bracket {@code [lo, hi]} on {@code lambda}:
 * {@code lo} is a trial that was not positive definite or gave {@code ||d|| > Delta}, {@code hi} one that was
 * positive definite with {@code ||d|| < Delta}. On the positive definite side
 * {@code phi(lambda) = 1/||d(lambda)|| - 1/Delta} is increasing, concave and nearly linear, so the next
 * trial is a secant step on {@code phi} through the last two positive definite trials (from one trial: the
 * step that is exact when one eigenvalue dominates, {@code lambda + ||g||/Delta - ||g||/||d||}),
 * clamped into the bracket, else bisection; while no trial was positive definite {@code lambda} grows
 * geometrically. The search stops when {@code | ||d|| - Delta | <= tolerance Delta}.
 *
 * <p>The hard case: {@code g} (nearly) orthogonal to the eigenvectors of the smallest eigenvalue
 * {@code lambda_1 < 0}, so {@code ||d(lambda)|| < Delta} for every {@code lambda > -lambda_1}: the bracket
 * collapses onto {@code -lambda_1} with {@code ||d|| < Delta}. Then {@code d + tau z} with {@code z} a unit
 * vector of (nearly) negative curvature, from inverse iteration with the same shifted solver
 * {@code z <- (C + hi I)^-1 z}, and {@code tau} the root of {@code ||d + tau z|| = Delta} with the lower
 * model value.
 */
public final class TrustRegionSubproblem {
    /** The stopping and safeguard settings of the search. */
    public record Settings(double tolerance, int maxSolves, double collapse, int inverseIterations) {
        /** |‖d‖ − Δ| ≤ 1% of Δ (Moré-Sorensen's sigma_1 is 0.1; 1% costs one or two solves more), 40 solves at most. */
        public static final Settings DEFAULT = new Settings(1e-2, 40, 1e-9, 4);
    }

    /**
     * The step taken as {@code x - direction}, the {@code lambda} it solves with, whether it lies on the boundary,
     * the negative eigenvalue count of {@code C} itself (-1 when the {@code lambda = 0} trial was singular), whether
     * it is a hard-case step, how many exact solves it took, and whether the search proved C indefinite (the inertia of
     * a trial {@code C + lambda I}, {@code lambda >= 0}, had a negative eigenvalue): the step's lambda was then raised by
     * negative curvature, not only by the radius.
     */
    public record Step(double[] direction, double lambda, boolean boundary, int negativeEigenvalues, boolean hardCase,
                       int solves, boolean indefinite) {}

    private TrustRegionSubproblem() {}

    public static Step solve(DampedCurvature c, double[] g, double radius, Settings s) {
        if (!(radius > 0)) throw new IllegalArgumentException("trust-region radius must be > 0, got " + radius);
        double gNorm = Vectors.norm(g);
        int solves = 0;
        int negatives = -1;
        boolean indefinite = false;
        double lo = 0, hi = Double.POSITIVE_INFINITY;
        double[] dHi = null;
        // the last two positive definite trials (lambda, 1/||d||) for the secant step
        double l1 = Double.NaN, p1 = Double.NaN, l2 = Double.NaN, p2 = Double.NaN;
        double lambda = 0;
        while (solves < s.maxSolves()) {
            Trial t = trial(c, lambda, g);
            solves++;
            if (lambda == 0 && t.solve != null) negatives = t.solve.inertia().negative();
            // proved by an inertia only: a trial refused as singular proves nothing (its pivot may just be ill-conditioned)
            if (t.solve != null && t.solve.inertia().negative() > 0) indefinite = true;
            if (t.solve == null || !t.solve.positiveDefinite()) {
                lo = Math.max(lo, lambda);
            } else {
                double[] d = t.solve.direction();
                double n = Vectors.norm(d);
                if (lambda == 0 && n <= radius) return new Step(d, 0, false, negatives, false, solves, indefinite);
                if (Math.abs(n - radius) <= s.tolerance() * radius) return new Step(d, lambda, true, negatives, false, solves, indefinite);
                if (n > radius) lo = Math.max(lo, lambda);
                else if (lambda < hi) {
                    hi = lambda;
                    dHi = d;
                }
                l1 = l2; p1 = p2;
                l2 = lambda; p2 = 1 / n;
            }
            if (hi - lo <= s.collapse() * Math.max(hi, Double.MIN_NORMAL) && dHi != null) {
                return hardCase(c, g, radius, hi, dHi, negatives, solves, s);
            }
            lambda = next(lo, hi, l1, p1, l2, p2, gNorm, radius);
        }
        if (dHi != null) return new Step(dHi, hi, false, negatives, false, solves, indefinite);
        throw new IllegalStateException("trust-region search found no positive definite C + lambda I in " + s.maxSolves()
                + " exact solves (lambda up to " + lambda + ")");
    }

    /** The next trial lambda: a secant step on phi = 1/||d|| - 1/Delta clamped into (lo, hi), else bisection or growth. */
    private static double next(double lo, double hi, double l1, double p1, double l2, double p2, double gNorm, double radius) {
        double target = 1 / radius;
        double guess = Double.NaN;
        if (!Double.isNaN(l1) && p2 != p1) guess = l2 + (target - p2) * (l2 - l1) / (p2 - p1);
        else if (!Double.isNaN(l2)) guess = l2 + gNorm / radius - gNorm * p2;
        boolean inside = guess > lo && guess < hi;
        if (inside) return guess;
        if (Double.isInfinite(hi)) return Math.max(4 * lo, lo + gNorm / radius + Double.MIN_NORMAL);
        return lo == 0 ? hi / 4 : 0.5 * (lo + hi);
    }

    private record Trial(DampedSolve solve) {}

    /** A solve at lambda, or no solve when C + lambda I is singular to working precision (then not positive definite). */
    private static Trial trial(DampedCurvature c, double lambda, double[] g) {
        try {
            return new Trial(c.solve(lambda, g));
        } catch (SingularStageException e) {
            return new Trial(null);
        }
    }

    /** d + tau z on the boundary, z from inverse iteration with (C + hi I)^-1, tau of the lower model value. */
    private static Step hardCase(DampedCurvature c, double[] g, double radius, double hi, double[] d, int negatives,
                                 int solves, Settings s) {
        SplittableRandom rng = new SplittableRandom(0x5EED);
        double[] z = new double[g.length];
        for (int i = 0; i < z.length; i++) z[i] = rng.nextDouble() - 0.5;
        for (int k = 0; k < s.inverseIterations(); k++) {
            z = c.solve(hi, z).direction();
            solves++;
            z = Vectors.scaled(1 / Vectors.norm(z), z);
        }
        // ||d + tau z||^2 = Delta^2:  tau^2 + 2 (d.z) tau + (||d||^2 - Delta^2) = 0
        double dz = Vectors.dot(d, z);
        double disc = Math.sqrt(dz * dz + radius * radius - Vectors.dot(d, d));
        double best = Double.NaN;
        double[] bestStep = null;
        for (double tau : new double[] {-dz + disc, -dz - disc}) {
            double[] step = Vectors.plus(d, tau, z);
            // model at s = -step: -g.step + step.C.step / 2
            double m = -Vectors.dot(g, step) + Vectors.dot(step, c.times(step)) / 2;
            if (bestStep == null || m < best) {
                best = m;
                bestStep = step;
            }
        }
        return new Step(bestStep, hi, true, negatives, true, solves, true);
    }
}
