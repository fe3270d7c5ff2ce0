package org.hessinv.model;

import java.util.SplittableRandom;

/**
 * {@code u = x o (W z)}, W frozen, the gain x trainable (p = units): {@code Weff = diag(x) W},
 * {@code Ju = diag(W z)}, and the mixed term {@code X(g) = W^T diag(g)}.
 */
public final class GainAffine extends SquareAffine {
    private static final long serialVersionUID = 1L;

    public GainAffine(int inputs, int units, double[] frozenWeights) {
        super(inputs, units, frozenWeights, Parameterization.GAIN);
    }

    @Override public Parameterization parameterization() { return Parameterization.GAIN; }

    /** No trainable bias: the (empty) bias part starts after the gains. */
    @Override public int biasOffset() { return units; }

    /** u_j = x_j (W z)_j. */
    @Override public void apply(double[] x, int off, double[] z, double[] u) {
        for (int j = 0; j < units; j++) u[j] = x[off + j] * row(j, z);
    }

    /** u_j += x_j (W z)_j. */
    @Override public void addLinear(double[] x, int off, double[] z, double[] u) {
        for (int j = 0; j < units; j++) u[j] += x[off + j] * row(j, z);
    }

    /** out (+)= W^T (x o g). */
    @Override public void transpose(double[] x, int off, double[] g, double[] out, boolean accumulate) {
        if (!accumulate) java.util.Arrays.fill(out, 0, inputs, 0.0);
        addTranspose(g, x, off, out);
    }

    /** u_j = v_j (W z)_j. */
    @Override public void paramDirection(double[] v, int off, double[] z, double[] u) { apply(v, off, z, u); }

    /** out += W^T (v o g). */
    @Override public void crossTranspose(double[] v, int off, double[] g, double[] out) { addTranspose(g, v, off, out); }

    /** grad_j += g_j (W z)_j. */
    @Override public void accumulateParamGradient(double[] z, double[] g, double[] grad, int off) {
        for (int j = 0; j < units; j++) grad[off + j] += g[j] * row(j, z);
    }

    /** grad_j += g_j (W z)_j: the whole of Weff depends on the gain. */
    @Override public void accumulateWeightGradient(double[] z, double[] g, double[] grad, int off) {
        accumulateParamGradient(z, g, grad, off);
    }

    /** diag(x) W. */
    @Override public double[] effectiveWeights(double[] x, int off) {
        double[] e = new double[units * inputs];
        for (int j = 0; j < units; j++) for (int k = 0; k < inputs; k++) e[j * inputs + k] = x[off + j] * frozenWeight(j, k);
        return e;
    }

    /** ju_j = (W z)_j: Ju is diagonal. */
    @Override public double[] diagonalJacobian(double[] z) {
        double[] d = new double[units];
        for (int j = 0; j < units; j++) d[j] = row(j, z);
        return d;
    }

    /** R[k', m] = WL_{k'm} (W z)_m + g_m W_{mk'}. */
    @Override public void writeR(double[] wl, double[] z, double[] cross, double[] rr, int rOff, int ldr) {
        writeDiagonalR(wl, diagonalJacobian(z), cross, rr, rOff, ldr);
    }

    /** W Z of the block (the gain's gradient needs it). */
    @Override public double[] newBlockScratch(int capacity) { return new double[units * capacity]; }

    /** V = W Z (kept in scratch), U = x o V. */
    @Override public void blockApply(double[] x, int off, double[] z, double[] u, int b, double[] scratch) {
        blockTimes(z, b, scratch);
        int n = units;
        for (int e = 0; e < b; e++) {
            int c0 = e * n;
            for (int j = 0; j < n; j++) u[c0 + j] = x[off + j] * scratch[c0 + j];
        }
    }

    /** grad_j += sum_e G_je (W Z)_je. */
    @Override public void blockParamGradient(double[] z, double[] g, int b, double[] grad, int off, double[] scratch) {
        AffineMap.rowSums(g, units, b, grad, off, scratch);
    }

    /** G := x o G, then Lambda = W^T G. */
    @Override public void blockTranspose(double[] x, int off, double[] g, int b, double[] lambda) {
        int n = units;
        for (int e = 0; e < b; e++) {
            int c0 = e * n;
            for (int j = 0; j < n; j++) g[c0 + j] = g[c0 + j] * x[off + j];
        }
        blockTransposeTimes(g, b, lambda);
    }

    /** Gains 1 + 0.1 N(0, 1). */
    @Override public void initialize(SplittableRandom rng, double scale, double[] x, int off) {
        for (int j = 0; j < units; j++) x[off + j] = 1.0 + 0.1 * Network.gaussian(rng);
    }
}
