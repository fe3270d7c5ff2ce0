package org.hessinv.curvature;

import java.util.List;
import org.hessinv.linalg.Blas;
import org.hessinv.model.AffineStage;
import org.hessinv.model.Network;

/**
 * Stage l's blocks over a batch, as the Riccati solver consumes them (MATH.md section 3):
 * {@code A = blockdiag(A^i)}, {@code Bs = vstack(B^i)}, {@code P = blockdiag(P^i)}, {@code R = vstack(R^i)},
 * {@code S = sum_i S^i} (without damping); for a wide stage S and Bs in low-rank form ({@link StageFactors}). Column-major; A and P are stored as consecutive blocks.
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
    /** (batch a_l) x p_l; null when Bs is kept in Kronecker form ({@link #factors}, {@link #denseBs()}). */
    public final double[] bs;
    /** batch blocks a_{l-1} x a_{l-1}. */
    public final double[] pBlocks;
    /** (batch a_{l-1}) x p_l. */
    public final double[] r;
    /** p_l x p_l; null for a {@link #wide} stage (see {@link #factors}, {@link #denseS()}). */
    public final double[] s;
    /**
     * Bs (and S) in Kronecker form, for every fully parameterized dense stage (null for gain and bias
     * stages); then {@link #bs} is null: the sweep multiplies by Bs through the factors, at 1/a_l of the
     * dense cost. For a {@link #wide} stage {@link #s} is null too (p_l^2 doubles).
     */
    public final StageFactors factors;
    /** Whether this stage is wide ({@link #lowRank(AffineStage, long)}): its pivot goes through the capacitance. */
    public final boolean wide;

    /**
     * Whether stage st over a batch of B examples is stored and pivoted in low-rank form: when
     * p_l = units (inputs + 1) exceeds m = B units (i.e. inputs + 1 > B), S + Bs^T V Bs = U M U^T has rank
     * at most m < p_l, so the m x m capacitance route (m^3/3 + O(B m^2 + p_l B)) beats forming and
     * factorizing the p_l x p_l pivot (2 p_l^2 B a_l + p_l^3/3). At p_l <= m the dense pivot is no larger.
     */
    public static boolean lowRank(AffineStage st, long batch) {
        return st.paramCount() > LOW_RANK_RATIO * batch * st.units();
    }

    /** The ratio p_l / (B units) above which a stage goes low-rank: 1, where the capacitance stops being the smaller matrix. */
    public static final double LOW_RANK_RATIO = 1.0;

    private LayerStage(int layer, int batch, int aIn, int aOut, int p, boolean hasState, StageFactors factors, boolean wide) {
        this.layer = layer;
        this.batch = batch;
        this.aIn = aIn;
        this.aOut = aOut;
        this.p = p;
        this.a = hasState ? new double[batch * aOut * aIn] : null;
        this.bs = factors == null ? new double[batch * aOut * p] : null;
        this.pBlocks = hasState ? new double[batch * aIn * aIn] : null;
        this.r = hasState ? new double[batch * aIn * p] : null;
        this.s = wide ? null : new double[p * p];
        this.factors = factors;
        this.wide = wide;
    }

    /** Bs, (B a_l) x p_l: the stored matrix, or expanded from the factors (B a_l p_l doubles). */
    public double[] denseBs() { return bs != null ? bs : factors.denseBs(); }

    /** sum_i S^i, p_l x p_l: the stored matrix, or expanded from the factors of a wide stage (p_l^2 doubles: small stages and tests only). */
    public double[] denseS() {
        if (s != null) return s;
        double[] out = new double[p * p];
        factors.addDenseS(out);
        return out;
    }

    /** out (B a_l) = Bs d, for d of length p_l. */
    public void bsTimes(double[] d, double[] out) {
        int nOut = stateOut();
        if (bs != null) Blas.gemv(false, nOut, p, 1.0, bs, 0, nOut, d, 0, 0.0, out, 0);
        else factors.bsTimes(d, out);
    }

    /** out (p_l) += Bs^T v, for v of length B a_l. */
    public void addBsTransposeTimes(double[] v, double[] out) {
        int nOut = stateOut();
        if (bs != null) Blas.gemv(true, nOut, p, 1.0, bs, 0, nOut, v, 0, 1.0, out, 0);
        else factors.addBsTransposeTimes(v, out);
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
        boolean wide = lowRank(st, batch);
        StageFactors factors = st.isSquareParameterized()
                ? null : new StageFactors(batch, st.inputSize(), st.units(), st.outputSize(), records);
        LayerStage out = new LayerStage(l, batch, st.inputSize(), st.outputSize(), st.paramCount(), l > 0, factors, wide);
        int nOut = out.stateOut();
        int nIn = out.stateIn();
        for (int i = 0; i < batch; i++) {
            StageRecord rec = records.get(i);
            if (factors == null) blocks.writeB(rec, out.bs, i * out.aOut, nOut);
            if (out.hasState()) {
                blocks.writeA(rec, out.a, i * out.aOut * out.aIn, out.aOut);
                blocks.writeP(rec, out.pBlocks, i * out.aIn * out.aIn, out.aIn);
                blocks.writeR(rec, out.r, i * out.aIn, nIn);
            }
            if (summedS == null && !wide) blocks.addS(rec, out.s, out.p);
        }
        if (summedS != null && !wide) {
            if (summedS.length != out.s.length) throw new IllegalArgumentException("summed S has " + summedS.length + " entries, expected " + out.s.length);
            System.arraycopy(summedS, 0, out.s, 0, summedS.length);
        }
        return out;
    }

    /**
     * sum_i S^i of stage l over the records (the example-summable part, reduced per layer); null for a
     * {@link #lowRank} stage, whose S is kept factored (p_l^2 doubles would be 2.7 GB for a 768-input layer).
     */
    public static double[] sumS(Network net, double[] x, int l, Iterable<StageRecord> records) {
        AffineStage st = net.stage(l);
        long count = 0;
        for (StageRecord ignored : records) count++;
        if (lowRank(st, count)) return null;
        LayerBlocks blocks = new LayerBlocks(st, x, net.paramOffset(l));
        double[] s = new double[st.paramCount() * st.paramCount()];
        for (StageRecord rec : records) blocks.addS(rec, s, st.paramCount());
        return s;
    }
}
