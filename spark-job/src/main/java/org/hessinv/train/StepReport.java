package org.hessinv.train;

/**
 * What one step did, for the history: the damping or radius it used, the gain ratio
 * {@code rho = (F(x) - F(x - d)) / (model decrease)}, whether it was accepted, the exact route and its
 * seconds, the certified residual {@code ||(C + lambda I) d - g|| / ||g||}, and the negative eigenvalue
 * count of the curvature (trust region; -1 when not known). NaN marks a column that does not apply.
 */
public record StepReport(TrainState next, double damping, double radius, double rho, boolean accepted, String route,
                         double solveSeconds, double residual, int negativeEigenvalues, double trialLoss) {}
