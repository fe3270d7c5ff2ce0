package org.hessinv.model;

import java.util.List;
import java.util.SplittableRandom;

/** softmax(K) = log sum_j exp(u_j) - u_y, u = W z + c, against the layer contract. */
class SoftmaxHeadTest extends LayerContract {
    @Override List<AffineStage> stages(SplittableRandom rng) { return List.of(new SoftmaxHead(3, 3), new SoftmaxHead(4, 2)); }

    @Override double[] response(AffineStage s, SplittableRandom rng) { return new double[] {rng.nextInt(s.units())}; }

    @Override double[] referenceU(AffineStage s, double[] z, double[] x) { return fullAffine(s.units(), z, x); }

    @Override double[] referenceOutput(AffineStage s, double[] u, double[] z, double[] y) {
        double sum = 0;
        for (double v : u) sum += Math.exp(v);
        return new double[] {Math.log(sum) - u[(int) y[0]]};
    }
}
