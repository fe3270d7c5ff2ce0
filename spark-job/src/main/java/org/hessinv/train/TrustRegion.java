package org.hessinv.train;

/**
 * The exact trust-region method on the chosen curvature (the Hessian by default): each step the exact
 * solution of {@code min g^T s + s^T C s / 2, ||s|| <= Delta} ({@link TrustRegionSubproblem}), taken when
 * {@code rho > accept}; the radius shrinks to {@code ||s|| / 4} when {@code rho < 1/4} and doubles (up to
 * {@code maxRadius}) when {@code rho > 3/4} and the step reached the boundary. Gives up when the radius falls
 * below {@code minRadius}.
 */
public record TrustRegion(double accept, double minRadius, double maxRadius, TrustRegionSubproblem.Settings search)
        implements Optimizer {
    public static final TrustRegion DEFAULT = new TrustRegion(0, 1e-10, 1e6, TrustRegionSubproblem.Settings.DEFAULT);

    @Override public String name() { return "trust-region"; }

    @Override public StepReport step(Objective f, TrainState s, DampedCurvature c) {
        long t0 = System.nanoTime();
        TrustRegionSubproblem.Step step = TrustRegionSubproblem.solve(c, s.gradient(), s.radius(), search);
        double seconds = (System.nanoTime() - t0) / 1e9;
        double[] d = step.direction();
        double[] cd = c.times(d);
        double[] trial = Vectors.plus(s.x(), -1, d);
        double trialLoss = f.loss(trial);
        double rho = Optimizer.gainRatio(s.loss(), trialLoss, s.gradient(), d, cd);
        double residual = step.hardCase() ? Double.NaN : Optimizer.residual(cd, step.lambda(), d, s.gradient());
        double radius = s.radius();
        double dn = Vectors.norm(d);
        if (rho < 0.25) radius = dn / 4;
        else if (rho > 0.75 && step.boundary()) radius = Math.min(2 * radius, maxRadius);
        boolean accepted = rho > accept && trialLoss <= s.loss();
        TrainState next = accepted ? s.moved(trial, f.lossAndGradient(trial), step.lambda(), s.nu(), radius)
                : s.stayed(step.lambda(), s.nu(), radius);
        return new StepReport(next, step.lambda(), s.radius(), rho, accepted, c.route() + (step.hardCase() ? "+negative-curvature" : step.indefinite() ? "+indefinite" : ""),
                seconds, residual, step.negativeEigenvalues(), trialLoss);
    }

    @Override public String stalled(TrainState s) {
        return s.radius() < minRadius ? "trust-region radius fell below " + minRadius + ": the model cannot decrease the loss" : null;
    }
}
