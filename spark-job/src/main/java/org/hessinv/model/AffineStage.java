package org.hessinv.model;

/**
 * One stage {@code z_l = f_l(z_{l-1}; x_l)} of the network whose parameters are an affine map
 * {@code u = W z + c}: {@code W} is {@code units x inputs}, row-major, followed by the bias {@code c}.
 * Every layer and head of the model is such a stage; they differ in what they do with {@code u}.
 */
public abstract sealed class AffineStage implements java.io.Serializable permits HiddenLayer, Head {
    private static final long serialVersionUID = 1L;
    private final int inputs;
    private final int units;

    protected AffineStage(int inputs, int units) {
        if (inputs <= 0 || units <= 0) {
            throw new InvalidInputException("layer sizes must be positive, got inputs=" + inputs + " units=" + units);
        }
        this.inputs = inputs;
        this.units = units;
    }

    /** a_{l-1}: size of the stage input. */
    public final int inputSize() { return inputs; }

    /** Size of the affine output u. */
    public final int units() { return units; }

    /** a_l: size of the stage output (1 for a head: the loss). */
    public abstract int outputSize();

    /** p_l = units * (inputs + 1). */
    public final int paramCount() { return units * (inputs + 1); }

    /** Offset of the bias c inside this stage's parameter block. */
    public final int biasOffset() { return units * inputs; }

    /** u = W z + c, with W read row-major from {@code x[off ..]}. */
    public final void affine(double[] x, int off, double[] z, double[] u) {
        int cOff = off + biasOffset();
        for (int j = 0; j < units; j++) {
            double acc = x[cOff + j];
            int row = off + j * inputs;
            for (int k = 0; k < inputs; k++) acc += x[row + k] * z[k];
            u[j] = acc;
        }
    }

    /** out = W^T g (accumulated into out when {@code accumulate}). */
    public final void affineTranspose(double[] x, int off, double[] g, double[] out, boolean accumulate) {
        if (!accumulate) java.util.Arrays.fill(out, 0, inputs, 0.0);
        for (int j = 0; j < units; j++) {
            double gj = g[j];
            if (gj == 0.0) continue;
            int row = off + j * inputs;
            for (int k = 0; k < inputs; k++) out[k] += x[row + k] * gj;
        }
    }

    /** grad[W] += g z^T, grad[c] += g. */
    public final void accumulateParamGradient(double[] z, double[] g, double[] grad, int off) {
        int cOff = off + biasOffset();
        for (int j = 0; j < units; j++) {
            double gj = g[j];
            int row = off + j * inputs;
            for (int k = 0; k < inputs; k++) grad[row + k] += gj * z[k];
            grad[cOff + j] += gj;
        }
    }

    /** A description for messages and reports, e.g. "residual(16, tanh)". */
    public abstract String describe();
}
