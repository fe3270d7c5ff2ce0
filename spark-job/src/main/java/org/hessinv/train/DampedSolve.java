package org.hessinv.train;

import org.hessinv.linalg.Inertia;

/**
 * One exact solve {@code d = (C + lambda I)^-1 r}: the direction, log|det(C + lambda I)|, and the inertia
 * (negative, zero, positive eigenvalue counts) of {@code C + lambda I}, which says exactly whether it is
 * positive definite.
 */
public record DampedSolve(double[] direction, double logAbsDet, Inertia inertia, double seconds) {
    /** Whether C + lambda I is positive definite (every eigenvalue positive). */
    public boolean positiveDefinite() { return inertia.negative() == 0 && inertia.zero() == 0; }
}
