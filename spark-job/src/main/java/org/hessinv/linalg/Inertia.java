package org.hessinv.linalg;

import java.io.Serializable;

/** Counts of negative, zero and positive eigenvalues of a symmetric matrix. */
public record Inertia(int negative, int zero, int positive) implements Serializable {
    public static final Inertia EMPTY = new Inertia(0, 0, 0);

    public Inertia plus(Inertia o) { return new Inertia(negative + o.negative, zero + o.zero, positive + o.positive); }

    public int dimension() { return negative + zero + positive; }
}
