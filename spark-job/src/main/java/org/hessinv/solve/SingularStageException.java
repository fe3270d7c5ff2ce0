package org.hessinv.solve;

import org.hessinv.linalg.SingularMatrixException;
import org.hessinv.linalg.SymmetricFactorization;

/**
 * A stage pivot {@code Qdd_l} is singular or too ill-conditioned to factorize: the curvature system
 * is (numerically) singular. Carries the layer (1-based) and the reciprocal condition estimate.
 */
public class SingularStageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

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

    /** The pivot of layer (1-based) was refused by its factorization: the user-facing message with the hint. */
    public static SingularStageException at(int layer, SingularMatrixException e, String hint) {
        String why = e.nonFinite() ? "the pivot block has non-finite entries; " + hint : hint;
        SingularStageException s = new SingularStageException(layer, e.rcond(), why);
        s.initCause(e);
        return s;
    }

    /**
     * The undamped pivot of layer (1-based) with {@code params} parameters, whose curvature has rank at most
     * {@code rank} (batch x units) < params: singular whatever the curvature; only damping or a curvature
     * batch of {@code fullRankBatch} examples makes it nonsingular.
     */
    public static SingularStageException rankDeficient(int layer, long params, long rank, long fullRankBatch) {
        return new SingularStageException(layer, 0.0, "a stage with " + params + " parameters has curvature of rank at most "
                + rank + " (batch x units), so its pivot is singular without damping; add damping (--damping, e.g. 1e-4) "
                + "or use a curvature batch of at least " + fullRankBatch + " examples (--curvature-batch)");
    }

    public int layer() { return layer; }

    public double rcond() { return rcond; }
}
