package org.hessinv.model;

import org.hessinv.linalg.Blas;

/**
 * A square-parameterized affine map: W (units x inputs, row-major) frozen, a trainable vector of size units
 * (p = units), so Ju = du/dx is diagonal ({@link #diagonalJacobian}). Holds W with its products {@code W z},
 * {@code W^T g} and the diagonal-Ju forms of B, R and S; the members say what the vector is.
 */
public abstract sealed class SquareAffine implements AffineMap permits GainAffine, BiasAffine {
    private static final long serialVersionUID = 1L;
    final int inputs;
    final int units;
    private final double[] w;

    SquareAffine(int inputs, int units, double[] weights, Parameterization parameterization) {
        AffineMap.checkSizes(inputs, units);
        if (weights == null || weights.length != units * inputs) {
            throw new InvalidInputException("a " + parameterization.specName() + "-parameterized stage needs frozen weights of "
                    + units + " x " + inputs + " = " + units * inputs + " entries, got "
                    + (weights == null ? "none" : String.valueOf(weights.length)));
        }
        for (double v : weights) {
            if (!Double.isFinite(v)) throw new InvalidInputException("frozen weights must be finite, got " + v);
        }
        this.inputs = inputs;
        this.units = units;
        this.w = weights.clone();
    }

    @Override public final int inputs() { return inputs; }

    @Override public final int units() { return units; }

    /** p = units. */
    @Override public final int paramCount() { return units; }

    @Override public final double[] frozenWeights() { return w.clone(); }

    /** The frozen W_{jk}. */
    @Override public final double frozenWeight(int j, int k) { return w[j * inputs + k]; }

    /** B[m rowStep, m] = coef_m ju_m. */
    @Override public final void writeScaledJu(double[] coef, double[] z, double[] b, int bOff, int ldb, int rowStep) {
        double[] ju = diagonalJacobian(z);
        for (int m = 0; m < units; m++) b[bOff + m * ldb + m * rowStep] = coef[m] * ju[m];
    }

    /** S += diag(ju) Lambda diag(ju). */
    @Override public final void addS(double[] lambda, boolean dense, double[] z, double[] s, int lds) {
        double[] ju = diagonalJacobian(z);
        for (int m = 0; m < units; m++) {
            for (int mp = 0; mp < units; mp++) {
                double lam = dense ? lambda[mp * units + m] : (m == mp ? lambda[m] : 0.0);
                s[mp * lds + m] += ju[m] * lam * ju[mp];
            }
        }
    }

    /** (W z)_j. */
    double row(int j, double[] z) {
        double acc = 0;
        int row = j * inputs;
        for (int k = 0; k < inputs; k++) acc += w[row + k] * z[k];
        return acc;
    }

    /** out += W^T (scale o g) over the units with a non-zero coefficient; scale null means all ones. */
    void addTranspose(double[] g, double[] scale, int sOff, double[] out) {
        for (int j = 0; j < units; j++) {
            double gj = scale == null ? g[j] : g[j] * scale[sOff + j];
            if (gj == 0.0) continue;
            int row = j * inputs;
            for (int k = 0; k < inputs; k++) out[k] += w[row + k] * gj;
        }
    }

    /** out (units x b) = W Z, one gemm. */
    void blockTimes(double[] z, int b, double[] out) {
        Blas.gemm(true, false, units, b, inputs, 1.0, w, 0, inputs, z, 0, inputs, 0.0, out, 0, units);
    }

    /** Lambda (inputs x b) = W^T G, one gemm. */
    void blockTransposeTimes(double[] g, int b, double[] lambda) {
        Blas.gemm(false, false, inputs, b, units, 1.0, w, 0, inputs, g, 0, units, 0.0, lambda, 0, inputs);
    }

    /** R[k', m] = WL_{k'm} ju_m + g_m W_{mk'} for the square maps' diagonal Ju = diag(ju) (gOrNull: X(g) term or none). */
    void writeDiagonalR(double[] wl, double[] ju, double[] gOrNull, double[] rr, int rOff, int ldr) {
        for (int m = 0; m < units; m++) {
            int col = rOff + m * ldr;
            double g = gOrNull != null ? gOrNull[m] : 0.0;
            for (int kp = 0; kp < inputs; kp++) rr[col + kp] = wl[m * inputs + kp] * ju[m] + (g == 0.0 ? 0.0 : g * w[m * inputs + kp]);
        }
    }
}
