package org.hessinv.model;

import java.io.Serializable;
import org.hessinv.linalg.Blas;

/** A frozen W (units x inputs, row-major) of a square-parameterized stage, with its products {@code W z} and {@code W^T g}. */
final class FrozenWeights implements Serializable {
    private static final long serialVersionUID = 1L;
    final int inputs;
    final int units;
    private final double[] w;

    FrozenWeights(int inputs, int units, double[] weights, Parameterization parameterization) {
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

    /** W_{jk}. */
    double at(int j, int k) { return w[j * inputs + k]; }

    /** A copy of W. */
    double[] copy() { return w.clone(); }

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

    /** S += diag(ju) Lambda diag(ju). */
    void addDiagonalS(double[] ju, double[] lambda, boolean dense, double[] s, int lds) {
        for (int m = 0; m < units; m++) {
            for (int mp = 0; mp < units; mp++) {
                double lam = dense ? lambda[mp * units + m] : (m == mp ? lambda[m] : 0.0);
                s[mp * lds + m] += ju[m] * lam * ju[mp];
            }
        }
    }

    /** B[m rowStep, m] = coef_m ju_m. */
    void writeDiagonalB(double[] coef, double[] ju, double[] b, int bOff, int ldb, int rowStep) {
        for (int m = 0; m < units; m++) b[bOff + m * ldb + m * rowStep] = coef[m] * ju[m];
    }
}
