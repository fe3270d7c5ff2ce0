package org.hessinv.curvature;

import org.hessinv.model.AffineStage;
import org.hessinv.model.HiddenLayer;
import org.hessinv.model.Network;

/**
 * Pearlmutter's R-pass: {@code C v} for one example without forming any block. Forward:
 * {@code Ru = W Rz + Ju v (= V_W z + V_c), Rz_l = s'(u) Ru (+ Rz)}. Backward: {@code Rg_L = w d2loss/du2 Ru},
 * {@code Rlambda = W^T Rg + dW(v)^T g}, {@code Rg_{l-1} = s' Rlambda + lambda s'' Ru}; GGN drops the terms in g and s''.
 * This is the independent check of every solve (MATH.md section 5b).
 */
public final class RPass {
    private RPass() {}

    /** out += C_i v for the example of {@code sweep} (weighted by its weight). */
    public static void accumulate(ExampleSweep sweep, Curvature curvature, double[] v, double[] out) {
        Network net = sweep.net;
        double[] x = sweep.x;
        boolean hessian = curvature == Curvature.HESSIAN;
        int stages = net.stageCount();
        double[][] ru = new double[stages][];
        double[][] rzIn = new double[stages][];
        double[] rz = new double[net.inputSize()];
        for (int l = 0; l < stages; l++) {
            AffineStage s = net.stage(l);
            int off = net.paramOffset(l);
            rzIn[l] = rz;
            ru[l] = new double[s.units()];
            s.paramDirection(v, off, sweep.zIn[l], ru[l]);
            s.addLinear(x, off, rz, ru[l]);
            if (s instanceof HiddenLayer h) {
                double[] next = new double[h.units()];
                for (int j = 0; j < h.units(); j++) {
                    next[j] = h.activation().d1(sweep.u[l][j]) * ru[l][j] + (h.isResidual() ? rz[j] : 0.0);
                }
                rz = next;
            }
        }
        int last = stages - 1;
        int k = net.head().units();
        double[] lam = new double[k * k];
        net.head().hessian(sweep.u[last], sweep.example.response(), sweep.weight, lam);
        double[] rg = new double[k];
        for (int b = 0; b < k; b++) for (int a = 0; a < k; a++) rg[a] += lam[b * k + a] * ru[last][b];
        double[] rLambdaOut = null; // R{lambda_l}: zero at the head (lambda_L = w is constant)
        for (int l = last; l >= 0; l--) {
            AffineStage s = net.stage(l);
            int off = net.paramOffset(l);
            s.accumulateParamGradient(sweep.zIn[l], rg, out, off);
            if (hessian) s.accumulateWeightGradient(rzIn[l], sweep.gU[l], out, off);
            if (l == 0) break;
            double[] rLambda = new double[s.inputSize()];
            s.affineTranspose(x, off, rg, rLambda, false);
            if (hessian) s.crossTranspose(v, off, sweep.gU[l], rLambda);
            if (s instanceof HiddenLayer h && h.isResidual()) {
                for (int kk = 0; kk < rLambda.length; kk++) rLambda[kk] += rLambdaOut[kk];
            }
            HiddenLayer below = (HiddenLayer) net.stage(l - 1);
            double[] next = new double[below.units()];
            for (int j = 0; j < below.units(); j++) {
                double ul = sweep.u[l - 1][j];
                next[j] = below.activation().d1(ul) * rLambda[j]
                        + (hessian ? sweep.lambdaOut[l - 1][j] * below.activation().d2(ul) * ru[l - 1][j] : 0.0);
            }
            rg = next;
            rLambdaOut = rLambda;
        }
    }
}
