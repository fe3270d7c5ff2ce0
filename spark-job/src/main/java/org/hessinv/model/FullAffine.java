package org.hessinv.model;

import java.util.SplittableRandom;
import org.hessinv.linalg.Blas;

/**
 * {@code u = W z + c} with W (units x inputs, row-major) then c trainable: {@code Ju dx = dW z + dc},
 * {@code p = units (inputs + 1)}. The dense, residual and ordinary head stages.
 */
public final class FullAffine implements AffineMap {
    private static final long serialVersionUID = 1L;
    private final int inputs;
    private final int units;

    public FullAffine(int inputs, int units) {
        AffineMap.checkSizes(inputs, units);
        this.inputs = inputs;
        this.units = units;
    }

    @Override public int inputs() { return inputs; }

    @Override public int units() { return units; }

    @Override public Parameterization parameterization() { return Parameterization.FULL; }

    /** p = units (inputs + 1). */
    @Override public int paramCount() { return units * (inputs + 1); }

    /** c starts after W: units * inputs. */
    @Override public int biasOffset() { return units * inputs; }

    @Override public double[] frozenWeights() { return null; }

    @Override public double frozenWeight(int j, int k) { throw new IllegalStateException("a fully trainable stage has no frozen W"); }

    @Override public double[] diagonalJacobian(double[] z) { throw new IllegalStateException("du/dx of a FULL stage is not diagonal"); }

    /** u = W z + c. */
    @Override public void apply(double[] x, int off, double[] z, double[] u) {
        int cOff = off + biasOffset();
        for (int j = 0; j < units; j++) {
            double acc = x[cOff + j];
            int row = off + j * inputs;
            for (int k = 0; k < inputs; k++) acc += x[row + k] * z[k];
            u[j] = acc;
        }
    }

    /** u += W z. */
    @Override public void addLinear(double[] x, int off, double[] z, double[] u) {
        for (int j = 0; j < units; j++) {
            int row = off + j * inputs;
            double acc = 0;
            for (int k = 0; k < inputs; k++) acc += x[row + k] * z[k];
            u[j] += acc;
        }
    }

    /** out (+)= W^T g, skipping zero entries of g. */
    @Override public void transpose(double[] x, int off, double[] g, double[] out, boolean accumulate) {
        if (!accumulate) java.util.Arrays.fill(out, 0, inputs, 0.0);
        for (int j = 0; j < units; j++) {
            double gj = g[j];
            if (gj == 0.0) continue;
            int row = off + j * inputs;
            for (int k = 0; k < inputs; k++) out[k] += x[row + k] * gj;
        }
    }

    /** u = V_W z + V_c. */
    @Override public void paramDirection(double[] v, int off, double[] z, double[] u) { apply(v, off, z, u); }

    /** out += V_W^T g. */
    @Override public void crossTranspose(double[] v, int off, double[] g, double[] out) { transpose(v, off, g, out, true); }

    /** grad[W] += g z^T, grad[c] += g. */
    @Override public void accumulateParamGradient(double[] z, double[] g, double[] grad, int off) {
        int cOff = off + biasOffset();
        for (int j = 0; j < units; j++) {
            double gj = g[j];
            int row = off + j * inputs;
            for (int k = 0; k < inputs; k++) grad[row + k] += gj * z[k];
            grad[cOff + j] += gj;
        }
    }

    /** grad[W] += g z^T. */
    @Override public void accumulateWeightGradient(double[] z, double[] g, double[] grad, int off) {
        for (int j = 0; j < units; j++) {
            double gj = g[j];
            int row = off + j * inputs;
            for (int k = 0; k < inputs; k++) grad[row + k] += gj * z[k];
        }
    }

    /** W, copied from x. */
    @Override public double[] effectiveWeights(double[] x, int off) {
        double[] w = new double[units * inputs];
        System.arraycopy(x, off, w, 0, units * inputs);
        return w;
    }

    /** B[m rowStep, m*in+k] = coef_m z_k, B[m rowStep, bias+m] = coef_m. */
    @Override public void writeScaledJu(double[] coef, double[] z, double[] b, int bOff, int ldb, int rowStep) {
        int bias = biasOffset();
        for (int m = 0; m < units; m++) {
            double jm = coef[m];
            int row = m * rowStep;
            for (int k = 0; k < inputs; k++) b[bOff + (m * inputs + k) * ldb + row] = jm * z[k];
            b[bOff + (bias + m) * ldb + row] = jm;
        }
    }

    /** R[k', m*in+k] = WL_{k'm} z_k + g_m [k = k'], R[k', bias+m] = WL_{k'm}. */
    @Override public void writeR(double[] wl, double[] z, double[] cross, double[] rr, int rOff, int ldr) {
        int bias = biasOffset();
        for (int m = 0; m < units; m++) {
            for (int k = 0; k < inputs; k++) {
                int col = rOff + (m * inputs + k) * ldr;
                double zk = z[k];
                for (int kp = 0; kp < inputs; kp++) rr[col + kp] = wl[m * inputs + kp] * zk;
            }
            int col = rOff + (bias + m) * ldr;
            for (int kp = 0; kp < inputs; kp++) rr[col + kp] = wl[m * inputs + kp];
        }
        if (cross != null) {
            for (int m = 0; m < units; m++) {
                double g = cross[m];
                for (int k = 0; k < inputs; k++) rr[rOff + (m * inputs + k) * ldr + k] += g;
            }
        }
    }

    /** S[(m,k),(m',k')] += Lambda_{mm'} zt_k zt_k' with zt = (z, 1) and (m, in) the bias of unit m. */
    @Override public void addS(double[] lambda, boolean dense, double[] z, double[] s, int lds) {
        int bias = biasOffset();
        for (int m = 0; m < units; m++) {
            for (int mp = 0; mp < units; mp++) {
                double lam;
                if (dense) lam = lambda[mp * units + m];
                else if (m == mp) lam = lambda[m];
                else continue;
                if (lam == 0.0) continue;
                for (int kp = 0; kp <= inputs; kp++) {
                    double ztkp = kp < inputs ? z[kp] : 1.0;
                    int col = (kp < inputs ? mp * inputs + kp : bias + mp) * lds;
                    double f = lam * ztkp;
                    for (int k = 0; k < inputs; k++) s[col + m * inputs + k] += f * z[k];
                    s[col + bias + m] += f;
                }
            }
        }
    }

    @Override public double[] newBlockScratch(int capacity) { return new double[0]; }

    /** U = W Z + c: W row-major n x k is W^T column-major, so U = (W^T)^T Z, one gemm. */
    @Override public void blockApply(double[] x, int off, double[] z, double[] u, int b, double[] scratch) {
        Blas.gemm(true, false, units, b, inputs, 1.0, x, off, inputs, z, 0, inputs, 0.0, u, 0, units);
        int cOff = off + biasOffset();
        for (int e = 0; e < b; e++) {
            int c0 = e * units;
            for (int j = 0; j < units; j++) u[c0 + j] = x[cOff + j] + u[c0 + j];
        }
    }

    /** grad[W] (row-major n x k = column-major k x n) += Z G^T, grad[c] += G 1. */
    @Override public void blockParamGradient(double[] z, double[] g, int b, double[] grad, int off, double[] scratch) {
        Blas.gemm(false, true, inputs, units, b, 1.0, z, 0, inputs, g, 0, units, 1.0, grad, off, inputs);
        AffineMap.rowSums(g, units, b, grad, off + biasOffset(), null);
    }

    /** Lambda = W^T G, one gemm. */
    @Override public void blockTranspose(double[] x, int off, double[] g, int b, double[] lambda) {
        Blas.gemm(false, false, inputs, b, units, 1.0, x, off, inputs, g, 0, units, 0.0, lambda, 0, inputs);
    }

    /** W ~ N(0, scale^2), then c ~ N(0, 0.1^2). */
    @Override public void initialize(SplittableRandom rng, double scale, double[] x, int off) {
        int bias = biasOffset();
        for (int i = 0; i < bias; i++) x[off + i] = scale * Network.gaussian(rng);
        for (int j = 0; j < units; j++) x[off + bias + j] = 0.1 * Network.gaussian(rng);
    }
}
