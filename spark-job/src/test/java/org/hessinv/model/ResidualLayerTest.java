package org.hessinv.model;

import java.util.List;
import java.util.SplittableRandom;

/** residual(width, s) = z + s(W z + c) against the layer contract, every activation. */
class ResidualLayerTest extends LayerContract {
    @Override List<AffineStage> stages(SplittableRandom rng) {
        return activations().stream().map(s -> (AffineStage) new ResidualLayer(3, s)).toList();
    }

    @Override double[] referenceU(AffineStage s, double[] z, double[] x) { return fullAffine(s.units(), z, x); }

    @Override double[] referenceOutput(AffineStage s, double[] u, double[] z, double[] y) {
        double[] out = activate(((HiddenLayer) s).activation(), u);
        for (int j = 0; j < out.length; j++) out[j] += z[j];
        return out;
    }
}
