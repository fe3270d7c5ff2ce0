package org.hessinv.solve;

import org.hessinv.linalg.Inertia;
import org.hessinv.linalg.SymmetricFactorization;

/**
 * What the pivots Qdd_l of a sweep say about C + delta I (block LDL^T, Sylvester): log|det| = sum_l
 * log|det Qdd_l|, inertia = sum_l inertia(Qdd_l), the worst-conditioned pivot and the lowest indefinite one.
 */
final class PivotSummary {
    private double logAbsDet;
    private Inertia inertia = Inertia.EMPTY;
    private PivotCondition worst;
    private int firstIndefinite;

    /** Adds the pivot of layer (1-based); layers come in descending order. */
    void add(int layer, SymmetricFactorization f) {
        logAbsDet += f.logAbsDet();
        inertia = inertia.plus(f.inertia());
        if (worst == null || f.rcond() < worst.rcond()) worst = new PivotCondition(layer, f.rcond());
        if (!f.isPositiveDefinite()) firstIndefinite = layer;
    }

    double logAbsDet() { return logAbsDet; }

    Inertia inertia() { return inertia; }

    /** Null for a network without stages. */
    PivotCondition worst() { return worst; }

    /** The lowest layer (1-based) whose pivot is not positive definite, 0 if none. */
    int firstIndefinite() { return firstIndefinite; }
}
