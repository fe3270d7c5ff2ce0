package org.hessinv.solve;

import org.hessinv.curvature.ExampleBatch;
import org.hessinv.linalg.Blas;
import org.hessinv.model.InvalidInputException;
import org.netlib.util.intW;

/**
 * The reference: assemble {@code C + delta I} column by column from R-passes ({@code C e_j}), then
 * solve with LAPACK (dgesv, partial-pivoting LU) and read log|det| and inertia off a dense symmetric
 * eigendecomposition (dsyev). O(n) R-passes and O(n^3) flops: for small problems, tests and benchmarks.
 */
public final class DenseSolver {
    /** Refuse to assemble above this many parameters (the matrix alone would be 8 n^2 bytes = 800 MB). */
    public static final int MAX_PARAMETERS = 10_000;

    private DenseSolver() {}

    /** C + delta I, n x n column-major, column j = (C + delta I) e_j by R-pass. */
    public static double[] assemble(ExampleBatch batch, double delta) {
        int n = batch.network().paramCount();
        requireAssemblable(n);
        double[] c = new double[n * n];
        java.util.stream.IntStream.range(0, n).parallel().forEach(j -> {
            double[] e = new double[n];
            e[j] = 1.0;
            double[] col = batch.dampedCurvatureTimes(e, delta);
            System.arraycopy(col, 0, c, j * n, n);
        });
        Blas.symmetrize(c, n);
        return c;
    }

    /** Refuses more than {@link #MAX_PARAMETERS} parameters. */
    public static void requireAssemblable(int n) {
        if (n > MAX_PARAMETERS) {
            throw new InvalidInputException("the dense reference solver is limited to " + MAX_PARAMETERS
                    + " parameters, the model has " + n + "; use the Riccati solver");
        }
    }

    /** d = M^-1 r by LU with partial pivoting; throws when M is exactly singular. */
    public static double[] solve(double[] m, int n, double[] r) {
        double[] lu = m.clone();
        double[] d = r.clone();
        intW info = new intW(0);
        Blas.lapack().dgesv(n, 1, lu, 0, n, new int[n], 0, d, 0, n, info);
        if (info.val != 0) throw new ArithmeticException("dense system is exactly singular (LU pivot " + info.val + " is zero)");
        return d;
    }

    /** Eigenvalues of the symmetric n x n matrix m, ascending. */
    public static double[] eigenvalues(double[] m, int n) {
        double[] a = m.clone();
        double[] w = new double[n];
        intW info = new intW(0);
        double[] query = new double[1];
        Blas.lapack().dsyev("N", "L", n, a, 0, n, w, 0, query, 0, -1, info);
        int lwork = Math.max(1, (int) query[0]);
        Blas.lapack().dsyev("N", "L", n, a.clone(), 0, n, w, 0, new double[lwork], 0, lwork, info);
        if (info.val != 0) throw new ArithmeticException("dsyev failed to converge (info " + info.val + ")");
        return w;
    }

    /** The dense reference solve of (C + delta I) d = r for a batch. */
    public static double[] solve(ExampleBatch batch, double delta, double[] r) {
        int n = batch.network().paramCount();
        return solve(assemble(batch, delta), n, r);
    }
}
