package org.hessinv.model;

/** Linear head with softmax cross-entropy: {@code loss = logsumexp(u) - u_y}, label y in 0..K-1. */
public final class SoftmaxHead extends Head {
    private static final long serialVersionUID = 3L;

    public SoftmaxHead(int inputs, int classes) {
        super(new FullAffine(inputs, classes));
        if (classes < 2) throw new InvalidInputException("a softmax head needs at least 2 classes, got " + classes);
    }

    @Override public void validateResponse(double[] y, long i) {
        if (y.length != 1) throw new InvalidInputException("example " + i + " needs one integer label for the softmax head, got " + y.length + " values");
        double v = y[0];
        if (!(v >= 0 && v < units()) || v != Math.rint(v)) {
            throw new InvalidInputException("example " + i + " has label " + (Double.isFinite(v) && v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v)) + " out of range; labels of the softmax head are integers 0.." + (units() - 1));
        }
    }

    /** p = softmax(u), computed with the max shift. */
    private void probabilities(double[] u, double[] p) {
        double m = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < units(); j++) m = Math.max(m, u[j]);
        double z = 0;
        for (int j = 0; j < units(); j++) { p[j] = Math.exp(u[j] - m); z += p[j]; }
        for (int j = 0; j < units(); j++) p[j] /= z;
    }

    @Override public double loss(double[] u, double[] y) {
        double m = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < units(); j++) m = Math.max(m, u[j]);
        double z = 0;
        for (int j = 0; j < units(); j++) z += Math.exp(u[j] - m);
        return m + Math.log(z) - u[(int) y[0]];
    }

    @Override public void gradient(double[] u, double[] y, double[] g) {
        probabilities(u, g);
        g[(int) y[0]] -= 1.0;
    }

    /** Lambda = weight (diag(p) - p p^T). */
    @Override public void hessian(double[] u, double[] y, double weight, double[] lambda) {
        int k = units();
        double[] p = new double[k];
        probabilities(u, p);
        for (int b = 0; b < k; b++) {
            for (int a = 0; a < k; a++) lambda[b * k + a] = weight * ((a == b ? p[a] : 0.0) - p[a] * p[b]);
        }
    }

    @Override public int responseSize() { return 1; }

    @Override public String describe() { return "softmax(" + units() + ")"; }

    /** softmax(u). */
    @Override public double[] prediction(double[] u) {
        double[] p = new double[units()];
        probabilities(u, p);
        return p;
    }

    /** [argmax_j u_j == y] (the first maximum on ties). */
    @Override public double hit(double[] u, double[] y) {
        int best = 0;
        for (int j = 1; j < units(); j++) if (u[j] > u[best]) best = j;
        return best == (int) y[0] ? 1 : 0;
    }
}
