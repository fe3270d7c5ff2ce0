package org.hessinv.model;

import java.io.Serializable;

/**
 * One training example: the network input {@code z_0} and its response (mse: the targets
 * {@code y0..y{k-1}}; softmax: one value, the integer class).
 */
public record Example(double[] features, double[] response) implements Serializable {
}
