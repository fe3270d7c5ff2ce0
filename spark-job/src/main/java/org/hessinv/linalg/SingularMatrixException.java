package org.hessinv.linalg;

import java.util.Locale;

/**
 * A symmetric matrix is singular, too ill-conditioned to factorize (reciprocal 1-norm condition estimate
 * below {@link SymmetricFactorization#SINGULAR_RCOND}), or has non-finite entries (rcond NaN). Carries the
 * matrix's order and the estimate; what the matrix means is the caller's to say.
 */
public final class SingularMatrixException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int order;
    private final double rcond;

    public SingularMatrixException(int order, double rcond) {
        super(Double.isNaN(rcond)
                ? String.format(Locale.ROOT, "the %d x %d matrix has non-finite entries", order, order)
                : String.format(Locale.ROOT, "the %d x %d matrix is singular: reciprocal condition %.3g (below %.1g)",
                        order, order, rcond, SymmetricFactorization.SINGULAR_RCOND));
        this.order = order;
        this.rcond = rcond;
    }

    /** The matrix's order n. */
    public int order() { return order; }

    /** The reciprocal 1-norm condition estimate; 0 when exactly singular, NaN for non-finite entries. */
    public double rcond() { return rcond; }

    /** Whether the matrix had non-finite entries (no condition estimate). */
    public boolean nonFinite() { return Double.isNaN(rcond); }
}
