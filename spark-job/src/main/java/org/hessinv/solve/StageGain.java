package org.hessinv.solve;

import org.hessinv.linalg.SymmetricFactorization;

/** What the backward step at a stage keeps for the forward sweep: its pivot Qdd, K^T (empty for the first stage) and k. */
record StageGain(SymmetricFactorization pivot, double[] gainKt, double[] gaink) {
    /** The bytes of K^T and k (the pivot's are its own). */
    long gainBytes() { return (long) Double.BYTES * ((long) gainKt.length + gaink.length); }
}
