package org.hessinv.model;

/**
 * {@code dense: z_l = s(W z + c)} or {@code residual: z_l = z + s(W z + c)} (same width), or a square-parameterized
 * layer with W frozen: {@code square gain: z_l = s(x * (W z))}, {@code square bias: z_l = s(W z + x)}.
 */
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

    /** A square-parameterized layer: s(x * (W z)) (GAIN) or s(W z + x) (BIAS), W frozen (units x inputs, row-major). */
    public HiddenLayer(int inputs, int units, Activation activation, Parameterization parameterization, double[] frozenWeights) {
        super(inputs, units, parameterization, frozenWeights);
        if (parameterization == Parameterization.FULL) throw new IllegalArgumentException("use dense() or residual() for a fully trainable layer");
        this.activation = activation;
        this.residual = false;
    }

    public static HiddenLayer square(int inputs, int units, Activation s, Parameterization parameterization, double[] frozenWeights) {
        return new HiddenLayer(inputs, units, s, parameterization, frozenWeights);
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
        if (isSquareParameterized()) return "square(" + units() + ", " + activation.specName() + ", " + parameterization().specName() + ")";
        return (residual ? "residual(" : "dense(") + units() + ", " + activation.specName() + ")";
    }
}
