package org.hessinv.model;

/** {@code dense: z_l = s(W z + c)} or {@code residual: z_l = z + s(W z + c)} (same width). */
public final class HiddenLayer extends AffineStage {
    private final Activation activation;
    private final boolean residual;

    public HiddenLayer(int inputs, int units, Activation activation, boolean residual) {
        super(inputs, units);
        if (residual && inputs != units) {
            throw new InvalidInputException("a residual layer keeps its width: input " + inputs
                    + " != units " + units + "; use a dense layer to change width");
        }
        this.activation = activation;
        this.residual = residual;
    }

    public static HiddenLayer dense(int inputs, int units, Activation s) { return new HiddenLayer(inputs, units, s, false); }

    public static HiddenLayer residual(int width, Activation s) { return new HiddenLayer(width, width, s, true); }

    public Activation activation() { return activation; }

    public boolean isResidual() { return residual; }

    @Override public int outputSize() { return units(); }

    /** out = s(u) (+ z for residual). */
    public void output(double[] z, double[] u, double[] out) {
        for (int j = 0; j < units(); j++) out[j] = activation.value(u[j]) + (residual ? z[j] : 0.0);
    }

    @Override public String describe() {
        return (residual ? "residual(" : "dense(") + units() + ", " + activation.specName() + ")";
    }
}
