package org.hessinv.solve;

/** Told after each stage of a sweep: {@code sweep} is "backward" or "forward", {@code layer} 1-based. */
@FunctionalInterface
public interface SweepProgress {
    SweepProgress NONE = (sweep, layer, done, total) -> { };

    void stageDone(String sweep, int layer, int done, int total);

    /** Told before a solve: the relative cost of each stage's backward step, stage 0 first (for time estimates). */
    default void planned(double[] stageCosts) {}
}
