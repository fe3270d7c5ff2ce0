package org.hessinv.train;

/**
 * Adam (Kingma and Ba, 2015, Algorithm 1): with the gradient g_t of the step (the full-data gradient of the
 * state, or with {@code batchSize > 0} the mean gradient over a minibatch of that many training examples drawn
 * with the seed {@code seed + step}, so a resumed run draws the same minibatches),
 *
 * <pre>
 *   m_t = beta1 m_{t-1} + (1 - beta1) g_t,   v_t = beta2 v_{t-1} + (1 - beta2) g_t^2,
 *   x_t = x_{t-1} - alpha (m_t / (1 - beta1^t)) / (sqrt(v_t / (1 - beta2^t)) + epsilon).
 * </pre>
 *
 * Every step is taken (accepted); the history's loss is the full-data loss at the new point. The moments and
 * t are the {@link OptimizerMemory.Adam} memory of the state.
 */
public record Adam(double learningRate, double beta1, double beta2, double epsilon, int batchSize, long seed) implements Optimizer {
    /** Kingma and Ba's defaults: beta1 0.9, beta2 0.999, epsilon 1e-8. */
    public static Adam of(double learningRate, int batchSize, long seed) { return new Adam(learningRate, 0.9, 0.999, 1e-8, batchSize, seed); }

    public Adam {
        if (!(learningRate > 0) || !Double.isFinite(learningRate)) throw new IllegalArgumentException("Adam learning rate must be > 0, got " + learningRate);
        if (batchSize < 0) throw new IllegalArgumentException("Adam batch size must be >= 0, got " + batchSize);
    }

    @Override public String name() { return "adam"; }

    @Override public OptimizerMemory initialMemory(int n) { return OptimizerMemory.Adam.zero(n); }

    @Override public StepReport step(Objective f, TrainState s, DampedCurvature unused) {
        if (!(s.memory() instanceof OptimizerMemory.Adam mem)) {
            throw new IllegalArgumentException("an Adam step needs Adam memory, the state has " + s.memory().kind());
        }
        double[] g = batchSize > 0 ? f.minibatchLossAndGradient(s.x(), seed + s.step(), batchSize).gradient() : s.gradient();
        OptimizerMemory.Adam next = update(mem, g);
        double[] x = move(s.x(), next);
        Objective.LossGradient at = f.lossAndGradient(x);
        return new StepReport(s.moved(x, at, s.damping(), s.nu(), s.radius(), next), Double.NaN, Double.NaN, Double.NaN, true,
                batchSize > 0 ? "adam:batch=" + batchSize : "adam", Double.NaN, Double.NaN, -1, at.loss());
    }

    @Override public String stalled(TrainState s) { return null; }

    /** The moments after gradient g (new arrays). */
    OptimizerMemory.Adam update(OptimizerMemory.Adam mem, double[] g) {
        int n = g.length;
        double[] m = new double[n], v = new double[n];
        for (int i = 0; i < n; i++) {
            m[i] = beta1 * mem.m()[i] + (1 - beta1) * g[i];
            v[i] = beta2 * mem.v()[i] + (1 - beta2) * g[i] * g[i];
        }
        return new OptimizerMemory.Adam(mem.t() + 1, m, v);
    }

    /** x - alpha mhat / (sqrt(vhat) + epsilon) with the bias corrections of step t (new array). */
    double[] move(double[] x, OptimizerMemory.Adam mem) {
        double c1 = 1 - Math.pow(beta1, mem.t()), c2 = 1 - Math.pow(beta2, mem.t());
        double[] out = x.clone();
        for (int i = 0; i < out.length; i++) out[i] -= learningRate * (mem.m()[i] / c1) / (Math.sqrt(mem.v()[i] / c2) + epsilon);
        return out;
    }

    /** The learning-rate grid of {@link #pickLearningRate}: 1e-3 to 1e-1 in half decades. */
    public static final double[] GRID = {1e-3, 3e-3, 1e-2, 3e-2, 1e-1};

    /**
     * The learning rate of {@code GRID} whose {@code steps} Adam steps from {@code start} reach the lowest full-data
     * loss (non-finite losses lose); ties go to the smaller rate. Costs {@code GRID.length * steps} steps.
     */
    public static double pickLearningRate(Objective f, TrainState start, int steps, int batchSize, long seed) {
        double best = Double.NaN, bestLoss = Double.POSITIVE_INFINITY;
        for (double lr : GRID) {
            Adam a = Adam.of(lr, batchSize, seed);
            TrainState s = new TrainState(start.step(), start.x(), start.loss(), start.gradient(), start.damping(), start.nu(),
                    start.radius(), start.accepted(), a.initialMemory(start.x().length));
            for (int k = 0; k < steps && Double.isFinite(s.loss()); k++) s = a.step(f, s, null).next();
            if (s.loss() < bestLoss) {
                bestLoss = s.loss();
                best = lr;
            }
        }
        return Double.isNaN(best) ? GRID[0] : best;
    }
}
