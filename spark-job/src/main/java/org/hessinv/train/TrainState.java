package org.hessinv.train;

/**
 * Where a training run stands after {@code step} steps: the point x with its full-data loss and gradient,
 * the Levenberg-Marquardt damping {@code lambda} and its growth factor {@code nu}, the trust-region
 * radius, and the optimizer's own memory (L-BFGS pairs, Adam moments, the Hessian-free warm start; see
 * {@link OptimizerMemory}). Everything the next step depends on, so a checkpoint of it resumes the run bit
 * for bit (the curvature is recomputed from x and the step's batch seed, a pure function of them).
 */
public record TrainState(int step, double[] x, double loss, double[] gradient, double damping, double nu, double radius,
                         int accepted, OptimizerMemory memory) {
    /** A state with no optimizer memory (Levenberg-Marquardt, trust region). */
    public TrainState(int step, double[] x, double loss, double[] gradient, double damping, double nu, double radius, int accepted) {
        this(step, x, loss, gradient, damping, nu, radius, accepted, OptimizerMemory.None.INSTANCE);
    }

    public TrainState {
        if (memory == null) throw new IllegalArgumentException("optimizer memory must be given (OptimizerMemory.None for none)");
    }

    /** The starting state of {@code opt} at x. */
    public static TrainState start(Optimizer opt, double[] x, Objective.LossGradient at, double damping, double radius) {
        return new TrainState(0, x, at.loss(), at.gradient(), damping, 2, radius, 0, opt.initialMemory(x.length));
    }

    public double gradientNorm() { return Vectors.norm(gradient); }

    /** The state after an accepted step to {@code x} (loss and gradient evaluated there). */
    TrainState moved(double[] x, Objective.LossGradient at, double damping, double nu, double radius) {
        return moved(x, at, damping, nu, radius, memory);
    }

    TrainState moved(double[] x, Objective.LossGradient at, double damping, double nu, double radius, OptimizerMemory memory) {
        return new TrainState(step + 1, x, at.loss(), at.gradient(), damping, nu, radius, accepted + 1, memory);
    }

    /** The state after a rejected step: x, loss and gradient unchanged. */
    TrainState stayed(double damping, double nu, double radius) { return stayed(damping, nu, radius, memory); }

    TrainState stayed(double damping, double nu, double radius, OptimizerMemory memory) {
        return new TrainState(step + 1, x, loss, gradient, damping, nu, radius, accepted, memory);
    }
}
