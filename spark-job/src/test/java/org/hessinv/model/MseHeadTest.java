package org.hessinv.model;

import java.util.List;
import java.util.SplittableRandom;

/**
 * mse(k) = 0.5 ||u - y||^2 against the layer contract, for each affine map of the head: W z + c, x * (W z)
 * (gain) and W z + x (bias), W frozen for the latter two.
 */
class MseHeadTest extends LayerContract {
    @Override List<AffineStage> stages(SplittableRandom rng) {
        return List.of(new MseHead(3, 2), new MseHead(3, 2, Parameterization.GAIN, frozen(rng, 2, 3)),
                new MseHead(3, 1, Parameterization.BIAS, frozen(rng, 1, 3)));
    }

    @Override double[] response(AffineStage s, SplittableRandom rng) { return gaussians(rng, s.units(), 1.0); }

    @Override double[] referenceU(AffineStage s, double[] z, double[] x) {
        if (!s.isSquareParameterized()) return fullAffine(s.units(), z, x);
        double[] u = frozenTimes(s, z);
        boolean gain = s.parameterization() == Parameterization.GAIN;
        for (int j = 0; j < u.length; j++) u[j] = gain ? u[j] * x[j] : u[j] + x[j];
        return u;
    }

    @Override double[] referenceOutput(AffineStage s, double[] u, double[] z, double[] y) {
        double loss = 0;
        for (int j = 0; j < u.length; j++) loss += 0.5 * (u[j] - y[j]) * (u[j] - y[j]);
        return new double[] {loss};
    }
}
