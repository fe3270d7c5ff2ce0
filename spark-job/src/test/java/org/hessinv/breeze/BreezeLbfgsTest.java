package org.hessinv.breeze;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.hessinv.testing.Dense;
import org.hessinv.train.DampedCurvature;
import org.hessinv.train.HistoryRow;
import org.hessinv.train.Lbfgs;
import org.hessinv.train.Objective;
import org.hessinv.train.TrainState;
import org.hessinv.train.Trainer;
import org.junit.jupiter.api.Test;

/** The Breeze facade on functions whose minimizer is known, and the engine's step-by-step L-BFGS against Breeze's own iterates. */
class BreezeLbfgsTest {
    static BreezeLbfgs.ValueGradient rosenbrock(double[] x) {
        double a = 1 - x[0], b = x[1] - x[0] * x[0];
        return new BreezeLbfgs.ValueGradient(a * a + 100 * b * b, new double[] {-2 * a - 400 * x[0] * b, 200 * b});
    }

    /** Rosenbrock from (-1.2, 1): the minimizer (1, 1) to 1e-6 (its valley is ill-conditioned, kappa ~ 2500 at the minimum). */
    @Test
    void minimizesRosenbrock() {
        BreezeLbfgs.Minimum m = BreezeLbfgs.minimize(BreezeLbfgsTest::rosenbrock, new double[] {-1.2, 1}, 10, 1000, 1e-14);
        assertEquals(1, m.x()[0], 1e-6, m.reason());
        assertEquals(1, m.x()[1], 1e-6, m.reason());
        assertTrue(m.value() < 1e-12, "F at the end: " + m.value());
        assertTrue(m.iterations() > 10, "it iterated: " + m.iterations());
    }

    /**
     * A convex quadratic F(x) = 0.5 (x - x*)^T A (x - x*), A of eigenvalues 1..100 in a random basis (written around x* so
     * that F near the minimum is computed to full relative precision and the line search can resolve it): x* to 1e-8.
     */
    static final class Quadratic implements Objective {
        final int n;
        final double[] a;
        final double[] b;
        final double[] minimizer;

        Quadratic(long seed, int n) {
            SplittableRandom rng = new SplittableRandom(seed);
            this.n = n;
            double[] eig = new double[n];
            for (int i = 0; i < n; i++) eig[i] = Math.pow(100, i / (n - 1.0));
            this.a = Dense.fromEigen(Dense.randomOrthogonal(rng, n), eig);
            this.minimizer = new double[n];
            for (int i = 0; i < n; i++) minimizer[i] = rng.nextDouble() * 2 - 1;
            this.b = Dense.times(a, n, n, minimizer);
        }

        BreezeLbfgs.ValueGradient at(double[] x) {
            double[] e = new double[n];
            for (int i = 0; i < n; i++) e[i] = x[i] - minimizer[i];
            double[] g = Dense.times(a, n, n, e);
            double v = 0;
            for (int i = 0; i < n; i++) v += 0.5 * e[i] * g[i];
            return new BreezeLbfgs.ValueGradient(v, g);
        }

        @Override public int dimension() { return n; }

        @Override public double loss(double[] x) { return at(x).value(); }

        @Override public LossGradient lossAndGradient(double[] x) {
            BreezeLbfgs.ValueGradient vg = at(x);
            return new LossGradient(vg.value(), vg.gradient());
        }

        @Override public LossGradient minibatchLossAndGradient(double[] x, long seed, long size) { return lossAndGradient(x); }

        @Override public DampedCurvature curvature(double[] x, long batchSeed) { throw new UnsupportedOperationException(); }
    }

    @Test
    void minimizesAConvexQuadratic() {
        Quadratic q = new Quadratic(7, 20);
        BreezeLbfgs.Minimum m = BreezeLbfgs.minimize(q::at, new double[20], 5, 500, 1e-14);
        assertTrue(Dense.relativeError(m.x(), q.minimizer) < 1e-8, "x vs x*: " + Dense.relativeError(m.x(), q.minimizer) + " (" + m.reason() + ")");
    }

    /**
     * The engine's L-BFGS (its own memory and two-loop recursion, Breeze's line search) takes Breeze's iterates: the first
     * 12 steps on the quadratic agree with Breeze's {@code LBFGS.iterations} to 1e-10 relative (same formulas in the same
     * order; only BLAS dot products may differ in the last bits), and it reaches x*.
     */
    @Test
    void engineLbfgsFollowsBreezesIterates() {
        Quadratic q = new Quadratic(11, 20);
        double[] x0 = new double[20];
        for (int i = 0; i < 20; i++) x0[i] = 0.5;
        BreezeLbfgs.Minimum breeze = BreezeLbfgs.minimize(q::at, x0, 5, 12, 0);
        Lbfgs opt = new Lbfgs(5, BreezeLbfgs.strongWolfe());
        TrainState s = TrainState.start(opt, x0, q.lossAndGradient(x0), 1, 1);
        List<double[]> xs = new ArrayList<>();
        Trainer.Listener rec = new Trainer.Listener() {
            @Override public double[] validate(double[] x) { return new double[] {Double.NaN, Double.NaN}; }

            @Override public void stepped(HistoryRow row, TrainState state) { xs.add(state.x()); }

            @Override public void checkpoint(TrainState state, List<HistoryRow> history) {}
        };
        Trainer.Result r = Trainer.run(q, s, List.of(Trainer.startRow(s, new double[] {Double.NaN, Double.NaN})),
                new Trainer.Settings(opt, new Trainer.Stopping(400, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 1e-12), 0, 0, 0), rec);
        int k = Math.min(12, breeze.iterations());
        assertTrue(k >= 10, "Breeze ran " + breeze.iterations() + " iterations");
        for (int i = 1; i <= k; i++) {
            double e = Dense.relativeError(xs.get(i - 1), breeze.iterates().get(i));
            assertTrue(e < 1e-10, "iterate " + i + ": engine vs Breeze " + e);
        }
        assertTrue(Dense.relativeError(r.state().x(), q.minimizer) < 1e-8, "engine L-BFGS reaches x*: " + r.stopReason() + " error " + Dense.relativeError(r.state().x(), q.minimizer) + " loss " + r.state().loss() + " accepted " + r.state().accepted());
    }
}
