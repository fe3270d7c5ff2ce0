package org.hessinv.model;

import java.util.SplittableRandom;

/**
 * {@code u = x o (W z)}, W frozen, the gain x trainable (p = units): {@code Weff = diag(x) W},
 * {@code Ju = diag(W z)}, and the mixed term {@code X(g) = W^T diag(g)}.
 */
public final class GainAffine implements AffineMap {
    private static final long serialVersionUID = 1L;
    private final FrozenWeights w;

    public GainAffine(int inputs, int units, double[] frozenWeights) {
        this.w = new FrozenWeights(inputs, units, frozenWeights, Parameterization.GAIN);
    }

    @Override public int inputs() { return w.inputs; }

    @Override public int units() { return w.units; }

    @Override public Parameterization parameterization() { return Parameterization.GAIN; }

    /** p = units. */
    @Override public int paramCount() { return w.units; }

    /** No trainable bias: the (empty) bias part starts after the gains. */
    @Override public int biasOffset() { return w.units; }

    @Override public double[] frozenWeights() { return w.copy(); }

    /** The frozen W_{jk}. */
    @Override public double frozenWeight(int j, int k) { return w.at(j, k); }

    /** u_j = x_j (W z)_j. */
    @Override public void apply(double[] x, int off, double[] z, double[] u) {
        for (int j = 0; j < w.units; j++) u[j] = x[off + j] * w.row(j, z);
    }

    /** u_j += x_j (W z)_j. */
    @Override public void addLinear(double[] x, int off, double[] z, double[] u) {
        for (int j = 0; j < w.units; j++) u[j] += x[off + j] * w.row(j, z);
    }

    /** out (+)= W^T (x o g). */
    @Override public void transpose(double[] x, int off, double[] g, double[] out, boolean accumulate) {
        if (!accumulate) java.util.Arrays.fill(out, 0, w.inputs, 0.0);
        w.addTranspose(g, x, off, out);
    }

    /** u_j = v_j (W z)_j. */
    @Override public void paramDirection(double[] v, int off, double[] z, double[] u) { apply(v, off, z, u); }

    /** out += W^T (v o g). */
    @Override public void crossTranspose(double[] v, int off, double[] g, double[] out) { w.addTranspose(g, v, off, out); }

    /** grad_j += g_j (W z)_j. */
    @Override public void accumulateParamGradient(double[] z, double[] g, double[] grad, int off) {
        for (int j = 0; j < w.units; j++) grad[off + j] += g[j] * w.row(j, z);
    }

    /** grad_j += g_j (W z)_j: the whole of Weff depends on the gain. */
    @Override public void accumulateWeightGradient(double[] z, double[] g, double[] grad, int off) {
        accumulateParamGradient(z, g, grad, off);
    }

    /** diag(x) W. */
    @Override public double[] effectiveWeights(double[] x, int off) {
        double[] e = new double[w.units * w.inputs];
        for (int j = 0; j < w.units; j++) for (int k = 0; k < w.inputs; k++) e[j * w.inputs + k] = x[off + j] * w.at(j, k);
        return e;
    }

    /** ju_j = (W z)_j: Ju is diagonal. */
    @Override public double[] diagonalJacobian(double[] z) {
        double[] d = new double[w.units];
        for (int j = 0; j < w.units; j++) d[j] = w.row(j, z);
        return d;
    }

    /** B[m rowStep, m] = coef_m (W z)_m. */
    @Override public void writeScaledJu(double[] coef, double[] z, double[] b, int bOff, int ldb, int rowStep) {
        w.writeDiagonalB(coef, diagonalJacobian(z), b, bOff, ldb, rowStep);
    }

    /** R[k', m] = WL_{k'm} (W z)_m + g_m W_{mk'}. */
    @Override public void writeR(double[] wl, double[] z, double[] cross, double[] rr, int rOff, int ldr) {
        w.writeDiagonalR(wl, diagonalJacobian(z), cross, rr, rOff, ldr);
    }

    /** S += diag(W z) Lambda diag(W z). */
    @Override public void addS(double[] lambda, boolean dense, double[] z, double[] s, int lds) {
        w.addDiagonalS(diagonalJacobian(z), lambda, dense, s, lds);
    }

    /** W Z of the block (the gain's gradient needs it). */
    @Override public double[] newBlockScratch(int capacity) { return new double[w.units * capacity]; }

    /** V = W Z (kept in scratch), U = x o V. */
    @Override public void blockApply(double[] x, int off, double[] z, double[] u, int b, double[] scratch) {
        w.blockTimes(z, b, scratch);
        int n = w.units;
        for (int e = 0; e < b; e++) {
            int c0 = e * n;
            for (int j = 0; j < n; j++) u[c0 + j] = x[off + j] * scratch[c0 + j];
        }
    }

    /** grad_j += sum_e G_je (W Z)_je. */
    @Override public void blockParamGradient(double[] z, double[] g, int b, double[] grad, int off, double[] scratch) {
        AffineMap.rowSums(g, w.units, b, grad, off, scratch);
    }

    /** G := x o G, then Lambda = W^T G. */
    @Override public void blockTranspose(double[] x, int off, double[] g, int b, double[] lambda) {
        int n = w.units;
        for (int e = 0; e < b; e++) {
            int c0 = e * n;
            for (int j = 0; j < n; j++) g[c0 + j] = g[c0 + j] * x[off + j];
        }
        w.blockTransposeTimes(g, b, lambda);
    }

    /** Gains 1 + 0.1 N(0, 1). */
    @Override public void initialize(SplittableRandom rng, double scale, double[] x, int off) {
        for (int j = 0; j < w.units; j++) x[off + j] = 1.0 + 0.1 * Network.gaussian(rng);
    }
}
