package org.hessinv.data;

import java.util.SplittableRandom;
import org.hessinv.model.Example;
import org.hessinv.model.InvalidInputException;
import org.hessinv.model.Network;

/**
 * K-class Gaussian mixture: class means {@code mu_c} are seeded random directions in {@code dim}
 * dimensions scaled to norm {@code separation} (so two means are about {@code separation * sqrt 2}
 * apart); example {@code i} draws its class {@code c} uniformly from 0..K-1 and its features
 * {@code x = mu_c + noise * N(0, I)}. The response is {@code {c}}.
 */
public final class GaussianMixture implements SyntheticData {
    private static final long serialVersionUID = 1L;

    private final int dim;
    private final int classes;
    private final double separation;
    private final double noise;
    private final long seed;
    private final double[][] means;

    public GaussianMixture(int dim, int classes, double separation, double noise, long seed) {
        if (dim <= 0) throw new InvalidInputException("the number of features must be positive, got " + dim);
        if (classes < 2) throw new InvalidInputException("a mixture needs at least 2 classes, got " + classes);
        if (!(separation >= 0) || Double.isInfinite(separation)) throw new InvalidInputException("the separation must be a finite number >= 0, got " + separation);
        if (!(noise >= 0) || Double.isInfinite(noise)) throw new InvalidInputException("the noise must be a finite number >= 0, got " + noise);
        this.dim = dim;
        this.classes = classes;
        this.separation = separation;
        this.noise = noise;
        this.seed = seed;
        this.means = new double[classes][dim];
        SplittableRandom rng = Seeds.random(seed, Seeds.STRUCTURE, 0);
        for (int c = 0; c < classes; c++) {
            double norm2;
            do {
                norm2 = 0;
                for (int k = 0; k < dim; k++) {
                    means[c][k] = Network.gaussian(rng);
                    norm2 += means[c][k] * means[c][k];
                }
            } while (norm2 == 0);
            double scale = separation / Math.sqrt(norm2);
            for (int k = 0; k < dim; k++) means[c][k] *= scale;
        }
    }

    /** A copy of the mean of class {@code c}. */
    public double[] mean(int c) { return means[c].clone(); }

    @Override public Example example(long i) {
        if (i < 0) throw new IllegalArgumentException("example index must be >= 0, got " + i);
        SplittableRandom rng = Seeds.random(seed, Seeds.EXAMPLES, i);
        int c = rng.nextInt(classes);
        double[] x = new double[dim];
        for (int k = 0; k < dim; k++) x[k] = means[c][k] + noise * Network.gaussian(rng);
        return new Example(x, new double[] {c});
    }

    @Override public int featureCount() { return dim; }

    @Override public boolean classification() { return true; }

    @Override public int responseCount() { return classes; }

    public double separation() { return separation; }

    public double noise() { return noise; }

    public long seed() { return seed; }

    @Override public String describe() {
        return "gaussian mixture: " + classes + " classes in " + dim + " dimensions, separation " + separation
                + ", noise " + noise + ", seed " + seed;
    }
}
