package org.hessinv.train;

/**
 * A one-dimensional line search along a descent direction d from x: {@code phi(alpha) = F(x + alpha d)} and
 * {@code phi'(alpha) = g(x + alpha d)^T d}. The engine's L-BFGS ({@link Lbfgs}) takes one from outside
 * (Breeze's strong Wolfe search, through {@code org.hessinv.breeze.BreezeLbfgs}), so this package needs no
 * Breeze import.
 */
public interface LineSearch {
    /** phi and its derivative at alpha: {value, slope}. */
    @FunctionalInterface
    interface Line {
        double[] valueAndSlope(double alpha);
    }

    /** A step length alpha satisfying the search's conditions, starting from {@code initialStep}; throws {@link Failed}. */
    double search(Line phi, double initialStep);

    /** The search found no acceptable step. */
    final class Failed extends RuntimeException {
        public Failed(String message, Throwable cause) { super(message, cause); }
    }
}
