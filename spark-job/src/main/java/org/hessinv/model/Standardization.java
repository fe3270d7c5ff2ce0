package org.hessinv.model;

import java.io.Serializable;

/**
 * Feature standardization {@code f' = (f - mean) / scale}, with mean and scale (the standard deviation)
 * computed from the training data; a feature that is constant there keeps scale 1 (it is only centred),
 * so it cannot divide by zero. The identity when not standardizing.
 */
public record Standardization(double[] mean, double[] scale) implements Serializable {
    /** No change: mean 0, scale 1. */
    public static Standardization identity(int features) {
        double[] one = new double[features];
        java.util.Arrays.fill(one, 1);
        return new Standardization(new double[features], one);
    }

    /** From the sums of f and of (f - mean)^2 over n examples: scale = sqrt(sum (f - mean)^2 / n), 1 where that is 0. */
    public static Standardization of(double[] mean, double[] sumSquaredDeviations, long n) {
        double[] scale = new double[mean.length];
        for (int k = 0; k < scale.length; k++) {
            double s = Math.sqrt(sumSquaredDeviations[k] / n);
            scale[k] = s > 0 ? s : 1;
        }
        return new Standardization(mean.clone(), scale);
    }

    /** (f - mean) / scale. */
    public double[] apply(double[] f) {
        if (f.length != mean.length) {
            throw new InvalidInputException("an example has " + f.length + " features but the standardization has " + mean.length
                    + "; use the standardization written by the same train run");
        }
        double[] out = new double[f.length];
        for (int k = 0; k < f.length; k++) out[k] = (f[k] - mean[k]) / scale[k];
        return out;
    }

    /** The example with standardized features. */
    public Example apply(Example e) { return new Example(apply(e.features()), e.response()); }
}
