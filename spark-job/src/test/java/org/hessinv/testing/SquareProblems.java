package org.hessinv.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.hessinv.model.Activation;
import org.hessinv.model.HiddenLayer;
import org.hessinv.model.MseHead;
import org.hessinv.model.Network;
import org.hessinv.model.Parameterization;

/** Seeded random square-parameterized networks (gain and bias layers, W frozen; a single-parameter mse head). */
public final class SquareProblems {
    private SquareProblems() {}

    /** Activations with nonzero s'' almost everywhere (so the parameter-parameter blocks are generically invertible). */
    private static final Activation[] CURVED = {Activation.TANH, Activation.SIGMOID, Activation.SOFTPLUS, Activation.GELU, Activation.SILU};

    public static double[] frozen(SplittableRandom rng, int units, int inputs) {
        double[] w = new double[units * inputs];
        for (int i = 0; i < w.length; i++) w[i] = Network.gaussian(rng) / Math.sqrt(inputs);
        return w;
    }

    /**
     * {@code hidden} square layers of width {@code width} (the first maps {@code input} to width), gain or bias
     * (alternating from a random start), random curved activations, and a scalar mse head with a gain or a bias.
     */
    public static Network network(SplittableRandom rng, int input, int width, int hidden) {
        List<HiddenLayer> layers = new ArrayList<>();
        int in = input;
        boolean gain = rng.nextBoolean();
        for (int l = 0; l < hidden; l++) {
            Activation s = CURVED[rng.nextInt(CURVED.length)];
            Parameterization p = gain ? Parameterization.GAIN : Parameterization.BIAS;
            layers.add(HiddenLayer.square(in, width, s, p, frozen(rng, width, in)));
            in = width;
            gain = !gain;
        }
        Parameterization head = rng.nextBoolean() ? Parameterization.GAIN : Parameterization.BIAS;
        return new Network(input, layers, new MseHead(in, 1, head, frozen(rng, 1, in)));
    }

    /** Parameters near the initializer's (gains ~ 1, biases ~ 0) with a spread, so every layer is curved. */
    public static double[] parameters(SplittableRandom rng, Network net) {
        double[] x = new double[net.paramCount()];
        for (int l = 0; l < net.stageCount(); l++) {
            var s = net.stage(l);
            boolean gain = s.parameterization() == Parameterization.GAIN;
            for (int j = 0; j < s.paramCount(); j++) x[net.paramOffset(l) + j] = (gain ? 1.0 : 0.0) + 0.5 * Network.gaussian(rng);
        }
        return x;
    }
}
