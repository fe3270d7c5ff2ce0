package org.hessinv.data;

import java.util.SplittableRandom;

/**
 * Counter-based seeding: independent random streams addressed by (seed, stream, index), so that the
 * random numbers of example {@code i} depend on nothing but the data set's seed and {@code i}.
 */
public final class Seeds {
    /** Stream of the per-example draws. */
    public static final long EXAMPLES = 1;
    /** Stream of the generator's own random structure (teacher weights, class means). */
    public static final long STRUCTURE = 2;

    private Seeds() {}

    /** A generator for stream {@code stream}, item {@code index} of data set {@code seed}. */
    public static SplittableRandom random(long seed, long stream, long index) {
        long h = mix(seed ^ 0x9E3779B97F4A7C15L);
        h = mix(h ^ (stream * 0xD1B54A32D192ED03L));
        h = mix(h ^ (index * 0x94D049BB133111EBL + 0x2545F4914F6CDD1DL));
        return new SplittableRandom(h);
    }

    /** The SplitMix64 / murmur3 finalizer: a bijection of 64-bit values with full avalanche. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
