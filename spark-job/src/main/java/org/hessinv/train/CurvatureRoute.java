package org.hessinv.train;

import java.util.List;
import org.hessinv.curvature.Curvature;
import org.hessinv.curvature.ExampleBatch;
import org.hessinv.model.Example;
import org.hessinv.model.Network;
import org.hessinv.solve.SolverChoice;
import org.hessinv.solve.SolverCosts;

/**
 * How a training run solves with its curvature: the Riccati sweep (any curvature), the output-space GGN
 * (GGN with damping > 0), or {@code auto}: the cheaper of the two by their flop models
 * ({@link SolverCosts#cheaper}, assuming two dampings per point, a typical Levenberg-Marquardt step).
 */
public enum CurvatureRoute {
    AUTO, RICCATI, OUTPUT_SPACE;

    /** Dampings per point the auto choice plans for. */
    static final int DAMPINGS_PER_POINT = 2;

    public static CurvatureRoute fromSpec(String s) {
        return switch (s) {
            case "auto" -> AUTO;
            case "riccati" -> RICCATI;
            case "output-space" -> OUTPUT_SPACE;
            default -> throw new org.hessinv.model.InvalidInputException("unknown --solver \"" + s + "\"; use auto, riccati or output-space");
        };
    }

    public String specName() { return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'); }

    /**
     * The route that runs for this network, batch size and curvature (never AUTO): the direction solvers' rule
     * ({@link SolverChoice#resolve}, with {@link #DAMPINGS_PER_POINT} dampings per point; an explicit output-space
     * route with the Hessian is refused there).
     */
    public CurvatureRoute resolve(Network net, long batch, Curvature curvature) {
        return fromSpec(SolverChoice.fromSpec(specName()).resolve(net, batch, curvature, 1.0, DAMPINGS_PER_POINT).route());
    }

    /** The curvature of the batch at x by this (resolved) route. */
    public DampedCurvature at(Network net, double[] x, List<Example> batch, Curvature curvature) {
        return switch (this) {
            case OUTPUT_SPACE -> new OutputSpaceCurvature(net, x, batch);
            case RICCATI -> new RiccatiCurvature(new ExampleBatch(net, x, batch, curvature));
            case AUTO -> resolve(net, batch.size(), curvature).at(net, x, batch, curvature);
        };
    }
}
