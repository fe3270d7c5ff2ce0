package org.hessinv.model;

import java.util.SplittableRandom;
import org.hessinv.linalg.Blas;

/**
 * One stage {@code z_l = f_l(z_{l-1}; x_l)} of the network whose pre-activation is an affine map
 * {@code u = Weff(x) z + ceff(x)} ({@link AffineMap}: full, gain or bias). The closed family of stage kinds
 * ({@link HiddenLayer}: dense, residual, square gain, square bias; {@link Head}: mse, softmax) each own their
 * math: the forward map, the adjoint (the action of {@code A^T}), the factors {@code J, Lambda} of the
 * blocks {@code A, B, P, R, S} (docs/math.md section 2) and the R-pass (their directional derivatives).
 * The sweeps, the blocks and the R-pass call these methods and know no stage kind.
 *
 * <p>The methods below delegating to the affine map are the products the sweeps and the R-pass need:
 * {@code Weff(x) z}, {@code Weff(x)^T g}, {@code Ju v = dWeff(v) z + dceff(v)}, {@code Ju^T g} and the
 * mixed term {@code d/dx [g^T Weff(x) z]}.
 */
public abstract sealed class AffineStage implements java.io.Serializable permits HiddenLayer, Head {
    private static final long serialVersionUID = 3L;
    private final AffineMap map;

    protected AffineStage(AffineMap map) { this.map = map; }

    /** The affine part u = Weff(x) z + ceff(x). */
    public final AffineMap affineMap() { return map; }

    /** a_{l-1}: size of the stage input. */
    public final int inputSize() { return map.inputs(); }

    /** Size of the affine output u. */
    public final int units() { return map.units(); }

    /** a_l: size of the stage output (1 for a head: the loss). */
    public abstract int outputSize();

    /** What is trainable: W and c (FULL), or a gain or bias of size units with W frozen. */
    public final Parameterization parameterization() { return map.parameterization(); }

    /** True for the gain and bias parameterizations (p_l = units). */
    public final boolean isSquareParameterized() { return map.parameterization() != Parameterization.FULL; }

    /** A copy of the frozen W (units x inputs, row-major), or null for a FULL stage. */
    public final double[] frozenWeights() { return map.frozenWeights(); }

    /** The frozen W_{jk} (square parameterizations only). */
    public final double frozenWeight(int j, int k) { return map.frozenWeight(j, k); }

    /** p_l = units * (inputs + 1) for FULL, units for the square parameterizations. */
    public final int paramCount() { return map.paramCount(); }

    /** Offset of the bias c inside this stage's parameter block: units * inputs (FULL), 0 (BIAS), units (GAIN: empty). */
    public final int biasOffset() { return map.biasOffset(); }

    /** u = Weff(x) z + ceff(x). */
    public final void affine(double[] x, int off, double[] z, double[] u) { map.apply(x, off, z, u); }

    /** u += Weff(x) z (no bias). */
    public final void addLinear(double[] x, int off, double[] z, double[] u) { map.addLinear(x, off, z, u); }

    /** out = Weff(x)^T g (accumulated into out when {@code accumulate}). */
    public final void affineTranspose(double[] x, int off, double[] g, double[] out, boolean accumulate) {
        map.transpose(x, off, g, out, accumulate);
    }

    /** u = Ju v = dWeff(v) z + dceff(v): the change of u along the parameter direction v (read at {@code v[off ..]}). */
    public final void paramDirection(double[] v, int off, double[] z, double[] u) { map.paramDirection(v, off, z, u); }

    /** out += dWeff(v)^T g: the mixed second-order term of the R-pass's backward step (zero for BIAS). */
    public final void crossTranspose(double[] v, int off, double[] g, double[] out) { map.crossTranspose(v, off, g, out); }

    /** grad += Ju^T g. */
    public final void accumulateParamGradient(double[] z, double[] g, double[] grad, int off) {
        map.accumulateParamGradient(z, g, grad, off);
    }

    /** grad += d/dx [g^T Weff(x) z]. */
    public final void accumulateWeightGradient(double[] z, double[] g, double[] grad, int off) {
        map.accumulateWeightGradient(z, g, grad, off);
    }

    /** Weff(x): units x inputs, row-major (a copy). */
    public final double[] effectiveWeights(double[] x, int off) { return map.effectiveWeights(x, off); }

    /** Ju = du/dx of a square parameterization, which is diagonal: (W z)_j (GAIN) or 1 (BIAS). */
    public final double[] squareParamJacobian(double[] z) { return map.diagonalJacobian(z); }

    // ---- the stage kind's own math, one example ----

    /** g = d(lambda . f)/du: the adjoint of u, given the adjoint {@code lambdaOut} of the output (a head's: {w}). */
    public abstract void adjointOfU(double[] u, double[] lambdaOut, double[] response, double[] g);

    /** lambda_{l-1} = A^T lambda_l = Weff^T g (a residual layer adds lambda_l). */
    public double[] inputAdjoint(double[] x, int off, double[] g, double[] lambdaOut) {
        double[] in = new double[inputSize()];
        map.transpose(x, off, g, in, false);
        return in;
    }

    /** J = df/du: the diagonal s'(u) of a hidden layer, the row dloss/du of a head. */
    public abstract void outputJacobian(double[] u, double[] response, double[] jac);

    /**
     * Lambda = d2(lambda . f)/du2: diag(lambda o s''(u)) of a hidden layer (null when {@code secondOrder} is false:
     * the Gauss-Newton matrix drops it), w d2loss/du2 of a head (dense, kept by both).
     */
    public abstract double[] outputCurvature(double[] u, double[] lambdaOut, double[] response, boolean secondOrder);

    /** Whether {@link #outputCurvature} is dense units x units (else its diagonal). */
    public abstract boolean curvatureDense();

    /** A = J Weff (+ I for a residual layer): a_l x a_{l-1} at a[aOff], leading dimension lda; w = Weff row-major. */
    public abstract void writeA(double[] jac, double[] w, double[] a, int aOff, int lda);

    /** The row step of J: 1 when J is diagonal (row m of B is J_m Ju[m, .]), 0 when it is one row (all units into row 0). */
    protected abstract int jacobianRowStep();

    /** B = J Ju: a_l x p_l. */
    public final void writeB(double[] jac, double[] z, double[] b, int bOff, int ldb) {
        map.writeScaledJu(jac, z, b, bOff, ldb, jacobianRowStep());
    }

    /** W^T Lambda: inputs x units column-major (zero when Lambda is null); w = Weff row-major. */
    private double[] wtLambda(double[] lambda, double[] w) {
        int in = inputSize();
        int units = units();
        double[] wl = new double[in * units];
        if (lambda == null) return wl;
        if (curvatureDense()) {
            Blas.gemm(false, false, in, units, units, 1.0, w, 0, in, lambda, 0, units, 0.0, wl, 0, in);
        } else {
            for (int m = 0; m < units; m++) {
                double mu = lambda[m];
                for (int k = 0; k < in; k++) wl[m * in + k] = w[m * in + k] * mu;
            }
        }
        return wl;
    }

    /** P = Weff^T Lambda Weff: a_{l-1} x a_{l-1}. */
    public final void writeP(double[] lambda, double[] w, double[] p, int pOff, int ldp) {
        int in = inputSize();
        Blas.gemm(false, true, in, in, units(), 1.0, wtLambda(lambda, w), 0, in, w, 0, in, 0.0, p, pOff, ldp);
    }

    /** R = Weff^T Lambda Ju + X(cross): a_{l-1} x p_l (X dropped when cross is null). */
    public final void writeR(double[] lambda, double[] cross, double[] z, double[] w, double[] r, int rOff, int ldr) {
        map.writeR(wtLambda(lambda, w), z, cross, r, rOff, ldr);
    }

    /** S += Ju^T Lambda Ju: p_l x p_l (nothing when Lambda is null). */
    public final void addS(double[] lambda, double[] z, double[] s, int lds) {
        if (lambda != null) map.addS(lambda, curvatureDense(), z, s, lds);
    }

    // ---- R-pass: directional derivatives along the parameter direction v ----

    /** Ru = Ju v + Weff Rz: the directional derivative of u along (Rz, v). */
    public final void rAffine(double[] x, int off, double[] v, double[] z, double[] rz, double[] ru) {
        map.paramDirection(v, off, z, ru);
        map.addLinear(x, off, rz, ru);
    }

    /**
     * Rg = R{g}: the directional derivative of {@link #adjointOfU} along (Ru, R lambda_out); hidden:
     * s' R lambda + lambda o s'' Ru, head: w d2loss/du2 Ru. {@code secondOrder} false drops a hidden layer's s'' term.
     */
    public abstract void rAdjointOfU(double[] u, double[] lambdaOut, double[] rLambdaOut, double[] ru, double[] response,
                                     boolean secondOrder, double[] rg);

    /** R lambda_{l-1} = Weff^T Rg + dWeff(v)^T g (the second term when {@code secondOrder}; a residual layer adds R lambda_l). */
    public double[] rInputAdjoint(double[] x, int off, double[] v, double[] rg, double[] g, double[] rLambdaOut, boolean secondOrder) {
        double[] in = new double[inputSize()];
        map.transpose(x, off, rg, in, false);
        if (secondOrder) map.crossTranspose(v, off, g, in);
        return in;
    }

    // ---- blocks of examples (columns) ----

    /** Lambda_{l-1} = Weff^T G (inputs x b; G may be overwritten; a residual layer adds Lambda_l). */
    public void blockInputAdjoint(double[] x, int off, double[] g, double[] lambdaOut, int b, double[] lambdaIn) {
        map.blockTranspose(x, off, g, b, lambdaIn);
    }

    /** Seeded initial parameters: W ~ N(0, 1 / inputs) where trainable (a residual layer scales by residualGain). */
    public void initialize(SplittableRandom rng, double residualGain, double[] x, int off) {
        map.initialize(rng, 1.0 / Math.sqrt(inputSize()), x, off);
    }

    /** A description for messages and reports, e.g. "residual(16, tanh)". */
    public abstract String describe();
}
