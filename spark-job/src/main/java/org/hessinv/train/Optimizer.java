package org.hessinv.train;

/**
 * One training step from a state: each member owns its update rule and the curvature it keeps between
 * steps (formed again only when x moves or the curvature batch is resampled).
 */
public sealed interface Optimizer permits LevenbergMarquardt, TrustRegion, HessianFree, Lbfgs, Adam {
    /** One step from {@code s}; {@code curvature} is the curvature at {@code s.x()} for this step's batch. */
    StepReport step(Objective f, TrainState s, DampedCurvature curvature);

    /** Short name, as on the command line. */
    String name();

    /** The memory a run of this optimizer starts with on n parameters (checkpointed with every state). */
    default OptimizerMemory initialMemory(int n) { return OptimizerMemory.None.INSTANCE; }

    /** Whether this optimizer has given up (e.g. damping past its maximum), and why; null while it goes on. */
    String stalled(TrainState s);

    /**
     * The gain ratio rho = (F(x) - F(x - d)) / (g^T d - d^T C d / 2), the actual over the predicted decrease
     * of the quadratic model at the step -d; NaN trial losses give rho = -infinity (rejected).
     */
    static double gainRatio(double loss, double trialLoss, double[] g, double[] d, double[] cd) {
        double predicted = Vectors.dot(g, d) - Vectors.dot(d, cd) / 2;
        if (!Double.isFinite(trialLoss)) return Double.NEGATIVE_INFINITY;
        return (loss - trialLoss) / predicted;
    }

    /** ||(C + lambda I) d - g|| / ||g||, with C d given. */
    static double residual(double[] cd, double lambda, double[] d, double[] g) {
        double num = 0;
        for (int i = 0; i < g.length; i++) {
            double e = cd[i] + lambda * d[i] - g[i];
            num += e * e;
        }
        double den = Vectors.norm(g);
        return den == 0 ? Math.sqrt(num) : Math.sqrt(num) / den;
    }
}
