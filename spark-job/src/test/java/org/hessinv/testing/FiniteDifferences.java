package org.hessinv.testing;

import java.util.function.DoubleUnaryOperator;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/**
 * Central finite differences with one Richardson step, {@code D = (4 D(h/2) - D(h)) / 3}, so the
 * truncation error is O(h^4) instead of O(h^2).
 *
 * <p>Error budget (what the tests' tolerances are built on), for smooth functions of size O(1) and
 * derivatives of size O(1) (the test problems' pre-activations stay within a few units):
 * <ul>
 *   <li>first derivatives, h = 1e-3: truncation ~h^4 = 1e-12, roundoff ~eps |f| / h ~ 1e-13: total ~1e-12;</li>
 *   <li>second derivatives from function values, h = 2e-3: truncation ~h^4 = 2e-11, roundoff
 *       ~eps |f| / (h/2)^2 ~ 2e-10: total ~1e-9;</li>
 *   <li>second derivatives as first differences of an analytic gradient: as first derivatives, ~1e-12.</li>
 * </ul>
 */
public final class FiniteDifferences {
    /** Step for first derivatives. */
    public static final double H1 = 1e-3;
    /** Step for second derivatives from function values. */
    public static final double H2 = 2e-3;

    private FiniteDifferences() {}

    /** f'(u). */
    public static double derivative(DoubleUnaryOperator f, double u) {
        return richardson(h -> (f.applyAsDouble(u + h) - f.applyAsDouble(u - h)) / (2 * h), H1);
    }

    /** f''(u) from values: (f(u + h) - 2 f(u) + f(u - h)) / h^2. */
    public static double secondDerivative(DoubleUnaryOperator f, double u) {
        double f0 = f.applyAsDouble(u);
        return richardson(h -> (f.applyAsDouble(u + h) - 2 * f0 + f.applyAsDouble(u - h)) / (h * h), H2);
    }

    /** Gradient of a scalar function. */
    public static double[] gradient(ToDoubleFunction<double[]> f, double[] x) {
        double[] g = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            int ii = i;
            g[i] = richardson(h -> (f.applyAsDouble(shift(x, ii, h)) - f.applyAsDouble(shift(x, ii, -h))) / (2 * h), H1);
        }
        return g;
    }

    /** Jacobian of F: m x n column-major, column j = dF/dx_j. */
    public static double[] jacobian(Function<double[], double[]> f, double[] x) {
        int n = x.length;
        int m = f.apply(x).length;
        double[] jac = new double[m * n];
        for (int j = 0; j < n; j++) {
            double[] col = directional(f, x, unit(n, j));
            System.arraycopy(col, 0, jac, j * m, m);
        }
        return jac;
    }

    /** dF(x + t v)/dt at t = 0. */
    public static double[] directional(Function<double[], double[]> f, double[] x, double[] v) {
        double[] big = centralDirectional(f, x, v, H1);
        double[] small = centralDirectional(f, x, v, H1 / 2);
        double[] out = new double[big.length];
        for (int i = 0; i < out.length; i++) out[i] = (4 * small[i] - big[i]) / 3;
        return out;
    }

    private static double[] centralDirectional(Function<double[], double[]> f, double[] x, double[] v, double h) {
        double[] plus = f.apply(axpy(x, h, v));
        double[] minus = f.apply(axpy(x, -h, v));
        double[] out = new double[plus.length];
        for (int i = 0; i < out.length; i++) out[i] = (plus[i] - minus[i]) / (2 * h);
        return out;
    }

    /** Hessian of a scalar function from its values (4-point mixed differences), symmetric, n x n. */
    public static double[] hessian(ToDoubleFunction<double[]> f, double[] x) {
        int n = x.length;
        double[] hess = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                int ii = i, jj = j;
                double v = richardson(h -> (f.applyAsDouble(shift(shift(x, ii, h), jj, h)) - f.applyAsDouble(shift(shift(x, ii, h), jj, -h))
                        - f.applyAsDouble(shift(shift(x, ii, -h), jj, h)) + f.applyAsDouble(shift(shift(x, ii, -h), jj, -h))) / (4 * h * h), H2);
                hess[j * n + i] = v;
                hess[i * n + j] = v;
            }
        }
        return hess;
    }

    private static double richardson(DoubleUnaryOperator estimate, double h) {
        return (4 * estimate.applyAsDouble(h / 2) - estimate.applyAsDouble(h)) / 3;
    }

    static double[] shift(double[] x, int i, double h) {
        double[] y = x.clone();
        y[i] += h;
        return y;
    }

    static double[] axpy(double[] x, double a, double[] v) {
        double[] y = x.clone();
        for (int i = 0; i < y.length; i++) y[i] += a * v[i];
        return y;
    }

    public static double[] unit(int n, int j) {
        double[] e = new double[n];
        e[j] = 1.0;
        return e;
    }
}
