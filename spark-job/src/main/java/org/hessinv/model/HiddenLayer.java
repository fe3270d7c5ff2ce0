package org.hessinv.model;

/**
 * A hidden layer {@code z_l = s(u)}, {@code u = Weff(x) z + ceff(x)}, with an elementwise activation s:
 * J = diag(s'(u)), Lambda = diag(lambda o s''(u)), g = lambda o s'(u). The kinds: {@link DenseLayer}
 * {@code s(W z + c)}, {@link ResidualLayer} {@code z + s(W z + c)} (adds the identity to A), and the
 * square-parameterized {@link SquareGainLayer} {@code s(x * (W z))} and {@link SquareBiasLayer}
 * {@code s(W z + x)} with W frozen.
 */
public abstract sealed class HiddenLayer extends AffineStage permits DenseLayer, ResidualLayer, SquareGainLayer, SquareBiasLayer {
    private static final long serialVersionUID = 3L;
    private final Activation activation;

    protected HiddenLayer(AffineMap map, Activation activation) {
        super(map);
        this.activation = activation;
    }

    /** dense(units, s): s(W z + c). */
    public static HiddenLayer dense(int inputs, int units, Activation s) { return new DenseLayer(inputs, units, s); }

    /** residual(width, s): z + s(W z + c). */
    public static HiddenLayer residual(int width, Activation s) { return new ResidualLayer(width, s); }

    /** A square-parameterized layer: s(x * (W z)) (GAIN) or s(W z + x) (BIAS), W frozen (units x inputs, row-major). */
    public static HiddenLayer square(int inputs, int units, Activation s, Parameterization parameterization, double[] frozenWeights) {
        return switch (parameterization) {
            case GAIN -> new SquareGainLayer(inputs, units, s, frozenWeights);
            case BIAS -> new SquareBiasLayer(inputs, units, s, frozenWeights);
            case FULL -> throw new IllegalArgumentException("use dense() or residual() for a fully trainable layer");
        };
    }

    public final Activation activation() { return activation; }

    /** Whether the layer carries its input past the activation (z + s(u)). */
    public boolean isResidual() { return false; }

    @Override public final int outputSize() { return units(); }

    /** out = s(u) (a residual layer adds z). */
    public void output(double[] z, double[] u, double[] out) {
        for (int j = 0; j < units(); j++) out[j] = activation.value(u[j]) + 0.0;
    }

    /** g = lambda o s'(u). */
    @Override public final void adjointOfU(double[] u, double[] lambdaOut, double[] response, double[] g) {
        for (int j = 0; j < units(); j++) g[j] = lambdaOut[j] * activation.d1(u[j]);
    }

    /** J = s'(u), the diagonal. */
    @Override public final void outputJacobian(double[] u, double[] response, double[] jac) {
        for (int j = 0; j < units(); j++) jac[j] = activation.d1(u[j]);
    }

    /** Lambda = lambda o s''(u), the diagonal; null (dropped) without second order. */
    @Override public final double[] outputCurvature(double[] u, double[] lambdaOut, double[] response, boolean secondOrder) {
        if (!secondOrder) return null;
        double[] lam = new double[units()];
        for (int j = 0; j < lam.length; j++) lam[j] = lambdaOut[j] * activation.d2(u[j]);
        return lam;
    }

    @Override public final boolean curvatureDense() { return false; }

    @Override protected final int jacobianRowStep() { return 1; }

    /** A_jk = J_j Weff_jk. */
    @Override public void writeA(double[] jac, double[] w, double[] a, int aOff, int lda) {
        int in = inputSize();
        for (int k = 0; k < in; k++) {
            for (int j = 0; j < units(); j++) a[aOff + k * lda + j] = jac[j] * w[j * in + k];
        }
    }

    /** Rz_l = s'(u) Ru: the directional derivative of the output (a residual layer adds Rz_{l-1}). */
    public double[] rOutput(double[] u, double[] ru, double[] rz) {
        double[] next = new double[units()];
        for (int j = 0; j < next.length; j++) next[j] = activation.d1(u[j]) * ru[j] + 0.0;
        return next;
    }

    /** Rg = s'(u) o R lambda + lambda o s''(u) o Ru (the second term when {@code secondOrder}). */
    @Override public final void rAdjointOfU(double[] u, double[] lambdaOut, double[] rLambdaOut, double[] ru, double[] response,
                                            boolean secondOrder, double[] rg) {
        for (int j = 0; j < units(); j++) {
            double uj = u[j];
            rg[j] = activation.d1(uj) * rLambdaOut[j] + (secondOrder ? lambdaOut[j] * activation.d2(uj) * ru[j] : 0.0);
        }
    }

    /**
     * The block's activations in place: U := s(U) over {@code size} entries (a residual layer adds Z), and
     * s'(U) into {@code deriv} when it is non-null.
     */
    public void blockActivate(double[] u, double[] z, double[] deriv, int size) { activate(activation, u, null, deriv, size); }

    /**
     * u_i := s(u_i) + skip_i (+ 0.0 without a skip), deriv_i = s'(u_i) from that value; tanh as {@link Tanh#tanh}.
     * One loop for every hidden kind: the blocked sweep's hot path.
     */
    static void activate(Activation act, double[] u, double[] skip, double[] deriv, int size) {
        boolean tanh = act == Activation.TANH;
        for (int i = 0; i < size; i++) {
            double ui = u[i];
            double si = tanh ? Tanh.tanh(ui) : act.value(ui);
            if (deriv != null) deriv[i] = act.d1FromValue(ui, si);
            u[i] = skip != null ? si + skip[i] : si + 0.0;
        }
    }
}
