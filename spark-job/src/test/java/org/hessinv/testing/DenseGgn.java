package org.hessinv.testing;

import java.util.Arrays;
import java.util.List;
import org.hessinv.model.AffineStage;
import org.hessinv.model.Example;
import org.hessinv.model.HiddenLayer;
import org.hessinv.model.MseHead;
import org.hessinv.model.Network;
import org.hessinv.model.SoftmaxHead;

/**
 * The GGN assembled densely by the chain rule, for every stage kind (FULL, GAIN, BIAS; dense, residual, square
 * layers; mse and softmax heads): each example's output Jacobian {@code J_i = du_L/dx} (K x n) from explicit
 * dense stage Jacobians, {@code M_l = dz_l/dx = A_l M_{l-1} + B_l E_l}, {@code J_i = Weff_L M_{L-1} + Ju_L E_L},
 * and {@code Lambda_i} from the closed forms (identity; {@code diag(p) - p p^T}). It shares with the engine only
 * the shapes, the frozen weights and {@code Activation.value/d1} (checked against differences in ActivationTest),
 * none of its sweeps, R-pass or Gram code.
 */
public final class DenseGgn {
    private DenseGgn() {}

    /** Weff of stage l (units x inputs, column-major here): W from x (FULL), diag(x) W (GAIN), W (BIAS). */
    static double[] weights(AffineStage s, double[] xl) {
        int in = s.inputSize(), units = s.units();
        double[] w = new double[units * in];
        double[] frozen = s.frozenWeights();
        for (int j = 0; j < units; j++) {
            for (int c = 0; c < in; c++) {
                w[c * units + j] = switch (s.parameterization()) {
                    case FULL -> xl[j * in + c];
                    case GAIN -> xl[j] * frozen[j * in + c];
                    case BIAS -> frozen[j * in + c];
                };
            }
        }
        return w;
    }

    /** u = Weff z + ceff: c from x (FULL), none (GAIN), x (BIAS). */
    static double[] affine(AffineStage s, double[] xl, double[] z) {
        double[] u = Dense.times(weights(s, xl), s.units(), s.inputSize(), z);
        switch (s.parameterization()) {
            case FULL -> { for (int j = 0; j < u.length; j++) u[j] += xl[s.units() * s.inputSize() + j]; }
            case BIAS -> { for (int j = 0; j < u.length; j++) u[j] += xl[j]; }
            case GAIN -> { }
        }
        return u;
    }

    /** du/dx_l (units x p_l): [z^T (x) e_j ; e_j] (FULL), diag(W z) (GAIN), I (BIAS). */
    static double[] paramJacobian(AffineStage s, double[] z) {
        int in = s.inputSize(), units = s.units(), p = s.paramCount();
        double[] ju = new double[units * p];
        switch (s.parameterization()) {
            case FULL -> {
                for (int j = 0; j < units; j++) {
                    for (int c = 0; c < in; c++) ju[(j * in + c) * units + j] = z[c];
                    ju[(units * in + j) * units + j] = 1.0;
                }
            }
            case GAIN -> {
                double[] frozen = s.frozenWeights();
                for (int j = 0; j < units; j++) {
                    double wz = 0;
                    for (int c = 0; c < in; c++) wz += frozen[j * in + c] * z[c];
                    ju[j * units + j] = wz;
                }
            }
            case BIAS -> { for (int j = 0; j < units; j++) ju[j * units + j] = 1.0; }
        }
        return ju;
    }

    /** J_i = du_L/dx, K x n column-major. */
    public static double[] outputJacobian(Network net, double[] x, Example e) {
        int n = net.paramCount();
        double[] z = e.features().clone();
        double[] mz = new double[z.length * n]; // dz/dx, a x n
        for (int l = 0; l < net.stageCount(); l++) {
            AffineStage s = net.stage(l);
            double[] xl = ReferenceNetwork.stageParams(net, x, l);
            int units = s.units(), in = s.inputSize(), off = net.paramOffset(l);
            double[] w = weights(s, xl);
            double[] ju = paramJacobian(s, z);
            double[] du = Dense.multiply(w, mz, units, in, n); // du/dx = Weff M + Ju E_l
            for (int j = 0; j < s.paramCount(); j++) for (int i = 0; i < units; i++) du[(off + j) * units + i] += ju[j * units + i];
            if (!(s instanceof HiddenLayer h)) return du;
            double[] u = affine(s, xl, z);
            double[] next = new double[units];
            double[] mNext = new double[units * n];
            for (int i = 0; i < units; i++) {
                double sp = h.activation().d1(u[i]);
                next[i] = h.activation().value(u[i]) + (h.isResidual() ? z[i] : 0.0);
                for (int c = 0; c < n; c++) mNext[c * units + i] = sp * du[c * units + i] + (h.isResidual() ? mz[c * in + i] : 0.0);
            }
            z = next;
            mz = mNext;
        }
        throw new AssertionError("a network ends with its head");
    }

    /** Lambda = d2 loss/du2 at u (K x K): I for mse, diag(p) - p p^T for softmax. */
    public static double[] headHessian(AffineStage head, double[] u) {
        int k = u.length;
        double[] lam = new double[k * k];
        if (head instanceof MseHead) {
            for (int j = 0; j < k; j++) lam[j * k + j] = 1.0;
            return lam;
        }
        if (!(head instanceof SoftmaxHead)) throw new AssertionError("unknown head " + head);
        double mx = Arrays.stream(u).max().orElseThrow();
        double[] p = new double[k];
        double sum = 0;
        for (int j = 0; j < k; j++) { p[j] = Math.exp(u[j] - mx); sum += p[j]; }
        for (int j = 0; j < k; j++) p[j] /= sum;
        for (int b = 0; b < k; b++) for (int a = 0; a < k; a++) lam[b * k + a] = (a == b ? p[a] : 0.0) - p[a] * p[b];
        return lam;
    }

    /** u_L for one example (by the same dense stage maps). */
    public static double[] output(Network net, double[] x, double[] features) {
        double[] z = features.clone();
        for (int l = 0; l < net.stageCount(); l++) {
            AffineStage s = net.stage(l);
            double[] u = affine(s, ReferenceNetwork.stageParams(net, x, l), z);
            if (!(s instanceof HiddenLayer h)) return u;
            double[] next = new double[u.length];
            for (int i = 0; i < u.length; i++) next[i] = h.activation().value(u[i]) + (h.isResidual() ? z[i] : 0.0);
            z = next;
        }
        throw new AssertionError("a network ends with its head");
    }

    /** G = (1/B) sum_i J_i^T Lambda_i J_i, n x n, exactly symmetric. */
    public static double[] ggn(Network net, double[] x, List<Example> examples) {
        int n = net.paramCount();
        int k = net.head().units();
        double[] g = new double[n * n];
        for (Example e : examples) {
            double[] jac = outputJacobian(net, x, e);
            double[] lam = headHessian(net.head(), output(net, x, e.features()));
            double[] jtlj = Dense.multiply(Dense.transpose(jac, k, n), Dense.multiply(lam, jac, k, k, n), n, k, n);
            for (int i = 0; i < g.length; i++) g[i] += jtlj[i] / examples.size();
        }
        for (int j = 0; j < n; j++) for (int i = 0; i < j; i++) {
            double s = 0.5 * (g[j * n + i] + g[i * n + j]);
            g[j * n + i] = s;
            g[i * n + j] = s;
        }
        return g;
    }

    /** The stacked output Jacobian J (B K x n, row i K + k). */
    public static double[] stackedJacobian(Network net, double[] x, List<Example> examples) {
        int n = net.paramCount(), k = net.head().units(), m = examples.size() * k;
        double[] j = new double[m * n];
        for (int i = 0; i < examples.size(); i++) {
            double[] ji = outputJacobian(net, x, examples.get(i));
            for (int c = 0; c < n; c++) for (int r = 0; r < k; r++) j[c * m + i * k + r] = ji[c * k + r];
        }
        return j;
    }
}
