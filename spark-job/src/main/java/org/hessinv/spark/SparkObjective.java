package org.hessinv.spark;

import java.util.BitSet;
import java.util.List;
import org.hessinv.curvature.Curvature;
import org.hessinv.model.Example;
import org.hessinv.train.DampedCurvature;
import org.hessinv.train.Objective;
import org.hessinv.train.CurvatureRoute;

/**
 * The training objective on Spark: F(x) and its gradient are full passes over the persisted training set on
 * the executors ({@link ExamplePasses}); the curvature batch (a seeded choice of {@code curvatureBatch}
 * training indices, all when 0) is gathered to the driver once per seed, where the exact solves run by the
 * chosen route (Riccati sweep or output-space GGN).
 */
public final class SparkObjective implements Objective {
    private final TrainingData data;
    private final Curvature curvature;
    private final long curvatureBatch;
    private final CurvatureRoute route;
    private long batchSeed = Long.MIN_VALUE;
    private List<Example> batch;
    private int passes;

    /** {@code route} AUTO is resolved here for the batch size. */
    public SparkObjective(TrainingData data, Curvature curvature, long curvatureBatch, CurvatureRoute route) {
        this.data = data;
        this.curvature = curvature;
        this.curvatureBatch = curvatureBatch;
        this.route = route.resolve(data.network().value(), batchSize(), curvature);
    }

    /** The route the curvature is solved by. */
    public CurvatureRoute route() { return route; }

    @Override public int dimension() { return data.network().value().paramCount(); }

    @Override public double loss(double[] x) {
        passes++;
        return ExamplePasses.loss(data.context(), data.train(), data.network(), x, data.trainCount());
    }

    @Override public LossGradient lossAndGradient(double[] x) {
        passes++;
        return ExamplePasses.lossAndGradient(data.context(), data.train(), data.network(), x, data.trainCount());
    }

    @Override public LossGradient minibatchLossAndGradient(double[] x, long seed, long size) {
        passes++;
        long n = data.trainCount();
        if (size <= 0 || size >= n) return ExamplePasses.lossAndGradient(data.context(), data.train(), data.network(), x, n);
        return ExamplePasses.lossAndGradient(data.context(), data.train(), data.network(), x, CurvatureSample.choose(n, size, seed), size);
    }

    @Override public DampedCurvature curvature(double[] x, long seed) {
        return route.at(data.network().value(), x, batch(seed), curvature);
    }

    /** The curvature batch of a seed (gathered once per seed). */
    List<Example> batch(long seed) {
        if (batch == null || seed != batchSeed) {
            long n = data.trainCount();
            BitSet chosen = new BitSet();
            if (curvatureBatch <= 0 || curvatureBatch >= n) chosen.set(0, Math.toIntExact(n));
            else chosen = CurvatureSample.choose(n, curvatureBatch, seed);
            batch = data.gather(chosen);
            batchSeed = seed;
        }
        return batch;
    }

    /** How many full passes over the training data ran. */
    public int passes() { return passes; }

    /** The number of examples in the curvature batch. */
    public long batchSize() { return curvatureBatch <= 0 ? data.trainCount() : Math.min(curvatureBatch, data.trainCount()); }
}
