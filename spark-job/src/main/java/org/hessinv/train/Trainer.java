package org.hessinv.train;

import java.util.ArrayList;
import java.util.List;

/**
 * The training loop: from a state, one {@link Optimizer} step at a time until a stopping rule holds.
 * The curvature used at step k is C(x_k) on the curvature batch of seed {@code seed + k / resampleEvery}
 * (a fixed batch when {@code resampleEvery} is 0); it is formed again only when x moved or the batch seed
 * changed, so a rejected step re-solves with the blocks already formed, and a resumed run forms exactly the
 * curvature the uninterrupted run used.
 */
public final class Trainer {
    /** When to stop: after {@code steps} steps, past {@code timeLimit} seconds, at {@code loss <= targetLoss}, or {@code ||g|| <= gradientTolerance}. */
    public record Stopping(int steps, double timeLimit, double targetLoss, double gradientTolerance) {}

    /** How to train. */
    public record Settings(Optimizer optimizer, Stopping stopping, long seed, int resampleEvery, int checkpointEvery) {}

    /** Told of every step and every checkpoint. */
    public interface Listener {
        /** Validation loss and accuracy at x (NaN where there is none); called at the start and after accepted steps. */
        double[] validate(double[] x);

        void stepped(HistoryRow row, TrainState state);

        void checkpoint(TrainState state, List<HistoryRow> history);
    }

    /** Where the run ended, why, and every history row (the start's included). */
    public record Result(TrainState state, String stopReason, List<HistoryRow> history) {}

    private Trainer() {}

    /** The history row of a starting point (step 0). */
    public static HistoryRow startRow(TrainState s, double[] validation) { return startRow(s, validation, 0); }

    /** The history row of a starting point reached after {@code seconds} (e.g. Adam's learning-rate grid). */
    public static HistoryRow startRow(TrainState s, double[] validation, double seconds) {
        return new HistoryRow(s.step(), seconds, s.loss(), s.gradientNorm(), validation[0], validation[1], Double.NaN, Double.NaN,
                Double.NaN, null, null, Double.NaN, Double.NaN, -1);
    }

    /**
     * Runs from {@code state} with the rows so far ({@code history}, whose last row is at {@code state}); seconds continue
     * from that row's.
     */
    public static Result run(Objective f, TrainState state, List<HistoryRow> history, Settings settings, Listener listener) {
        List<HistoryRow> rows = new ArrayList<>(history);
        HistoryRow last = rows.get(rows.size() - 1);
        double offset = last.seconds();
        long t0 = System.nanoTime();
        double[] validation = {last.validationLoss(), last.validationAccuracy()};
        DampedCurvature curvature = null;
        long curvatureSeed = 0;
        Optimizer opt = settings.optimizer();
        try {
            while (true) {
                String stop = stopReason(state, settings.stopping(), offset + (System.nanoTime() - t0) / 1e9, opt);
                if (stop != null) return new Result(state, stop, rows);
                long seed = batchSeed(settings, state.step());
                if (curvature == null || seed != curvatureSeed) {
                    if (curvature != null) curvature.release();
                    curvature = new Lazy(f, state.x(), seed);
                    curvatureSeed = seed;
                }
                StepReport r = opt.step(f, state, curvature);
                TrainState next = r.next();
                if (r.accepted()) {
                    validation = listener.validate(next.x());
                    curvature.release();
                    curvature = null;
                }
                HistoryRow row = new HistoryRow(next.step(), offset + (System.nanoTime() - t0) / 1e9, next.loss(),
                        next.gradientNorm(), validation[0], validation[1], r.damping(), r.radius(), r.rho(), r.accepted(),
                        r.route(), r.solveSeconds(), r.residual(), r.negativeEigenvalues());
                rows.add(row);
                state = next;
                listener.stepped(row, state);
                if (settings.checkpointEvery() > 0 && state.step() % settings.checkpointEvery() == 0) listener.checkpoint(state, rows);
            }
        } finally {
            if (curvature != null) curvature.release();
        }
    }

    /**
     * The curvature at x, formed on its first use: optimizers that never ask for it (L-BFGS, Adam) never pay for the
     * curvature batch.
     */
    private static final class Lazy implements DampedCurvature {
        private final Objective f;
        private final double[] x;
        private final long seed;
        private DampedCurvature c;

        Lazy(Objective f, double[] x, long seed) {
            this.f = f;
            this.x = x;
            this.seed = seed;
        }

        private DampedCurvature formed() {
            if (c == null) c = f.curvature(x, seed);
            return c;
        }

        @Override public int dimension() { return x.length; }

        @Override public DampedSolve solve(double lambda, double[] r) { return formed().solve(lambda, r); }

        @Override public double[] times(double[] v) { return formed().times(v); }

        @Override public String route() { return formed().route(); }

        @Override public void release() {
            if (c != null) c.release();
        }
    }

    /** The seed of the curvature batch at step k: seed + k / resampleEvery (fixed when resampleEvery = 0). */
    static long batchSeed(Settings s, int step) {
        return s.seed() + (s.resampleEvery() > 0 ? step / s.resampleEvery() : 0);
    }

    private static String stopReason(TrainState s, Stopping stop, double seconds, Optimizer opt) {
        if (s.loss() <= stop.targetLoss()) return "target loss " + stop.targetLoss() + " reached";
        if (s.gradientNorm() <= stop.gradientTolerance()) return "gradient norm below " + stop.gradientTolerance();
        String stalled = opt.stalled(s);
        if (stalled != null) return stalled;
        if (s.step() >= stop.steps()) return "step limit " + stop.steps() + " reached";
        if (seconds >= stop.timeLimit()) return "time limit " + stop.timeLimit() + " s reached";
        return null;
    }
}
