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

    /**
     * (C + lambda I)^-1 r_j for many right-hand sides with one factorization at lambda (the Riccati route keeps the
     * gains and pivots and re-runs only the vector recursions; the output-space route keeps the capacitance's
     * Cholesky). Default: one {@link #solve} each.
     */
    default double[][] solveMany(double lambda, double[][] rhs) {
        double[][] out = new double[rhs.length][];
        for (int j = 0; j < rhs.length; j++) out[j] = solve(lambda, rhs[j]).direction();
        return out;
    }

    /** log|det(C + lambda I)| (the output-space route reuses one eigendecomposition of its Gram for every lambda). */
    default double logAbsDet(double lambda) { return solve(lambda, new double[dimension()]).logAbsDet(); }

    /** T eps with T T^T = (C + lambda I)^-1 (needs C + lambda I positive definite): a draw of N(0, (C + lambda I)^-1) from eps ~ N(0, I). */
    default double[] sampleMap(double lambda, double[] eps) {
        throw new UnsupportedOperationException("route " + route() + " has no sampling map");
    }

    /** C v (by the R-pass, independent of the solve). */
    double[] times(double[] v);

    /** Which exact route solves (for the history): e.g. "riccati", "output-space". */
    String route();

    /** Releases what the curvature holds (cached blocks on executors); it is not used afterwards. */
    default void release() {}
}
