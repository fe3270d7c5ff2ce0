package org.hessinv.model;

import java.util.List;
import java.util.SplittableRandom;

/** square(units, s, bias) = s(W z + x), W frozen, against the layer contract, every activation. */
class SquareBiasLayerTest extends LayerContract {
    @Override List<AffineStage> stages(SplittableRandom rng) {
        return activations().stream().map(s -> (AffineStage) new SquareBiasLayer(3, 2, s, frozen(rng, 2, 3))).toList();
    }

    @Override double[] referenceU(AffineStage s, double[] z, double[] x) {
        double[] u = frozenTimes(s, z);
        for (int j = 0; j < u.length; j++) u[j] += x[j];
        return u;
    }

    @Override double[] referenceOutput(AffineStage s, double[] u, double[] z, double[] y) {
        return activate(((HiddenLayer) s).activation(), u);
    }
}
