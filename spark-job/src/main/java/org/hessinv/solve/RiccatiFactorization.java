package org.hessinv.solve;

import java.util.SplittableRandom;
import org.hessinv.curvature.LayerStage;
import org.hessinv.curvature.StageSource;
import org.hessinv.linalg.Blas;
import org.hessinv.linalg.Inertia;
import org.hessinv.linalg.SymmetricFactorization;
import org.hessinv.model.Network;

/**
 * What the backward sweep keeps: the gains K_l (as K_l^T), k_l and the pivot factorizations of Qdd_l, of
 * every stage or, when checkpointed, of one segment at a time (recomputed from the segment's checkpoint
 * when the forward sweep reaches it). The forward sweep {@code d_l = k_l - K_l s_{l-1}, s_l = A s_{l-1} + Bs d_l}
 * recovers the solution. Not thread-safe: a checkpointed factorization swaps the segment it holds.
 */
public final class RiccatiFactorization {
    private final int[] offsets;
    private final SegmentedGains gains;
    private final PivotSummary pivots;

    RiccatiFactorization(int[] offsets, SegmentedGains gains, PivotSummary pivots) {
        this.offsets = offsets;
        this.gains = gains;
        this.pivots = pivots;
    }

    private StageGain gain(int l) { return gains.gain(l); }

    /** The bytes of the gains and checkpoints held now (every stage's after a full sweep), for tests. */
    long keptBytes() { return gains.bytes(); }

    /** The pivot factorization of stage l (0-based), for tests. */
    SymmetricFactorization pivot(int l) { return gain(l).pivot(); }

    /** log|det(C + delta I)| = sum_l log|det Qdd_l|. */
    public double logAbsDet() { return pivots.logAbsDet(); }

    /** inertia(C + delta I) = sum_l inertia(Qdd_l). */
    public Inertia inertia() { return pivots.inertia(); }

    /** The pivot Qdd_l with the smallest reciprocal condition estimate (null for a network without stages). */
    public PivotCondition worstPivot() { return pivots.worst(); }

    /** Forward sweep from s_0 = 0: d_l = k_l - K_l s_{l-1}, s_l = A s_{l-1} + Bs d_l. */
    public double[] forwardSweep(StageSource stages, SweepProgress progress) {
        return forward(stages, progress, l -> gain(l).gaink().clone());
    }

    /**
     * d = (C + delta I)^-1 r for another right-hand side r with this factorization: K_l and the pivots Qdd_l do
     * not depend on r, only k_l and the cost-to-go gradient v do, so the backward sweep reduces to
     * {@code qd = r_l + Bs^T v, v <- A^T v - K_l^T qd, k_l = Qdd_l^-1 qd} (K_l^T qd = Qsd Qdd^-1 qd, the
     * Qsd k_l of the full sweep) and then the forward sweep: matrix-vector products only, no stage block
     * formed and no pivot factorized again. {@code stages} must be the source the factorization was swept on.
     */
    public double[] solve(StageSource stages, double[] r) {
        int stageCount = gains.stageCount();
        if (r.length != offsets[stageCount]) {
            throw new IllegalArgumentException("right-hand side has " + r.length + " entries, expected " + offsets[stageCount]);
        }
        double[][] k = new double[stageCount][];
        double[] v = null;
        for (int l = stageCount - 1; l >= 0; l--) {
            LayerStage st = stages.stage(l);
            StageGain g = gain(l);
            double[] qd = java.util.Arrays.copyOfRange(r, offsets[l], offsets[l + 1]);
            if (v != null) st.addBsTransposeTimes(v, qd);
            if (st.hasState()) {
                int nIn = st.stateIn();
                double[] next = new double[nIn];
                if (v != null) {
                    for (int i = 0; i < st.batch; i++) {
                        Blas.gemv(true, st.aOut, st.aIn, 1.0, st.a, i * st.aOut * st.aIn, st.aOut, v, i * st.aOut, 0.0, next, i * st.aIn);
                    }
                }
                Blas.gemv(false, nIn, qd.length, -1.0, g.gainKt(), 0, nIn, qd, 0, 1.0, next, 0);
                v = next;
            } else {
                v = null;
            }
            g.pivot().solveInPlace(qd, 1);
            k[l] = qd;
        }
        return forward(stages, SweepProgress.NONE, l -> k[l]);
    }

    /** {@link #solve(StageSource, double[])} for each right-hand side: one factorization, many solves. */
    public double[][] solveAll(StageSource stages, double[][] rhs) {
        double[][] out = new double[rhs.length][];
        for (int j = 0; j < rhs.length; j++) out[j] = solve(stages, rhs[j]);
        return out;
    }

    /**
     * A draw from N(0, (C + delta I)^-1): the forward sweep with k_l replaced by T_l eps_l, where
     * T_l T_l^T = Qdd_l^-1 (T_l = L_l^-T for Qdd_l = L_l L_l^T; the capacitance square root for a
     * capacitance pivot). Needs C + delta I positive definite.
     */
    public double[] sample(StageSource stages, SplittableRandom rng) {
        requirePositiveDefinite();
        return forward(stages, SweepProgress.NONE, l -> {
            SymmetricFactorization f = gain(l).pivot();
            double[] eps = new double[f.dimension()];
            for (int i = 0; i < eps.length; i++) eps[i] = Network.gaussian(rng);
            f.applyInverseSquareRoot(eps);
            return eps;
        });
    }

    /** The map eps -> d of {@link #sample} for a given eps (a square root T of (C + delta I)^-1, T T^T = inverse). */
    public double[] sampleMap(StageSource stages, double[] eps) {
        if (eps.length != offsets[gains.stageCount()]) {
            throw new IllegalArgumentException("eps has " + eps.length + " entries, expected " + offsets[gains.stageCount()]);
        }
        requirePositiveDefinite();
        return forward(stages, SweepProgress.NONE, l -> {
            double[] e = java.util.Arrays.copyOfRange(eps, offsets[l], offsets[l + 1]);
            gain(l).pivot().applyInverseSquareRoot(e);
            return e;
        });
    }

    /** Refuses (clearly) unless every pivot is positive definite, as sampling needs C + delta I to be. */
    private void requirePositiveDefinite() {
        if (pivots.firstIndefinite() > 0) {
            throw new IllegalStateException("sampling needs C + delta I positive definite, but its inertia is "
                    + pivots.inertia() + " (pivot of layer " + pivots.firstIndefinite() + " is indefinite); add damping or use --curvature ggn");
        }
    }

    private double[] forward(StageSource stages, SweepProgress progress, java.util.function.IntFunction<double[]> feedforward) {
        int stageCount = gains.stageCount();
        double[] d = new double[offsets[stageCount]];
        double[] state = null;
        for (int l = 0; l < stageCount; l++) {
            double[] dl = feedforward.apply(l);
            boolean last = l == stageCount - 1;
            LayerStage st = last ? null : stages.stage(l);
            if (l > 0) {
                // d_l -= K_l s_{l-1} = (K_l^T)^T s_{l-1}
                Blas.gemv(true, state.length, dl.length, -1.0, gain(l).gainKt(), 0, state.length, state, 0, 1.0, dl, 0);
            }
            System.arraycopy(dl, 0, d, offsets[l], dl.length);
            if (!last) {
                int nOut = st.stateOut();
                double[] next = new double[nOut];
                st.bsTimes(dl, next);
                if (l > 0) {
                    for (int i = 0; i < st.batch; i++) {
                        Blas.gemv(false, st.aOut, st.aIn, 1.0, st.a, i * st.aOut * st.aIn, st.aOut, state, i * st.aIn, 1.0, next, i * st.aOut);
                    }
                }
                state = next;
            }
            progress.stageDone("forward", l + 1, l + 1, stageCount);
        }
        return d;
    }
}
