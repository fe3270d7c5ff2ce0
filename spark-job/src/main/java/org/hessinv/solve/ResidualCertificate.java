package org.hessinv.solve;

/**
 * The certificate of a solve, rho = ||(C + delta I) d - r|| / ||r|| computed independently by the R-pass, and the
 * rule that refuses an uncertified direction. Every stage pivot can be well enough conditioned to factorize while
 * the whole system is numerically singular (the gains K_l amplify errors across layers), so the pivots alone
 * cannot certify a solve; the residual can.
 */
public final class ResidualCertificate {
    /**
     * The default limit on rho. A backward-stable solve leaves rho ~ n eps kappa; rho above 1e-6 means the
     * direction solves the system to fewer than six digits, which the product does not report as a solution.
     */
    public static final double DEFAULT_LIMIT = 1e-6;

    private ResidualCertificate() {}

    /** Throws {@link NumericallySingularException} unless rho <= limit (a NaN rho is refused too). */
    public static void require(double residual, double limit, PivotCondition worst, String hint) {
        if (!(residual <= limit)) throw new NumericallySingularException(residual, limit, worst, hint);
    }
}
