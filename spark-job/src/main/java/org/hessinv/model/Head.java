package org.hessinv.model;

/**
 * The loss head: an affine map {@code u = Weff(x) z + ceff(x)} followed by a per-example loss {@code loss(u, y)};
 * its output is the scalar loss, its output adjoint the example weight {@code lambda = {w}}. As a stage:
 * J = dloss/du (one row), Lambda = w d2loss/du2 (dense, kept by the Gauss-Newton matrix too), g = w dloss/du.
 * Implementations give the loss, its gradient and Hessian in {@code u}.
 */
public abstract sealed class Head extends AffineStage permits MseHead, SoftmaxHead {
    private static final long serialVersionUID = 3L;

    protected Head(AffineMap map) { super(map); }

    @Override public final int outputSize() { return 1; }

    /** Throws {@link InvalidInputException} when {@code response} is not a valid label for this head. */
    public abstract void validateResponse(double[] response, long exampleIndex);

    /** loss(u, y). */
    public abstract double loss(double[] u, double[] response);

    /** g = d loss / du. */
    public abstract void gradient(double[] u, double[] response, double[] g);

    /** Lambda = d2 loss / du2, dense units x units column-major, scaled by {@code weight}. */
    public abstract void hessian(double[] u, double[] response, double weight, double[] lambda);

    /** Number of response values an example carries (targets for mse, 1 class index for softmax). */
    public abstract int responseSize();

    /** What the head predicts from the output u: class probabilities (softmax) or the regression outputs (mse). */
    public abstract double[] prediction(double[] u);

    /** 1 when the predicted class equals the label y, else 0; NaN for a regression head (no accuracy). */
    public abstract double hit(double[] u, double[] y);

    /** g = w dloss/du, with w = lambdaOut[0]. */
    @Override public final void adjointOfU(double[] u, double[] lambdaOut, double[] response, double[] g) {
        gradient(u, response, g);
        for (int j = 0; j < units(); j++) g[j] *= lambdaOut[0];
    }

    /** J = dloss/du (unweighted). */
    @Override public final void outputJacobian(double[] u, double[] response, double[] jac) { gradient(u, response, jac); }

    /** Lambda = w d2loss/du2, units x units (kept with or without second order: the loss's curvature is the Gauss-Newton matrix's). */
    @Override public final double[] outputCurvature(double[] u, double[] lambdaOut, double[] response, boolean secondOrder) {
        double[] lam = new double[units() * units()];
        hessian(u, response, lambdaOut[0], lam);
        return lam;
    }

    @Override public final boolean curvatureDense() { return true; }

    @Override protected final int jacobianRowStep() { return 0; }

    /** A = J Weff: the row A_k = sum_m J_m Weff_mk. */
    @Override public final void writeA(double[] jac, double[] w, double[] a, int aOff, int lda) {
        int in = inputSize();
        for (int k = 0; k < in; k++) {
            double s = 0;
            for (int m = 0; m < units(); m++) s += jac[m] * w[m * in + k];
            a[aOff + k * lda] = s;
        }
    }

    /** Rg = w d2loss/du2 Ru (R lambda_L = 0: the weight is constant). */
    @Override public final void rAdjointOfU(double[] u, double[] lambdaOut, double[] rLambdaOut, double[] ru, double[] response,
                                            boolean secondOrder, double[] rg) {
        int k = units();
        double[] lam = outputCurvature(u, lambdaOut, response, secondOrder);
        java.util.Arrays.fill(rg, 0, k, 0.0);
        for (int b = 0; b < k; b++) for (int a = 0; a < k; a++) rg[a] += lam[b * k + a] * ru[b];
    }
}
