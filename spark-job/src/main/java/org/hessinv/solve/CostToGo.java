package org.hessinv.solve;

/**
 * The cost-to-go at a stage's output: V (B a_l square) and v (B a_l); both null before the last stage (the
 * loss state feeds nothing: V = 0, v = 0). A holder whose arrays the backward step replaces; and the scratch the
 * sweep reuses from stage to stage, so that its largest arrays are allocated once rather than once a stage (a
 * heap that has to find a fresh (B a)^2 block every stage between the kept gains fragments: G1 does not move
 * arrays that large, and a 4 GB heap ran out at stage 36 of 65 of the default problem at batch 512 with 2.2 GB live).
 */
final class CostToGo {
    double[] hessian;
    double[] gradient;
    /** Whether V is also held elsewhere (a checkpoint's snapshot, or given from outside): then it is never reused as scratch. */
    private boolean shared = true;
    /** A spent V, to hold the next stage's Qss (null: none). */
    private double[] spare;
    /** The V A panel of the state Hessian, kept for the next stage (null: none yet). */
    private double[] panel;

    CostToGo(double[] hessian, double[] gradient) {
        this.hessian = hessian;
        this.gradient = gradient;
    }

    /** V = 0, v = 0 before the last stage. */
    static CostToGo zero() { return new CostToGo(null, null); }

    /** A copy of the references; V is then shared, so neither holder reuses it as scratch. */
    CostToGo snapshot() {
        shared = true;
        return new CostToGo(hessian, gradient);
    }

    /** V = 0 and v = 0 of n states, allocated here (so V may later be reused as scratch). */
    void startZero(int n) {
        hessian = new double[n * n];
        gradient = new double[n];
        shared = false;
    }

    /** An array of n doubles to overwrite: the spare V when it has that length, else a new one. */
    double[] takeSpare(int n) {
        double[] out = spare != null && spare.length == n ? spare : new double[n];
        spare = null;
        return out;
    }

    /** An array of n doubles for the V A panel: the kept one when it has that length, else a new one (kept). */
    double[] panel(int n) {
        if (panel == null || panel.length != n) panel = new double[n];
        return panel;
    }

    /** V <- next; the old V becomes the spare unless it is shared. */
    void replaceHessian(double[] next) {
        if (!shared && hessian != null) spare = hessian;
        hessian = next;
        shared = false;
    }

    /** Drops V, its spare and the panel (the first stage: nothing after it needs them). */
    void dropHessian() {
        hessian = null;
        spare = null;
        panel = null;
    }

    /** The bytes of V and v. */
    long bytes() { return Double.BYTES * ((hessian == null ? 0L : hessian.length) + (gradient == null ? 0L : gradient.length)); }

    /** The bytes of V (n x n) and v (n) at a stage output of n = B a_l states. */
    static long bytes(long n) { return bytes(n, org.hessinv.linalg.HeapFootprint.EXACT); }

    /** {@link #bytes(long)} with each array at its footprint in the heap. */
    static long bytes(long n, org.hessinv.linalg.HeapFootprint fp) { return fp.doubles(n * n) + fp.doubles(n); }
}
