package org.hessinv.train;

/**
 * Levenberg-Marquardt with exact damped solves: {@code d = (C + lambda I)^-1 g}, trial point {@code x - d},
 * gain ratio {@code rho} ({@link Optimizer#gainRatio}); accept when {@code rho > accept}. Damping by
 * Nielsen's rule (1999): accepted, {@code lambda *= max(1/3, 1 - (2 rho - 1)^3), nu = 2}; rejected,
 * {@code lambda *= nu, nu *= 2}. A rejected step solves again at the new lambda with the same curvature
 * (no blocks formed again). Gives up when lambda exceeds {@code maxDamping}: the model then predicts no
 * decrease the loss confirms.
 */
public record LevenbergMarquardt(double accept, double maxDamping) implements Optimizer {
    /** Accept any step that lowers the loss (rho > 0); give up past lambda = 1e10. */
    public static final LevenbergMarquardt DEFAULT = new LevenbergMarquardt(0, 1e10);

    @Override public String name() { return "lm"; }

    @Override public StepReport step(Objective f, TrainState s, DampedCurvature c) {
        double lambda = s.damping();
        DampedSolve sol = c.solve(lambda, s.gradient());
        double[] d = sol.direction();
        double[] cd = c.times(d);
        double[] trial = Vectors.plus(s.x(), -1, d);
        double trialLoss = f.loss(trial);
        double rho = Optimizer.gainRatio(s.loss(), trialLoss, s.gradient(), d, cd);
        double residual = Optimizer.residual(cd, lambda, d, s.gradient());
        boolean accepted = rho > accept && trialLoss <= s.loss();
        TrainState next;
        if (accepted) {
            next = s.moved(trial, f.lossAndGradient(trial), lambda * shrink(rho), 2, s.radius());
        } else {
            next = s.stayed(lambda * s.nu(), 2 * s.nu(), s.radius());
        }
        return new StepReport(next, lambda, Double.NaN, rho, accepted, c.route(), sol.seconds(), residual, -1, trialLoss);
    }

    /** Nielsen's factor on lambda after an accepted step: max(1/3, 1 - (2 rho - 1)^3). */
    static double shrink(double rho) { return Math.max(1.0 / 3, 1 - Math.pow(2 * rho - 1, 3)); }

    @Override public String stalled(TrainState s) {
        return s.damping() > maxDamping ? "damping exceeded its maximum (" + maxDamping + "): the model cannot decrease the loss" : null;
    }
}
