package org.hessinv.linalg;

import org.netlib.util.doubleW;
import org.netlib.util.intW;

/** Q = L D L^T with 1x1 and 2x2 pivots (LAPACK dsytrf, lower), for an indefinite stage pivot. */
public final class BunchKaufmanFactorization implements SymmetricFactorization {
    private final int n;
    private final double[] ld;
    private final int[] ipiv;
    private final double rcond;

    private BunchKaufmanFactorization(int n, double[] ld, int[] ipiv, double rcond) {
        this.n = n;
        this.ld = ld;
        this.ipiv = ipiv;
        this.rcond = rcond;
    }

    static BunchKaufmanFactorization factor(double[] q, int n, double anorm) {
        double[] ld = java.util.Arrays.copyOf(q, n * n);
        int[] ipiv = new int[n];
        intW info = new intW(0);
        double[] query = new double[1];
        Blas.lapack().dsytrf("L", n, ld, 0, n, ipiv, 0, query, 0, -1, info);
        int lwork = Math.max(1, (int) query[0]);
        Blas.lapack().dsytrf("L", n, ld, 0, n, ipiv, 0, new double[lwork], 0, lwork, info);
        if (info.val > 0) throw new SingularMatrixException(n, 0.0);
        doubleW rc = new doubleW(0);
        intW info2 = new intW(0);
        Blas.lapack().dsycon("L", n, ld, 0, n, ipiv, 0, anorm, rc, new double[2 * n], 0, new int[n], 0, info2);
        return new BunchKaufmanFactorization(n, ld, ipiv, SymmetricFactorization.checkedRcond(rc, info2));
    }

    @Override public int dimension() { return n; }

    /**
     * B <- Q^-1 B (LAPACK dsytrs). Its pure-Java build is level 2 (~1 GFLOP/s on one thread), so many
     * right-hand sides (the gain's B a_{l-1} columns) are cut into column blocks solved on the cores; each
     * column takes the same operations whatever the cut, so the result does not depend on it.
     */
    @Override public void solveInPlace(double[] b, int nrhs) {
        if (n == 0 || nrhs == 0) return;
        int parts = 2.0 * n * n * nrhs < Blas.PARALLEL_FLOPS ? 1 : Math.max(1, Math.min(Blas.THREADS, nrhs));
        java.util.stream.IntStream.range(0, parts).parallel().forEach(t -> {
            int c0 = (int) ((long) nrhs * t / parts), c1 = (int) ((long) nrhs * (t + 1) / parts);
            if (c1 == c0) return;
            intW info = new intW(0);
            Blas.lapack().dsytrs("L", n, c1 - c0, ld, 0, n, ipiv, 0, b, c0 * n, n, info);
        });
    }

    /** Q^-1 from the L D L^T factors (LAPACK dsytri), both triangles. */
    @Override public double[] inverse() {
        double[] inv = ld.clone();
        if (n == 0) return inv;
        intW info = new intW(0);
        Blas.lapack().dsytri("L", n, inv, 0, n, ipiv, 0, new double[n], 0, info);
        SymmetricFactorization.mirrorLower(inv, n);
        return inv;
    }

    /** Visits D's diagonal blocks: 1x1 when ipiv[k] > 0, else a 2x2 block on rows k, k+1 (LAPACK's 1-based ipiv). */
    private interface BlockVisitor { void block(double det, double trace, boolean twoByTwo); }

    private void forEachBlock(BlockVisitor v) {
        for (int k = 0; k < n; ) {
            double a = ld[k * n + k];
            if (ipiv[k] > 0) {
                v.block(a, a, false);
                k += 1;
            } else {
                double b = ld[k * n + k + 1];
                double c = ld[(k + 1) * n + k + 1];
                v.block(a * c - b * b, a + c, true);
                k += 2;
            }
        }
    }

    @Override public double logAbsDet() {
        double[] s = {0};
        forEachBlock((det, trace, two) -> s[0] += Math.log(Math.abs(det)));
        return s[0];
    }

    /** A 1x1 block has the sign of its value; a 2x2 block with det < 0 has one eigenvalue of each sign. */
    @Override public Inertia inertia() {
        int[] c = new int[3];
        forEachBlock((det, trace, two) -> {
            if (two) {
                if (det < 0) { c[0]++; c[2]++; }
                else if (det > 0) { c[trace > 0 ? 2 : 0] += 2; }
                else { c[1]++; c[trace > 0 ? 2 : trace < 0 ? 0 : 1]++; }
            } else {
                c[det > 0 ? 2 : det < 0 ? 0 : 1]++;
            }
        });
        return new Inertia(c[0], c[1], c[2]);
    }

    @Override public double rcond() { return rcond; }

    /** A Bunch-Kaufman pivot is one that Cholesky refused: not (numerically) positive definite. */
    @Override public boolean isPositiveDefinite() { return false; }

    @Override public long bytes() { return (long) Double.BYTES * ld.length + (long) Integer.BYTES * ipiv.length; }

    @Override public void applyInverseSquareRoot(double[] x) {
        throw new IllegalStateException("sampling needs a positive definite matrix, its inertia is " + inertia());
    }
}
