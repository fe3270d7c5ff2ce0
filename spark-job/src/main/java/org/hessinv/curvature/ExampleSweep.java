package org.hessinv.curvature;

import org.hessinv.model.AffineStage;
import org.hessinv.model.Example;
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
            if (l < stages - 1) {
                double[] out = new double[s.units()];
                net.hidden(l).output(z, u[l], out);
                z = out;
            }
        }
        int last = stages - 1;
        loss = net.head().loss(u[last], example.response());
        lambdaOut[last] = new double[] {weight};
        for (int l = last; l >= 0; l--) {
            AffineStage s = net.stage(l);
            gU[l] = new double[s.units()];
            s.adjointOfU(u[l], lambdaOut[l], example.response(), gU[l]);
            if (l > 0) lambdaOut[l - 1] = s.inputAdjoint(x, net.paramOffset(l), gU[l], lambdaOut[l]);
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
     * The stage gives J = df/du and Lambda = d2(lambda f)/du2 ({@link AffineStage#outputJacobian},
     * {@link AffineStage#outputCurvature}); cross = g. GGN drops every second-derivative term but the head's Lambda.
     */
    public StageRecord record(int l, Curvature curvature) {
        AffineStage s = net.stage(l);
        boolean hessian = curvature == Curvature.HESSIAN;
        double[] jac = new double[s.units()];
        s.outputJacobian(u[l], example.response(), jac);
        double[] lam = s.outputCurvature(u[l], lambdaOut[l], example.response(), hessian);
        return new StageRecord(zIn[l], jac, lam, s.curvatureDense(), hessian ? gU[l].clone() : null);
    }
}
