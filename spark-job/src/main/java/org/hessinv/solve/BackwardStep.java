package org.hessinv.solve;

import org.hessinv.curvature.LayerStage;
import org.hessinv.curvature.StageForm;
import org.hessinv.linalg.Blas;
import org.hessinv.linalg.SingularMatrixException;
import org.hessinv.linalg.SymmetricFactorization;

/**
 * One backward step of the Riccati recursion at stage l (MATH.md section 3), from the cost-to-go (V, v)
 * at its output to the one at its input, in the section's order:
 * Qss = P + A^T V A, Qsd = R + A^T V Bs, Qdd = S + delta I + Bs^T V Bs, qd = r_l + Bs^T v,
 * k_l = Qdd^-1 qd, K_l = Qdd^-1 Qsd^T, V <- Qss - Qsd K_l, v <- A^T v - Qsd k_l.
 * The products with Bs and the pivot are the stage form's ({@link StageForm}); a pivot its factorization
 * refuses is reported with the layer and what to do ({@link SingularStageException}).
 */
final class BackwardStep {
    /**
     * Examples per column panel of {@link #stateHessian}: its scratch V A panel is (B a_l) x (64 a_{l-1})
     * instead of the whole (B a_l) x (B a_{l-1}) (1.2 GB at B = 512, width 24), at no cost in speed.
     */
    static final int STATE_PANEL_EXAMPLES = 64;

    private BackwardStep() {}

    /** The stage's form as the sweep uses it: capacitance pivots through their capacitance, or densely. */
    static StageForm form(LayerStage st, SweepOptions options) {
        return options.capacitancePivots() ? st.form : st.form.densePivot();
    }

    /**
     * The step at stage st: updates c (its arrays replaced, never written) and returns the gains. {@code k} is
     * r_l on entry (overwritten: it becomes k_l). The operations run in the order that holds the fewest large
     * arrays at once: V Bs, then the pivot (V dropped before factorizing it at the first stage), k_l, Qsd (V Bs
     * dropped), Qss (V dropped), v, and last the elimination V <- Qss - Qsd K_l.
     */
    static StageGain step(LayerStage st, CostToGo c, double delta, double[] k, SweepOptions options) {
        StageForm form = form(st, options);
        int nOut = st.stateOut();
        if (c.hessian == null) c.startZero(nOut);
        double[] smallV = c.gradient;
        // V Bs ((B a_l) x p_l): for Qsd, and for Qdd unless the form forms it from V alone
        double[] vb = st.hasState() || form.pivotNeedsVBs() ? form.vTimesBs(c.hessian) : null;
        // Qdd = S + delta I + Bs^T V Bs
        StageForm.FormedPivot formed = form.formPivot(c.hessian, vb, delta);
        if (!st.hasState()) {
            vb = null;
            c.dropHessian(); // the first stage: V is not needed any more, free it before factorizing
        }
        SymmetricFactorization f = factor(st, form, formed, delta);
        formed = null;
        // qd = r_l + Bs^T v, then k_l = Qdd^-1 qd
        form.addBsTransposeTimes(smallV, k);
        f.solveInPlace(k, 1);
        if (!st.hasState()) {
            c.gradient = null;
            return new StageGain(f, new double[0], k);
        }
        double[] qsd = stateControlCoupling(st, vb);
        vb = null;
        double[] qss = stateHessian(st, c);
        // v <- A^T v - Qsd k_l
        c.gradient = stateGradient(st, smallV, qsd, k);
        // V <- Qss - Qsd Qdd^-1 Qsd^T; keeps K_l^T = Qsd Qdd^-1 (in Qsd's storage)
        f.schurComplement(qsd, st.stateIn(), qss);
        c.replaceHessian(qss);
        return new StageGain(f, qsd, k);
    }

    /** Qdd factorized, or refused naming the layer: without damping a pivot of rank below p_l is singular whatever the curvature. */
    private static SymmetricFactorization factor(LayerStage st, StageForm form, StageForm.FormedPivot formed, double delta) {
        long rank = form.rankBound();
        if (!(delta > 0) && rank < st.p) {
            // rank <= B units < p_l = units (inputs + 1): full rank needs B units >= p_l, i.e. B >= p_l B / rank examples
            throw SingularStageException.rankDeficient(st.layer + 1, st.p, rank, -Math.floorDiv(-(long) st.p * st.batch, rank));
        }
        try {
            return formed.factor();
        } catch (SingularMatrixException e) {
            throw SingularStageException.at(st.layer + 1, e, RiccatiSolver.SINGULAR_HINT);
        }
    }

    /** A^T v - Qsd k_l (B a_{l-1}); A block diagonal. */
    private static double[] stateGradient(LayerStage st, double[] smallV, double[] qsd, double[] k) {
        int nIn = st.stateIn();
        double[] qs = new double[nIn];
        for (int i = 0; i < st.batch; i++) {
            Blas.gemv(true, st.aOut, st.aIn, 1.0, st.a, i * st.aOut * st.aIn, st.aOut, smallV, i * st.aOut, 0.0, qs, i * st.aIn);
        }
        Blas.gemv(false, nIn, st.p, -1.0, qsd, 0, nIn, k, 0, 1.0, qs, 0);
        return qs;
    }

    /** Qsd = R + A^T (V Bs), block row by block row (A is block diagonal, never formed densely). */
    private static double[] stateControlCoupling(LayerStage st, double[] vb) {
        int nOut = st.stateOut();
        int nIn = st.stateIn();
        double[] qsd = st.r.clone();
        for (int i = 0; i < st.batch; i++) {
            Blas.gemm(true, false, st.aIn, st.p, st.aOut, 1.0, st.a, i * st.aOut * st.aIn, st.aOut,
                    vb, i * st.aOut, nOut, 1.0, qsd, i * st.aIn, nIn);
        }
        return qsd;
    }

    /**
     * The bytes the step at stage st (over B examples; {@code form} its form's bytes) allocates besides the
     * stage, the pivot and the gains it keeps: V and v entering, V Bs when used, and with an input state Qsd,
     * the gain's transpose (Bunch-Kaufman and capacitance pivots), Qss, the V A panel and v leaving. All are
     * counted as if held at once (the step drops V and V Bs on the way; the slack is left to the garbage).
     */
    static long workingBytes(org.hessinv.model.AffineStage st, boolean hasState, long batch, StageForm.Bytes form) {
        return workingBytes(st, hasState, batch, form, org.hessinv.linalg.HeapFootprint.EXACT);
    }

    /** {@link #workingBytes(org.hessinv.model.AffineStage, boolean, long, StageForm.Bytes)} with each array at its footprint in the heap. */
    static long workingBytes(org.hessinv.model.AffineStage st, boolean hasState, long batch, StageForm.Bytes form, org.hessinv.linalg.HeapFootprint fp) {
        long nOut = batch * st.outputSize();
        long nIn = hasState ? batch * st.inputSize() : 0;
        long p = st.paramCount();
        long bytes = hasState || form.pivotNeedsVBs() ? fp.doubles(nOut * p) : 0;
        if (hasState) bytes += 2 * fp.doubles(nIn * p) + fp.doubles(nIn * nIn) + fp.doubles(nOut * statePanelColumns(batch, st.inputSize())) + fp.doubles(nIn);
        return CostToGo.bytes(nOut, fp) + bytes;
    }

    /** Columns of the V A panel of {@link #stateHessian}: the panel's examples' a_{l-1} each, plus one. */
    static long statePanelColumns(long batch, int aIn) { return Math.min(batch, STATE_PANEL_EXAMPLES) * aIn + 1; }

    /**
     * Qss = P + A^T V A, by panels of examples' columns j, computing only the block rows i >= j (Qss is
     * symmetric: only its lower triangle is valid on return): VA = V A (block columns, rows i >= j), then
     * A^T (VA) (block rows), then P on the diagonal blocks. A is block diagonal and never formed densely.
     * V is c's; Qss and the panel are c's scratch when it has them at the right size (every entry of the lower
     * triangle and of the panel rows read is written before it is read, so old contents do not matter).
     */
    private static double[] stateHessian(LayerStage st, CostToGo c) {
        double[] bigV = c.hessian;
        int nOut = st.stateOut();
        int nIn = st.stateIn();
        int blockA = st.aOut * st.aIn;
        double[] qss = c.takeSpare(nIn * nIn);
        int panel = Math.min(st.batch, STATE_PANEL_EXAMPLES);
        // one extra column: netlib's bounds check on a row-offset block (see Blas) then never forces a copy
        double[] va = c.panel(Math.toIntExact(nOut * statePanelColumns(st.batch, st.aIn)));
        for (int j0 = 0; j0 < st.batch; j0 += panel) {
            int j1 = Math.min(st.batch, j0 + panel);
            int row0 = j0 * st.aOut;
            for (int j = j0; j < j1; j++) {
                Blas.gemm(false, false, nOut - row0, st.aIn, st.aOut, 1.0, bigV, j * st.aOut * nOut + row0, nOut,
                        st.a, j * blockA, st.aOut, 0.0, va, (j - j0) * st.aIn * nOut + row0, nOut);
            }
            int cols = (j1 - j0) * st.aIn;
            int colOff = j0 * st.aIn * nIn;
            java.util.stream.IntStream.range(j0, st.batch).parallel().forEach(i ->
                    Blas.gemm(true, false, st.aIn, cols, st.aOut, 1.0, st.a, i * blockA, st.aOut,
                            va, i * st.aOut, nOut, 0.0, qss, colOff + i * st.aIn, nIn));
        }
        int blockP = st.aIn * st.aIn;
        for (int i = 0; i < st.batch; i++) {
            for (int col0 = 0; col0 < st.aIn; col0++) {
                int col = (i * st.aIn + col0) * nIn + i * st.aIn;
                for (int rr = 0; rr < st.aIn; rr++) qss[col + rr] += st.pBlocks[i * blockP + col0 * st.aIn + rr];
            }
        }
        return qss;
    }
}
