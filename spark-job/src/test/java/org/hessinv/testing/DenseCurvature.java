package org.hessinv.testing;

import java.util.List;
import org.hessinv.curvature.Curvature;
import org.hessinv.curvature.ExampleBatch;
import org.hessinv.curvature.LayerStage;
import org.hessinv.model.Example;
import org.hessinv.model.Network;

/** Dense curvature matrices assembled without the engine's R-pass, for checking it and the solvers. */
public final class DenseCurvature {
    private DenseCurvature() {}

    /**
     * H column by column as central differences (Richardson) of the engine's analytic gradient
     * (which {@code ForwardBackwardTest} checks against differences of the reference loss):
     * error ~1e-11 relative for the test problems, see {@link FiniteDifferences}.
     */
    public static double[] hessianByGradientDifferences(Network net, double[] x, List<Example> examples) {
        int n = net.paramCount();
        return Dense.transpose(FiniteDifferences.jacobian(
                xx -> new ExampleBatch(net, xx, examples, Curvature.HESSIAN).gradient(), x), n, n);
    }

    /**
     * G = (1/B) sum_i J_i^T Lambda_i J_i with J_i = du_L/dx by differences of the reference forward
     * pass and Lambda_i = d2 loss/du2 by differences of the reference loss: nothing of the engine.
     */
    public static double[] ggn(Network net, double[] x, List<Example> examples) {
        int n = net.paramCount();
        int last = net.stageCount() - 1;
        int k = net.head().units();
        double[] g = new double[n * n];
        for (Example e : examples) {
            double[] jac = FiniteDifferences.jacobian(xx -> ReferenceNetwork.output(net, xx, e.features()), x);
            double[] u = ReferenceNetwork.output(net, x, e.features());
            double[] lam = FiniteDifferences.hessian(uu -> ReferenceNetwork.headLoss(net.stage(last), uu, e.response()), u);
            double[] lj = Dense.multiply(lam, jac, k, k, n);
            double[] jtlj = Dense.multiply(Dense.transpose(jac, k, n), lj, n, k, n);
            for (int i = 0; i < g.length; i++) g[i] += jtlj[i] / examples.size();
        }
        return g;
    }

    /** C (no damping) column by column from the engine's R-pass, not symmetrized. */
    public static double[] byRPass(ExampleBatch batch) {
        int n = batch.network().paramCount();
        double[] c = new double[n * n];
        for (int j = 0; j < n; j++) System.arraycopy(batch.curvatureTimes(FiniteDifferences.unit(n, j)), 0, c, j * n, n);
        return c;
    }

    /**
     * C from the stacked stage blocks by the quadratic form of MATH.md section 2:
     * {@code dx^T C dx = sum_l s_{l-1}^T P s_{l-1} + 2 s_{l-1}^T R dx_l + dx_l^T S dx_l},
     * {@code s_l = A s_{l-1} + Bs dx_l}. Tracks the state Jacobian M_l = ds_l/dx (B a_l x n) densely.
     */
    public static double[] fromStages(ExampleBatch batch) {
        Network net = batch.network();
        int n = net.paramCount();
        double[] c = new double[n * n];
        double[] m = null; // ds_{l-1}/dx, stateIn x n
        for (int l = 0; l < net.stageCount(); l++) {
            LayerStage st = batch.stage(l);
            int off = net.paramOffset(l);
            int p = st.p;
            double[] stS = st.denseS();
            double[] stBs = st.denseBs();
            // E_l: selects dx_l; S on the diagonal block
            for (int j = 0; j < p; j++) for (int i = 0; i < p; i++) c[(off + j) * n + off + i] += stS[j * p + i];
            int nIn = st.stateIn(), nOut = st.stateOut();
            if (st.hasState()) {
                // M^T P M
                double[] pDense = new double[nIn * nIn];
                for (int b = 0; b < st.batch; b++) {
                    for (int jj = 0; jj < st.aIn; jj++) for (int ii = 0; ii < st.aIn; ii++) {
                        pDense[(b * st.aIn + jj) * nIn + b * st.aIn + ii] = st.pBlocks[b * st.aIn * st.aIn + jj * st.aIn + ii];
                    }
                }
                double[] mt = Dense.transpose(m, nIn, n);
                double[] mtpm = Dense.multiply(mt, Dense.multiply(pDense, m, nIn, nIn, n), n, nIn, n);
                for (int i = 0; i < c.length; i++) c[i] += mtpm[i];
                // M^T R E_l and its transpose
                double[] mtr = Dense.multiply(mt, st.r, n, nIn, p);
                for (int j = 0; j < p; j++) for (int i = 0; i < n; i++) {
                    c[(off + j) * n + i] += mtr[j * n + i];
                    c[i * n + off + j] += mtr[j * n + i];
                }
            }
            if (l == net.stageCount() - 1) break;
            // M_l = A M_{l-1} + Bs E_l
            double[] next = new double[nOut * n];
            if (st.hasState()) {
                double[] aDense = new double[nOut * nIn];
                for (int b = 0; b < st.batch; b++) {
                    for (int jj = 0; jj < st.aIn; jj++) for (int ii = 0; ii < st.aOut; ii++) {
                        aDense[(b * st.aIn + jj) * nOut + b * st.aOut + ii] = st.a[b * st.aOut * st.aIn + jj * st.aOut + ii];
                    }
                }
                next = Dense.multiply(aDense, m, nOut, nIn, n);
            }
            for (int j = 0; j < p; j++) for (int i = 0; i < nOut; i++) next[(off + j) * nOut + i] += stBs[j * nOut + i];
            m = next;
        }
        return c;
    }

    /**
     * The 2-norm condition numbers of the pivots Qdd_l of the block LDL^T of the n x n matrix m with
     * the layers eliminated last to first (the Riccati solver's order: its Qdd_l are these Schur
     * complements, MATH.md section 3), computed densely; index l is stage l (0-based).
     */
    public static double[] pivotConditions(org.hessinv.model.Network net, double[] m0) {
        int n = net.paramCount();
        double[] m = m0.clone();
        double[] out = new double[net.stageCount()];
        for (int l = net.stageCount() - 1; l >= 0; l--) {
            int o = net.paramOffset(l), p = net.stage(l).paramCount();
            double[] q = Dense.block(m, n, o, o, p, p);
            out[l] = Dense.condition(org.hessinv.solve.DenseSolver.eigenvalues(q, p));
            if (o == 0) break;
            double[] c = Dense.block(m, n, 0, o, o, p); // o x p coupling to the earlier layers
            double[] qInvCt = new double[p * o];
            double[] ct = Dense.transpose(c, o, p);
            for (int j = 0; j < o; j++) {
                double[] col = org.hessinv.solve.DenseSolver.solve(q, p, java.util.Arrays.copyOfRange(ct, j * p, (j + 1) * p));
                System.arraycopy(col, 0, qInvCt, j * p, p);
            }
            double[] upd = Dense.multiply(c, qInvCt, o, p, o);
            for (int j = 0; j < o; j++) for (int i = 0; i < o; i++) m[j * n + i] -= upd[j * o + i];
        }
        return out;
    }
}
