package org.hessinv.model;

/**
 * Linear head with squared error: {@code loss = 0.5 ||W z + c - y||^2}; or, square-parameterized with W
 * frozen, {@code loss = 0.5 ||x * (W z) - y||^2} (gain) or {@code 0.5 ||W z + x - y||^2} (bias), whose
 * trainable parameter x has one entry per output (a single one for a scalar output).
 */
public final class MseHead extends Head {
    private static final long serialVersionUID = 3L;

    public MseHead(int inputs, int outputs) { super(new FullAffine(inputs, outputs)); }

    /** The square-parameterized head: W frozen (outputs x inputs, row-major), x the gain or the bias. */
    public MseHead(int inputs, int outputs, Parameterization parameterization, double[] frozenWeights) {
        super(switch (parameterization) {
            case GAIN -> new GainAffine(inputs, outputs, frozenWeights);
            case BIAS -> new BiasAffine(inputs, outputs, frozenWeights);
            case FULL -> throw new IllegalArgumentException("use MseHead(inputs, outputs) for a fully trainable head");
        });
    }

    @Override public void validateResponse(double[] y, long i) {
        if (y.length != units()) {
            throw new InvalidInputException("example " + i + " has " + y.length + " targets but the mse head has "
                    + units() + " outputs; give y0..y" + (units() - 1));
        }
        for (double v : y) {
            if (!Double.isFinite(v)) throw new InvalidInputException("example " + i + " has a non-finite target " + v + "; clean the data");
        }
    }

    @Override public double loss(double[] u, double[] y) {
        double s = 0;
        for (int j = 0; j < units(); j++) { double e = u[j] - y[j]; s += e * e; }
        return 0.5 * s;
    }

    @Override public void gradient(double[] u, double[] y, double[] g) {
        for (int j = 0; j < units(); j++) g[j] = u[j] - y[j];
    }

    @Override public void hessian(double[] u, double[] y, double weight, double[] lambda) {
        java.util.Arrays.fill(lambda, 0, units() * units(), 0.0);
        for (int j = 0; j < units(); j++) lambda[j * units() + j] = weight;
    }

    @Override public int responseSize() { return units(); }

    @Override public String describe() {
        return isSquareParameterized() ? "mse(" + units() + ", " + parameterization().specName() + ")" : "mse(" + units() + ")";
    }

    /** u itself. */
    @Override public double[] prediction(double[] u) { return u.clone(); }

    @Override public double hit(double[] u, double[] y) { return Double.NaN; }
}
