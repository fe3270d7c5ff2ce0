package org.hessinv.spark;

import java.util.BitSet;
import java.util.SplittableRandom;
import org.hessinv.model.InvalidInputException;

/** A seeded choice of the curvature batch: m of the n example indices, independent of partitioning. */
public final class CurvatureSample {
    private CurvatureSample() {}

    /** Floyd's algorithm: m distinct indices of 0..n-1, uniformly, from the seed alone. */
    public static BitSet choose(long n, long m, long seed) {
        if (n > Integer.MAX_VALUE) throw new InvalidInputException("a sampled curvature batch needs fewer than 2^31 examples; use --curvature-batch all");
        BitSet chosen = new BitSet((int) n);
        SplittableRandom rng = new SplittableRandom(seed);
        for (long j = n - m; j < n; j++) {
            int t = rng.nextInt((int) j + 1);
            if (chosen.get(t)) chosen.set((int) j); else chosen.set(t);
        }
        return chosen;
    }
}
