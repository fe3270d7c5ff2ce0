package org.hessinv.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.List;
import java.util.SplittableRandom;
import org.hessinv.curvature.Curvature;
import org.hessinv.model.Example;
import org.hessinv.model.Network;
import org.hessinv.testing.RandomProblems;
import org.junit.jupiter.api.Test;

/** Adam's update against a two-step example computed by hand. */
class AdamTest {
    /** F(x) = 0.5 ||x||^2 on two parameters: g = x. */
    static final class HalfSquare implements Objective {
        @Override public int dimension() { return 2; }

        @Override public double loss(double[] x) { return 0.5 * (x[0] * x[0] + x[1] * x[1]); }

        @Override public LossGradient lossAndGradient(double[] x) { return new LossGradient(loss(x), x.clone()); }

        @Override public LossGradient minibatchLossAndGradient(double[] x, long seed, long size) { return lossAndGradient(x); }

        @Override public DampedCurvature curvature(double[] x, long batchSeed) { throw new UnsupportedOperationException(); }
    }

    /**
     * alpha 0.1, beta1 0.9, beta2 0.999, epsilon 1e-8, x0 = (1, -2).
     * Step 1: g = (1, -2), m = (0.1, -0.2), v = (0.001, 0.004); mhat = m / 0.1 = (1, -2), vhat = v / 0.001 = (1, 4);
     *         x1 = x0 - 0.1 (1 / (1 + 1e-8), -2 / (2 + 1e-8)).
     * Step 2: g = x1; m = 0.9 m + 0.1 g, v = 0.999 v + 0.001 g^2; mhat = m / (1 - 0.81) = m / 0.19,
     *         vhat = v / (1 - 0.998001) = v / 0.001999; x2 = x1 - 0.1 mhat / (sqrt(vhat) + 1e-8).
     * With x1 = (0.9, -1.9) up to 1e-9: m = (0.18, -0.37), v = (0.001809, 0.007606), x2 = (0.80041..., -1.80017...).
     */
    @Test
    void twoStepsMatchTheHandComputation() {
        Adam adam = Adam.of(0.1, 0, 0);
        Objective f = new HalfSquare();
        double[] x0 = {1, -2};
        TrainState s0 = TrainState.start(adam, x0, f.lossAndGradient(x0), 1, 1);
        TrainState s1 = adam.step(f, s0, null).next();
        double[] x1 = {1 - 0.1 / (1 + 1e-8), -2 + 0.1 * 2 / (2 + 1e-8)};
        assertArrayEquals(x1, s1.x(), 1e-15, "x1");
        OptimizerMemory.Adam m1 = (OptimizerMemory.Adam) s1.memory();
        assertEquals(1, m1.t());
        assertArrayEquals(new double[] {0.1, -0.2}, m1.m(), 1e-15);
        assertArrayEquals(new double[] {0.001, 0.004}, m1.v(), 1e-15);

        TrainState s2 = adam.step(f, s1, null).next();
        OptimizerMemory.Adam m2 = (OptimizerMemory.Adam) s2.memory();
        double[] m = {0.9 * 0.1 + 0.1 * x1[0], 0.9 * -0.2 + 0.1 * x1[1]};
        double[] v = {0.999 * 0.001 + 0.001 * x1[0] * x1[0], 0.999 * 0.004 + 0.001 * x1[1] * x1[1]};
        assertArrayEquals(m, m2.m(), 1e-15);
        assertArrayEquals(v, m2.v(), 1e-15);
        assertArrayEquals(new double[] {0.18, -0.37}, m2.m(), 1e-9, "m2 by hand");
        assertArrayEquals(new double[] {0.001809, 0.007606}, m2.v(), 1e-9, "v2 by hand");
        double[] x2 = new double[2];
        for (int i = 0; i < 2; i++) x2[i] = x1[i] - 0.1 * (m[i] / 0.19) / (Math.sqrt(v[i] / 0.001999) + 1e-8);
        assertArrayEquals(x2, s2.x(), 1e-13, "x2");
        // the printed numbers: 0.9 - 0.1 * 0.947368 / 0.951290 = 0.800412, -1.9 + 0.1 * 1.947368 / 1.950616 = -1.800166
        assertArrayEquals(new double[] {0.800412, -1.800166}, s2.x(), 2e-6, "x2 by hand");
        assertEquals(f.loss(s2.x()), s2.loss(), 0, "the state's loss is the full loss at x2");
    }

    /** Minibatches: drawn from the step number (two runs agree, consecutive steps differ), the update uses the minibatch gradient. */
    @Test
    void minibatchStepsDependOnTheStepNumberOnly() {
        Network net = LevenbergMarquardtTest.tanhNetwork();
        SplittableRandom rng = new SplittableRandom(4);
        List<Example> data = RandomProblems.examples(rng, net, 40);
        BatchObjective f = new BatchObjective(net, data, Curvature.GGN, 0);
        double[] x = RandomProblems.parameters(rng, net, 1.0);
        Adam adam = Adam.of(0.01, 8, 5);
        TrainState s = TrainState.start(adam, x, f.lossAndGradient(x), 1, 1);
        TrainState a = adam.step(f, s, null).next();
        TrainState b = adam.step(f, s, null).next();
        assertArrayEquals(a.x(), b.x(), 0, "same step, same minibatch");
        double[] g = f.minibatchLossAndGradient(x, 5, 8).gradient();
        OptimizerMemory.Adam m = (OptimizerMemory.Adam) a.memory();
        for (int i = 0; i < g.length; i++) assertEquals(0.1 * g[i], m.m()[i], 1e-15 * Math.abs(g[i]), "m uses the minibatch gradient of seed + step");
        assertFalse(java.util.Arrays.equals(f.minibatchLossAndGradient(x, 5, 8).gradient(), f.minibatchLossAndGradient(x, 6, 8).gradient()),
                "the next step's minibatch differs");
    }
}
