package org.hessinv.train;

/**
 * The curvature C of the objective at one point (Hessian or Gauss-Newton, on a curvature batch), with
 * exact solves {@code (C + lambda I)^-1 r} for any damping {@code lambda}: an optimizer asks for several
 * {@code lambda} at one point (a rejected Levenberg-Marquardt step, a trust-region search) without the
 * curvature blocks being formed again.
 */
public interface DampedCurvature {
    /** n, the number of parameters. */
    int dimension();

    /** d = (C + lambda I)^-1 r, exactly, with the inertia of C + lambda I when the route knows it. */
    DampedSolve solve(double lambda, double[] r);

    /** C v (by the R-pass, independent of the solve). */
    double[] times(double[] v);

    /** Which exact route solves (for the history): e.g. "riccati", "output-space". */
    String route();

    /** Releases what the curvature holds (cached blocks on executors); it is not used afterwards. */
    default void release() {}
}
