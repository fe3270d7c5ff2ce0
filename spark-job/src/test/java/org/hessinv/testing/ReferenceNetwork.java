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
 * An independent forward pass written straight from the spec (u = W z + c with W row-major, then
 * s(u) (+ z) or the loss), used as the function that finite differences differentiate. It shares
 * only the network's shapes and {@code Activation.value} with the engine, none of its sweeps.
 */
public final class ReferenceNetwork {
    private ReferenceNetwork() {}

    /** Stage l's slice of the flat parameter vector. */
    public static double[] stageParams(Network net, double[] x, int l) {
        return Arrays.copyOfRange(x, net.paramOffset(l), net.paramOffset(l) + net.stage(l).paramCount());
    }

    /** u = W z + c for one stage, from its own parameter slice. */
    public static double[] affine(AffineStage s, double[] z, double[] xl) {
        int in = s.inputSize();
        double[] u = new double[s.units()];
        for (int j = 0; j < u.length; j++) {
            double acc = xl[s.units() * in + j];
            for (int k = 0; k < in; k++) acc += xl[j * in + k] * z[k];
            u[j] = acc;
        }
        return u;
    }

    /** loss(u, y) of a head: 0.5 ||u - y||^2, or log sum exp(u) - u_y. */
    public static double headLoss(AffineStage head, double[] u, double[] y) {
        if (head instanceof MseHead) {
            double s = 0;
            for (int j = 0; j < u.length; j++) s += (u[j] - y[j]) * (u[j] - y[j]);
            return 0.5 * s;
        }
        if (head instanceof SoftmaxHead) {
            double m = Arrays.stream(u).max().orElseThrow();
            double z = 0;
            for (double v : u) z += Math.exp(v - m);
            return m + Math.log(z) - u[(int) y[0]];
        }
        throw new AssertionError("unknown head " + head);
    }

    /** f_l(z; x_l): a hidden layer's output, or the head's {loss}. */
    public static double[] stage(AffineStage s, double[] z, double[] xl, double[] y) {
        double[] u = affine(s, z, xl);
        if (s instanceof HiddenLayer h) {
            double[] out = new double[u.length];
            for (int j = 0; j < u.length; j++) out[j] = h.activation().value(u[j]) + (h.isResidual() ? z[j] : 0.0);
            return out;
        }
        return new double[] {headLoss(s, u, y)};
    }

    /** z_l: the output of stages 0..l-1 (the input of stage l); l = 0 gives the features. */
    public static double[] inputOf(Network net, double[] x, double[] features, int l) {
        double[] z = features.clone();
        for (int k = 0; k < l; k++) z = stage(net.stage(k), z, stageParams(net, x, k), null);
        return z;
    }

    /** The loss continued from z, the output of stage l (stages l+1 .. L). */
    public static double tail(Network net, double[] x, int l, double[] z, double[] y) {
        for (int k = l + 1; k < net.stageCount(); k++) z = stage(net.stage(k), z, stageParams(net, x, k), y);
        return z[0];
    }

    /** One example's loss. */
    public static double loss(Network net, double[] x, Example e) {
        return tail(net, x, -1, e.features(), e.response());
    }

    /** The batch objective F(x) = (1/B) sum_i loss_i. */
    public static double batchLoss(Network net, double[] x, List<Example> examples) {
        double s = 0;
        for (Example e : examples) s += loss(net, x, e);
        return s / examples.size();
    }

    /** u_L: the head's affine output (the network output the loss is applied to). */
    public static double[] output(Network net, double[] x, double[] features) {
        int last = net.stageCount() - 1;
        return affine(net.stage(last), inputOf(net, x, features, last), stageParams(net, x, last));
    }
}
