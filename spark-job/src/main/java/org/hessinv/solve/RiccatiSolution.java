package org.hessinv.solve;

import org.hessinv.linalg.Inertia;

/**
 * d = (C + delta I)^-1 r with log|det(C + delta I)| and its inertia, from one Riccati solve. The job also carries
 * the woodbury solver's answer in it, with a null inertia (that route does not give one).
 */
public record RiccatiSolution(double[] direction, double logAbsDet, Inertia inertia, PivotCondition worstPivot) {
    /** A solution whose solver does not report its pivots. */
    public RiccatiSolution(double[] direction, double logAbsDet, Inertia inertia) {
        this(direction, logAbsDet, inertia, null);
    }
}
