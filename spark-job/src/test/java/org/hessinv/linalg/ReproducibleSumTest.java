package org.hessinv.linalg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The binned sum: bit-identical results for any order of additions and any merge tree; within the stated
 * bound of the exact (BigDecimal) sum, and correctly rounded when the values' exponents lie within 26 of the largest;
 * zeros, subnormals, infinities, NaN and values near Double.MAX_VALUE.
 */
class ReproducibleSumTest {
    private static final double U = 0x1p-53;

    /** Values of random sign, mantissa and exponent in [lo, hi]. */
    private static double[] values(SplittableRandom rng, int m, int lo, int hi) {
        double[] v = new double[m];
        for (int i = 0; i < m; i++) {
            double mant = 1.0 + rng.nextDouble();
            v[i] = (rng.nextBoolean() ? -1 : 1) * Math.scalb(mant, lo + rng.nextInt(hi - lo + 1));
        }
        return v;
    }

    private static void shuffle(int[] a, SplittableRandom rng) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    /** Sums column j of rows (rows[i][j] the i-th value of entry j) in a random order, split and merged randomly. */
    private static double[] randomlyReduced(double[][] rows, SplittableRandom rng) {
        int m = rows.length;
        int n = rows[0].length;
        int[] order = new int[m];
        for (int i = 0; i < m; i++) order[i] = i;
        shuffle(order, rng);
        List<ReproducibleSum> parts = new ArrayList<>();
        int at = 0;
        while (at < m) {
            int len = 1 + rng.nextInt(Math.max(1, m / 3));
            ReproducibleSum s = new ReproducibleSum(n);
            for (int k = at; k < Math.min(m, at + len); k++) {
                double[] row = rows[order[k]];
                if (rng.nextInt(4) == 0) {
                    for (int j = n - 1; j >= 0; j--) s.add(j, row[j]); // single adds, mixed with vector adds
                } else {
                    s.add(row);
                }
            }
            parts.add(s);
            at += len;
        }
        if (rng.nextBoolean()) parts.add(new ReproducibleSum(n)); // an empty partition
        while (parts.size() > 1) { // a random merge tree
            ReproducibleSum a = parts.remove(rng.nextInt(parts.size()));
            ReproducibleSum b = parts.remove(rng.nextInt(parts.size()));
            parts.add(a.merge(b));
        }
        return parts.get(0).result();
    }

    private static double[][] rowsOf(SplittableRandom rng, int m, int n, int lo, int hi) {
        double[][] rows = new double[m][];
        for (int i = 0; i < m; i++) rows[i] = values(rng, n, lo, hi);
        return rows;
    }

    private static void assertBitIdentical(double[] expected, double[] actual, String what) {
        assertEquals(expected.length, actual.length);
        for (int j = 0; j < expected.length; j++) {
            assertEquals(Double.doubleToRawLongBits(expected[j]), Double.doubleToRawLongBits(actual[j]),
                    what + ": entry " + j + " " + expected[j] + " vs " + actual[j]);
        }
    }

    @ParameterizedTest(name = "exponents {0}")
    @ValueSource(strings = {"-1074:1023", "-1074:-1000", "-60:60", "-10:10", "900:1023", "-30:0"})
    void anyOrderAndMergeTreeGivesTheSameBits(String range) {
        int lo = Integer.parseInt(range.split(":")[0]);
        int hi = Integer.parseInt(range.split(":")[1]);
        SplittableRandom rng = new SplittableRandom(lo * 31L + hi);
        // 3000 values: past ENDURANCE, so renormalization and carries are exercised
        double[][] rows = rowsOf(rng, 3000, 7, Math.max(lo, -1022), Math.min(hi, 1010));
        if (lo < -1022) for (double[] r : rows) for (int j = 0; j < r.length; j++) if (rng.nextInt(3) == 0) r[j] = r[j] * 0x1p-52 * 0x1p-30;
        double[] first = randomlyReduced(rows, rng);
        for (int trial = 0; trial < 12; trial++) assertBitIdentical(first, randomlyReduced(rows, rng), "trial " + trial);
        assertWithinBound(rows, first);
    }

    /** Sorted ascending, descending, by magnitude: a plain sum differs; the binned sum does not. */
    @Test
    void sortedOrdersGiveTheSameBits() {
        SplittableRandom rng = new SplittableRandom(5);
        double[] v = values(rng, 5000, -200, 200);
        double[] ref = sumInOrder(v);
        double[] sorted = v.clone();
        java.util.Arrays.sort(sorted);
        assertBitIdentical(ref, sumInOrder(sorted), "ascending");
        double[] desc = new double[sorted.length];
        for (int i = 0; i < sorted.length; i++) desc[i] = sorted[sorted.length - 1 - i];
        assertBitIdentical(ref, sumInOrder(desc), "descending");
        Double[] byMag = java.util.Arrays.stream(v).boxed().toArray(Double[]::new);
        java.util.Arrays.sort(byMag, (a, b) -> Double.compare(Math.abs(a), Math.abs(b)));
        assertBitIdentical(ref, sumInOrder(java.util.Arrays.stream(byMag).mapToDouble(Double::doubleValue).toArray()), "by magnitude");
    }

    private static double[] sumInOrder(double... v) {
        ReproducibleSum s = new ReproducibleSum(1);
        for (double x : v) s.add(0, x);
        return s.result();
    }

    private static double sumOf(double... v) { return sumInOrder(v)[0]; }

    /**
     * Half-grid ties on the bottom bin: 16 sets the top level 26, whose bottom bin's grid is 2^-114; 2^-115 is
     * half of it. Rounding against the bin's running value would break the tie by that value's last bit (by the
     * order); rounding against the level's constant gives 0 in every order.
     */
    @Test
    void tiesOnTheBottomBinDoNotDependOnTheOrder() {
        double[] v = {16.0, 0x1p-114, 0x1p-115, -16.0};
        List<double[]> perms = new ArrayList<>();
        permute(v, 0, perms);
        assertEquals(24, perms.size());
        for (double[] p : perms) {
            assertEquals(0x1p-114, sumOf(p), java.util.Arrays.toString(p));
            ReproducibleSum a = new ReproducibleSum(1);
            ReproducibleSum b = new ReproducibleSum(1);
            a.add(0, p[0]);
            a.add(0, p[1]);
            b.add(0, p[2]);
            b.add(0, p[3]);
            assertEquals(0x1p-114, a.merge(b).result()[0], "merged " + java.util.Arrays.toString(p));
        }
    }

    private static void permute(double[] v, int k, List<double[]> out) {
        if (k == v.length) {
            out.add(v.clone());
            return;
        }
        for (int i = k; i < v.length; i++) {
            double t = v[k];
            v[k] = v[i];
            v[i] = t;
            permute(v, k + 1, out);
            v[i] = v[k];
            v[k] = t;
        }
    }

    /**
     * 1 lies more than 80 bits below 1e300, under the bottom of the three bins, so it is dropped in every
     * order (a plain sum gives 1 or 0 depending on the order); within the bound 3 2^-80 1e300.
     */
    @Test
    void cancellation() {
        double[][] orders = {{1e300, 1, -1e300}, {1e300, -1e300, 1}, {1, 1e300, -1e300}, {1, -1e300, 1e300},
            {-1e300, 1, 1e300}, {-1e300, 1e300, 1}};
        for (double[] o : orders) {
            assertEquals(Double.doubleToRawLongBits(0.0), Double.doubleToRawLongBits(sumOf(o)), java.util.Arrays.toString(o));
            assertWithinBound(java.util.Arrays.stream(o).mapToObj(x -> new double[] {x}).toArray(double[][]::new), new double[] {sumOf(o)});
        }
        // within the bins' reach cancellation is exact, in every order
        assertEquals(3.0, sumOf(1.0, 1e16, 2.0, -1e16));
        assertEquals(3.0, sumOf(1e16, -1e16, 1.0, 2.0));
        assertEquals(2.0, sumOf(0x1p53, 1.0, 1.0, -0x1p53));
        assertEquals(0x1p-30, sumOf(1e20, 0x1p-30, -1e20));
    }

    @Test
    void accuracyAgainstExactSum() {
        SplittableRandom rng = new SplittableRandom(17);
        for (int trial = 0; trial < 40; trial++) {
            int span = 1 + rng.nextInt(300);
            int lo = -span + rng.nextInt(200);
            double[][] rows = rowsOf(rng, 1 + rng.nextInt(2500), 3, lo, lo + span);
            ReproducibleSum s = new ReproducibleSum(3);
            for (double[] r : rows) s.add(r);
            assertWithinBound(rows, s.result());
        }
    }

    /** Exponents within 26 of the largest: every value is on the bottom bin's grid, so the result is T correctly rounded. */
    @Test
    void correctlyRoundedWhenTheExponentsAreClose() {
        SplittableRandom rng = new SplittableRandom(23);
        for (int trial = 0; trial < 40; trial++) {
            int top = -900 + rng.nextInt(1800);
            double[][] rows = rowsOf(rng, 1 + rng.nextInt(4000), 2, top - 26, top);
            ReproducibleSum s = new ReproducibleSum(2);
            for (double[] r : rows) s.add(r);
            double[] got = s.result();
            for (int j = 0; j < 2; j++) {
                BigDecimal t = BigDecimal.ZERO;
                for (double[] r : rows) t = t.add(new BigDecimal(r[j]));
                assertEquals(t.doubleValue(), got[j], "trial " + trial);
            }
        }
        double[] tenths = new double[100_000];
        java.util.Arrays.fill(tenths, 0.1);
        assertEquals(new BigDecimal(0.1).multiply(BigDecimal.valueOf(100_000)).doubleValue(), sumOf(tenths));
    }

    /** |S - T| <= u |T| + (1 + u) m 2^-80 max|x| per entry (the header's bound). */
    private static void assertWithinBound(double[][] rows, double[] got) {
        for (int j = 0; j < got.length; j++) {
            BigDecimal t = BigDecimal.ZERO;
            double max = 0;
            for (double[] r : rows) {
                t = t.add(new BigDecimal(r[j]));
                max = Math.max(max, Math.abs(r[j]));
            }
            BigDecimal err = new BigDecimal(got[j]).subtract(t).abs();
            BigDecimal bound = t.abs().multiply(new BigDecimal(U))
                    .add(new BigDecimal(max).multiply(BigDecimal.valueOf(rows.length)).multiply(new BigDecimal(0x1p-80)).multiply(new BigDecimal(1 + U)));
            assertTrue(err.compareTo(bound) <= 0, "entry " + j + ": error " + err.round(MathContext.DECIMAL64) + " > bound " + bound.round(MathContext.DECIMAL64));
        }
    }

    /** Values just under their top level's limit, all of one sign: the bins would leave their binade without the carries. */
    @Test
    void carriesKeepLongRunsExact() {
        double x = 0x1.5555555555555p4; // top level 26 (b = 18), limit 2^(18-13) = 32; 39 significant bits on the top bin's grid
        for (int m : new int[] {1023, 1024, 2047, 2048, 3079, 5000, 100_000}) {
            double[] v = new double[m];
            java.util.Arrays.fill(v, x);
            BigDecimal exact = new BigDecimal(x).multiply(BigDecimal.valueOf(m));
            assertEquals(exact.doubleValue(), sumOf(v), m + " values");
            // minus the rounded total: what is left shows any bit the bins lost
            double[] w = java.util.Arrays.copyOf(v, m + 1);
            w[m] = -exact.doubleValue();
            assertEquals(exact.subtract(new BigDecimal(exact.doubleValue())).doubleValue(), sumOf(w), m + " values minus their sum");
            ReproducibleSum s = new ReproducibleSum(2);
            for (int i = 0; i < m; i++) s.add(new double[] {x, -x});
            assertEquals(x * m, s.result()[0]);
            assertEquals(-x * m, s.result()[1]);
        }
    }

    @Test
    void emptyAndZeros() {
        assertEquals(0, new ReproducibleSum(0).result().length);
        new ReproducibleSum(0).add(new double[0]);
        double[] none = new ReproducibleSum(4).result();
        for (double d : none) assertEquals(Double.doubleToRawLongBits(0.0), Double.doubleToRawLongBits(d));
        assertEquals(Double.doubleToRawLongBits(0.0), Double.doubleToRawLongBits(sumOf(-0.0, -0.0)), "an exact zero is +0.0");
        assertEquals(Double.doubleToRawLongBits(0.0), Double.doubleToRawLongBits(sumOf(0.0, -0.0, 0.0)));
        assertEquals(Double.doubleToRawLongBits(0.0), Double.doubleToRawLongBits(sumOf(1.5, -1.5)));
        assertEquals(-2.5, sumOf(-0.0, -2.5, 0.0));
    }

    @Test
    void subnormalsAreSummedExactly() {
        assertEquals(2 * Double.MIN_VALUE, sumOf(Double.MIN_VALUE, Double.MIN_VALUE));
        assertEquals(Double.MIN_VALUE, sumOf(3 * Double.MIN_VALUE, -2 * Double.MIN_VALUE));
        assertEquals(Double.MIN_NORMAL, sumOf(Double.MIN_NORMAL / 2, Double.MIN_NORMAL / 4, Double.MIN_NORMAL / 4));
        double[] many = new double[5000];
        java.util.Arrays.fill(many, Double.MIN_VALUE);
        assertEquals(5000 * Double.MIN_VALUE, sumOf(many));
        assertEquals(1e-310 - 1e-320, sumOf(1e-310, -1e-320));
        // a subnormal beside a normal value: the lowest top level's bins include the grid of all doubles
        assertEquals(0x1p-1040 + Double.MIN_VALUE, sumOf(0x1p-1040, Double.MIN_VALUE));
        assertEquals(0x1p-1040 + 0x1p-1030 - 5 * Double.MIN_VALUE, sumOf(-5 * Double.MIN_VALUE, 0x1p-1030, 0x1p-1040));
    }

    @Test
    void infinitiesAndNaN() {
        double inf = Double.POSITIVE_INFINITY;
        assertEquals(inf, sumOf(1.0, inf, -5.0));
        assertEquals(-inf, sumOf(-inf, 1e308, 1e308));
        assertEquals(inf, sumOf(inf, inf));
        assertTrue(Double.isNaN(sumOf(inf, 1.0, -inf)));
        assertTrue(Double.isNaN(sumOf(1.0, Double.NaN)));
        assertTrue(Double.isNaN(sumOf(Double.NaN, inf)));
        // the same through merges, in either order
        ReproducibleSum a = new ReproducibleSum(2);
        ReproducibleSum b = new ReproducibleSum(2);
        a.add(new double[] {inf, 1.0});
        b.add(new double[] {2.0, Double.NaN});
        double[] ab = a.merge(b).result();
        assertEquals(inf, ab[0]);
        assertTrue(Double.isNaN(ab[1]));
        ReproducibleSum c = new ReproducibleSum(2);
        c.add(new double[] {-inf, 3.0});
        assertTrue(Double.isNaN(c.merge(a).result()[0]));
    }

    @Test
    void nearTheLargestDouble() {
        double max = Double.MAX_VALUE;
        assertEquals(max, sumOf(max, max, -max), "no intermediate overflow");
        assertEquals(max, sumOf(max, -max, max));
        assertEquals(Double.POSITIVE_INFINITY, sumOf(max, max));
        assertEquals(Double.NEGATIVE_INFINITY, sumOf(-max, -max, 1.0));
        assertEquals(0x1.1p1023, sumOf(0x1.8p1023, 0x1.8p1023, -0x1.fp1023), "a plain sum overflows at the first addition");
        assertEquals(max, sumOf(max, Math.ulp(max) / 4), "below half an ulp rounds down");
        assertEquals(Double.POSITIVE_INFINITY, sumOf(max, Math.ulp(max) / 2), "half an ulp at MAX_VALUE rounds to infinity, as in IEEE");
        assertEquals(0.0, sumOf(max, 1.0, -max), "1 is below the three bins under MAX_VALUE: dropped in every order");
        assertEquals(0.0, sumOf(1.0, max, -max));
        // many large values: carries at the top level (stored scaled)
        SplittableRandom rng = new SplittableRandom(3);
        double[][] rows = rowsOf(rng, 3000, 2, 1000, 1013);
        double[] first = randomlyReduced(rows, rng);
        for (int t = 0; t < 4; t++) assertBitIdentical(first, randomlyReduced(rows, rng), "near max " + t);
        assertWithinBound(rows, first);
    }

    @Test
    void addScaledRoundsTheProductFirst() {
        ReproducibleSum s = new ReproducibleSum(2);
        s.addScaled(new double[] {0.1, 3.0}, 1.0 / 3);
        s.addScaled(new double[] {0.1, 3.0}, 1.0 / 3);
        double[] r = s.result();
        assertEquals(new BigDecimal(0.1 * (1.0 / 3)).multiply(BigDecimal.valueOf(2)).doubleValue(), r[0]);
        assertEquals(2 * (3.0 * (1.0 / 3)), r[1]);
    }

    @Test
    void serializationKeepsTheState() throws Exception {
        SplittableRandom rng = new SplittableRandom(8);
        double[][] rows = rowsOf(rng, 50, 5, -50, 50);
        ReproducibleSum s = new ReproducibleSum(5);
        for (double[] r : rows) s.add(r);
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.io.ObjectOutputStream out = new java.io.ObjectOutputStream(bytes)) {
            out.writeObject(s);
        }
        ReproducibleSum back;
        try (java.io.ObjectInputStream in = new java.io.ObjectInputStream(new java.io.ByteArrayInputStream(bytes.toByteArray()))) {
            back = (ReproducibleSum) in.readObject();
        }
        assertBitIdentical(s.result(), back.result(), "after serialization");
        back.add(rows[0]);
        s.add(rows[0]);
        assertBitIdentical(s.result(), back.result(), "adding after serialization");
    }
}
