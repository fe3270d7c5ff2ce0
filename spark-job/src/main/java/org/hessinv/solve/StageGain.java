package org.hessinv.solve;

import org.hessinv.linalg.SymmetricFactorization;

/** What the backward step at a stage keeps for the forward sweep: its pivot Qdd, K^T (empty for the first stage) and k. */
record StageGain(SymmetricFactorization pivot, double[] gainKt, double[] gaink) {
    /** The bytes of the pivot's factorization, K^T and k. */
    long bytes() { return pivot.bytes() + (long) Double.BYTES * ((long) gainKt.length + gaink.length); }

    /** The bytes of the gains of a stage with input state nIn = B a_{l-1} (0 for the first) and p_l = p: the pivot's, K^T (nIn x p) and k (p). */
    static long bytes(long pivotBytes, long nIn, long p) { return bytes(pivotBytes, nIn, p, org.hessinv.linalg.HeapFootprint.EXACT); }

    /** {@link #bytes(long, long, long)} with K^T and k at their footprint in the heap. */
    static long bytes(long pivotBytes, long nIn, long p, org.hessinv.linalg.HeapFootprint fp) { return pivotBytes + fp.doubles(nIn * p) + fp.doubles(p); }
}
