package org.hessinv.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ludovic.netlib.lapack.LAPACK;
import org.hessinv.linalg.Inertia;
import org.hessinv.testing.Dense;
import org.netlib.util.intW;

/**
 * C = U diag(eig) U^T of a known spectrum, solved densely by LAPACK dgesv; the inertia of C + lambda I is
 * read off the known eigenvalues (not from the solve), and a singular shift is refused like a singular pivot.
 */
final class DenseDampedCurvature implements DampedCurvature {
    final int n;
    final double[] c;
    final double[] u;
    final double[] eig;
    int solves;

    DenseDampedCurvature(double[] u, double[] eig) {
        this.n = eig.length;
        this.u = u;
        this.eig = eig;
        this.c = Dense.fromEigen(u, eig);
    }

    @Override public int dimension() { return n; }

    @Override public DampedSolve solve(double lambda, double[] r) {
        solves++;
        int neg = 0, zero = 0, pos = 0;
        for (double e : eig) {
            double s = e + lambda;
            if (Math.abs(s) <= 1e-14 * maxAbs()) zero++; else if (s < 0) neg++; else pos++;
        }
        if (zero > 0) throw new org.hessinv.solve.SingularStageException(1, 0, "test");
        double[] a = c.clone();
        for (int i = 0; i < n; i++) a[i * n + i] += lambda;
        double[] x = r.clone();
        intW info = new intW(0);
        LAPACK.getInstance().dgesv(n, 1, a, 0, n, new int[n], 0, x, 0, n, info);
        assertEquals(0, info.val, "dgesv: singular");
        return new DampedSolve(x, Double.NaN, new Inertia(neg, zero, pos), 0);
    }

    @Override public double[] times(double[] v) { return Dense.times(c, n, n, v); }

    @Override public String route() { return "dense"; }

    double maxAbs() {
        double m = 0;
        for (double e : eig) m = Math.max(m, Math.abs(e));
        return m;
    }

    /** Eigenvector k (column k of U). */
    double[] vector(int k) {
        double[] v = new double[n];
        System.arraycopy(u, k * n, v, 0, n);
        return v;
    }
}
