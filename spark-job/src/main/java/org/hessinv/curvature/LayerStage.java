package org.hessinv.curvature;

import java.util.List;
import org.hessinv.model.AffineStage;
import org.hessinv.model.Network;

/**
 * Stage l's blocks over a batch, as the Riccati solver consumes them (MATH.md section 3):
 * {@code A = blockdiag(A^i)}, {@code P = blockdiag(P^i)}, {@code R = vstack(R^i)} (the input-state blocks),
 * and {@code Bs = vstack(B^i)}, {@code S = sum_i S^i} (without damping) in the stage's {@link StageForm}.
 * Column-major; A and P are stored as consecutive blocks. For the first stage the input is data, not a
 * state, so A, P and R are empty ({@link #hasState()} false).
 */
public final class LayerStage {
    /** 0-based stage index. */
    public final int layer;
    public final int batch;
    /** a_{l-1}. */
    public final int aIn;
    /** a_l. */
    public final int aOut;
    /** p_l. */
    public final int p;
    /** batch blocks a_l x a_{l-1}, block i at i * aOut * aIn (empty for the first stage). */
    public final double[] a;
    /** batch blocks a_{l-1} x a_{l-1} (empty for the first stage). */
    public final double[] pBlocks;
    /** (batch a_{l-1}) x p_l (empty for the first stage). */
    public final double[] r;
    /** Bs and S, and how the pivot is formed and factorized. */
    public final StageForm form;
    private final boolean hasState;

    private LayerStage(int layer, int batch, int aIn, int aOut, int p, boolean hasState, StageForm form) {
        this.layer = layer;
        this.batch = batch;
        this.aIn = aIn;
        this.aOut = aOut;
        this.p = p;
        this.hasState = hasState;
        this.a = new double[hasState ? batch * aOut * aIn : 0];
        this.pBlocks = new double[hasState ? batch * aIn * aIn : 0];
        this.r = new double[hasState ? batch * aIn * p : 0];
        this.form = form;
    }

    /** Bs, (B a_l) x p_l (see {@link StageForm#denseBs}). */
    public double[] denseBs() { return form.denseBs(); }

    /** sum_i S^i, p_l x p_l (see {@link StageForm#denseS}). */
    public double[] denseS() { return form.denseS(); }

    /** out (B a_l) = Bs d, for d of length p_l. */
    public void bsTimes(double[] d, double[] out) { form.bsTimes(d, out); }

    /** out (p_l) += Bs^T v, for v of length B a_l. */
    public void addBsTransposeTimes(double[] v, double[] out) { form.addBsTransposeTimes(v, out); }

    /** Whether the stage's input is a state (A, P, R present): every stage but the first. */
    public boolean hasState() { return hasState; }

    /** B a_{l-1}: the stacked input-state size. */
    public int stateIn() { return batch * aIn; }

    /** B a_l: the stacked output-state size. */
    public int stateOut() { return batch * aOut; }

    /** The bytes of A, P, R and the form's arrays. */
    public long bytes() { return Double.BYTES * ((long) a.length + pBlocks.length + r.length) + form.bytes(); }

    /** The bytes of A, P and R of stage st over B examples (none for the first stage). */
    public static long stateBytes(AffineStage st, boolean hasState, long batch) { return stateBytes(st, hasState, batch, org.hessinv.linalg.HeapFootprint.EXACT); }

    /** {@link #stateBytes(AffineStage, boolean, long)} with each array at its footprint in the heap. */
    public static long stateBytes(AffineStage st, boolean hasState, long batch, org.hessinv.linalg.HeapFootprint fp) {
        if (!hasState) return 0;
        long in = st.inputSize();
        return fp.doubles(batch * st.outputSize() * in) + fp.doubles(batch * in * in) + fp.doubles(batch * in * st.paramCount());
    }

    /**
     * Stacks the records of stage l, ordered by example. When {@code summedS} is non-null it is the
     * already-reduced {@code sum_i S^i} (Spark reduces it per layer); otherwise S is summed here in record order.
     */
    public static LayerStage assemble(Network net, double[] x, int l, List<StageRecord> records, double[] summedS) {
        AffineStage st = net.stage(l);
        LayerBlocks blocks = new LayerBlocks(st, x, net.paramOffset(l));
        StageForm form = StageForm.assemble(st, blocks, records, summedS);
        LayerStage out = new LayerStage(l, records.size(), st.inputSize(), st.outputSize(), st.paramCount(), l > 0, form);
        if (!out.hasState) return out;
        int nIn = out.stateIn();
        for (int i = 0; i < out.batch; i++) {
            StageRecord rec = records.get(i);
            blocks.writeA(rec, out.a, i * out.aOut * out.aIn, out.aOut);
            blocks.writeP(rec, out.pBlocks, i * out.aIn * out.aIn, out.aIn);
            blocks.writeR(rec, out.r, i * out.aIn, nIn);
        }
        return out;
    }

    /**
     * sum_i S^i of stage l over the records (the example-summable part, reduced per layer); null for a
     * {@link CapacitanceStage}, whose S is kept factored (p_l^2 doubles would be 2.7 GB for a 768-input layer).
     */
    public static double[] sumS(Network net, double[] x, int l, Iterable<StageRecord> records) {
        AffineStage st = net.stage(l);
        long count = 0;
        for (StageRecord ignored : records) count++;
        if (StageForm.usesCapacitance(st, count)) return null;
        LayerBlocks blocks = new LayerBlocks(st, x, net.paramOffset(l));
        double[] s = new double[st.paramCount() * st.paramCount()];
        for (StageRecord rec : records) blocks.addS(rec, s, st.paramCount());
        return s;
    }
}
