package org.hessinv.bench;

/** Comparisons of solution vectors. */
final class Vectors {
    private Vectors() {}

    /** ||a - b|| / ||b||: a solve's error against a reference solution b. */
    static double relativeDifference(double[] a, double[] b) {
        double s = 0, nb = 0;
        for (int i = 0; i < a.length; i++) { s += (a[i] - b[i]) * (a[i] - b[i]); nb += b[i] * b[i]; }
        return Math.sqrt(s / nb);
    }
}
