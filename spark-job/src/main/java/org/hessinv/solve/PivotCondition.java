package org.hessinv.solve;

/** The worst-conditioned stage pivot of a factorization: its layer (1-based) and reciprocal condition estimate. */
public record PivotCondition(int layer, double rcond) {
}
