package org.hessinv.model;

import java.util.SplittableRandom;

/**
 * {@code u = W z + x}, W frozen, the bias x trainable (p = units): {@code Weff = W}, {@code Ju = I},
 * no mixed term ({@code Weff} does not depend on x).
 */
public final class BiasAffine extends SquareAffine {
    private static final long serialVersionUID = 1L;

    public BiasAffine(int inputs, int units, double[] frozenWeights) {
        super(inputs, units, frozenWeights, Parameterization.BIAS);
    }

    @Override public Parameterization parameterization() { return Parameterization.BIAS; }

    /** The whole block is the bias. */
    @Override public int biasOffset() { return 0; }

    /** u_j = (W z)_j + x_j. */
    @Override public void apply(double[] x, int off, double[] z, double[] u) {
        for (int j = 0; j < units; j++) u[j] = row(j, z) + x[off + j];
    }

    /** u += W z. */
    @Override public void addLinear(double[] x, int off, double[] z, double[] u) {
        for (int j = 0; j < units; j++) u[j] += row(j, z);
    }

    /** out (+)= W^T g. */
    @Override public void transpose(double[] x, int off, double[] g, double[] out, boolean accumulate) {
        if (!accumulate) java.util.Arrays.fill(out, 0, inputs, 0.0);
        addTranspose(g, null, 0, out);
    }

    /** u = v. */
    @Override public void paramDirection(double[] v, int off, double[] z, double[] u) {
        System.arraycopy(v, off, u, 0, units);
    }

    /** Zero: W does not depend on the bias. */
    @Override public void crossTranspose(double[] v, int off, double[] g, double[] out) { }

    /** grad += g. */
    @Override public void accumulateParamGradient(double[] z, double[] g, double[] grad, int off) {
        for (int j = 0; j < units; j++) grad[off + j] += g[j];
    }

    /** Nothing: W does not depend on the bias. */
    @Override public void accumulateWeightGradient(double[] z, double[] g, double[] grad, int off) { }

    /** W (a copy). */
    @Override public double[] effectiveWeights(double[] x, int off) { return frozenWeights(); }

    /** ju = 1: Ju = I. */
    @Override public double[] diagonalJacobian(double[] z) {
        double[] d = new double[units];
        java.util.Arrays.fill(d, 1.0);
        return d;
    }

    /** R = WL (no mixed term). */
    @Override public void writeR(double[] wl, double[] z, double[] cross, double[] rr, int rOff, int ldr) {
        writeDiagonalR(wl, diagonalJacobian(z), null, rr, rOff, ldr);
    }

    @Override public double[] newBlockScratch(int capacity) { return new double[0]; }

    /** U = W Z + x. */
    @Override public void blockApply(double[] x, int off, double[] z, double[] u, int b, double[] scratch) {
        blockTimes(z, b, u);
        int n = units;
        for (int e = 0; e < b; e++) {
            int c0 = e * n;
            for (int j = 0; j < n; j++) u[c0 + j] = u[c0 + j] + x[off + j];
        }
    }

    /** grad_j += sum_e G_je. */
    @Override public void blockParamGradient(double[] z, double[] g, int b, double[] grad, int off, double[] scratch) {
        AffineMap.rowSums(g, units, b, grad, off, null);
    }

    /** Lambda = W^T G. */
    @Override public void blockTranspose(double[] x, int off, double[] g, int b, double[] lambda) { blockTransposeTimes(g, b, lambda); }

    /** Biases 0.1 N(0, 1). */
    @Override public void initialize(SplittableRandom rng, double scale, double[] x, int off) {
        for (int j = 0; j < units; j++) x[off + j] = 0.0 + 0.1 * Network.gaussian(rng);
    }
}
