package org.hessinv.solve;

import org.hessinv.linalg.Inertia;

/**
 * d = (C + delta I)^-1 r with log|det(C + delta I)|, its inertia and the worst-conditioned stage pivot, from one
 * Riccati solve ({@link RiccatiSolver}; the job's routes answer in {@link DirectionSolution}).
 */
public record RiccatiSolution(double[] direction, double logAbsDet, Inertia inertia, PivotCondition worstPivot) {}
