package org.hessinv.solve;

/**
 * The cost-to-go at a stage's output: V (B a_l square) and v (B a_l); both null before the last stage (the
 * loss state feeds nothing: V = 0, v = 0). A holder whose arrays the backward step replaces (never writes),
 * dropping V as soon as it is used so that it is not kept while the next one is formed.
 */
final class CostToGo {
    double[] hessian;
    double[] gradient;

    CostToGo(double[] hessian, double[] gradient) {
        this.hessian = hessian;
        this.gradient = gradient;
    }

    /** V = 0, v = 0 before the last stage. */
    static CostToGo zero() { return new CostToGo(null, null); }

    /** A copy of the references (the arrays are never written, so they may be shared). */
    CostToGo snapshot() { return new CostToGo(hessian, gradient); }

    /** The bytes of V and v. */
    long bytes() { return Double.BYTES * ((hessian == null ? 0L : hessian.length) + (gradient == null ? 0L : gradient.length)); }

    /** The bytes of V (n x n) and v (n) at a stage output of n = B a_l states. */
    static long bytes(long n) { return Double.BYTES * (n * n + n); }
}
