package org.hessinv.train;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * L-BFGS on the full-data loss and gradient, step by step as Breeze's {@code breeze.optimize.LBFGS} iterates
 * (its two-loop recursion with the initial scaling {@code s^T y / y^T y} of the newest pair, and its strong
 * Wolfe line search started at {@code 1 / ||d||} on the first step and at 1 afterwards), with the memory of
 * {@code m} pairs kept in {@link OptimizerMemory.Lbfgs} so that a checkpoint holds it and a resumed run is bit
 * for bit the uninterrupted one. Every line-search evaluation is one full pass (loss and gradient); the
 * accepted point's loss and gradient are the search's last evaluation, not a new pass.
 *
 * <p>Differences from Breeze, on purpose: a pair with {@code s^T y <= 0} is not stored (Breeze stores it and
 * resets its whole history at the next direction); a failed line search (no point with a lower loss) is a
 * rejected step that clears the memory, and two in a row stop the run. After a clearing the search starts
 * at {@code 1 / ||d||} again (Breeze: at 1).
 */
public record Lbfgs(int memory, LineSearch search) implements Optimizer {
    public Lbfgs {
        if (memory < 1) throw new IllegalArgumentException("L-BFGS memory must be >= 1, got " + memory);
    }

    @Override public String name() { return "lbfgs"; }

    @Override public OptimizerMemory initialMemory(int n) { return OptimizerMemory.Lbfgs.empty(memory); }

    @Override public StepReport step(Objective f, TrainState s, DampedCurvature unused) {
        OptimizerMemory.Lbfgs mem = memoryOf(s);
        double[] g = s.gradient();
        double[] dir = direction(mem, g);
        double init = mem.size() == 0 ? 1 / Vectors.norm(dir) : 1.0;
        Map<Double, Objective.LossGradient> seen = new HashMap<>();
        double[] x = s.x();
        LineSearch.Line phi = alpha -> {
            Objective.LossGradient at = seen.computeIfAbsent(alpha, a -> f.lossAndGradient(Vectors.plus(x, a, dir)));
            return new double[] {at.loss(), Vectors.dot(at.gradient(), dir)};
        };
        double alpha;
        try {
            alpha = search.search(phi, init);
        } catch (LineSearch.Failed e) {
            alpha = Double.NaN;
        }
        Objective.LossGradient at = Double.isNaN(alpha) ? null : seen.get(alpha);
        if (at == null && !Double.isNaN(alpha)) at = f.lossAndGradient(Vectors.plus(x, alpha, dir));
        int evaluations = seen.size() + (at != null && !seen.containsKey(alpha) ? 1 : 0);
        boolean accepted = at != null && at.loss() < s.loss() && alpha * Vectors.norm(g) >= 1e-10;
        String route = "line-search:" + evaluations;
        if (!accepted) {
            TrainState next = s.stayed(s.damping(), s.nu(), s.radius(),
                    new OptimizerMemory.Lbfgs(memory, List.of(), List.of(), mem.failures() + 1));
            return new StepReport(next, Double.NaN, Double.NaN, Double.NaN, false, route, Double.NaN, Double.NaN, -1,
                    at == null ? Double.NaN : at.loss());
        }
        double[] trial = Vectors.plus(x, alpha, dir);
        double[] step = Vectors.plus(trial, -1, x);
        double[] change = Vectors.plus(at.gradient(), -1, g);
        OptimizerMemory.Lbfgs updated = Vectors.dot(step, change) > 0 ? pushed(mem, step, change)
                : new OptimizerMemory.Lbfgs(memory, mem.steps(), mem.gradientChanges(), 0);
        TrainState next = s.moved(trial, at, s.damping(), s.nu(), s.radius(), updated);
        return new StepReport(next, Double.NaN, Double.NaN, Double.NaN, true, route, Double.NaN, Double.NaN, -1, at.loss());
    }

    @Override public String stalled(TrainState s) {
        return memoryOf(s).failures() >= 2 ? "the L-BFGS line search failed twice in a row (also with its memory cleared)" : null;
    }

    /** The memory with (s, y) in front, the oldest pair dropped past the capacity. */
    private OptimizerMemory.Lbfgs pushed(OptimizerMemory.Lbfgs mem, double[] step, double[] change) {
        List<double[]> ss = new ArrayList<>(mem.steps());
        List<double[]> ys = new ArrayList<>(mem.gradientChanges());
        ss.add(0, step);
        ys.add(0, change);
        while (ss.size() > memory) {
            ss.remove(ss.size() - 1);
            ys.remove(ys.size() - 1);
        }
        return new OptimizerMemory.Lbfgs(memory, ss, ys, 0);
    }

    /** d = -H g by the two-loop recursion (Nocedal and Wright, Algorithm 7.4), pairs newest first, as Breeze orders them. */
    static double[] direction(OptimizerMemory.Lbfgs mem, double[] g) {
        int k = mem.size();
        double diag = 1;
        if (k > 0) {
            double[] s0 = mem.steps().get(0), y0 = mem.gradientChanges().get(0);
            diag = Vectors.dot(s0, y0) / Vectors.dot(y0, y0);
        }
        double[] dir = g.clone();
        double[] as = new double[k];
        double[] rho = new double[k];
        for (int i = 0; i < k; i++) {
            double[] si = mem.steps().get(i), yi = mem.gradientChanges().get(i);
            rho[i] = Vectors.dot(si, yi);
            as[i] = Vectors.dot(si, dir) / rho[i];
            axpy(-as[i], yi, dir);
        }
        for (int j = 0; j < dir.length; j++) dir[j] *= diag;
        for (int i = k - 1; i >= 0; i--) {
            double beta = Vectors.dot(mem.gradientChanges().get(i), dir) / rho[i];
            axpy(as[i] - beta, mem.steps().get(i), dir);
        }
        for (int j = 0; j < dir.length; j++) dir[j] = -dir[j];
        return dir;
    }

    private static void axpy(double a, double[] x, double[] y) {
        for (int i = 0; i < y.length; i++) y[i] += a * x[i];
    }

    private static OptimizerMemory.Lbfgs memoryOf(TrainState s) {
        if (s.memory() instanceof OptimizerMemory.Lbfgs m) return m;
        throw new IllegalArgumentException("an L-BFGS step needs L-BFGS memory, the state has " + s.memory().kind());
    }
}
