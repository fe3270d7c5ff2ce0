package org.hessinv.solve;

import java.util.Locale;
import org.hessinv.curvature.Curvature;
import org.hessinv.model.InvalidInputException;
import org.hessinv.model.Network;

/**
 * The {@code --solver} of a direction: one exact route, or {@code auto}: the route with fewer (weighted) flops by
 * {@link SolverCosts#cheaper} for the dampings solved per point (Riccati unless the curvature is the GGN with
 * delta > 0 and its output space is cheaper). Registering a route: its {@link DirectionSolver} and one constant here.
 */
public enum SolverChoice {
    AUTO, RICCATI, OUTPUT_SPACE, WOODBURY, DENSE;

    public static SolverChoice fromSpec(String s) {
        for (SolverChoice c : values()) if (c.specName().equals(s)) return c;
        throw new InvalidInputException("unknown --solver \"" + s + "\"; use auto, riccati, output-space, woodbury or dense");
    }

    /** "auto", "riccati", "output-space", "woodbury", "dense". */
    public String specName() { return name().toLowerCase(Locale.ROOT).replace('_', '-'); }

    /**
     * The route that runs for a batch of {@code batch} examples with {@code deltas} dampings per point, checked to
     * apply ({@link DirectionSolver#checkApplicable}); AUTO takes {@link SolverCosts#cheaper}.
     */
    public DirectionSolver resolve(Network net, long batch, Curvature curvature, double delta, int deltas) {
        DirectionSolver s = switch (this) {
            case AUTO -> SolverCosts.cheaper(net, batch, curvature, delta, deltas) == SolverCosts.Route.OUTPUT_SPACE
                    ? new OutputSpaceDirection() : new RiccatiDirection();
            case RICCATI -> new RiccatiDirection();
            case OUTPUT_SPACE -> new OutputSpaceDirection();
            case WOODBURY -> new WoodburyDirection();
            case DENSE -> new DenseDirection();
        };
        s.checkApplicable(net, batch, curvature, delta);
        return s;
    }
}
