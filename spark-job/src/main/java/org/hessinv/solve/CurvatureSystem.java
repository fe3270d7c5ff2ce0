package org.hessinv.solve;

import org.hessinv.curvature.ExampleBatch;
import org.hessinv.curvature.StageSource;
import org.hessinv.model.Network;

/**
 * The curvature batch of one system {@code (C + delta I) d = r} in the form a {@link DirectionSolver} reads: its
 * per-stage blocks from any source (on a cluster: reduced per layer range), or its examples on this machine, which
 * are stage blocks too ({@link ExampleBatch}) and what the routes that work on examples need.
 */
public sealed interface CurvatureSystem permits CurvatureSystem.Stages, CurvatureSystem.Examples {
    Network network();

    /** B, the examples in the curvature batch. */
    long batchSize();

    /** The stage blocks of the batch. */
    StageSource stages();

    /** Stages whose Riccati gains are kept at once ({@link RiccatiSolver#solve(StageSource, double, double[], SweepProgress, int)}). */
    int segment();

    /** Stage blocks only (e.g. reduced on a cluster): the Riccati and Woodbury routes. */
    record Stages(Network network, long batchSize, StageSource stages, int segment) implements CurvatureSystem {}

    /** The batch's examples on this machine: every route; the Riccati gains all kept. */
    record Examples(ExampleBatch batch) implements CurvatureSystem {
        @Override public Network network() { return batch.network(); }

        @Override public long batchSize() { return batch.size(); }

        @Override public StageSource stages() { return batch; }

        @Override public int segment() { return batch.stageCount(); }
    }
}
