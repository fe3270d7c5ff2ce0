package org.hessinv.solve;

import java.util.ArrayList;
import java.util.List;
import org.hessinv.curvature.LayerStage;
import org.hessinv.curvature.StageSource;
import org.hessinv.linalg.Blas;

/**
 * The paper's equation (24) assembled from the stage blocks:
 * {@code H v = D_D D_xx v + D_D D_zx P M^-1 D_x v + D_x^T M^-T P^T D_M D_xz v + D_x^T M^-T P^T D_M D_zz P M^-1 D_x v},
 * i.e. with the activation perturbations {@code s = M^-1 D_x v} (a forward sweep {@code s_l = A_l s_{l-1} + B_l v_l}),
 * {@code w1_l = P_{l+1} s_l + R_{l+1} v_{l+1}} (the state rows, zero for the loss state),
 * {@code w2_l = R_l^T s_{l-1} + S_l v_l} (the parameter rows), then {@code y = M^-T w1} (a backward sweep
 * {@code y_l = w1_l + A_{l+1}^T y_{l+1}}) and {@code H v = D_x^T y + w2}. For a batch the blocks are the stacked ones
 * of {@link LayerStage} (block-diagonal A and P, stacked B and R, summed S), which sums eq. (24) over the examples.
 * Appendix A claims this is Pearlmutter's R-pass; the tests check it against {@code curvature.RPass}.
 */
public final class PaperHessianProduct {
    private PaperHessianProduct() {}

    /** C v from eq. (24) (no damping). */
    public static double[] apply(StageSource src, double[] v) {
        int layers = src.stageCount();
        List<LayerStage> st = new ArrayList<>(layers);
        int[] off = new int[layers + 1];
        for (int l = 0; l < layers; l++) {
            st.add(src.stage(l));
            off[l + 1] = off[l] + st.get(l).p;
        }
        if (v.length != off[layers]) throw new IllegalArgumentException("vector has " + v.length + " entries, expected " + off[layers]);
        // s = M^-1 D_x v
        double[][] s = new double[layers][];
        for (int l = 0; l < layers; l++) {
            LayerStage g = st.get(l);
            s[l] = new double[g.stateOut()];
            g.bsTimes(java.util.Arrays.copyOfRange(v, off[l], off[l + 1]), s[l]);
            if (l > 0) blockA(g, false, s[l - 1], s[l]);
        }
        // w1 (states) and w2 (parameters)
        double[][] w1 = new double[layers][];
        double[] out = new double[off[layers]];
        for (int l = 0; l < layers; l++) {
            LayerStage g = st.get(l);
            w1[l] = new double[g.stateOut()];
            if (l + 1 < layers) {
                LayerStage nx = st.get(l + 1);
                int bp = nx.aIn * nx.aIn;
                for (int i = 0; i < nx.batch; i++) {
                    Blas.gemv(false, nx.aIn, nx.aIn, 1.0, nx.pBlocks, i * bp, nx.aIn, s[l], i * nx.aIn, 1.0, w1[l], i * nx.aIn);
                }
                Blas.gemv(false, nx.stateIn(), nx.p, 1.0, nx.r, 0, nx.stateIn(), v, off[l + 1], 1.0, w1[l], 0);
            }
            Blas.gemv(false, g.p, g.p, 1.0, g.denseS(), 0, g.p, v, off[l], 0.0, out, off[l]);
            if (l > 0) Blas.gemv(true, g.stateIn(), g.p, 1.0, g.r, 0, g.stateIn(), s[l - 1], 0, 1.0, out, off[l]);
        }
        // y = M^-T w1, then H v = D_x^T y + w2
        double[] y = w1[layers - 1];
        for (int l = layers - 1; l >= 0; l--) {
            LayerStage g = st.get(l);
            double[] bty = new double[g.p];
            g.addBsTransposeTimes(y, bty);
            for (int i = 0; i < g.p; i++) out[off[l] + i] += bty[i];
            if (l > 0) {
                double[] prev = w1[l - 1].clone();
                blockA(g, true, y, prev);
                y = prev;
            }
        }
        return out;
    }

    /** out += A in (or A^T in), A block diagonal over the batch. */
    private static void blockA(LayerStage g, boolean transpose, double[] in, double[] out) {
        int blk = g.aOut * g.aIn;
        for (int i = 0; i < g.batch; i++) {
            if (transpose) Blas.gemv(true, g.aOut, g.aIn, 1.0, g.a, i * blk, g.aOut, in, i * g.aOut, 1.0, out, i * g.aIn);
            else Blas.gemv(false, g.aOut, g.aIn, 1.0, g.a, i * blk, g.aOut, in, i * g.aIn, 1.0, out, i * g.aOut);
        }
    }
}
