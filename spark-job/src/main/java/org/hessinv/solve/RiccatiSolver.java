package org.hessinv.solve;

import org.hessinv.curvature.ExampleBatch;
import org.hessinv.curvature.StageSource;

/**
 * Solves {@code (C + delta I) d = r} by the Riccati recursion of MATH.md section 3 (stagewise Newton):
 * a backward sweep over stages l = L..1 eliminating each stage's shared control d_l ({@link BackwardStep}),
 * then a forward sweep recovering d ({@link RiccatiFactorization}). The pivots Qdd_l give log|det| and
 * inertia (block LDL^T, Sylvester).
 */
public final class RiccatiSolver {
    /** What a singular pivot suggests to the user. */
    public static final String SINGULAR_HINT =
            "add damping (--damping, e.g. 1e-4) or use the Gauss-Newton curvature (--curvature ggn)";

    private RiccatiSolver() {}

    /** Backward then forward sweep: d = (C + delta I)^-1 r, with log|det| and inertia. */
    public static RiccatiSolution solve(StageSource stages, double delta, double[] r, SweepProgress progress) {
        return solve(stages, delta, r, progress, SweepOptions.DEFAULT);
    }

    /** {@link #solve} with a checkpoint segment and pivot choice: the same result, bit for bit, whatever the segment. */
    public static RiccatiSolution solve(StageSource stages, double delta, double[] r, SweepProgress progress, SweepOptions options) {
        RiccatiFactorization f = backwardSweep(stages, delta, r, progress, options);
        return new RiccatiSolution(f.forwardSweep(stages, progress), f.logAbsDet(), f.inertia(), f.worstPivot());
    }

    /** d = (C + delta I)^-1 r, refused unless rho = ||(C + delta I) d - r|| / ||r|| (by the R-pass) <= limit. */
    public static RiccatiSolution solveCertified(ExampleBatch batch, double delta, double[] r, double limit, SweepProgress progress) {
        RiccatiSolution s = solve(batch, delta, r, progress);
        ResidualCertificate.require(batch.relativeResidual(s.direction(), delta, r), limit, s.worstPivot(), SINGULAR_HINT);
        return s;
    }

    /** The backward sweep keeping every stage's gains for the forward sweep. */
    public static RiccatiFactorization backwardSweep(StageSource stages, double delta, double[] r, SweepProgress progress) {
        return backwardSweep(stages, delta, r, progress, SweepOptions.DEFAULT);
    }

    /**
     * Backward sweep, l = L..1, from V = 0, v = 0 (the loss state feeds nothing): one {@link BackwardStep}
     * per stage, its gains kept as {@code options.segment()} says ({@link SegmentedGains}).
     */
    public static RiccatiFactorization backwardSweep(StageSource stages, double delta, double[] r, SweepProgress progress,
                                                     SweepOptions options) {
        if (!(delta >= 0) || !Double.isFinite(delta)) {
            throw new IllegalArgumentException("damping must be a finite number >= 0, got " + delta);
        }
        int stageCount = stages.stageCount();
        int[] offsets = new int[stageCount + 1];
        for (int l = 0; l < stageCount; l++) offsets[l + 1] = offsets[l] + stages.paramCount(l);
        if (r.length != offsets[stageCount]) {
            throw new IllegalArgumentException("right-hand side has " + r.length + " entries, expected " + offsets[stageCount]);
        }
        SegmentedGains gains = new SegmentedGains(stages, delta, r.clone(), offsets, options);
        PivotSummary pivots = new PivotSummary();
        CostToGo c = CostToGo.zero();
        for (int l = stageCount - 1; l >= 0; l--) {
            gains.beforeStep(l, c);
            StageGain g = BackwardStep.step(stages.stage(l), c, delta, gains.rhs(l), options);
            pivots.add(l + 1, g.pivot());
            gains.afterStep(l, g);
            progress.stageDone("backward", l + 1, stageCount - l, stageCount);
        }
        return new RiccatiFactorization(offsets, gains, pivots);
    }
}
