package org.hessinv.curvature;

import org.hessinv.model.AffineStage;
import org.hessinv.model.Example;
import org.hessinv.model.Head;
import org.hessinv.model.HiddenLayer;
import org.hessinv.model.Network;

/**
 * One example's forward sweep {@code u_l = W_l z_{l-1} + c_l, z_l = f_l} and backward (adjoint) sweep
 * {@code lambda_L = w, g_u = lambda_l ds/du, lambda_{l-1} = lambda_l A_l}, at parameters x with weight w.
 */
public final class ExampleSweep {
    final Network net;
    final double[] x;
    final Example example;
    final double weight;
    /** z_{l-1}: the input of stage l. */
    final double[][] zIn;
    /** u_l = W_l z_{l-1} + c_l. */
    final double[][] u;
    /** lambda_l: the adjoint of stage l's output (length a_l; the head's is {w}). */
    final double[][] lambdaOut;
    /** g_l = d(lambda_l f_l)/du_l, the adjoint of u_l. */
    final double[][] gU;
    final double loss;

    public ExampleSweep(Network net, double[] x, Example example, double weight) {
        this.net = net;
        this.x = x;
        this.example = example;
        this.weight = weight;
        int stages = net.stageCount();
        zIn = new double[stages][];
        u = new double[stages][];
        lambdaOut = new double[stages][];
        gU = new double[stages][];
        double[] z = example.features();
        for (int l = 0; l < stages; l++) {
            AffineStage s = net.stage(l);
            zIn[l] = z;
            u[l] = new double[s.units()];
            s.affine(x, net.paramOffset(l), z, u[l]);
            if (s instanceof HiddenLayer h) {
                double[] out = new double[h.units()];
                h.output(z, u[l], out);
                z = out;
            }
        }
        Head head = net.head();
        int last = stages - 1;
        loss = head.loss(u[last], example.response());
        lambdaOut[last] = new double[] {weight};
        gU[last] = new double[head.units()];
        head.gradient(u[last], example.response(), gU[last]);
        for (int j = 0; j < gU[last].length; j++) gU[last][j] *= weight;
        for (int l = last; l > 0; l--) {
            AffineStage s = net.stage(l);
            double[] lambdaIn = new double[s.inputSize()];
            s.affineTranspose(x, net.paramOffset(l), gU[l], lambdaIn, false);
            if (s instanceof HiddenLayer h && h.isResidual()) {
                for (int k = 0; k < lambdaIn.length; k++) lambdaIn[k] += lambdaOut[l][k];
            }
            HiddenLayer below = (HiddenLayer) net.stage(l - 1);
            lambdaOut[l - 1] = lambdaIn;
            gU[l - 1] = new double[below.units()];
            for (int j = 0; j < below.units(); j++) gU[l - 1][j] = lambdaIn[j] * below.activation().d1(u[l - 1][j]);
        }
    }

    /** The per-example loss (unweighted). */
    public double loss() { return loss; }

    /** u_L = W_L z_{L-1} + c_L: the network output the head's loss is applied to. */
    public double[] output() { return u[u.length - 1].clone(); }

    /** grad += d(w loss)/dx: grad[W_l] += g_l z_{l-1}^T, grad[c_l] += g_l. */
    public void accumulateGradient(double[] grad) {
        for (int l = 0; l < net.stageCount(); l++) {
            net.stage(l).accumulateParamGradient(zIn[l], gU[l], grad, net.paramOffset(l));
        }
    }

    /**
     * The factors of stage l's blocks A, B, P, R, S for this example (MATH.md section 2; section 5 for GGN).
     * Hidden: J = ds/du, Lambda = diag(lambda s''), cross = g. Head: J = dloss/du, Lambda = w d2loss/du2, cross = g.
     * GGN drops every second-derivative term but the head's Lambda.
     */
    public StageRecord record(int l, Curvature curvature) {
        AffineStage s = net.stage(l);
        int n = s.units();
        if (s instanceof HiddenLayer h) {
            double[] jac = new double[n];
            for (int j = 0; j < n; j++) jac[j] = h.activation().d1(u[l][j]);
            if (curvature == Curvature.GGN) return new StageRecord(zIn[l], jac, null, false, null);
            double[] lam = new double[n];
            for (int j = 0; j < n; j++) lam[j] = lambdaOut[l][j] * h.activation().d2(u[l][j]);
            return new StageRecord(zIn[l], jac, lam, false, gU[l].clone());
        }
        Head head = (Head) s;
        double[] jac = new double[n];
        head.gradient(u[l], example.response(), jac);
        double[] lam = new double[n * n];
        head.hessian(u[l], example.response(), weight, lam);
        return new StageRecord(zIn[l], jac, lam, true, curvature == Curvature.GGN ? null : gU[l].clone());
    }
}
