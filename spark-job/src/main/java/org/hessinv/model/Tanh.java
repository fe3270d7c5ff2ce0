package org.hessinv.model;

/**
 * tanh(u) from additions, multiplications and one division only (no library call), for the blocked sweep:
 * {@code Math.tanh} on Java 17 is a JNI call into fdlibm, and a tanh network spends most of a blocked pass
 * in it. Only IEEE basic operations are used, so the bits are the same on every JVM and CPU.
 *
 * <p>{@code tanh |u| = e / (e + 2)} with {@code e = expm1(2|u|)}: {@code 2|u| = k ln2 + r}, {@code |r| <= ln2/2}
 * (Cody-Waite, ln2 split so {@code k ln2_hi} is exact for the k that occur), {@code expm1(r)} by its Taylor
 * polynomial to degree 14 (remainder below 1.2e-17 |r|; Estrin's scheme), then {@code expm1 = 2^k expm1(r) + (2^k - 1)}.
 * Error: within 4 ulp of the exact tanh (tested against Math.tanh on 2 million points: see TanhTest);
 * {@code |u| < 2^-28} returns u, {@code |u| >= 22} returns +-1 (as fdlibm), NaN returns NaN.
 */
public final class Tanh {
    private static final double LN2_HI = 6.93147180369123816490e-01;
    private static final double LN2_LO = 1.90821492927058770002e-10;
    private static final double INV_LN2 = 1.44269504088896338700e+00;
    private static final double TINY = 0x1.0p-28;
    /** 1/n!, n = 0..14. */
    private static final double[] C = new double[15];

    static {
        double f = 1;
        for (int n = 0; n < C.length; n++) {
            if (n > 0) f *= n;
            C[n] = 1.0 / f;
        }
    }

    private static final double C2 = C[2], C3 = C[3], C4 = C[4], C5 = C[5], C6 = C[6], C7 = C[7], C8 = C[8],
            C9 = C[9], C10 = C[10], C11 = C[11], C12 = C[12], C13 = C[13], C14 = C[14];

    private Tanh() {}

    public static double tanh(double u) {
        double a = Math.abs(u);
        if (!(a >= TINY)) return u; // tiny, or NaN
        if (a >= 22.0) return u > 0 ? 1.0 : -1.0;
        double t = 2.0 * a;
        double e;
        if (t < 0.34657359027997264) {
            e = expm1Reduced(t);
        } else {
            int k = (int) Math.rint(t * INV_LN2);
            double r = (t - k * LN2_HI) - k * LN2_LO;
            double scale = Double.longBitsToDouble((long) (k + 1023) << 52);
            e = scale * expm1Reduced(r) + (scale - 1.0);
        }
        double s = e / (e + 2.0);
        return u < 0 ? -s : s;
    }

    /**
     * expm1(r) for |r| <= ln2/2: r + r^2 (1/2! + r/3! + ... + r^12/14!), the polynomial in Estrin's form (a
     * dependency chain of 4 multiply-adds instead of Horner's 12: the loops over a block overlap better).
     */
    private static double expm1Reduced(double r) {
        double r2 = r * r;
        double r4 = r2 * r2;
        double r8 = r4 * r4;
        double b0 = (C2 + C3 * r) + (C4 + C5 * r) * r2;
        double b1 = (C6 + C7 * r) + (C8 + C9 * r) * r2;
        double b2 = (C10 + C11 * r) + (C12 + C13 * r) * r2;
        double p = (b0 + b1 * r4) + (b2 + C14 * r4) * r8;
        return r + r2 * p;
    }
}
