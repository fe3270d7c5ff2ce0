package org.hessinv.train;

/**
 * The training objective {@code F(x) = (1/N) sum_i loss_i(x)} over the whole training set, its gradient,
 * and its curvature on a (possibly resampled) curvature batch.
 */
public interface Objective {
    /** n, the number of parameters. */
    int dimension();

    /** F(x) (a forward pass over every training example). */
    double loss(double[] x);

    /** F(x) and g = dF/dx (a forward and backward pass over every training example). */
    LossGradient lossAndGradient(double[] x);

    /**
     * The mean loss and gradient over a minibatch of {@code size} training examples drawn with {@code seed} (Floyd's
     * seeded choice, in index order; every example when {@code size} is at least the training set's size).
     */
    LossGradient minibatchLossAndGradient(double[] x, long seed, long size);

    /** The curvature at x on the curvature batch drawn with {@code batchSeed}. */
    DampedCurvature curvature(double[] x, long batchSeed);

    /** F(x) and g(x). */
    record LossGradient(double loss, double[] gradient) {
        public double gradientNorm() { return Vectors.norm(gradient); }
    }
}
