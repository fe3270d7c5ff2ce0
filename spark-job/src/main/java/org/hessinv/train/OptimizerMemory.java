package org.hessinv.train;

import java.util.List;

/**
 * What an optimizer carries from one step to the next besides x, its loss and gradient and the damping or
 * radius of {@link TrainState}: one variant per optimizer that needs more, written with every checkpoint so
 * that a resumed run continues bit for bit. Arrays are never modified after a memory is made (each step makes
 * a new one), so a state kept by a listener stays valid.
 */
public sealed interface OptimizerMemory {
    /** Short name of the variant, as written in a checkpoint. */
    String kind();

    /** Levenberg-Marquardt and the trust region: nothing beyond the damping and radius of the state. */
    record None() implements OptimizerMemory {
        public static final None INSTANCE = new None();

        @Override public String kind() { return "none"; }
    }

    /**
     * L-BFGS: the last {@code steps.size() <= capacity} pairs {@code s_k = x_{k+1} - x_k} and
     * {@code y_k = g_{k+1} - g_k}, newest first; {@code failures} counts consecutive failed line searches.
     */
    record Lbfgs(int capacity, List<double[]> steps, List<double[]> gradientChanges, int failures) implements OptimizerMemory {
        public Lbfgs {
            steps = List.copyOf(steps);
            gradientChanges = List.copyOf(gradientChanges);
            if (steps.size() != gradientChanges.size()) throw new IllegalArgumentException("L-BFGS memory: " + steps.size() + " steps, "
                    + gradientChanges.size() + " gradient changes");
        }

        public static Lbfgs empty(int capacity) { return new Lbfgs(capacity, List.of(), List.of(), 0); }

        public int size() { return steps.size(); }

        @Override public String kind() { return "lbfgs"; }
    }

    /** Adam: the step count t and the first and second moment estimates m and v (before bias correction). */
    record Adam(int t, double[] m, double[] v) implements OptimizerMemory {
        public static Adam zero(int n) { return new Adam(0, new double[n], new double[n]); }

        @Override public String kind() { return "adam"; }
    }

    /** Hessian-free: the previous CG solution (zeros before the first step), the warm start of the next CG. */
    record HessianFree(double[] previousDirection) implements OptimizerMemory {
        public static HessianFree zero(int n) { return new HessianFree(new double[n]); }

        @Override public String kind() { return "hf"; }
    }
}
