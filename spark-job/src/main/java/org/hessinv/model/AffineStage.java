package org.hessinv.model;

/**
 * One stage {@code z_l = f_l(z_{l-1}; x_l)} of the network whose pre-activation is an affine map
 * {@code u = W z + c}. With the {@link Parameterization#FULL} parameterization W and c are the
 * trainable parameters: {@code W} is {@code units x inputs}, row-major, followed by the bias {@code c}.
 * With a square parameterization ({@link Parameterization#GAIN}, {@link Parameterization#BIAS}) W is
 * frozen (held by the stage) and the parameter x has {@code units} entries:
 * {@code u = x * (W z)} (gain) or {@code u = W z + x} (bias).
 * Every layer and head of the model is such a stage; they differ in what they do with {@code u}.
 *
 * <p>In general {@code u = Weff(x) z + ceff(x)}, with {@code x -> (Weff, ceff)} affine; the methods below
 * are the products the sweeps and the R-pass need: {@code Weff(x) z}, {@code Weff(x)^T g},
 * {@code Ju v = dWeff(v) z + dceff(v)}, {@code Ju^T g} and the mixed term {@code d/dx [g^T Weff(x) z]}.
 */
public abstract sealed class AffineStage implements java.io.Serializable permits HiddenLayer, Head {
    private static final long serialVersionUID = 2L;
    private final int inputs;
    private final int units;
    private final Parameterization parameterization;
    /** The frozen W, units x inputs row-major (square parameterizations only, else null). */
    private final double[] frozen;

    protected AffineStage(int inputs, int units) {
        this(inputs, units, Parameterization.FULL, null);
    }

    protected AffineStage(int inputs, int units, Parameterization parameterization, double[] frozenWeights) {
        if (inputs <= 0 || units <= 0) {
            throw new InvalidInputException("layer sizes must be positive, got inputs=" + inputs + " units=" + units);
        }
        this.inputs = inputs;
        this.units = units;
        this.parameterization = parameterization;
        if (parameterization == Parameterization.FULL) {
            if (frozenWeights != null) throw new IllegalArgumentException("a fully trainable stage has no frozen weights");
            this.frozen = null;
        } else {
            if (frozenWeights == null || frozenWeights.length != units * inputs) {
                throw new InvalidInputException("a " + parameterization.specName() + "-parameterized stage needs frozen weights of "
                        + units + " x " + inputs + " = " + units * inputs + " entries, got "
                        + (frozenWeights == null ? "none" : String.valueOf(frozenWeights.length)));
            }
            for (double w : frozenWeights) {
                if (!Double.isFinite(w)) throw new InvalidInputException("frozen weights must be finite, got " + w);
            }
            this.frozen = frozenWeights.clone();
        }
    }

    /** a_{l-1}: size of the stage input. */
    public final int inputSize() { return inputs; }

    /** Size of the affine output u. */
    public final int units() { return units; }

    /** a_l: size of the stage output (1 for a head: the loss). */
    public abstract int outputSize();

    /** What is trainable: W and c (FULL), or a gain or bias of size units with W frozen. */
    public final Parameterization parameterization() { return parameterization; }

    /** True for the gain and bias parameterizations (p_l = units). */
    public final boolean isSquareParameterized() { return parameterization != Parameterization.FULL; }

    /** A copy of the frozen W (units x inputs, row-major), or null for a FULL stage. */
    public final double[] frozenWeights() { return frozen == null ? null : frozen.clone(); }

    /** The frozen W_{jk} (square parameterizations only). */
    public final double frozenWeight(int j, int k) { return frozen[j * inputs + k]; }

    /** p_l = units * (inputs + 1) for FULL, units for the square parameterizations. */
    public final int paramCount() { return parameterization == Parameterization.FULL ? units * (inputs + 1) : units; }

    /**
     * Offset of the bias c inside this stage's parameter block: units * inputs (FULL), 0 (BIAS: the whole
     * block is the bias), units (GAIN: no trainable bias, the bias part is empty).
     */
    public final int biasOffset() {
        return switch (parameterization) {
            case FULL -> units * inputs;
            case BIAS -> 0;
            case GAIN -> units;
        };
    }

    /** (W z)_j with the frozen W. */
    private double frozenRow(int j, double[] z) {
        double acc = 0;
        int row = j * inputs;
        for (int k = 0; k < inputs; k++) acc += frozen[row + k] * z[k];
        return acc;
    }

    /** u = Weff(x) z + ceff(x): W z + c (FULL, W read row-major from {@code x[off ..]}), x * (W z) (GAIN), W z + x (BIAS). */
    public final void affine(double[] x, int off, double[] z, double[] u) {
        switch (parameterization) {
            case FULL -> {
                int cOff = off + biasOffset();
                for (int j = 0; j < units; j++) {
                    double acc = x[cOff + j];
                    int row = off + j * inputs;
                    for (int k = 0; k < inputs; k++) acc += x[row + k] * z[k];
                    u[j] = acc;
                }
            }
            case GAIN -> { for (int j = 0; j < units; j++) u[j] = x[off + j] * frozenRow(j, z); }
            case BIAS -> { for (int j = 0; j < units; j++) u[j] = frozenRow(j, z) + x[off + j]; }
        }
    }

    /** u += Weff(x) z (no bias). */
    public final void addLinear(double[] x, int off, double[] z, double[] u) {
        for (int j = 0; j < units; j++) {
            double acc;
            switch (parameterization) {
                case FULL -> {
                    int row = off + j * inputs;
                    acc = 0;
                    for (int k = 0; k < inputs; k++) acc += x[row + k] * z[k];
                }
                case GAIN -> acc = x[off + j] * frozenRow(j, z);
                default -> acc = frozenRow(j, z);
            }
            u[j] += acc;
        }
    }

    /** out = Weff(x)^T g (accumulated into out when {@code accumulate}). */
    public final void affineTranspose(double[] x, int off, double[] g, double[] out, boolean accumulate) {
        if (!accumulate) java.util.Arrays.fill(out, 0, inputs, 0.0);
        for (int j = 0; j < units; j++) {
            double gj = switch (parameterization) {
                case GAIN -> g[j] * x[off + j];
                default -> g[j];
            };
            if (gj == 0.0) continue;
            if (parameterization == Parameterization.FULL) {
                int row = off + j * inputs;
                for (int k = 0; k < inputs; k++) out[k] += x[row + k] * gj;
            } else {
                int row = j * inputs;
                for (int k = 0; k < inputs; k++) out[k] += frozen[row + k] * gj;
            }
        }
    }

    /** u = Ju v = dWeff(v) z + dceff(v): the change of u along the parameter direction v (read at {@code v[off ..]}). */
    public final void paramDirection(double[] v, int off, double[] z, double[] u) {
        switch (parameterization) {
            case FULL -> affine(v, off, z, u);
            case GAIN -> { for (int j = 0; j < units; j++) u[j] = v[off + j] * frozenRow(j, z); }
            case BIAS -> { for (int j = 0; j < units; j++) u[j] = v[off + j]; }
        }
    }

    /** out += dWeff(v)^T g: the mixed second-order term of the R-pass's backward step (zero for BIAS). */
    public final void crossTranspose(double[] v, int off, double[] g, double[] out) {
        switch (parameterization) {
            case FULL, GAIN -> affineTranspose(v, off, g, out, true);
            case BIAS -> { }
        }
    }

    /** grad += Ju^T g: grad[W] += g z^T, grad[c] += g (FULL); grad_j += g_j (W z)_j (GAIN); grad += g (BIAS). */
    public final void accumulateParamGradient(double[] z, double[] g, double[] grad, int off) {
        switch (parameterization) {
            case FULL -> {
                int cOff = off + biasOffset();
                for (int j = 0; j < units; j++) {
                    double gj = g[j];
                    int row = off + j * inputs;
                    for (int k = 0; k < inputs; k++) grad[row + k] += gj * z[k];
                    grad[cOff + j] += gj;
                }
            }
            case GAIN -> { for (int j = 0; j < units; j++) grad[off + j] += g[j] * frozenRow(j, z); }
            case BIAS -> { for (int j = 0; j < units; j++) grad[off + j] += g[j]; }
        }
    }

    /** grad += d/dx [g^T Weff(x) z]: grad[W] += g z^T (FULL); grad_j += g_j (W z)_j (GAIN); nothing (BIAS). */
    public final void accumulateWeightGradient(double[] z, double[] g, double[] grad, int off) {
        switch (parameterization) {
            case FULL -> {
                for (int j = 0; j < units; j++) {
                    double gj = g[j];
                    int row = off + j * inputs;
                    for (int k = 0; k < inputs; k++) grad[row + k] += gj * z[k];
                }
            }
            case GAIN -> { for (int j = 0; j < units; j++) grad[off + j] += g[j] * frozenRow(j, z); }
            case BIAS -> { }
        }
    }

    /** Weff(x): units x inputs, row-major (a copy). */
    public final double[] effectiveWeights(double[] x, int off) {
        double[] w = new double[units * inputs];
        switch (parameterization) {
            case FULL -> System.arraycopy(x, off, w, 0, units * inputs);
            case GAIN -> {
                for (int j = 0; j < units; j++) for (int k = 0; k < inputs; k++) w[j * inputs + k] = x[off + j] * frozen[j * inputs + k];
            }
            case BIAS -> System.arraycopy(frozen, 0, w, 0, units * inputs);
        }
        return w;
    }

    /** Ju = du/dx of a square parameterization, which is diagonal: (W z)_j (GAIN) or 1 (BIAS). */
    public final double[] squareParamJacobian(double[] z) {
        if (parameterization == Parameterization.FULL) throw new IllegalStateException("du/dx of a FULL stage is not diagonal");
        double[] d = new double[units];
        for (int j = 0; j < units; j++) d[j] = parameterization == Parameterization.GAIN ? frozenRow(j, z) : 1.0;
        return d;
    }

    /** A description for messages and reports, e.g. "residual(16, tanh)". */
    public abstract String describe();
}
