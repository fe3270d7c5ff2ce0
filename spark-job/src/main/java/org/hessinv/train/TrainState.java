package org.hessinv.train;

/**
 * Where a training run stands after {@code step} steps: the point x with its full-data loss and gradient,
 * the Levenberg-Marquardt damping {@code lambda} and its growth factor {@code nu}, and the trust-region
 * radius. Everything the next step depends on, so a checkpoint of it resumes the run bit for bit
 * (the curvature is recomputed from x and the step's batch seed, a pure function of them).
 */
public record TrainState(int step, double[] x, double loss, double[] gradient, double damping, double nu, double radius,
                         int accepted) {
    public double gradientNorm() { return Vectors.norm(gradient); }

    /** The state after an accepted step to {@code x} (loss and gradient evaluated there). */
    TrainState moved(double[] x, Objective.LossGradient at, double damping, double nu, double radius) {
        return new TrainState(step + 1, x, at.loss(), at.gradient(), damping, nu, radius, accepted + 1);
    }

    /** The state after a rejected step: x, loss and gradient unchanged. */
    TrainState stayed(double damping, double nu, double radius) {
        return new TrainState(step + 1, x, loss, gradient, damping, nu, radius, accepted);
    }
}
