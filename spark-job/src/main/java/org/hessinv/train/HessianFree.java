package org.hessinv.train;

/**
 * Hessian-free optimization (Martens, 2010): the Levenberg-Marquardt step of {@link LevenbergMarquardt} with
 * the exact solve replaced by conjugate gradients on {@code (C + lambda I) d = g}, C the curvature (the GGN by
 * default) applied by R-pass products ({@link DampedCurvature#times}); the same gain ratio, acceptance and
 * Nielsen damping rule. CG starts from {@code decay} times the previous step's CG solution (Martens: 0.95),
 * stops after {@code cgMax} iterations, at a relative residual of 1e-10, or when the quadratic model
 * {@code q(d) = d^T (C + lambda I) d / 2 - g^T d} stops improving: at iteration i, with
 * {@code k = max(10, ceil(0.1 i))}, when {@code i > k}, {@code q_i < 0} and
 * {@code (q_i - q_{i-k}) / q_i < k * progressTolerance} (Martens' relative progress test, tolerance 5e-4).
 * The history's route is {@code cg:N}, N the curvature products of the step (CG's, plus one for the gain ratio).
 */
public record HessianFree(double accept, double maxDamping, int cgMax, double decay, double progressTolerance) implements Optimizer {
    public static HessianFree of(int cgMax) { return new HessianFree(0, 1e10, cgMax, 0.95, 5e-4); }

    public HessianFree {
        if (cgMax < 1) throw new IllegalArgumentException("--cg-max must be >= 1, got " + cgMax);
    }

    @Override public String name() { return "hf"; }

    @Override public OptimizerMemory initialMemory(int n) { return OptimizerMemory.HessianFree.zero(n); }

    /** A CG run: the solution, its iterations and curvature products, and why it stopped. */
    public record Cg(double[] direction, int iterations, int products, String stop) {}

    @Override public StepReport step(Objective f, TrainState s, DampedCurvature c) {
        if (!(s.memory() instanceof OptimizerMemory.HessianFree mem)) {
            throw new IllegalArgumentException("a Hessian-free step needs its memory, the state has " + s.memory().kind());
        }
        double lambda = s.damping();
        long t0 = System.nanoTime();
        Cg cg = conjugateGradient(c, lambda, s.gradient(), Vectors.scaled(decay, mem.previousDirection()), cgMax, progressTolerance);
        double seconds = (System.nanoTime() - t0) / 1e9;
        double[] d = cg.direction();
        double[] cd = c.times(d);
        double[] trial = Vectors.plus(s.x(), -1, d);
        double trialLoss = f.loss(trial);
        double rho = Optimizer.gainRatio(s.loss(), trialLoss, s.gradient(), d, cd);
        double residual = Optimizer.residual(cd, lambda, d, s.gradient());
        boolean accepted = rho > accept && trialLoss <= s.loss();
        OptimizerMemory.HessianFree nextMem = new OptimizerMemory.HessianFree(d);
        TrainState next = accepted
                ? s.moved(trial, f.lossAndGradient(trial), lambda * LevenbergMarquardt.shrink(rho), 2, s.radius(), nextMem)
                : s.stayed(lambda * s.nu(), 2 * s.nu(), s.radius(), nextMem);
        return new StepReport(next, lambda, Double.NaN, rho, accepted, "cg:" + (cg.products() + 1), seconds, residual, -1, trialLoss);
    }

    @Override public String stalled(TrainState s) {
        return s.damping() > maxDamping ? "damping exceeded its maximum (" + maxDamping + "): the model cannot decrease the loss" : null;
    }

    /**
     * CG on {@code A d = g}, {@code A = C + lambda I}, from {@code d0}, with Martens' truncation ({@code progressTolerance}
     * 0 disables it). Counts the products with C (one for a non-zero start, one per iteration).
     */
    public static Cg conjugateGradient(DampedCurvature c, double lambda, double[] g, double[] d0, int maxIterations,
                                       double progressTolerance) {
        int n = g.length;
        double gNorm = Vectors.norm(g);
        double[] d = d0.clone();
        int products = 0;
        double[] r;
        if (Vectors.norm(d) > 0) {
            double[] ad = damped(c, lambda, d);
            products++;
            r = Vectors.plus(g, -1, ad);
            // a warm start worse than zero (q(d0) > 0) is dropped (Martens keeps the model's value non-increasing)
            if (-0.5 * Vectors.dot(d, Vectors.plus(g, 1, r)) > 0) {
                d = new double[n];
                r = g.clone();
            }
        } else {
            r = g.clone();
        }
        double[] p = r.clone();
        double rr = Vectors.dot(r, r);
        double[] q = new double[maxIterations + 1];
        q[0] = -0.5 * Vectors.dot(d, Vectors.plus(g, 1, r));
        if (gNorm == 0) return new Cg(d, 0, products, "zero gradient");
        for (int i = 1; i <= maxIterations; i++) {
            if (Math.sqrt(rr) <= 1e-10 * gNorm) return new Cg(d, i - 1, products, "residual");
            double[] ap = damped(c, lambda, p);
            products++;
            double pap = Vectors.dot(p, ap);
            if (!(pap > 0)) return new Cg(d, i - 1, products, "non-positive curvature");
            double alpha = rr / pap;
            for (int j = 0; j < n; j++) {
                d[j] += alpha * p[j];
                r[j] -= alpha * ap[j];
            }
            double rrNew = Vectors.dot(r, r);
            double beta = rrNew / rr;
            rr = rrNew;
            for (int j = 0; j < n; j++) p[j] = r[j] + beta * p[j];
            q[i] = -0.5 * Vectors.dot(d, Vectors.plus(g, 1, r));
            int k = Math.max(10, (int) Math.ceil(0.1 * i));
            if (progressTolerance > 0 && i > k && q[i] < 0 && (q[i] - q[i - k]) / q[i] < k * progressTolerance) {
                return new Cg(d, i, products, "progress");
            }
        }
        return new Cg(d, maxIterations, products, "cg-max");
    }

    private static double[] damped(DampedCurvature c, double lambda, double[] v) {
        double[] out = c.times(v);
        for (int i = 0; i < out.length; i++) out[i] += lambda * v[i];
        return out;
    }
}
