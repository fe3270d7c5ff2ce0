package org.hessinv.solve;

import org.hessinv.linalg.Inertia;

/** d = (C + delta I)^-1 r with log|det(C + delta I)| and its inertia, from one Riccati solve. */
public record RiccatiSolution(double[] direction, double logAbsDet, Inertia inertia) {
}
