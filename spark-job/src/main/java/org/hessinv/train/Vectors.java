package org.hessinv.train;

/** The few vector formulas the optimizers read in. */
public final class Vectors {
    private Vectors() {}

    /** a^T b. */
    public static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }

    /** ||a||_2. */
    public static double norm(double[] a) { return Math.sqrt(dot(a, a)); }

    /** a + t b (new array). */
    public static double[] plus(double[] a, double t, double[] b) {
        double[] out = a.clone();
        for (int i = 0; i < out.length; i++) out[i] += t * b[i];
        return out;
    }

    /** t a (new array). */
    public static double[] scaled(double t, double[] a) {
        double[] out = new double[a.length];
        for (int i = 0; i < a.length; i++) out[i] = t * a[i];
        return out;
    }
}
