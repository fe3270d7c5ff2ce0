package org.hessinv.train;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.SplittableRandom;
import org.hessinv.curvature.Curvature;
import org.hessinv.curvature.ExampleSweep;
import org.hessinv.model.Example;
import org.hessinv.model.Network;

/**
 * The objective over examples held in this process: F(x) = (1/N) sum_i loss_i(x) in example order, and the
 * curvature on a seeded batch of {@code curvatureBatch} of them (all when it is 0 or at least N), solved by
 * the chosen route. For tests and small problems; the Spark job's objective runs the same passes on executors.
 */
public final class BatchObjective implements Objective {
    private final Network net;
    private final List<Example> examples;
    private final Curvature curvature;
    private final int curvatureBatch;
    private final CurvatureRoute route;

    /** Solved by the Riccati sweep. */
    public BatchObjective(Network net, List<Example> examples, Curvature curvature, int curvatureBatch) {
        this(net, examples, curvature, curvatureBatch, CurvatureRoute.RICCATI);
    }

    public BatchObjective(Network net, List<Example> examples, Curvature curvature, int curvatureBatch, CurvatureRoute route) {
        this.net = net;
        this.examples = List.copyOf(examples);
        this.curvature = curvature;
        this.curvatureBatch = curvatureBatch;
        this.route = route;
    }

    @Override public int dimension() { return net.paramCount(); }

    @Override public double loss(double[] x) {
        double s = 0;
        for (Example e : examples) s += net.loss(x, e);
        return s / examples.size();
    }

    @Override public LossGradient lossAndGradient(double[] x) {
        double[] g = new double[net.paramCount()];
        double w = 1.0 / examples.size();
        double s = 0;
        for (Example e : examples) {
            ExampleSweep sweep = new ExampleSweep(net, x, e, w);
            sweep.accumulateGradient(g);
            s += sweep.loss();
        }
        return new LossGradient(s / examples.size(), g);
    }

    @Override public LossGradient minibatchLossAndGradient(double[] x, long seed, long size) {
        List<Example> b = choose(seed, size);
        double[] g = new double[net.paramCount()];
        double w = 1.0 / b.size();
        double s = 0;
        for (Example e : b) {
            ExampleSweep sweep = new ExampleSweep(net, x, e, w);
            sweep.accumulateGradient(g);
            s += sweep.loss();
        }
        return new LossGradient(s / b.size(), g);
    }

    @Override public DampedCurvature curvature(double[] x, long batchSeed) {
        return route.at(net, x, batch(batchSeed), curvature);
    }

    /** The seeded curvature batch: Floyd's choice of m indices, in index order. */
    List<Example> batch(long seed) { return choose(seed, curvatureBatch); }

    /** A seeded choice of m examples (all when m is 0 or at least N), in index order. */
    List<Example> choose(long seed, long m) {
        int n = examples.size();
        if (m <= 0 || m >= n) return examples;
        int size = (int) m;
        BitSet chosen = new BitSet(n);
        SplittableRandom rng = new SplittableRandom(seed);
        for (int j = n - size; j < n; j++) {
            int t = rng.nextInt(j + 1);
            if (chosen.get(t)) chosen.set(j); else chosen.set(t);
        }
        List<Example> out = new ArrayList<>(size);
        for (int i = chosen.nextSetBit(0); i >= 0; i = chosen.nextSetBit(i + 1)) out.add(examples.get(i));
        return out;
    }
}
