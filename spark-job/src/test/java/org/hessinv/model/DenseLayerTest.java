package org.hessinv.model;

import java.util.List;
import java.util.SplittableRandom;

/** dense(units, s) = s(W z + c) against the layer contract, every activation. */
class DenseLayerTest extends LayerContract {
    @Override List<AffineStage> stages(SplittableRandom rng) {
        return activations().stream().map(s -> (AffineStage) new DenseLayer(3, 4, s)).toList();
    }

    @Override double[] referenceU(AffineStage s, double[] z, double[] x) { return fullAffine(s.units(), z, x); }

    @Override double[] referenceOutput(AffineStage s, double[] u, double[] z, double[] y) {
        return activate(((HiddenLayer) s).activation(), u);
    }
}
