package org.hessinv.solve;

import java.util.Locale;
import org.hessinv.curvature.LayerStage;
import org.hessinv.curvature.StageSource;
import org.hessinv.linalg.BandedLu;
import org.hessinv.linalg.Blas;
import org.hessinv.linalg.LuFactorization;
import org.hessinv.linalg.SymmetricFactorization;
import org.hessinv.model.AffineStage;
import org.hessinv.model.Network;

/**
 * The paper's own route (section 6, "The inverse of the Hessian"), completed as in MATH.md section 6:
 * {@code (C + delta I)^-1 r} for ONE example's curvature, by the Woodbury identity
 * {@code H = A + U^T Q U},  {@code A = D_x^T M^-T M^-1 D_x},  {@code U = [M^-1 D_x; I]},
 * {@code H^-1 = A^-1 - A^-1 U^T S_H^-1 U A^-1},  {@code S_H = Q^-1 + U A^-1 U^T}.
 *
 * <p>Notation (0-based layers l = 0..L-1, state z_l = output of stage l, z_{L-1} the scalar loss):
 * M is block lower bidiagonal ({@code M_ll = I, M_{l,l-1} = -A_l}), {@code D_x = blockdiag(B_l)},
 * Q's blocks are {@code Q11 = blockdiag(P_{l+1}) - I} (zero P for the loss state), {@code Q12} with
 * {@code R_{l+1}} at (state l, param l+1) (upper block diagonal), {@code Q22 = blockdiag(S_l) + delta I}
 * (the damping enters here: U's lower block is I). Steps:
 * <ol>
 * <li>{@code A^-1 = D_x^-1 M M^T D_x^-T}: never formed, applied with two bidiagonal sweeps;</li>
 * <li>{@code g' = U A^-1 r = [M^T D_x^-T r; D_x^-1 M M^T D_x^-T r]};</li>
 * <li>Q from the blocks; 4. {@code Q^-1} by eq. (29): {@code S_q = Q11 - Q12 Q22^-1 Q21} is block diagonal, so
 * {@code Q~11}, {@code Q~22} are block diagonal and {@code Q~12} upper block diagonal;</li>
 * <li>{@code S_H = Q^-1 + U A^-1 U^T} (eq. 36 with its sign corrected: the paper prints {@code -Q^-1 - U A^-1 U^T}):
 * {@code S_H11 = Q~11 + I} block diagonal, {@code S_H12 = Q~12 + M^T D_x^-T} upper block bidiagonal,
 * {@code S_H22 = Q~22 + D_x^-1 M M^T D_x^-T} block tridiagonal;</li>
 * <li>{@code S_H11} is singular (its loss-state block is {@code -1 + 1 = 0}), so the paper's Schur complement on
 * it does not exist; instead S_H, with states and parameters interleaved by layer ({@code (z_0, x_0), (z_1, x_1), ...}),
 * is block tridiagonal with blocks of size {@code a_l + p_l} and is solved by banded LU with partial pivoting.</li>
 * </ol>
 * Then {@code d = A^-1 (r - U^T h)} with {@code h = S_H^-1 g'}. Every step is linear in depth. Preconditions
 * (each failure throws {@link WoodburyPreconditionException}): one example; every {@code B_l} square
 * ({@code p_l = a_l}: gain or bias layers and a single-parameter head) and invertible; {@code Q22} and
 * {@code S_q} invertible; S_H nonsingular.
 *
 * <p>By-product: {@code log|det(C + delta I)| = log|det A| + log|det Q| + log|det S_H|}
 * ({@code det A = det(D_x)^2}, {@code det Q = prod det Q22_l det S_q_l}) and the sign of the determinant;
 * the route gives no inertia.
 */
public final class WoodburySolver {
    /** Blocks below this reciprocal condition are refused as singular (as the Riccati pivots are). */
    public static final double SINGULAR_RCOND = SymmetricFactorization.SINGULAR_RCOND;

    private WoodburySolver() {}

    /** d = (C + delta I)^-1 r, log|det(C + delta I)|, the determinant's sign, and S_H's reciprocal condition estimate. */
    public record Solution(double[] direction, double logAbsDet, int detSign, double shRcond) {}

    /**
     * Checks up front (before any data is touched) what the route needs of the model and the curvature batch:
     * one example and {@code p_l = a_l} for every stage. Throws {@link WoodburyPreconditionException}.
     */
    public static void checkApplicable(Network net, long curvatureBatch) {
        if (curvatureBatch != 1) {
            throw new WoodburyPreconditionException("a curvature batch of one example (--curvature-batch 1)",
                    "the curvature batch has " + (curvatureBatch <= 0 ? "all the" : String.valueOf(curvatureBatch))
                            + " examples (the route inverts one example's Hessian: with B examples the stacked state has B a_l"
                            + " entries per layer and B_l is (B a_l) x p_l, not square)");
        }
        for (int l = 0; l < net.stageCount(); l++) {
            AffineStage s = net.stage(l);
            if (s.paramCount() != s.outputSize()) {
                throw notSquare(l, s.outputSize(), s.paramCount(), s.describe());
            }
        }
    }

    private static WoodburyPreconditionException notSquare(int l, int outputs, int params, String what) {
        return new WoodburyPreconditionException("every parameter Jacobian B_l = df_l/dx_l square (as many trainable parameters as outputs)",
                "layer " + (l + 1) + (what == null ? "" : " (" + what + ")") + " has " + outputs + " output" + (outputs == 1 ? "" : "s")
                        + " and " + params + " parameters (dense and residual layers train W and c; the route needs \"square\" gain/bias"
                        + " layers and an mse head with \"parameter\": \"bias\" or \"gain\" and \"outputs\": 1)");
    }

    public static Solution solve(StageSource stages, double delta, double[] r) {
        return factor(stages, delta).solve(r);
    }

    /** Steps 1, 3, 4, 5 and the factorization of S_H: everything that does not depend on r. */
    public static Factors factor(StageSource stages, double delta) {
        if (!(delta >= 0) || !Double.isFinite(delta)) throw new IllegalArgumentException("damping must be a finite number >= 0, got " + delta);
        return new Factors(stages, delta);
    }

    /** The stored blocks of the route (per layer, O(L a^2) numbers) and the banded LU of S_H. */
    public static final class Factors {
        private final int layers;
        /** n_l = a_l = p_l. */
        private final int[] n;
        /** Offsets of layer l in a state-sized or parameter-sized vector (they coincide: a_l = p_l). */
        private final int[] off;
        /** A_l (n_l x n_{l-1}), B_l, B_l^-1 (n_l x n_l); P_l, R_l (n_{l-1} x ...), S_l as given. */
        private final double[][] a, b, bInv, p, rr, s;
        /** Q22_l^-1, S_q_l^-1 (= Q~11_l), Q~12 block (state l, param l+1), Q~22_l. */
        private final double[][] q22Inv, sqInv, qt12, qt22;
        /** S_H blocks: diagonal (2n_l square, interleaved (state, param)) and super-diagonal (2n_l x 2n_{l+1}). */
        private final double[][] shDiag, shSuper;
        private final int[] blockOff;
        private final BandedLu sh;
        private final double logAbsDet;
        private final int detSign;

        Factors(StageSource src, double delta) {
            layers = src.stageCount();
            n = new int[layers];
            off = new int[layers + 1];
            a = new double[layers][];
            b = new double[layers][];
            bInv = new double[layers][];
            p = new double[layers][];
            rr = new double[layers][];
            s = new double[layers][];
            double logDetB = 0;
            int signQ = 1;
            double logDetQ = 0;
            LuFactorization[] q22 = new LuFactorization[layers];
            for (int l = 0; l < layers; l++) {
                LayerStage st = src.stage(l);
                if (st.batch != 1) {
                    throw new WoodburyPreconditionException("a curvature batch of one example (--curvature-batch 1)",
                            "the curvature batch has " + st.batch + " examples");
                }
                if (st.p != st.aOut) throw notSquare(l, st.aOut, st.p, null);
                if (l > 0 && st.aIn != n[l - 1]) throw new IllegalStateException("stage " + (l + 1) + " input " + st.aIn + " != " + n[l - 1]);
                int nl = st.p;
                n[l] = nl;
                off[l + 1] = off[l] + nl;
                b[l] = st.denseBs().clone();
                LuFactorization bl = LuFactorization.factor(b[l], nl);
                if (bl.isSingular() || !(bl.rcond() >= SINGULAR_RCOND)) {
                    throw new WoodburyPreconditionException("every parameter Jacobian B_l = df_l/dx_l invertible",
                            String.format(Locale.ROOT, "B_l of layer %d is singular (reciprocal condition %.3g; an activation with"
                                    + " s'(u) = 0, a gain layer with (W z)_j = 0, or a head at zero residual u = y)", l + 1, bl.rcond()));
                }
                bInv[l] = bl.inverse();
                logDetB += bl.logAbsDet();
                if (st.hasState()) {
                    a[l] = st.a.clone();
                    p[l] = st.pBlocks.clone();
                    rr[l] = st.r.clone();
                }
                s[l] = st.denseS().clone();
                double[] q = s[l].clone();
                for (int i = 0; i < nl; i++) q[i * nl + i] += delta;
                q22[l] = LuFactorization.factor(q, nl);
                if (q22[l].isSingular() || !(q22[l].rcond() >= SINGULAR_RCOND)) {
                    throw new WoodburyPreconditionException("Q22 = D_D D_xx + delta I (the parameter-parameter second derivatives) invertible",
                            String.format(Locale.ROOT, "its block of layer %d is singular (reciprocal condition %.3g; e.g. an identity"
                                    + " activation or the Gauss-Newton curvature without damping); damping (--damping > 0) may help", l + 1, q22[l].rcond()));
                }
                logDetQ += q22[l].logAbsDet();
                signQ *= q22[l].detSign();
            }
            q22Inv = new double[layers][];
            for (int l = 0; l < layers; l++) q22Inv[l] = q22[l].inverse();
            // S_q (block diagonal) and Q^-1 by eq. (29)
            sqInv = new double[layers][];
            qt12 = new double[layers][];
            double[][] t = new double[layers][];   // T_l = R_{l+1} Q22_{l+1}^-1 (n_l x n_{l+1})
            for (int l = 0; l < layers; l++) {
                int nl = n[l];
                double[] sq = new double[nl * nl];
                if (l < layers - 1) {
                    int nn = n[l + 1];
                    t[l] = mul(false, false, nl, nn, nn, rr[l + 1], q22Inv[l + 1]);
                    System.arraycopy(p[l + 1], 0, sq, 0, nl * nl);
                    for (int i = 0; i < nl; i++) sq[i * nl + i] -= 1.0;
                    Blas.gemm(false, true, nl, nl, nn, -1.0, t[l], 0, nl, rr[l + 1], 0, nl, 1.0, sq, 0, nl);
                } else {
                    for (int i = 0; i < nl; i++) sq[i * nl + i] = -1.0;   // the loss state: P = 0, so S_q = -I
                }
                LuFactorization f = LuFactorization.factor(sq, nl);
                if (f.isSingular() || !(f.rcond() >= SINGULAR_RCOND)) {
                    throw new WoodburyPreconditionException("Q invertible (its Schur complement S_q = Q11 - Q12 Q22^-1 Q21 nonsingular)",
                            String.format(Locale.ROOT, "the S_q block of the state after layer %d is singular (reciprocal condition %.3g)", l + 1, f.rcond()));
                }
                sqInv[l] = f.inverse();
                logDetQ += f.logAbsDet();
                signQ *= f.detSign();
                if (l < layers - 1) {
                    qt12[l] = mul(false, false, nl, n[l + 1], nl, sqInv[l], t[l]);
                    for (int i = 0; i < qt12[l].length; i++) qt12[l][i] = -qt12[l][i];
                }
            }
            qt22 = new double[layers][];
            for (int m = 0; m < layers; m++) {
                qt22[m] = q22Inv[m].clone();
                if (m > 0) {
                    // Q~22_m = Q22_m^-1 + T_{m-1}^T S_q_{m-1}^-1 T_{m-1}
                    double[] st = mul(false, false, n[m - 1], n[m], n[m - 1], sqInv[m - 1], t[m - 1]);
                    Blas.gemm(true, false, n[m], n[m], n[m - 1], 1.0, t[m - 1], 0, n[m - 1], st, 0, n[m - 1], 1.0, qt22[m], 0, n[m]);
                }
            }
            // S_H = Q^-1 + U A^-1 U^T, interleaved (z_l, x_l) blocks
            shDiag = new double[layers][];
            shSuper = new double[layers][];
            blockOff = new int[layers + 1];
            int band = 0;
            for (int l = 0; l < layers; l++) {
                int nl = n[l];
                int m = 2 * nl;
                blockOff[l + 1] = blockOff[l] + m;
                double[] d = new double[m * m];
                double[] bt = transpose(bInv[l], nl, nl);
                // [Q~11 + I, B^-T; B^-1, Q~22 + B^-1 (I + A A^T) B^-T]
                double[] inner = identity(nl);
                if (l > 0) Blas.gemm(false, true, nl, nl, n[l - 1], 1.0, a[l], 0, nl, a[l], 0, nl, 1.0, inner, 0, nl);
                double[] s22 = mul(false, false, nl, nl, nl, mul(false, false, nl, nl, nl, bInv[l], inner), bt);
                for (int j = 0; j < nl; j++) {
                    for (int i = 0; i < nl; i++) {
                        d[j * m + i] = sqInv[l][j * nl + i] + (i == j ? 1.0 : 0.0);
                        d[(nl + j) * m + i] = bt[j * nl + i];
                        d[j * m + nl + i] = bInv[l][j * nl + i];
                        d[(nl + j) * m + nl + i] = qt22[l][j * nl + i] + s22[j * nl + i];
                    }
                }
                shDiag[l] = d;
                band = Math.max(band, m - 1);
                if (l < layers - 1) {
                    int nn = n[l + 1];
                    int mn = 2 * nn;
                    // rows (z_l, x_l), cols (z_{l+1}, x_{l+1}): [0, Q~12 - A_{l+1}^T B_{l+1}^-T; 0, -B_l^-1 A_{l+1}^T B_{l+1}^-T]
                    double[] atbt = mul(true, false, nl, nn, nn, a[l + 1], transpose(bInv[l + 1], nn, nn));
                    double[] lower = mul(false, false, nl, nn, nl, bInv[l], atbt);
                    double[] up = new double[m * mn];
                    for (int j = 0; j < nn; j++) {
                        for (int i = 0; i < nl; i++) {
                            up[(nn + j) * m + i] = qt12[l][j * nl + i] - atbt[j * nl + i];
                            up[(nn + j) * m + nl + i] = -lower[j * nl + i];
                        }
                    }
                    shSuper[l] = up;
                    band = Math.max(band, m + mn - 1);
                }
            }
            int total = blockOff[layers];
            BandedLu.Builder bld = new BandedLu.Builder(total, band, band);
            for (int l = 0; l < layers; l++) {
                int m = 2 * n[l];
                int o = blockOff[l];
                for (int j = 0; j < m; j++) for (int i = 0; i < m; i++) bld.add(o + i, o + j, shDiag[l][j * m + i]);
                if (l < layers - 1) {
                    int mn = 2 * n[l + 1];
                    int on = blockOff[l + 1];
                    for (int j = 0; j < mn; j++) {
                        for (int i = 0; i < m; i++) {
                            double v = shSuper[l][j * m + i];
                            if (v == 0.0) continue;
                            bld.add(o + i, on + j, v);      // super-diagonal block
                            bld.add(on + j, o + i, v);      // its transpose below the diagonal (S_H is symmetric)
                        }
                    }
                }
            }
            sh = bld.factor();
            if (sh.zeroPivot() != 0) {
                throw new WoodburyPreconditionException("S_H = Q^-1 + U A^-1 U^T nonsingular",
                        "its banded LU has an exactly zero pivot at row " + sh.zeroPivot() + " of " + total);
            }
            logAbsDet = 2 * logDetB + logDetQ + sh.logAbsDet();
            detSign = signQ * sh.detSign();
        }

        public int layers() { return layers; }

        /** n_l = a_l = p_l of layer l (0-based). */
        public int size(int l) { return n[l]; }

        /** The number of parameters (= the number of state entries). */
        public int dimension() { return off[layers]; }

        /** Reciprocal 1-norm condition estimate of S_H (LAPACK dgbcon). */
        public double shRcond() { return sh.rcond(); }

        /** Lower (= upper) bandwidth of the interleaved S_H. */
        public int bandwidth() { return sh.lowerBandwidth(); }

        public double logAbsDet() { return logAbsDet; }

        public int detSign() { return detSign; }

        /** Steps 2 and 6 and the final Woodbury combination for one right-hand side. */
        public Solution solve(double[] r) {
            if (r.length != dimension()) throw new IllegalArgumentException("right-hand side has " + r.length + " entries, expected " + dimension());
            // g'_1 = M^T D_x^-T r, g'_2 = D_x^-1 M g'_1
            double[] g1 = applyMT(applyBinvT(r));
            double[] g2 = applyBinv(applyM(g1));
            double[] rhs = new double[blockOff[layers]];
            for (int l = 0; l < layers; l++) {
                System.arraycopy(g1, off[l], rhs, blockOff[l], n[l]);
                System.arraycopy(g2, off[l], rhs, blockOff[l] + n[l], n[l]);
            }
            sh.solveInPlace(rhs);
            double[] h1 = new double[dimension()];
            double[] h2 = new double[dimension()];
            for (int l = 0; l < layers; l++) {
                System.arraycopy(rhs, blockOff[l], h1, off[l], n[l]);
                System.arraycopy(rhs, blockOff[l] + n[l], h2, off[l], n[l]);
            }
            // U^T h = D_x^T M^-T h1 + h2;  d = A^-1 (r - U^T h)
            double[] uth = applyB(true, applyMinvT(h1));
            double[] e = new double[dimension()];
            for (int i = 0; i < e.length; i++) e[i] = r[i] - uth[i] - h2[i];
            return new Solution(applyAinv(e), logAbsDet, detSign, sh.rcond());
        }

        /** A^-1 v = D_x^-1 M M^T D_x^-T v (two bidiagonal sweeps, block-diagonal scalings). */
        public double[] applyAinv(double[] v) { return applyBinv(applyM(applyMT(applyBinvT(v)))); }

        /** (M y)_l = y_l - A_l y_{l-1}. */
        double[] applyM(double[] y) {
            double[] out = y.clone();
            for (int l = 1; l < layers; l++) Blas.gemv(false, n[l], n[l - 1], -1.0, a[l], 0, n[l], y, off[l - 1], 1.0, out, off[l]);
            return out;
        }

        /** (M^T y)_l = y_l - A_{l+1}^T y_{l+1}. */
        double[] applyMT(double[] y) {
            double[] out = y.clone();
            for (int l = 0; l < layers - 1; l++) Blas.gemv(true, n[l + 1], n[l], -1.0, a[l + 1], 0, n[l + 1], y, off[l + 1], 1.0, out, off[l]);
            return out;
        }

        /** M^-T y by back substitution: x_{L-1} = y_{L-1}, x_l = y_l + A_{l+1}^T x_{l+1}. */
        double[] applyMinvT(double[] y) {
            double[] x = y.clone();
            for (int l = layers - 2; l >= 0; l--) Blas.gemv(true, n[l + 1], n[l], 1.0, a[l + 1], 0, n[l + 1], x, off[l + 1], 1.0, x, off[l]);
            return x;
        }

        /** M^-1 y by forward substitution: x_0 = y_0, x_l = y_l + A_l x_{l-1}. */
        double[] applyMinv(double[] y) {
            double[] x = y.clone();
            for (int l = 1; l < layers; l++) Blas.gemv(false, n[l], n[l - 1], 1.0, a[l], 0, n[l], x, off[l - 1], 1.0, x, off[l]);
            return x;
        }

        double[] applyB(boolean transpose, double[] v) { return blockDiag(b, transpose, v); }

        double[] applyBinv(double[] v) { return blockDiag(bInv, false, v); }

        double[] applyBinvT(double[] v) { return blockDiag(bInv, true, v); }

        private double[] blockDiag(double[][] blocks, boolean transpose, double[] v) {
            double[] out = new double[v.length];
            for (int l = 0; l < layers; l++) Blas.gemv(transpose, n[l], n[l], 1.0, blocks[l], 0, n[l], v, off[l], 0.0, out, off[l]);
            return out;
        }

        // ---- dense views for the structural tests on small cases (never used by the solve) ----

        /** Q^-1 from the blocks of eq. (29), dense 2N x 2N, ordered (states z_0..z_{L-1}, parameters x_0..x_{L-1}). */
        public double[] denseQInverse() {
            int nn = dimension();
            int m = 2 * nn;
            double[] q = new double[m * m];
            for (int l = 0; l < layers; l++) {
                put(q, m, off[l], off[l], sqInv[l], n[l], n[l], false);
                put(q, m, nn + off[l], nn + off[l], qt22[l], n[l], n[l], false);
                if (l < layers - 1) {
                    put(q, m, off[l], nn + off[l + 1], qt12[l], n[l], n[l + 1], false);
                    put(q, m, nn + off[l + 1], off[l], qt12[l], n[l], n[l + 1], true);
                }
            }
            return q;
        }

        /** S_H from its stored blocks, dense 2N x 2N in the paper's ordering (states, then parameters). */
        public double[] denseSH() {
            int nn = dimension();
            int m = 2 * nn;
            double[] out = new double[m * m];
            for (int l = 0; l < layers; l++) {
                int bl = 2 * n[l];
                for (int j = 0; j < bl; j++) {
                    for (int i = 0; i < bl; i++) out[paperIndex(l, j) * m + paperIndex(l, i)] = shDiag[l][j * bl + i];
                }
                if (l < layers - 1) {
                    int bn = 2 * n[l + 1];
                    for (int j = 0; j < bn; j++) {
                        for (int i = 0; i < bl; i++) {
                            double v = shSuper[l][j * bl + i];
                            out[paperIndex(l + 1, j) * m + paperIndex(l, i)] = v;
                            out[paperIndex(l, i) * m + paperIndex(l + 1, j)] = v;
                        }
                    }
                }
            }
            return out;
        }

        /** Position of entry i of interleaved block l in the paper's ordering. */
        private int paperIndex(int l, int i) { return i < n[l] ? off[l] + i : dimension() + off[l] + (i - n[l]); }

        private static void put(double[] dst, int ld, int r0, int c0, double[] blk, int rows, int cols, boolean transpose) {
            if (!transpose) {
                for (int j = 0; j < cols; j++) for (int i = 0; i < rows; i++) dst[(c0 + j) * ld + r0 + i] = blk[j * rows + i];
            } else {
                for (int j = 0; j < cols; j++) for (int i = 0; i < rows; i++) dst[(c0 + i) * ld + r0 + j] = blk[j * rows + i];
            }
        }
    }

    static double[] mul(boolean tA, boolean tB, int m, int nCols, int k, double[] x, double[] y) {
        double[] c = new double[m * nCols];
        Blas.gemm(tA, tB, m, nCols, k, 1.0, x, 0, tA ? k : m, y, 0, tB ? nCols : k, 0.0, c, 0, m);
        return c;
    }

    static double[] transpose(double[] x, int rows, int cols) {
        double[] t = new double[rows * cols];
        for (int j = 0; j < cols; j++) for (int i = 0; i < rows; i++) t[i * cols + j] = x[j * rows + i];
        return t;
    }

    static double[] identity(int k) {
        double[] i = new double[k * k];
        for (int j = 0; j < k; j++) i[j * k + j] = 1.0;
        return i;
    }
}
