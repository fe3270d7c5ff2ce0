package org.hessinv.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.function.UnaryOperator;
import org.hessinv.solve.DenseSolver;
import org.junit.jupiter.api.Test;

/** CG and MINRES against a dense LAPACK solve on small SPD and indefinite systems; honest failure statuses. */
class KrylovTest {
    private static final int N = 60;

    /** Q diag(eigs) Q^T with a random orthogonal Q (Householder products). */
    private static double[] symmetric(SplittableRandom rng, double[] eigs) {
        int n = eigs.length;
        double[] m = new double[n * n];
        for (int i = 0; i < n; i++) m[i * n + i] = eigs[i];
        for (int h = 0; h < 3; h++) {
            double[] v = new double[n];
            double s = 0;
            for (int i = 0; i < n; i++) { v[i] = rng.nextDouble() - 0.5; s += v[i] * v[i]; }
            double[] hm = new double[n * n];
            for (int j = 0; j < n; j++) for (int i = 0; i < n; i++) hm[j * n + i] = (i == j ? 1 : 0) - 2 * v[i] * v[j] / s;
            m = mul(hm, mul(m, hm, n), n);
        }
        return m;
    }

    private static double[] mul(double[] a, double[] b, int n) {
        double[] c = new double[n * n];
        for (int j = 0; j < n; j++) for (int k = 0; k < n; k++) for (int i = 0; i < n; i++) c[j * n + i] += a[k * n + i] * b[j * n + k];
        return c;
    }

    private static UnaryOperator<double[]> op(double[] m, int n) {
        return v -> {
            double[] y = new double[n];
            for (int j = 0; j < n; j++) for (int i = 0; i < n; i++) y[i] += m[j * n + i] * v[j];
            return y;
        };
    }

    private static double relErr(double[] a, double[] b) {
        double s = 0, t = 0;
        for (int i = 0; i < a.length; i++) { s += (a[i] - b[i]) * (a[i] - b[i]); t += b[i] * b[i]; }
        return Math.sqrt(s / t);
    }

    private static double[] rhs(SplittableRandom rng) {
        double[] b = new double[N];
        for (int i = 0; i < N; i++) b[i] = rng.nextDouble() - 0.5;
        return b;
    }

    @Test
    void cgSolvesAnSpdSystemLikeLapack() {
        SplittableRandom rng = new SplittableRandom(1);
        double[] eigs = new double[N];
        for (int i = 0; i < N; i++) eigs[i] = Math.pow(10, 3.0 * i / (N - 1)); // condition 1e3
        double[] m = symmetric(rng, eigs);
        double[] b = rhs(rng);
        Krylov.Result r = Krylov.cg(op(m, N), b, Krylov.Limits.of(1e-10, 1000, 60));
        assertEquals(Krylov.Status.CONVERGED, r.status());
        assertTrue(r.residual() <= 1e-10, "residual " + r.residual());
        assertTrue(relErr(r.x(), DenseSolver.solve(m, N, b)) < 1e-6);
        assertTrue(r.products() >= r.iterations() + 1, "products count the final residual check");
    }

    @Test
    void minresSolvesAnIndefiniteSystemLikeLapack() {
        SplittableRandom rng = new SplittableRandom(2);
        double[] eigs = new double[N];
        for (int i = 0; i < N; i++) eigs[i] = (i % 3 == 0 ? -1 : 1) * Math.pow(10, 2.0 * i / (N - 1));
        double[] m = symmetric(rng, eigs);
        double[] b = rhs(rng);
        Krylov.Result r = Krylov.minres(op(m, N), b, Krylov.Limits.of(1e-10, 1000, 60));
        assertEquals(Krylov.Status.CONVERGED, r.status());
        assertTrue(r.residual() <= 1e-10, "residual " + r.residual());
        assertTrue(relErr(r.x(), DenseSolver.solve(m, N, b)) < 1e-7);
    }

    @Test
    void cgReportsBreakdownOnAnIndefiniteSystem() {
        SplittableRandom rng = new SplittableRandom(3);
        double[] eigs = new double[N];
        for (int i = 0; i < N; i++) eigs[i] = i < N / 2 ? -1.0 - i : 1.0 + i;
        Krylov.Result r = Krylov.cg(op(symmetric(rng, eigs), N), rhs(rng), Krylov.Limits.of(1e-10, 1000, 60));
        assertTrue(r.status() == Krylov.Status.BREAKDOWN || r.status() == Krylov.Status.CONVERGED, r.status().toString());
    }

    @Test
    void anIterationCapIsReportedNotHidden() {
        SplittableRandom rng = new SplittableRandom(4);
        double[] eigs = new double[N];
        for (int i = 0; i < N; i++) eigs[i] = Math.pow(10, 8.0 * i / (N - 1));
        Krylov.Result r = Krylov.minres(op(symmetric(rng, eigs), N), rhs(rng), Krylov.Limits.of(1e-14, 5, 60));
        assertEquals(Krylov.Status.MAX_ITERATIONS, r.status());
        assertEquals(5, r.iterations());
        assertTrue(r.residual() > 1e-14);
    }
}
