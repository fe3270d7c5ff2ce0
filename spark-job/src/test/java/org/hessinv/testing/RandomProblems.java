package org.hessinv.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.hessinv.model.Activation;
import org.hessinv.model.Example;
import org.hessinv.model.Head;
import org.hessinv.model.HiddenLayer;
import org.hessinv.model.MseHead;
import org.hessinv.model.Network;
import org.hessinv.model.SoftmaxHead;

/** Seeded random networks mixing every layer type, activation and head, and matching examples. */
public final class RandomProblems {
    private RandomProblems() {}

    /** A network of {@code hidden} hidden layers of random type, width and activation, and a random head. */
    public static Network network(SplittableRandom rng, int input, int hidden, boolean softmax) {
        List<HiddenLayer> layers = new ArrayList<>();
        Activation[] acts = Activation.values();
        int width = input;
        for (int l = 0; l < hidden; l++) {
            Activation s = acts[(l + rng.nextInt(acts.length)) % acts.length];
            if (l % 2 == 1 && rng.nextBoolean()) {
                layers.add(HiddenLayer.residual(width, s));
            } else {
                int units = 2 + rng.nextInt(3);
                layers.add(HiddenLayer.dense(width, units, s));
                width = units;
            }
        }
        Head head = softmax ? new SoftmaxHead(width, 2 + rng.nextInt(2)) : new MseHead(width, 1 + rng.nextInt(2));
        return new Network(input, layers, head);
    }

    public static List<Example> examples(SplittableRandom rng, Network net, int count) {
        List<Example> out = new ArrayList<>();
        Head head = net.head();
        for (int i = 0; i < count; i++) {
            double[] f = new double[net.inputSize()];
            for (int k = 0; k < f.length; k++) f[k] = Network.gaussian(rng);
            double[] y;
            if (head instanceof SoftmaxHead) {
                y = new double[] {rng.nextInt(head.units())};
            } else {
                y = new double[head.units()];
                for (int k = 0; k < y.length; k++) y[k] = Network.gaussian(rng);
            }
            out.add(new Example(f, y));
        }
        return out;
    }

    /** Parameters with a larger scale than the default initializer, so second-order terms matter. */
    public static double[] parameters(SplittableRandom rng, Network net, double scale) {
        double[] x = new double[net.paramCount()];
        for (int i = 0; i < x.length; i++) x[i] = scale * Network.gaussian(rng);
        return x;
    }

    public static double[] vector(SplittableRandom rng, int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = Network.gaussian(rng);
        return v;
    }

    public static double norm(double[] v) {
        double s = 0;
        for (double e : v) s += e * e;
        return Math.sqrt(s);
    }

    /** ||a - b|| / ||b||. */
    public static double relativeError(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += (a[i] - b[i]) * (a[i] - b[i]);
        return Math.sqrt(s) / norm(b);
    }
}
