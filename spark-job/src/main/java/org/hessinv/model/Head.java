package org.hessinv.model;

/**
 * The loss head: a linear map {@code u = W z + c} followed by a per-example loss {@code loss(u, y)};
 * its output is the scalar loss. Implementations give the loss, its gradient and Hessian in {@code u}.
 */
public abstract sealed class Head extends AffineStage permits MseHead, SoftmaxHead {
    protected Head(int inputs, int units) { super(inputs, units); }

    protected Head(int inputs, int units, Parameterization parameterization, double[] frozenWeights) {
        super(inputs, units, parameterization, frozenWeights);
    }

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
}
