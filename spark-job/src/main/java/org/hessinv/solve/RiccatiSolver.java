package org.hessinv.solve;

import org.hessinv.curvature.ExampleBatch;
import org.hessinv.curvature.LayerStage;
import org.hessinv.curvature.StageFactors;
import org.hessinv.curvature.StageSource;
import org.hessinv.linalg.Blas;
import org.hessinv.linalg.CapacitanceFactorization;
import org.hessinv.linalg.CholeskyFactorization;
import org.hessinv.linalg.Inertia;
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
     * Whether wide stages ({@link LayerStage#lowRank}) are pivoted through their capacitance
     * ({@link CapacitanceFactorization}); false forces the dense p_l x p_l pivot (tests compare the two).
     */
    static volatile boolean lowRankPivots = true;

    private RiccatiSolver() {}

    /** Backward then forward sweep: d = (C + delta I)^-1 r, with log|det| and inertia. */
    public static RiccatiSolution solve(StageSource stages, double delta, double[] r, SweepProgress progress) {
        RiccatiFactorization f = backwardSweep(stages, delta, r, progress);
        return new RiccatiSolution(f.forwardSweep(stages, progress), f.logAbsDet(), f.inertia(), f.worstPivot());
    }

    /** d = (C + delta I)^-1 r, refused unless rho = ||(C + delta I) d - r|| / ||r|| (by the R-pass) <= limit. */
    public static RiccatiSolution solveCertified(ExampleBatch batch, double delta, double[] r, double limit, SweepProgress progress) {
        RiccatiSolution s = solve(batch, delta, r, progress);
        ResidualCertificate.require(batch.relativeResidual(s.direction(), delta, r), limit, s.worstPivot(), SINGULAR_HINT);
        return s;
    }

    /**
     * Backward sweep, l = L..1, from V = 0, v = 0 (the loss state feeds nothing):
     * Qss = P + A^T V A, Qsd = R + A^T V Bs, Qdd = S + delta I + Bs^T V Bs, qs = A^T v, qd = r_l + Bs^T v,
     * k_l = Qdd^-1 qd, K_l = Qdd^-1 Qsd^T, V <- Qss - Qsd K_l, v <- qs - Qsd k_l.
     * A wide stage ({@link LayerStage#lowRank}: p_l > B units, e.g. a 768-input first layer) never forms Qdd:
     * it equals {@code delta I + U M U^T} with U p_l x (B units), and is factorized exactly (solve, log|det|,
     * inertia, sampling) through its (B units)-square capacitance ({@link CapacitanceFactorization}); without
     * damping such a pivot is singular (rank <= B units < p_l) and is refused.
     */
    public static RiccatiFactorization backwardSweep(StageSource stages, double delta, double[] r, SweepProgress progress) {
        if (!(delta >= 0) || !Double.isFinite(delta)) {
            throw new IllegalArgumentException("damping must be a finite number >= 0, got " + delta);
        }
        int stageCount = stages.stageCount();
        int[] offsets = new int[stageCount + 1];
        for (int l = 0; l < stageCount; l++) offsets[l + 1] = offsets[l] + stages.paramCount(l);
        if (r.length != offsets[stageCount]) {
            throw new IllegalArgumentException("right-hand side has " + r.length + " entries, expected " + offsets[stageCount]);
        }
        SymmetricFactorization[] pivots = new SymmetricFactorization[stageCount];
        double[][] gainK = new double[stageCount][];
        double[][] gaink = new double[stageCount][];
        double[] bigV = null;
        double[] smallV = null;
        double logAbsDet = 0;
        Inertia inertia = Inertia.EMPTY;
        for (int l = stageCount - 1; l >= 0; l--) {
            LayerStage st = stages.stage(l);
            int nOut = st.stateOut();
            int p = st.p;
            if (bigV == null) {
                bigV = new double[nOut * nOut];
                smallV = new double[nOut];
            }
            StageFactors lowRank = lowRankPivots ? st.factors : null;
            double[] vb = null;
            SymmetricFactorization f;
            if (lowRank != null) {
                // Qdd = S + delta I + Bs^T V Bs = delta I + U M U^T, M = Lam + D^T V D (B units square):
                // factorized through its capacitance, never formed (p_l > B units, see LayerStage.lowRank)
                f = CapacitanceFactorization.factor(lowRank.units, lowRank.inputs, lowRank.batch, lowRank.zt,
                        lowRank.middle(bigV), delta, l + 1, SINGULAR_HINT);
                if (st.hasState()) {
                    vb = new double[nOut * p];
                    Blas.gemm(false, false, nOut, p, nOut, 1.0, bigV, 0, nOut, st.denseBs(), 0, nOut, 0.0, vb, 0, nOut);
                }
            } else {
                double[] bs = st.denseBs();
                // VB = V Bs
                vb = new double[nOut * p];
                Blas.gemm(false, false, nOut, p, nOut, 1.0, bigV, 0, nOut, bs, 0, nOut, 0.0, vb, 0, nOut);
                // Qdd = S + delta I + Bs^T V Bs
                double[] qdd = st.s != null ? st.s.clone() : st.denseS();
                for (int i = 0; i < p; i++) qdd[i * p + i] += delta;
                Blas.gemm(true, false, p, p, nOut, 1.0, bs, 0, nOut, vb, 0, nOut, 1.0, qdd, 0, p);
                Blas.symmetrize(qdd, p);
                f = SymmetricFactorization.factor(qdd, p, l + 1, SINGULAR_HINT);
            }
            // qd = r_l + Bs^T v
            double[] k = java.util.Arrays.copyOfRange(r, offsets[l], offsets[l + 1]);
            st.addBsTransposeTimes(smallV, k);
            pivots[l] = f;
            logAbsDet += f.logAbsDet();
            inertia = inertia.plus(f.inertia());
            // k_l = Qdd^-1 qd
            f.solveInPlace(k, 1);
            gaink[l] = k;
            if (st.hasState()) {
                int nIn = st.stateIn();
                double[] qsd = stateControlCoupling(st, vb);
                double[] qss = stateHessian(st, bigV);
                double[] qs = new double[nIn];
                for (int i = 0; i < st.batch; i++) {
                    Blas.gemv(true, st.aOut, st.aIn, 1.0, st.a, i * st.aOut * st.aIn, st.aOut, smallV, i * st.aOut, 0.0, qs, i * st.aIn);
                }
                double[] gain = gain(f, qsd, p, nIn);
                gainK[l] = gain;
                // V <- Qss - Qsd K_l
                Blas.gemm(false, false, nIn, nIn, p, -1.0, qsd, 0, nIn, gain, 0, p, 1.0, qss, 0, nIn);
                Blas.symmetrize(qss, nIn);
                // v <- qs - Qsd k_l
                Blas.gemv(false, nIn, p, -1.0, qsd, 0, nIn, k, 0, 1.0, qs, 0);
                bigV = qss;
                smallV = qs;
            }
            progress.stageDone("backward", l + 1, stageCount - l, stageCount);
        }
        return new RiccatiFactorization(offsets, pivots, gainK, gaink, logAbsDet, inertia);
    }

    /**
     * Positive definite pivots at least this well conditioned are applied through their explicit
     * inverse (gemm: 5-10x faster than the pure-Java LAPACK's level-2 solves on many right-hand sides);
     * the rest use the factorization's own solve.
     */
    private static final double INVERSE_RCOND = 1e-6;

    /**
     * K = Qdd^-1 Qsd^T. Well-conditioned Cholesky pivots: K = Qdd^-1 Qsd^T by the explicit inverse
     * (dpotri), which agrees with the factorization's solve to rounding; Bunch-Kaufman (indefinite),
     * capacitance (wide-stage, never formed) and worse-conditioned pivots: the factorization's solve.
     * No "refinement" step K += Qdd^-1 (Qsd^T - Qdd K): it moves K off the factorization k_l and the
     * rest of the sweep are consistent with, and for indefinite problems with pivots less well
     * conditioned than C + delta I that cost up to cond(Qdd) in accuracy (RiccatiSolverTest, seed 9
     * hessian delta 1e-3: relative error 1.7e-9 = 1200 n eps kappa, now 1e-12).
     */
    private static double[] gain(SymmetricFactorization f, double[] qsd, int p, int nIn) {
        double[] qsdT = new double[p * nIn];
        for (int j = 0; j < nIn; j++) for (int i = 0; i < p; i++) qsdT[j * p + i] = qsd[i * nIn + j];
        if (!(f instanceof CholeskyFactorization) || f.rcond() < INVERSE_RCOND) {
            f.solveInPlace(qsdT, nIn);
            return qsdT;
        }
        double[] inv = f.inverse();
        double[] k = new double[p * nIn];
        Blas.gemm(false, false, p, nIn, p, 1.0, inv, 0, p, qsdT, 0, p, 0.0, k, 0, p);
        return k;
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

    /** Qss = P + A^T V A: first VA = V A by block columns, then A^T (VA) by block rows, then P on the diagonal blocks. */
    private static double[] stateHessian(LayerStage st, double[] bigV) {
        int nOut = st.stateOut();
        int nIn = st.stateIn();
        int blockA = st.aOut * st.aIn;
        double[] va = new double[nOut * nIn];
        for (int i = 0; i < st.batch; i++) {
            Blas.gemm(false, false, nOut, st.aIn, st.aOut, 1.0, bigV, i * st.aOut * nOut, nOut,
                    st.a, i * blockA, st.aOut, 0.0, va, i * st.aIn * nOut, nOut);
        }
        double[] qss = new double[nIn * nIn];
        for (int i = 0; i < st.batch; i++) {
            Blas.gemm(true, false, st.aIn, nIn, st.aOut, 1.0, st.a, i * blockA, st.aOut,
                    va, i * st.aOut, nOut, 0.0, qss, i * st.aIn, nIn);
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
