package org.hessinv.linalg;

import java.io.Serializable;
import java.util.Arrays;

/**
 * A mergeable accumulator of n sums whose rounded results are bit-identical whatever the order in which
 * the values are added and the partial accumulators merged: the binned ("indexed") summation of Demmel and
 * Nguyen (Parallel Reproducible Summation, IEEE TC 64(7), 2015; the format of ReproBLAS), with K = 3 bins.
 *
 * <h2>Format</h2>
 * A fixed grid of bin levels {@code L = 0..52} with exponents {@code b(L) = -1022 + 40 L} (bin width W = 40
 * bits). Bin L holds a primary {@code P = 1.5 * 2^b(L) + (multiple of 2^(b(L)-52))}, i.e. a value on the
 * grid {@code 2^(b(L)-52)} kept inside the binade {@code [2^b(L), 2^(b(L)+1))}, and a carry count C in
 * units of {@code 2^(b(L)-2)}. Each of the n entries keeps its own top level f (at least 2) and the three
 * bins f, f-1, f-2 (bin 0's grid is 2^-1074, the spacing of all doubles, so small values are summed exactly).
 * Level 52 (b = 1058) cannot be stored as a double; it is stored scaled by 2^-128.
 *
 * <h2>Adding a value x</h2>
 * The top level must satisfy {@code |x| < 2^(b(f)-13)}; if it does not, f rises to the lowest level that
 * does and the bins shift down (bins falling below f-2 are dropped). Then each bin, top first, takes
 * {@code q = fl(M + x) - M; P += q; x -= q} with the level's constant {@code M = 1.5 2^b}: q is x rounded
 * (half to even) to the bin's grid, a function of x and the level alone (rounding against P itself would
 * break ties by P's last bit, i.e. by the order), and both updates are exact. At bin 0, on the grid of all
 * doubles, q = x. The bottom bin's remainder is dropped. Every deposit adds less than 2^(b-13) to P, so after at most 1024 deposits P is
 * renormalized: the bits worth 2^(b-1) and 2^(b-2) are moved into the carry, bringing P back to
 * {@code [1.5, 1.75) 2^b}. Merging raises both to the larger top level and adds bin to bin exactly.
 *
 * <h2>Why the result is reproducible</h2>
 * The value each bin represents, {@code (P - 1.5 2^b) + C 2^(b-2)}, is an exact sum of the parts that
 * the values put on that bin's grid, and the part a value puts on a level does not depend on the top level at
 * the time it was added. The final top level is a function of max |x| alone. So the three bin values are
 * functions of the multiset of added values, and {@link #result()} returns their exact sum correctly
 * rounded (an exact summation of six doubles, Shewchuk/fsum), in round-to-nearest-even.
 *
 * <h2>Accuracy</h2>
 * With u = 2^-53, for finite values x_1..x_m added to one entry, exact sum T and result S (no overflow):
 * {@code |S - T| <= u |T| + (1 + u) m 2^-80 max|x_i|}: the final top level f has {@code b(f) <= e + 53} for
 * e the exponent of max|x_i|, and each value loses at most half the bottom bin's grid,
 * {@code 2^(b(f)-133) <= 2^(e-80)}; the result is T' (the bins' exact sum) correctly rounded. When every x_i is a
 * multiple of that grid (so whenever every exponent is within 26 of the largest's; or max|x| < 2^-955, when
 * f = 2 and the bins reach 2^-1074), S is T correctly rounded. For m >= 3 this is below the standard bound (m-1) u sum|x_i| of a plain sum.
 * Partial sums never overflow: the result is +-Infinity only when T rounds beyond Double.MAX_VALUE.
 *
 * <h2>Special values</h2>
 * An exact zero sum is +0.0 (as a plain loop into a zeroed array gives). If any NaN or infinity was added to
 * an entry, its result is the IEEE sum of those non-finite values alone (NaN, or +-Infinity when all had one
 * sign), whatever the finite values. Results of NaN are {@link Double#NaN}.
 *
 * <p>Not thread-safe. 57 bytes per entry. Measured (ReproducibleSumBenchmark, n = 17,000, thread CPU time on a
 * shared 2-core machine): 2.3-3 ns per added value in {@link #addScaled}, against 0.16 ns for the plain
 * (vectorized) {@code a[i] += v[i]} loop; merge 15-30 ns and result 50-70 ns per entry.
 */
public final class ReproducibleSum implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final int K = 3;
    private static final int WIDTH = 40;
    private static final int MIN_EXP = -1022;
    /** The highest level; its bin is stored scaled by 2^-TOP_SCALE. */
    private static final int TOP = 52;
    private static final int TOP_SCALE = 128;
    /** The lowest top level: bins 2, 1, 0 reach the grid of all doubles. */
    private static final int LOWEST_TOP = K - 1;
    /** Deposits between renormalizations (each moves P by less than 2^(b-13); 0.25 2^b is the margin). */
    static final int ENDURANCE = 1024;
    private static final long BIT_HALF = 1L << 51;
    private static final long BIT_QUARTER = 1L << 50;

    /** b(L). */
    private static final int[] EXP = new int[TOP + 1];
    /** The exponent P of level L is stored at: b(L), or b(L) - TOP_SCALE at the top. */
    private static final int[] STORED_EXP = new int[TOP + 1];
    /** 1.5 * 2^STORED_EXP(L). */
    private static final double[] BASE = new double[TOP + 1];
    /** 2^(b(L)-13): values below it take the fast path of {@link #addScaled} at top level L; 0 at TOP (stored scaled). */
    private static final double[] THRESHOLD = new double[TOP + 1];
    /** 2^(b(2)-13): values below it need no more than the lowest top level. */
    private static final double TH_LOWEST = Math.scalb(1.0, MIN_EXP + WIDTH * LOWEST_TOP - 13);
    private static final double TOP_DOWN = Math.scalb(1.0, -TOP_SCALE);
    private static final double TOP_UP = Math.scalb(1.0, TOP_SCALE);
    /** BASE / THRESHOLD at every level but TOP: 1.5 2^13. */
    private static final double BASE_OVER_THRESHOLD = 1.5 * 8192;
    /** 2^-W: the ratio of neighbouring levels' constants. */
    private static final double BIN_RATIO = Math.scalb(1.0, -WIDTH);
    /** Below this a value puts nothing on the top level's grid (half its grid, 2^(b(TOP)-53)). */
    private static final double TOP_NOTHING = Math.scalb(1.0, MIN_EXP + WIDTH * TOP - 54);

    static {
        for (int l = 0; l <= TOP; l++) {
            EXP[l] = MIN_EXP + WIDTH * l;
            STORED_EXP[l] = l == TOP ? EXP[l] - TOP_SCALE : EXP[l];
            BASE[l] = Math.scalb(1.5, STORED_EXP[l]);
            THRESHOLD[l] = l == TOP ? 0.0 : Math.scalb(1.0, EXP[l] - 13);
        }
    }

    private final int n;
    /** Bins of entry j at j (top level), n + j, 2n + j. */
    private final double[] primary;
    private final long[] carry;
    /** Top level of each entry. */
    private final byte[] level;
    /** THRESHOLD[level[j]], kept beside the bins for the fast path. */
    private final double[] threshold;
    /** IEEE sum of the non-finite values added to each entry (0 when none); null until one is added. */
    private double[] special;
    /** Vector deposits (one per entry) since the last renormalization of all entries. */
    private int vectorDeposits;
    /** Single deposits of entry j since its renormalization, offset by -vectorDeposits then; null until used. */
    private int[] singleDeposits;
    /** An upper bound of singleDeposits. */
    private int maxSingle;

    public ReproducibleSum(int n) {
        if (n < 0) throw new IllegalArgumentException("negative length " + n);
        this.n = n;
        primary = new double[K * n];
        carry = new long[K * n];
        level = new byte[n];
        threshold = new double[n];
        Arrays.fill(level, (byte) LOWEST_TOP);
        Arrays.fill(threshold, THRESHOLD[LOWEST_TOP]);
        for (int j = 0; j < n; j++) {
            for (int k = 0; k < K; k++) primary[k * n + j] = BASE[LOWEST_TOP - k];
        }
    }

    public int size() { return n; }

    /** Adds v to entry i. */
    public void add(int i, double v) {
        if (i < 0 || i >= n) throw new IndexOutOfBoundsException(i);
        if (singleDeposits == null) singleDeposits = new int[n];
        if (vectorDeposits + singleDeposits[i] >= ENDURANCE) {
            renormalize(i);
            singleDeposits[i] = -vectorDeposits;
        }
        deposit(i, v);
        int c = ++singleDeposits[i];
        if (c > maxSingle) maxSingle = c;
    }

    /** Adds v[i] to entry i for every i (v.length == size()). */
    public void add(double[] v) { addScaled(v, 1.0); }

    /** Adds the rounded product fl(v[i] * w) to entry i for every i (v.length == size()). */
    public void addScaled(double[] v, double w) {
        if (v.length != n) throw new IllegalArgumentException("vector of length " + v.length + ", expected " + n);
        if (vectorDeposits + maxSingle >= ENDURANCE) renormalizeAll();
        final double[] p = primary;
        final double[] th = threshold;
        final int n1 = n;
        final int n2 = 2 * n;
        for (int j = 0; j < n; j++) {
            double x = v[j] * w;
            double t = th[j];
            if (Math.abs(x) < t) {
                // c = 1.5 2^b(f); fl(c + x) - c is x rounded (half to even) to the bin's grid 2^(b-52), a
                // function of x and the level alone; adding it to P and subtracting it from x is exact
                double c = t * BASE_OVER_THRESHOLD;
                double q = (c + x) - c;
                p[j] += q;
                x -= q;
                c *= BIN_RATIO;
                q = (c + x) - c;
                p[n1 + j] += q;
                x -= q;
                c *= BIN_RATIO;
                p[n2 + j] += (c + x) - c;
            } else {
                deposit(j, x);
            }
        }
        vectorDeposits++;
    }

    /** Adds every sum of {@code other} into this one (other is left renormalized, its sums unchanged). Returns this. */
    public ReproducibleSum merge(ReproducibleSum other) {
        if (other.n != n) throw new IllegalArgumentException("merging sums of length " + other.n + " into " + n);
        if (other == this) throw new IllegalArgumentException("merging a sum into itself");
        renormalizeAll();
        other.renormalizeAll();
        for (int j = 0; j < n; j++) {
            int lo = other.level[j];
            if (lo > level[j]) raise(j, lo);
            int l = level[j];
            for (int k = 0; k < K; k++) {
                int pos = k + (l - lo);
                if (pos >= K) break;
                int from = k * n + j;
                int to = pos * n + j;
                // both in [1.5, 1.75) 2^b: the sum stays in the binade and is exact
                primary[to] += other.primary[from] - BASE[lo - k];
                carry[to] += other.carry[from];
            }
            renormalize(j);
        }
        if (other.special != null) {
            if (special == null) special = new double[n];
            for (int j = 0; j < n; j++) special[j] += other.special[j];
        }
        return this;
    }

    /** The n sums, each correctly rounded from the exact sum its bins represent. */
    public double[] result() {
        double[] out = new double[n];
        double[] terms = new double[2 * K];
        double[] partials = new double[2 * K + 1];
        for (int j = 0; j < n; j++) {
            if (special != null && special[j] != 0.0) {
                out[j] = Double.isNaN(special[j]) ? Double.NaN : special[j];
                continue;
            }
            int f = level[j];
            for (int k = 0; k < K; k++) {
                int l = f - k;
                int o = k * n + j;
                // bin value scaled by 2^-b(f): the grid of the lowest bin, 2^-132, stays normal, so scaling is exact
                terms[2 * k] = Math.scalb(primary[o] - BASE[l], EXP[l] - STORED_EXP[l] - EXP[f]);
                terms[2 * k + 1] = Math.scalb((double) carry[o], EXP[l] - 2 - EXP[f]);
            }
            // exact multiple of 2^-1074 when subnormal (see the header), so the rescaling is exact or overflows
            out[j] = Math.scalb(exactSum(terms, partials), EXP[f]);
        }
        return out;
    }

    /** The lowest level f >= 2 with |x| < 2^(b(f)-13), for finite x. */
    private static int levelFor(double x) {
        if (Math.abs(x) < TH_LOWEST) return LOWEST_TOP;
        int e = Math.getExponent(x);
        return Math.max(LOWEST_TOP, (e + 14 - MIN_EXP + WIDTH - 1) / WIDTH);
    }

    /** Adds finite or non-finite x to entry j (any level; the general path of {@link #addScaled}). */
    private void deposit(int j, double x) {
        if (x == 0.0) return; // +-0 adds nothing to the exact sum
        if (!Double.isFinite(x)) {
            if (special == null) special = new double[n];
            special[j] += x;
            return;
        }
        if (!(Math.abs(x) < threshold[j])) {
            int need = levelFor(x);
            if (need > level[j]) raise(j, need);
        }
        int f = level[j];
        for (int k = 0; k < K; k++) {
            int l = f - k;
            if (l == TOP) {
                if (Math.abs(x) < TOP_NOTHING) continue; // extracts nothing; scaling it down could lose its bits
                double xs = x * TOP_DOWN;
                double q = (BASE[l] + xs) - BASE[l];
                primary[k * n + j] += q;
                x = (xs - q) * TOP_UP;
            } else {
                double q = (BASE[l] + x) - BASE[l];
                primary[k * n + j] += q;
                x -= q;
            }
        }
    }

    /** Raises entry j's top level to {@code to}, shifting its bins down and dropping those below to - 2. */
    private void raise(int j, int to) {
        int from = level[j];
        int d = to - from;
        for (int k = K - 1; k >= 0; k--) {
            if (k >= d) {
                primary[k * n + j] = primary[(k - d) * n + j];
                carry[k * n + j] = carry[(k - d) * n + j];
            } else {
                primary[k * n + j] = BASE[to - k];
                carry[k * n + j] = 0;
            }
        }
        level[j] = (byte) to;
        threshold[j] = THRESHOLD[to];
    }

    /** Moves the 2^(b-1) and 2^(b-2) bits of each of entry j's primaries into the carries: P in [1.5, 1.75) 2^b. */
    private void renormalize(int j) {
        for (int k = 0; k < K; k++) {
            long bits = Double.doubleToRawLongBits(primary[k * n + j]);
            carry[k * n + j] += ((bits >>> 50) & 3L) - 2L;
            primary[k * n + j] = Double.longBitsToDouble((bits & ~BIT_QUARTER) | BIT_HALF);
        }
    }

    private void renormalizeAll() {
        for (int j = 0; j < n; j++) renormalize(j);
        vectorDeposits = 0;
        if (singleDeposits != null) Arrays.fill(singleDeposits, 0);
        maxSingle = 0;
    }

    /**
     * The exact sum of finite terms, correctly rounded (round-half-even): Shewchuk's expansion with the
     * final correction of Python's math.fsum. The terms here are few and far from overflow.
     */
    static double exactSum(double[] terms, double[] partials) {
        int np = 0;
        for (double t : terms) {
            double x = t;
            int i = 0;
            for (int k = 0; k < np; k++) {
                double y = partials[k];
                if (Math.abs(x) < Math.abs(y)) {
                    double tmp = x;
                    x = y;
                    y = tmp;
                }
                double hi = x + y;
                double lo = y - (hi - x);
                if (lo != 0.0) partials[i++] = lo;
                x = hi;
            }
            partials[i] = x;
            np = i + 1;
        }
        if (np == 0) return 0.0;
        int k = np - 1;
        double hi = partials[k];
        double lo = 0.0;
        while (k > 0) {
            double x = hi;
            double y = partials[--k];
            hi = x + y;
            double yr = hi - x;
            lo = y - yr;
            if (lo != 0.0) break;
        }
        if (k > 0 && ((lo < 0 && partials[k - 1] < 0) || (lo > 0 && partials[k - 1] > 0))) {
            double y = lo * 2;
            double x = hi + y;
            double yr = x - hi;
            if (y == yr) hi = x;
        }
        return hi == 0.0 ? 0.0 : hi;
    }
}
