package org.hessinv.curvature;

import java.util.List;
import org.hessinv.model.AffineStage;
import org.hessinv.model.Network;

/**
 * Stage l's blocks over a batch, as the Riccati solver consumes them (MATH.md section 3):
 * {@code A = blockdiag(A^i)}, {@code Bs = vstack(B^i)}, {@code P = blockdiag(P^i)}, {@code R = vstack(R^i)},
 * {@code S = sum_i S^i} (without damping). Column-major; A and P are stored as consecutive blocks.
 * For the first stage the input is data, not a state, so A, P and R are not formed ({@link #hasState()} false).
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
    /** batch blocks a_l x a_{l-1}, block i at i * aOut * aIn. */
    public final double[] a;
    /** (batch a_l) x p_l. */
    public final double[] bs;
    /** batch blocks a_{l-1} x a_{l-1}. */
    public final double[] pBlocks;
    /** (batch a_{l-1}) x p_l. */
    public final double[] r;
    /** p_l x p_l. */
    public final double[] s;

    private LayerStage(int layer, int batch, int aIn, int aOut, int p, boolean hasState) {
        this.layer = layer;
        this.batch = batch;
        this.aIn = aIn;
        this.aOut = aOut;
        this.p = p;
        this.a = hasState ? new double[batch * aOut * aIn] : null;
        this.bs = new double[batch * aOut * p];
        this.pBlocks = hasState ? new double[batch * aIn * aIn] : null;
        this.r = hasState ? new double[batch * aIn * p] : null;
        this.s = new double[p * p];
    }

    public boolean hasState() { return a != null; }

    /** B a_{l-1}: the stacked input-state size. */
    public int stateIn() { return batch * aIn; }

    /** B a_l: the stacked output-state size. */
    public int stateOut() { return batch * aOut; }

    /**
     * Stacks the records of stage l, ordered by example. When {@code summedS} is non-null it is the
     * already-reduced {@code sum_i S^i} (Spark reduces it per layer); otherwise S is summed here in record order.
     */
    public static LayerStage assemble(Network net, double[] x, int l, List<StageRecord> records, double[] summedS) {
        AffineStage st = net.stage(l);
        LayerBlocks blocks = new LayerBlocks(st, x, net.paramOffset(l));
        int batch = records.size();
        LayerStage out = new LayerStage(l, batch, st.inputSize(), st.outputSize(), st.paramCount(), l > 0);
        int nOut = out.stateOut();
        int nIn = out.stateIn();
        for (int i = 0; i < batch; i++) {
            StageRecord rec = records.get(i);
            blocks.writeB(rec, out.bs, i * out.aOut, nOut);
            if (out.hasState()) {
                blocks.writeA(rec, out.a, i * out.aOut * out.aIn, out.aOut);
                blocks.writeP(rec, out.pBlocks, i * out.aIn * out.aIn, out.aIn);
                blocks.writeR(rec, out.r, i * out.aIn, nIn);
            }
            if (summedS == null) blocks.addS(rec, out.s, out.p);
        }
        if (summedS != null) {
            if (summedS.length != out.s.length) throw new IllegalArgumentException("summed S has " + summedS.length + " entries, expected " + out.s.length);
            System.arraycopy(summedS, 0, out.s, 0, summedS.length);
        }
        return out;
    }

    /** sum_i S^i of stage l over the records (the example-summable part, reduced per layer). */
    public static double[] sumS(Network net, double[] x, int l, Iterable<StageRecord> records) {
        AffineStage st = net.stage(l);
        LayerBlocks blocks = new LayerBlocks(st, x, net.paramOffset(l));
        double[] s = new double[st.paramCount() * st.paramCount()];
        for (StageRecord rec : records) blocks.addS(rec, s, st.paramCount());
        return s;
    }
}
