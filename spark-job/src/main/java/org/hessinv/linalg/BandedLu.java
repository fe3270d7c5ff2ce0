package org.hessinv.linalg;

import org.netlib.util.doubleW;
import org.netlib.util.intW;

/**
 * LU with partial pivoting of a banded n x n matrix (LAPACK dgbtrf: row interchanges within the band, so
 * pivots may come from the next kl rows), for block-tridiagonal systems stored as a band. Linear in n for a
 * fixed bandwidth: O(n kl (kl + ku)) flops and (2 kl + ku + 1) n storage.
 */
public final class BandedLu {
    private final int n;
    private final int kl;
    private final int ku;
    private final int ldab;
    private final double[] ab;
    private final int[] ipiv;
    private final int zeroPivot;
    private final double rcond;

    /**
     * Takes the band (entries with -kl <= i - j <= ku), filled by {@link #set} on a {@link Builder}, and factorizes it.
     */
    private BandedLu(int n, int kl, int ku, double[] ab) {
        this.n = n;
        this.kl = kl;
        this.ku = ku;
        this.ldab = 2 * kl + ku + 1;
        this.ab = ab;
        this.ipiv = new int[Math.max(1, n)];
        double anorm = Blas.lapack().dlangb("1", n, kl, ku, ab, kl, ldab, new double[Math.max(1, n)], 0);
        intW info = new intW(0);
        Blas.lapack().dgbtrf(n, n, kl, ku, ab, 0, ldab, ipiv, 0, info);
        this.zeroPivot = info.val;
        if (info.val == 0 && n > 0) {
            doubleW rc = new doubleW(0);
            intW info2 = new intW(0);
            Blas.lapack().dgbcon("1", n, kl, ku, ab, 0, ldab, ipiv, 0, anorm, rc, new double[3 * n], 0, new int[n], 0, info2);
            this.rcond = info2.val == 0 ? rc.val : 0.0;
        } else {
            this.rcond = n == 0 ? 1.0 : 0.0;
        }
    }

    /** Collects the entries of a banded matrix, then factorizes it. */
    public static final class Builder {
        private final int n, kl, ku, ldab;
        private final double[] ab;

        public Builder(int n, int kl, int ku) {
            this.n = n;
            this.kl = kl;
            this.ku = ku;
            this.ldab = 2 * kl + ku + 1;
            this.ab = new double[Math.multiplyExact(ldab, Math.max(1, n))];
        }

        /** A(i, j) += v (0-based); the entry must lie in the band. */
        public void add(int i, int j, double v) {
            if (i - j > kl || j - i > ku || i < 0 || j < 0 || i >= n || j >= n) {
                throw new IndexOutOfBoundsException("entry (" + i + ", " + j + ") outside the band kl=" + kl + " ku=" + ku + " of n=" + n);
            }
            ab[kl + ku + i - j + j * ldab] += v;
        }

        public BandedLu factor() { return new BandedLu(n, kl, ku, ab); }
    }

    /** 1-based index of the first exactly zero pivot, 0 when there is none. */
    public int zeroPivot() { return zeroPivot; }

    /** Reciprocal condition estimate in the 1-norm (0 when singular). */
    public double rcond() { return rcond; }

    /** b <- A^-1 b. */
    public void solveInPlace(double[] b) {
        if (zeroPivot != 0) throw new ArithmeticException("solve with a singular banded LU (zero pivot " + zeroPivot + ")");
        if (n == 0) return;
        intW info = new intW(0);
        Blas.lapack().dgbtrs("N", n, kl, ku, 1, ab, 0, ldab, ipiv, 0, b, 0, n, info);
    }

    /** log|det A| = sum log|U_ii| (U_ii is row kl + ku of the factored band). */
    public double logAbsDet() {
        double s = 0;
        for (int j = 0; j < n; j++) s += Math.log(Math.abs(ab[kl + ku + j * ldab]));
        return s;
    }

    /** sign(det A). */
    public int detSign() {
        if (zeroPivot != 0) return 0;
        int sign = 1;
        for (int j = 0; j < n; j++) {
            if (ab[kl + ku + j * ldab] < 0) sign = -sign;
            if (ipiv[j] != j + 1) sign = -sign;
        }
        return sign;
    }

    public int size() { return n; }

    public int lowerBandwidth() { return kl; }

    public int upperBandwidth() { return ku; }
}
