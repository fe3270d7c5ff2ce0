package org.hessinv.model;

import java.util.SplittableRandom;

/**
 * residual(width, s): {@code z_l = z + s(W z + c)}, same width in and out. Its input Jacobian is
 * {@code A = J W + I}: the identity is carried by the output, the adjoint ({@code lambda_{l-1} += lambda_l})
 * and the R-pass ({@code Rz_l += Rz_{l-1}}, {@code R lambda_{l-1} += R lambda_l}).
 */
public final class ResidualLayer extends HiddenLayer {
    private static final long serialVersionUID = 1L;

    public ResidualLayer(int width, Activation activation) { super(new FullAffine(width, width), activation); }

    @Override public boolean isResidual() { return true; }

    /** out = z + s(u). */
    @Override public void output(double[] z, double[] u, double[] out) {
        for (int j = 0; j < units(); j++) out[j] = activation().value(u[j]) + z[j];
    }

    /** lambda_{l-1} = W^T g + lambda_l. */
    @Override public double[] inputAdjoint(double[] x, int off, double[] g, double[] lambdaOut) {
        double[] in = super.inputAdjoint(x, off, g, lambdaOut);
        for (int k = 0; k < in.length; k++) in[k] += lambdaOut[k];
        return in;
    }

    /** A = J W + I. */
    @Override public void writeA(double[] jac, double[] w, double[] a, int aOff, int lda) {
        super.writeA(jac, w, a, aOff, lda);
        for (int j = 0; j < units(); j++) a[aOff + j * lda + j] += 1.0;
    }

    /** Rz_l = s'(u) Ru + Rz_{l-1}. */
    @Override public double[] rOutput(double[] u, double[] ru, double[] rz) {
        double[] next = new double[units()];
        for (int j = 0; j < next.length; j++) next[j] = activation().d1(u[j]) * ru[j] + rz[j];
        return next;
    }

    /** R lambda_{l-1} = W^T Rg + dW(v)^T g + R lambda_l. */
    @Override public double[] rInputAdjoint(double[] x, int off, double[] v, double[] rg, double[] g, double[] rLambdaOut, boolean secondOrder) {
        double[] in = super.rInputAdjoint(x, off, v, rg, g, rLambdaOut, secondOrder);
        for (int k = 0; k < in.length; k++) in[k] += rLambdaOut[k];
        return in;
    }

    /** U := Z + s(U). */
    @Override public void blockActivate(double[] u, double[] z, double[] deriv, int size) { activate(activation(), u, z, deriv, size); }

    /** Lambda_{l-1} = W^T G + Lambda_l. */
    @Override public void blockInputAdjoint(double[] x, int off, double[] g, double[] lambdaOut, int b, double[] lambdaIn) {
        super.blockInputAdjoint(x, off, g, lambdaOut, b, lambdaIn);
        int size = units() * b;
        for (int i = 0; i < size; i++) lambdaIn[i] += lambdaOut[i];
    }

    /** W ~ N(0, residualGain^2 / width), c ~ N(0, 0.1^2): the branch scaled so a stack of residual layers keeps its scale. */
    @Override public void initialize(SplittableRandom rng, double residualGain, double[] x, int off) {
        affineMap().initialize(rng, residualGain / Math.sqrt(inputSize()), x, off);
    }

    @Override public String describe() { return "residual(" + units() + ", " + activation().specName() + ")"; }
}
