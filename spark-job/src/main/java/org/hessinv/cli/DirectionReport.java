package org.hessinv.cli;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;
import java.util.Optional;
import org.hessinv.linalg.Inertia;
import org.hessinv.solve.PivotCondition;

/**
 * {@code report.json} of {@code newton-direction} (written and read by {@link org.hessinv.io.Json}; README,
 * "report.json", lists the fields in this order): the loss and norms, the certified residual and its limit, the
 * worst stage pivot (left out when the route has none), log|det| and the inertia (null when the route gives none),
 * the system solved, the route that ran ({@code solver}), the data and partitioning, the model and parameters, the
 * BLAS backend and the phase timings in seconds.
 */
public record DirectionReport(double loss, double gradientNorm, String rhs, double rhsNorm, double directionNorm,
                              double residual, double maxResidual,
                              @JsonInclude(JsonInclude.Include.NON_EMPTY) Optional<PivotCondition> worstPivot,
                              double logAbsDet, Optional<Inertia> inertia, String curvature, double damping, String solver,
                              long examples, long curvatureExamples, int partitions, int layerRanges, String master,
                              String model, String params, int layers, int parameters, String blas, Map<String, Double> timings) {}
