package org.hessinv.curvature;

import org.hessinv.linalg.Blas;

/** A stage whose Bs ((B a_l) x p_l) and S (p_l x p_l) are stored densely: gain and bias stages (p_l = a_l). */
public final class DenseStage implements StageForm {
    private final int nOut;
    private final int p;
    /** (B a_l) x p_l, column-major. */
    private final double[] bs;
    /** p_l x p_l, column-major. */
    private final double[] s;

    DenseStage(int nOut, int p, double[] bs, double[] s) {
        this.nOut = nOut;
        this.p = p;
        this.bs = bs;
        this.s = s;
    }

    @Override public int paramCount() { return p; }

    /** out = Bs d (gemv). */
    @Override public void bsTimes(double[] d, double[] out) { Blas.gemv(false, nOut, p, 1.0, bs, 0, nOut, d, 0, 0.0, out, 0); }

    /** out += Bs^T v (gemv). */
    @Override public void addBsTransposeTimes(double[] v, double[] out) { Blas.gemv(true, nOut, p, 1.0, bs, 0, nOut, v, 0, 1.0, out, 0); }

    /** V Bs (gemm, 2 (B a_l)^2 p_l flops). */
    @Override public double[] vTimesBs(double[] v) {
        double[] vb = new double[nOut * p];
        Blas.gemm(false, false, nOut, p, nOut, 1.0, v, 0, nOut, bs, 0, nOut, 0.0, vb, 0, nOut);
        return vb;
    }

    /** The stored Bs (not a copy). */
    @Override public double[] denseBs() { return bs; }

    /** The stored S (not a copy). */
    @Override public double[] denseS() { return s; }

    @Override public boolean pivotNeedsVBs() { return true; }

    /** Qdd = S + delta I + Bs^T (V Bs), p_l x p_l. */
    @Override public FormedPivot formPivot(double[] v, double[] vb, double delta) {
        return StageForm.formDense(s, p, delta, q -> Blas.gemm(true, false, p, p, nOut, 1.0, bs, 0, nOut, vb, 0, nOut, 1.0, q, 0, p));
    }

    @Override public long rankBound() { return p; }

    @Override public StageForm densePivot() { return this; }

    /** Bs ((B a_l) x p_l) and S (p_l^2), the pivot formed densely. */
    static Bytes bytes(org.hessinv.model.AffineStage st, long batch, org.hessinv.linalg.HeapFootprint fp) {
        long p = st.paramCount();
        return StageForm.withDensePivot(fp.doubles(batch * st.outputSize() * p) + fp.doubles(p * p), p, fp);
    }

    @Override public long bytes() { return Double.BYTES * ((long) bs.length + s.length); }
}
