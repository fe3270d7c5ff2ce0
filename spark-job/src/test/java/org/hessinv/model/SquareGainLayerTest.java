package org.hessinv.model;

import java.util.List;
import java.util.SplittableRandom;

/** square(units, s, gain) = s(x * (W z)), W frozen, against the layer contract, every activation. */
class SquareGainLayerTest extends LayerContract {
    @Override List<AffineStage> stages(SplittableRandom rng) {
        return activations().stream().map(s -> (AffineStage) new SquareGainLayer(3, 4, s, frozen(rng, 4, 3))).toList();
    }

    @Override double[] parameters(AffineStage s, SplittableRandom rng) {
        double[] x = gaussians(rng, s.paramCount(), 0.3);
        for (int j = 0; j < x.length; j++) x[j] += 1.0;
        return x;
    }

    @Override double[] referenceU(AffineStage s, double[] z, double[] x) {
        double[] u = frozenTimes(s, z);
        for (int j = 0; j < u.length; j++) u[j] *= x[j];
        return u;
    }

    @Override double[] referenceOutput(AffineStage s, double[] u, double[] z, double[] y) {
        return activate(((HiddenLayer) s).activation(), u);
    }
}
