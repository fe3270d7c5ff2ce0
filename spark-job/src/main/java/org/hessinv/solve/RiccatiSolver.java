package org.hessinv.solve;

import org.hessinv.curvature.ExampleBatch;
import org.hessinv.curvature.LayerStage;
import org.hessinv.curvature.StageFactors;
import org.hessinv.curvature.StageSource;
import org.hessinv.linalg.Blas;
import org.hessinv.linalg.CapacitanceFactorization;
import org.hessinv.linalg.CholeskyFactorization;
import org.hessinv.linalg.Inertia;
import org.hessinv.linalg.RecursiveCholesky;
import org.hessinv.linalg.SymmetricFactorization;

/**
 * Solves {@code (C + delta I) d = r} by the Riccati recursion of MATH.md section 3 (stagewise Newton):
 * a backward sweep over stages l = L..1 eliminating each stage's shared control d_l, then a forward
 * sweep recovering d. The pivots Qdd_l give log|det| and inertia (block LDL^T, Sylvester).
 */
public final class RiccatiSolver {
    /** What a singular pivot suggests to the user. */
    public static final String SINGULAR_HINT =
            "add damping (--damping, e.g. 1e-4) or use the Gauss-Newton curvature (--curvature ggn)";

    /**
     * How a wide stage's pivot ({@link LayerStage#wide}) is factorized: through its (B units)-square
     * capacitance (what the other methods use), or formed densely as p_l x p_l (tests and the anchor
     * benchmark compare the two).
     */
    public enum WidePivot { CAPACITANCE, DENSE }

    private RiccatiSolver() {}

    /** Backward then forward sweep: d = (C + delta I)^-1 r, with log|det| and inertia. */
    public static RiccatiSolution solve(StageSource stages, double delta, double[] r, SweepProgress progress) {
        return solve(stages, delta, r, progress, WidePivot.CAPACITANCE);
    }

    /**
     * {@link #solve} keeping the gains of one {@code segment} of stages at a time and recomputing the others
     * from checkpoints (see {@link #backwardSweep(StageSource, double, double[], SweepProgress, int)}): for
     * networks too deep for every K_l to stay in memory. Same result, bit for bit.
     */
    public static RiccatiSolution solve(StageSource stages, double delta, double[] r, SweepProgress progress, int segment) {
        RiccatiFactorization f = backwardSweep(stages, delta, r, progress, WidePivot.CAPACITANCE, segment);
        return new RiccatiSolution(f.forwardSweep(stages, progress), f.logAbsDet(), f.inertia(), f.worstPivot());
    }

    /** {@link #solve} with a choice of wide-stage pivot (tests and benchmarks compare the two). */
    public static RiccatiSolution solve(StageSource stages, double delta, double[] r, SweepProgress progress, WidePivot widePivot) {
        RiccatiFactorization f = backwardSweep(stages, delta, r, progress, widePivot, stages.stageCount());
        return new RiccatiSolution(f.forwardSweep(stages, progress), f.logAbsDet(), f.inertia(), f.worstPivot());
    }

    /** d = (C + delta I)^-1 r, refused unless rho = ||(C + delta I) d - r|| / ||r|| (by the R-pass) <= limit. */
    public static RiccatiSolution solveCertified(ExampleBatch batch, double delta, double[] r, double limit, SweepProgress progress) {
        RiccatiSolution s = solve(batch, delta, r, progress);
        ResidualCertificate.require(batch.relativeResidual(s.direction(), delta, r), limit, s.worstPivot(), SINGULAR_HINT);
        return s;
    }

    /**
     * Backward sweep, l = L..1, from V = 0, v = 0 (the loss state feeds nothing): one {@link #backwardStep}
     * per stage (MATH.md section 3); keeps every stage's gains for the forward sweep.
     */
    public static RiccatiFactorization backwardSweep(StageSource stages, double delta, double[] r, SweepProgress progress) {
        return backwardSweep(stages, delta, r, progress, WidePivot.CAPACITANCE, stages.stageCount());
    }

    /**
     * The backward sweep keeping the gains (K_l^T, k_l, pivot) of every stage when {@code segment} is the
     * stage count; with a shorter {@code segment} it keeps only those of the lowest segment (stages
     * 0..segment-1) and the cost-to-go (V, v) entering the top of every segment: the forward sweep
     * recomputes a segment's gains from its checkpoint when it reaches it (the same operations in the same
     * order, so the same numbers), at one more backward pass in all. Memory for the gains drops from
     * L stages' worth to one segment's plus L / segment checkpoints; segment ~ sqrt(L) balances the two
     * ({@link SolveMemory#segmentLength}).
     */
    public static RiccatiFactorization backwardSweep(StageSource stages, double delta, double[] r, SweepProgress progress, int segment) {
        return backwardSweep(stages, delta, r, progress, WidePivot.CAPACITANCE, segment);
    }

    /** {@link #backwardSweep} with a choice of wide-stage pivot (tests compare the two). */
    static RiccatiFactorization backwardSweep(StageSource stages, double delta, double[] r, SweepProgress progress, WidePivot widePivot) {
        return backwardSweep(stages, delta, r, progress, widePivot, stages.stageCount());
    }

    static RiccatiFactorization backwardSweep(StageSource stages, double delta, double[] r, SweepProgress progress,
                                              WidePivot widePivot, int segment) {
        if (!(delta >= 0) || !Double.isFinite(delta)) {
            throw new IllegalArgumentException("damping must be a finite number >= 0, got " + delta);
        }
        int stageCount = stages.stageCount();
        if (segment < 1) throw new IllegalArgumentException("checkpoint segment must be >= 1 stage, got " + segment);
        int[] offsets = new int[stageCount + 1];
        for (int l = 0; l < stageCount; l++) offsets[l + 1] = offsets[l] + stages.paramCount(l);
        if (r.length != offsets[stageCount]) {
            throw new IllegalArgumentException("right-hand side has " + r.length + " entries, expected " + offsets[stageCount]);
        }
        Replay replay = new Replay(stages, delta, r.clone(), offsets, widePivot, Math.min(segment, Math.max(1, stageCount)));
        StageGain[] gains = new StageGain[stageCount];
        CostToGo c = new CostToGo(null, null);
        double logAbsDet = 0;
        Inertia inertia = Inertia.EMPTY;
        PivotCondition worst = null;
        int firstIndefinite = 0;
        for (int l = stageCount - 1; l >= 0; l--) {
            int seg = l / replay.segment;
            if (l == replay.top(seg) - 1 && replay.segment < stageCount) {
                replay.checkpoints.put(seg, new CostToGo(c.hessian, c.gradient));
                c.shared = true; // the checkpoint holds this V: it must not be written as the next stage's buffer
            }
            StageGain g = backwardStep(stages.stage(l), l, c, delta, java.util.Arrays.copyOfRange(r, offsets[l], offsets[l + 1]), widePivot);
            SymmetricFactorization f = g.pivot();
            logAbsDet += f.logAbsDet();
            inertia = inertia.plus(f.inertia());
            if (worst == null || f.rcond() < worst.rcond()) worst = new PivotCondition(l + 1, f.rcond());
            if (!RiccatiFactorization.positiveDefinite(f)) firstIndefinite = l + 1;
            if (seg == 0) gains[l] = g;
            progress.stageDone("backward", l + 1, stageCount - l, stageCount);
        }
        return new RiccatiFactorization(offsets, gains, replay, logAbsDet, inertia, worst, firstIndefinite);
    }

    /**
     * The cost-to-go at a stage's output: V (B a_l square, null = zero before the first stage) and v; and the
     * scratch the sweep reuses from stage to stage, so that its largest arrays are allocated once rather than
     * once a stage (a heap that has to find a fresh (B a)^2 block every stage between the kept gains fragments:
     * G1 does not move arrays that large, and a 4 GB heap ran out at stage 36 of 65 with 2.2 GB in use).
     */
    static final class CostToGo {
        double[] hessian;
        double[] gradient;
        /** Whether V is also held elsewhere (a checkpoint, or given from outside): then it is never reused as scratch. */
        boolean shared = true;
        /** A V no longer needed, to hold the next stage's Qss (null: none yet). */
        double[] spare;
        /** The V A panel of {@link #stateHessian}, kept for the next stage. */
        double[] panel;

        CostToGo(double[] hessian, double[] gradient) {
            this.hessian = hessian;
            this.gradient = gradient;
        }

        /** An array of n doubles to overwrite: the spare V when it has that length, else a new one. */
        double[] takeSpare(int n) {
            double[] out = spare != null && spare.length == n ? spare : new double[n];
            spare = null;
            return out;
        }

        /** Replaces V by next; the old V becomes the spare unless it is shared. */
        void replaceHessian(double[] next) {
            if (!shared && hessian != null) spare = hessian;
            hessian = next;
            shared = false;
        }
    }

    /** What the backward step at a stage keeps for the forward sweep: its pivot Qdd, K^T (null for the first stage) and k. */
    record StageGain(SymmetricFactorization pivot, double[] gainKt, double[] gaink) {}

    /** How to recompute the gains of a segment of stages from its checkpointed cost-to-go. */
    static final class Replay {
        final StageSource stages;
        final double delta;
        final double[] r;
        final int[] offsets;
        final WidePivot widePivot;
        /** Stages per segment; the stage count when nothing is recomputed. */
        final int segment;
        /** The cost-to-go entering the top stage of each segment (none when nothing is recomputed). */
        final java.util.Map<Integer, CostToGo> checkpoints = new java.util.HashMap<>();

        Replay(StageSource stages, double delta, double[] r, int[] offsets, WidePivot widePivot, int segment) {
            this.stages = stages;
            this.delta = delta;
            this.r = r;
            this.offsets = offsets;
            this.widePivot = widePivot;
            this.segment = segment;
        }

        /** One past the top stage of segment s. */
        int top(int s) { return Math.min(stages.stageCount(), (s + 1) * segment); }

        /** The gains of segment s's stages, by the backward steps from its checkpoint. */
        void recompute(int s, StageGain[] into) {
            CostToGo cp = checkpoints.get(s);
            CostToGo c = new CostToGo(cp.hessian, cp.gradient);
            for (int l = top(s) - 1; l >= s * segment; l--) {
                into[l] = backwardStep(stages.stage(l), l, c, delta, java.util.Arrays.copyOfRange(r, offsets[l], offsets[l + 1]), widePivot);
            }
        }
    }

    /**
     * One backward step at stage l (0-based), from the cost-to-go c = (V, v) at its output to the one at
     * its input (c is updated; its arrays are replaced, never written): Qss = P + A^T V A,
     * Qsd = R + A^T V Bs, Qdd = S + delta I + Bs^T V Bs, qd = r_l + Bs^T v, k_l = Qdd^-1 qd,
     * K_l = Qdd^-1 Qsd^T, V <- Qss - Qsd K_l, v <- A^T v - Qsd k_l. A wide stage ({@link LayerStage#wide})
     * never forms Qdd: it equals delta I + U M U^T with U p_l x (B units), and is factorized exactly (solve,
     * log|det|, inertia, sampling) through its (B units)-square capacitance ({@link CapacitanceFactorization});
     * without damping such a pivot is singular (rank <= B units < p_l) and is refused.
     */
    private static StageGain backwardStep(LayerStage st, int l, CostToGo c, double delta, double[] k, WidePivot widePivot) {
        int nOut = st.stateOut();
        int p = st.p;
        if (c.hessian == null) {
            c.hessian = new double[nOut * nOut];
            c.gradient = new double[nOut];
            c.shared = false;
        }
        double[] smallV = c.gradient;
        boolean capacitance = st.wide && widePivot == WidePivot.CAPACITANCE;
        // VB = V Bs, (B a_l) x p_l: needed by Qdd unless it goes through the capacitance, and by Qsd
        double[] vb = capacitance && !st.hasState() ? null : vTimesBs(st, c.hessian);
        SymmetricFactorization f;
        if (capacitance) {
            // Qdd = S + delta I + Bs^T V Bs = delta I + U M U^T, M = Lam + D^T V D (B units square):
            // factorized through its capacitance, never formed (p_l > B units, see LayerStage.lowRank)
            StageFactors kron = st.factors;
            double[] middle = kron.middle(c.hessian);
            if (!st.hasState()) c.hessian = null; // the first stage: V is not needed any more, free it before factorizing
            f = CapacitanceFactorization.factor(kron.units, kron.inputs, kron.batch, kron.zt, middle, delta, l + 1, SINGULAR_HINT);
        } else {
            // Qdd = S + delta I + Bs^T V Bs
            double[] qdd = st.s != null ? st.s.clone() : st.denseS();
            for (int i = 0; i < p; i++) qdd[i * p + i] += delta;
            addBsTransposeProduct(st, vb, qdd);
            Blas.symmetrize(qdd, p);
            f = SymmetricFactorization.factor(qdd, p, l + 1, SINGULAR_HINT);
        }
        // qd = r_l + Bs^T v, then k_l = Qdd^-1 qd
        st.addBsTransposeTimes(smallV, k);
        f.solveInPlace(k, 1);
        if (!st.hasState()) {
            c.hessian = null;
            c.gradient = null;
            return new StageGain(f, null, k);
        }
        int nIn = st.stateIn();
        double[] qsd = stateControlCoupling(st, vb);
        vb = null;
        double[] qss = stateHessian(st, c);
        double[] qs = new double[nIn];
        for (int i = 0; i < st.batch; i++) {
            Blas.gemv(true, st.aOut, st.aIn, 1.0, st.a, i * st.aOut * st.aIn, st.aOut, smallV, i * st.aOut, 0.0, qs, i * st.aIn);
        }
        // v <- qs - Qsd k_l
        Blas.gemv(false, nIn, p, -1.0, qsd, 0, nIn, k, 0, 1.0, qs, 0);
        // V <- Qss - Qsd Qdd^-1 Qsd^T; keeps K_l^T = Qsd Qdd^-1 (Qsd is consumed)
        double[] gainKt = eliminateControl(f, qsd, qss, nIn, p);
        c.replaceHessian(qss);
        c.gradient = qs;
        return new StageGain(f, gainKt, k);
    }

    /**
     * V <- Qss - Qsd Qdd^-1 Qsd^T in qss (given by its lower triangle, returned whole), returning K^T = Qsd Qdd^-1 (nIn x p) in the storage of qsd.
     * Cholesky pivots Qdd = L L^T: W = Qsd L^-T, V <- Qss - W W^T (symmetric rank-p update, half the flops of
     * a general product), K^T = W L^-1. Other pivots (indefinite, capacitance): K = Qdd^-1 Qsd^T by the
     * factorization, V <- Qss - Qsd K.
     */
    private static double[] eliminateControl(SymmetricFactorization f, double[] qsd, double[] qss, int nIn, int p) {
        if (f instanceof CholeskyFactorization chol) {
            chol.rightSolveTransposedFactor(qsd, nIn);
            RecursiveCholesky.rankKUpdateLower(nIn, p, -1.0, qsd, 0, nIn, 1.0, qss, 0, nIn);
            SymmetricFactorization.mirrorLower(qss, nIn);
            chol.rightSolveFactor(qsd, nIn);
            return qsd;
        }
        double[] gain = gain(f, qsd, p, nIn);
        SymmetricFactorization.mirrorLower(qss, nIn);
        Blas.gemm(false, false, nIn, nIn, p, -1.0, qsd, 0, nIn, gain, 0, p, 1.0, qss, 0, nIn);
        Blas.symmetrize(qss, nIn);
        // K^T, nIn x p
        for (int j = 0; j < p; j++) for (int i = 0; i < nIn; i++) qsd[j * nIn + i] = gain[i * p + j];
        return qsd;
    }

    /** V Bs, (B a_l) x p_l: through the Kronecker factors when the stage has them, else a dense product. */
    private static double[] vTimesBs(LayerStage st, double[] bigV) {
        if (st.factors != null) return st.factors.vTimesBs(bigV);
        int nOut = st.stateOut();
        double[] vb = new double[nOut * st.p];
        Blas.gemm(false, false, nOut, st.p, nOut, 1.0, bigV, 0, nOut, st.bs, 0, nOut, 0.0, vb, 0, nOut);
        return vb;
    }

    /** q (p_l x p_l) += Bs^T VB: through the Kronecker factors when the stage has them, else a dense product. */
    private static void addBsTransposeProduct(LayerStage st, double[] vb, double[] q) {
        if (st.factors != null) {
            st.factors.addBsTransposeProduct(vb, q);
            return;
        }
        int nOut = st.stateOut();
        Blas.gemm(true, false, st.p, st.p, nOut, 1.0, st.bs, 0, nOut, vb, 0, nOut, 1.0, q, 0, st.p);
    }

    /**
     * K = Qdd^-1 Qsd^T (p x nIn) by the factorization's solve (Bunch-Kaufman or capacitance pivots).
     * No "refinement" step K += Qdd^-1 (Qsd^T - Qdd K): it moves K off the factorization k_l and the
     * rest of the sweep are consistent with, and for indefinite problems with pivots less well
     * conditioned than C + delta I that cost up to cond(Qdd) in accuracy (RiccatiSolverTest, seed 9
     * hessian delta 1e-3: relative error 1.7e-9 = 1200 n eps kappa, now 1e-12).
     */
    private static double[] gain(SymmetricFactorization f, double[] qsd, int p, int nIn) {
        double[] qsdT = new double[p * nIn];
        for (int j = 0; j < nIn; j++) for (int i = 0; i < p; i++) qsdT[j * p + i] = qsd[i * nIn + j];
        f.solveInPlace(qsdT, nIn);
        return qsdT;
    }

    /** Qsd = R + A^T (V Bs), block row by block row (A is block diagonal, never formed densely). */
    private static double[] stateControlCoupling(LayerStage st, double[] vb) {
        int nOut = st.stateOut();
        int nIn = st.stateIn();
        double[] qsd = st.r.clone();
        for (int i = 0; i < st.batch; i++) {
            Blas.gemm(true, false, st.aIn, st.p, st.aOut, 1.0, st.a, i * st.aOut * st.aIn, st.aOut,
                    vb, i * st.aOut, nOut, 1.0, qsd, i * st.aIn, nIn);
        }
        return qsd;
    }

    /**
     * Examples per column panel of {@link #stateHessian}: its scratch V A panel is (B a_l) x (64 a_{l-1})
     * instead of the whole (B a_l) x (B a_{l-1}) (1.2 GB at B = 512, width 24), at no cost in speed.
     */
    private static final int STATE_PANEL_EXAMPLES = 64;

    /**
     * Qss = P + A^T V A, by panels of examples' columns j, computing only the block rows i >= j (Qss is
     * symmetric: only its lower triangle is valid on return): VA = V A (block columns, rows i >= j), then
     * A^T (VA) (block rows), then P on the diagonal blocks. A is block diagonal and never formed densely.
     * V is c's; Qss and the panel are c's scratch when it has them at the right size (every entry of the
     * lower triangle and of the panel rows read is written before it is read, so old contents do not matter).
     */
    private static double[] stateHessian(LayerStage st, CostToGo cost) {
        double[] bigV = cost.hessian;
        int nOut = st.stateOut();
        int nIn = st.stateIn();
        int blockA = st.aOut * st.aIn;
        double[] qss = cost.takeSpare(nIn * nIn);
        int panel = Math.min(st.batch, STATE_PANEL_EXAMPLES);
        // one extra column: netlib's bounds check on a row-offset block (see Blas) then never forces a copy
        int panelLength = nOut * (panel * st.aIn + 1);
        double[] va = cost.panel != null && cost.panel.length == panelLength ? cost.panel : new double[panelLength];
        cost.panel = va;
        for (int j0 = 0; j0 < st.batch; j0 += panel) {
            int j1 = Math.min(st.batch, j0 + panel);
            int row0 = j0 * st.aOut;
            for (int j = j0; j < j1; j++) {
                Blas.gemm(false, false, nOut - row0, st.aIn, st.aOut, 1.0, bigV, j * st.aOut * nOut + row0, nOut,
                        st.a, j * blockA, st.aOut, 0.0, va, (j - j0) * st.aIn * nOut + row0, nOut);
            }
            int cols = (j1 - j0) * st.aIn;
            int colOff = j0 * st.aIn * nIn;
            java.util.stream.IntStream.range(j0, st.batch).parallel().forEach(i ->
                    Blas.gemm(true, false, st.aIn, cols, st.aOut, 1.0, st.a, i * blockA, st.aOut,
                            va, i * st.aOut, nOut, 0.0, qss, colOff + i * st.aIn, nIn));
        }
        int blockP = st.aIn * st.aIn;
        for (int i = 0; i < st.batch; i++) {
            for (int c = 0; c < st.aIn; c++) {
                int col = (i * st.aIn + c) * nIn + i * st.aIn;
                for (int rr = 0; rr < st.aIn; rr++) qss[col + rr] += st.pBlocks[i * blockP + c * st.aIn + rr];
            }
        }
        return qss;
    }
}
