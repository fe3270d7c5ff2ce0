package org.hessinv.curvature;

import org.hessinv.model.AffineStage;

/**
 * Expands one example's {@link StageRecord} into the dense blocks {@code A, B, P, R, S} of one stage
 * (MATH.md section 2), written into caller-provided column-major arrays at given offsets and leading
 * dimensions (so they land directly in the stacked per-layer matrices of {@link LayerStage}).
 * The stage kind owns the math ({@link AffineStage#writeA} and the rest); this holds {@code Weff(x)},
 * formed once per stage (units x inputs row-major, i.e. W^T column-major).
 */
public final class LayerBlocks {
    private final AffineStage stage;
    /** Weff(x), row-major units x inputs. */
    private final double[] w;

    public LayerBlocks(AffineStage stage, double[] x, int off) {
        this.stage = stage;
        this.w = stage.effectiveWeights(x, off);
    }

    /** A = J Weff (+ I residual): a_l x a_{l-1}, at a[aOff], leading dimension lda. */
    public void writeA(StageRecord r, double[] a, int aOff, int lda) { stage.writeA(r.jac(), w, a, aOff, lda); }

    /** B = J Ju: a_l x p_l (a single row for the head). */
    public void writeB(StageRecord r, double[] b, int bOff, int ldb) { stage.writeB(r.jac(), r.z(), b, bOff, ldb); }

    /** P = Weff^T Lambda Weff: a_{l-1} x a_{l-1}. */
    public void writeP(StageRecord r, double[] p, int pOff, int ldp) { stage.writeP(r.lambda(), w, p, pOff, ldp); }

    /** R = Weff^T Lambda Ju + X(cross): a_{l-1} x p_l. */
    public void writeR(StageRecord r, double[] rr, int rOff, int ldr) { stage.writeR(r.lambda(), r.cross(), r.z(), w, rr, rOff, ldr); }

    /** S += Ju^T Lambda Ju: p_l x p_l. */
    public void addS(StageRecord r, double[] s, int lds) { stage.addS(r.lambda(), r.z(), s, lds); }
}
