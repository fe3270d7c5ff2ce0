package org.hessinv.solve;

/**
 * How the backward sweep runs. {@code segment}: the stages whose gains are kept at a time (the others are
 * recomputed from checkpoints, {@link SegmentedGains}); the stage count or more keeps every stage's.
 * {@code capacitancePivots}: factorize a {@link org.hessinv.curvature.CapacitanceStage}'s pivot through its
 * capacitance (what the solves use), or form it densely as p_l x p_l (tests and the anchor benchmark compare the two).
 */
public record SweepOptions(int segment, boolean capacitancePivots) {
    /** Every stage's gains kept, capacitance pivots through their capacitance. */
    public static final SweepOptions DEFAULT = new SweepOptions(Integer.MAX_VALUE, true);

    public SweepOptions {
        if (segment < 1) throw new IllegalArgumentException("checkpoint segment must be >= 1 stage, got " + segment);
    }

    /** These options keeping the gains of {@code segment} stages at a time. */
    public SweepOptions withSegment(int segment) { return new SweepOptions(segment, capacitancePivots); }

    /** These options with every pivot formed and factorized densely. */
    public SweepOptions withDensePivots() { return new SweepOptions(segment, false); }
}
