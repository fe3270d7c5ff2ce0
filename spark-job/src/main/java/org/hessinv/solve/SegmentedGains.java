package org.hessinv.solve;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.hessinv.curvature.StageSource;

/**
 * The gains (K_l^T, k_l, pivot) the forward sweep needs, kept one segment of stages at a time. With the
 * segment the stage count every stage's gains are kept. With a shorter segment the backward sweep keeps
 * only those of the lowest segment (stages 0..segment-1) and the cost-to-go (V, v) entering the top of every
 * other segment; a segment's gains are recomputed from its checkpoint when asked for (the same backward
 * steps in the same order, so the same numbers), dropping the segment held before. Memory for the gains
 * drops from L stages' worth to one segment's plus L / segment checkpoints; segment ~ sqrt(L) balances the
 * two ({@link SolveMemory#segmentLength}). Not thread-safe.
 */
final class SegmentedGains {
    private final StageSource stages;
    private final double delta;
    private final double[] r;
    private final int[] offsets;
    private final SweepOptions options;
    /** Stages per segment; the stage count when nothing is recomputed. */
    private final int segment;
    /** The gains of the segment held; null entries are recomputed. */
    private final StageGain[] held;
    /** The cost-to-go entering the top stage of each segment (none when nothing is recomputed). */
    private final Map<Integer, CostToGo> checkpoints = new HashMap<>();

    /** For the sweep over stages with right-hand side r (kept, not copied) split at offsets (p_l = offsets[l + 1] - offsets[l]). */
    SegmentedGains(StageSource stages, double delta, double[] r, int[] offsets, SweepOptions options) {
        this.stages = stages;
        this.delta = delta;
        this.r = r;
        this.offsets = offsets;
        this.options = options;
        int count = stages.stageCount();
        this.segment = segmentLength(options.segment(), count);
        this.held = new StageGain[count];
    }

    /** Stages per segment for a requested length: at most the stage count (and at least 1). */
    static int segmentLength(int requested, int stageCount) { return Math.min(requested, Math.max(1, stageCount)); }

    /** Whether stage l is the top of its segment (the first of it the backward sweep reaches). */
    static boolean topsSegment(int l, int segment, int stageCount) { return l == Math.min(stageCount, (l / segment + 1) * segment) - 1; }

    /** Whether segments are recomputed (and so checkpointed): the segment is shorter than the network. */
    static boolean checkpointed(int segment, int stageCount) { return segment < stageCount; }

    int stageCount() { return held.length; }

    /** The bytes of the gains held and the checkpoints. */
    long bytes() {
        long b = 0;
        for (StageGain g : held) if (g != null) b += g.bytes();
        for (CostToGo c : checkpoints.values()) b += c.bytes();
        return b;
    }

    /** r_l, a copy (the backward step overwrites it with k_l). */
    double[] rhs(int l) { return Arrays.copyOfRange(r, offsets[l], offsets[l + 1]); }

    /** Before the backward step at stage l: keeps c (the cost-to-go at l's output) if l tops a segment and segments are recomputed. */
    void beforeStep(int l, CostToGo c) {
        if (checkpointed(segment, held.length) && topsSegment(l, segment, held.length)) checkpoints.put(l / segment, c.snapshot());
    }

    /** After the backward step at stage l: keeps its gains if l is in the lowest segment (the first the forward sweep needs). */
    void afterStep(int l, StageGain g) {
        if (l / segment == 0) held[l] = g;
    }

    /** The gains of stage l, recomputing its segment (and dropping the segment held before) when they are not held. */
    StageGain gain(int l) {
        if (held[l] == null) {
            Arrays.fill(held, null);
            recompute(l / segment);
        }
        return held[l];
    }

    /** One past the top stage of segment s. */
    private int top(int s) { return Math.min(held.length, (s + 1) * segment); }

    /** The gains of segment s's stages, by the backward steps from its checkpoint. */
    private void recompute(int s) {
        CostToGo c = checkpoints.get(s).snapshot();
        for (int l = top(s) - 1; l >= s * segment; l--) held[l] = BackwardStep.step(stages.stage(l), c, delta, rhs(l), options);
    }
}
