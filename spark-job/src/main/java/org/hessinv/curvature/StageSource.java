package org.hessinv.curvature;

/**
 * Where the Riccati solver gets each stage's batch blocks: in process from the examples, or in the
 * Spark job from the layer-partitioned RDD. The backward sweep asks for stages L-1 .. 0 (descending),
 * the forward sweep for 0 .. L-1 (ascending); a source may build them lazily and drop them after use.
 */
public interface StageSource {
    int stageCount();

    /** p_l of stage l. */
    int paramCount(int l);

    /** The blocks of stage l (0-based). */
    LayerStage stage(int l);
}
