package org.hessinv.model;

import java.io.Serializable;
import java.util.SplittableRandom;

/**
 * The affine part {@code u = Weff(x) z + ceff(x)} of a stage, with {@code x -> (Weff, ceff)} affine: a closed
 * family, one member per {@link Parameterization}, each owning the products with {@code Weff} and with the
 * parameter Jacobian {@code Ju = du/dx} that the sweeps, the blocks and the R-pass need.
 * {@link FullAffine}: {@code W z + c}, W and c trainable; the {@link SquareAffine} maps {@link GainAffine}: {@code x * (W z)} and
 * {@link BiasAffine}: {@code W z + x}, W frozen. Parameters are read from a flat vector at an offset.
 */
public sealed interface AffineMap extends Serializable permits FullAffine, SquareAffine {
    /** a_{l-1}: size of z. */
    int inputs();

    /** Size of u. */
    int units();

    /** Which parameterization this is. */
    Parameterization parameterization();

    /** p_l: the number of trainable parameters. */
    int paramCount();

    /** Offset of the bias inside the parameter block (units * inputs full, 0 bias, units gain: no bias). */
    int biasOffset();

    /** A copy of the frozen W (units x inputs, row-major), or null when W is trainable. */
    double[] frozenWeights();

    /** The frozen W_{jk} (square maps only). */
    double frozenWeight(int j, int k);

    /** ju: the diagonal of Ju = du/dx (square maps only: (W z)_j for a gain, 1 for a bias). */
    double[] diagonalJacobian(double[] z);

    /** u = Weff(x) z + ceff(x). */
    void apply(double[] x, int off, double[] z, double[] u);

    /** u += Weff(x) z (no bias). */
    void addLinear(double[] x, int off, double[] z, double[] u);

    /** out = Weff(x)^T g (out += when {@code accumulate}). */
    void transpose(double[] x, int off, double[] g, double[] out, boolean accumulate);

    /** u = Ju v = dWeff(v) z + dceff(v). */
    void paramDirection(double[] v, int off, double[] z, double[] u);

    /** out += dWeff(v)^T g: the mixed second-order term of the R-pass's backward step. */
    void crossTranspose(double[] v, int off, double[] g, double[] out);

    /** grad += Ju^T g. */
    void accumulateParamGradient(double[] z, double[] g, double[] grad, int off);

    /** grad += d/dx [g^T Weff(x) z]. */
    void accumulateWeightGradient(double[] z, double[] g, double[] grad, int off);

    /** Weff(x): units x inputs, row-major (a copy). */
    double[] effectiveWeights(double[] x, int off);

    /** B[m * rowStep, .] = coef_m Ju[m, .] for every unit m (rowStep 1: diag(coef) Ju; rowStep 0: the row coef^T Ju), column-major. */
    void writeScaledJu(double[] coef, double[] z, double[] b, int bOff, int ldb, int rowStep);

    /** R = WL Ju + X(cross), with WL = Weff^T Lambda (inputs x units column-major), X(g) dx = dWeff(dx)^T g; cross null: X dropped. */
    void writeR(double[] wl, double[] z, double[] cross, double[] r, int rOff, int ldr);

    /** S += Ju^T Lambda Ju, Lambda diagonal (units) or dense (units x units column-major). */
    void addS(double[] lambda, boolean dense, double[] z, double[] s, int lds);

    /** Scratch the blocked sweep keeps for this map over {@code capacity} examples. */
    double[] newBlockScratch(int capacity);

    /** U = Weff(x) Z + ceff(x) for the b columns of Z (inputs x b, column-major). */
    void blockApply(double[] x, int off, double[] z, double[] u, int b, double[] scratch);

    /** grad += Ju^T G summed over the b columns of G (units x b), after {@link #blockApply} on the same Z. */
    void blockParamGradient(double[] z, double[] g, int b, double[] grad, int off, double[] scratch);

    /** Lambda = Weff(x)^T G (inputs x b); G may be overwritten. */
    void blockTranspose(double[] x, int off, double[] g, int b, double[] lambda);

    /** Seeded initial parameters, W entries N(0, scale^2) where W is trainable. */
    void initialize(SplittableRandom rng, double scale, double[] x, int off);

    /** grad[off + j] += sum_e G[j, e] (times scale[j, e] when given), each sum in column order. */
    static void rowSums(double[] gm, int n, int b, double[] grad, int off, double[] scale) {
        double[] acc = new double[n];
        if (scale == null) {
            for (int e = 0; e < b; e++) {
                int c0 = e * n;
                for (int j = 0; j < n; j++) acc[j] += gm[c0 + j];
            }
        } else {
            for (int e = 0; e < b; e++) {
                int c0 = e * n;
                for (int j = 0; j < n; j++) acc[j] += gm[c0 + j] * scale[c0 + j];
            }
        }
        for (int j = 0; j < n; j++) grad[off + j] += acc[j];
    }

    /** Checks positive sizes. */
    static void checkSizes(int inputs, int units) {
        if (inputs <= 0 || units <= 0) {
            throw new InvalidInputException("layer sizes must be positive, got inputs=" + inputs + " units=" + units);
        }
    }
}
