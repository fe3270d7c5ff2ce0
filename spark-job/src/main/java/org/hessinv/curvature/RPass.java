package org.hessinv.curvature;

import org.hessinv.model.AffineStage;
import org.hessinv.model.Network;

/**
 * Pearlmutter's R-pass: {@code C v} for one example without forming any block. Forward:
 * {@code Ru = Weff Rz + Ju v, Rz_l = R{f_l}} (hidden: {@code s'(u) Ru (+ Rz)}). Backward: {@code Rg = R{g}}
 * (head: {@code w d2loss/du2 Ru}; hidden: {@code s' Rlambda + lambda s'' Ru}), {@code out += Ju^T Rg + d/dx[g^T Weff(x) Rz]},
 * {@code Rlambda_{l-1} = Weff^T Rg + dWeff(v)^T g (+ Rlambda_l)}; GGN drops the terms in g and s''. Each stage kind
 * gives its own directional derivatives ({@link AffineStage#rAdjointOfU}, {@link AffineStage#rInputAdjoint}).
 * This is the independent check of every solve (MATH.md section 5b).
 */
public final class RPass {
    private RPass() {}

    /** out += C_i v for the example of {@code sweep} (weighted by its weight). */
    public static void accumulate(ExampleSweep sweep, Curvature curvature, double[] v, double[] out) {
        Network net = sweep.net;
        double[] x = sweep.x;
        double[] y = sweep.example.response();
        boolean hessian = curvature == Curvature.HESSIAN;
        int stages = net.stageCount();
        int last = stages - 1;
        double[][] ru = new double[stages][];
        double[][] rzIn = new double[stages][];
        double[] rz = new double[net.inputSize()];
        for (int l = 0; l < stages; l++) {
            AffineStage s = net.stage(l);
            rzIn[l] = rz;
            ru[l] = new double[s.units()];
            s.rAffine(x, net.paramOffset(l), v, sweep.zIn[l], rz, ru[l]);
            if (l < last) rz = net.hidden(l).rOutput(sweep.u[l], ru[l], rz);
        }
        double[] rLambdaOut = new double[1]; // R{lambda_L} = 0: lambda_L = w is constant
        for (int l = last; l >= 0; l--) {
            AffineStage s = net.stage(l);
            int off = net.paramOffset(l);
            double[] rg = new double[s.units()];
            s.rAdjointOfU(sweep.u[l], sweep.lambdaOut[l], rLambdaOut, ru[l], y, hessian, rg);
            s.accumulateParamGradient(sweep.zIn[l], rg, out, off);
            if (hessian) s.accumulateWeightGradient(rzIn[l], sweep.gU[l], out, off);
            if (l == 0) break;
            rLambdaOut = s.rInputAdjoint(x, off, v, rg, sweep.gU[l], rLambdaOut, hessian);
        }
    }
}
