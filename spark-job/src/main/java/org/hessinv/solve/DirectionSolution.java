package org.hessinv.solve;

import java.util.Optional;
import org.hessinv.linalg.Inertia;

/**
 * d = (C + delta I)^-1 r with log|det(C + delta I)| from one exact route ({@link DirectionSolver}), the inertia of
 * C + delta I when the route gives it (every route but the paper's Woodbury route), the worst-conditioned stage
 * pivot when the route factorizes stage pivots (the Riccati sweep), and the name of the route that ran.
 */
public record DirectionSolution(String route, double[] direction, double logAbsDet, Optional<Inertia> inertia,
                                Optional<PivotCondition> worstPivot) {}
