package org.hessinv.data;

import java.io.Serializable;
import org.hessinv.model.Example;

/**
 * A seeded synthetic data set: example {@code i} is a pure function of the generator's settings and
 * {@code i}, so any slice of indices can be generated anywhere (one partition or a thousand) with the
 * same result. Implementations are immutable and serializable, so Spark can ship them to executors.
 */
public interface SyntheticData extends Serializable {

    /** D: length of every example's feature vector. */
    int featureCount();

    /** True for class labels (response = {class}), false for regression targets (response = y0..y{k-1}). */
    boolean classification();

    /** Regression: k targets; classification: the number of classes K. */
    int responseCount();

    /** Example {@code i} (0-based, {@code i >= 0}). */
    Example example(long i);

    /** A short description for logs. */
    String describe();
}
