package org.hessinv.linalg;

/**
 * A stage pivot {@code Qdd_l} is singular or too ill-conditioned to factorize: the curvature system
 * is (numerically) singular. Carries the layer (1-based) and the reciprocal condition estimate.
 */
public class SingularStageException extends RuntimeException {
    private final int layer;
    private final double rcond;

    public SingularStageException(int layer, double rcond, String hint) {
        super(String.format("the curvature system is singular at layer %d: pivot block reciprocal condition %.3g "
                + "(below %.1g); %s", layer, rcond, SymmetricFactorization.SINGULAR_RCOND, hint));
        this.layer = layer;
        this.rcond = rcond;
    }

    /** For subclasses that explain the singularity in their own words. */
    protected SingularStageException(String message, int layer, double rcond) {
        super(message);
        this.layer = layer;
        this.rcond = rcond;
    }

    public int layer() { return layer; }

    public double rcond() { return rcond; }
}
