package org.hessinv.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ludovic.netlib.lapack.LAPACK;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.hessinv.curvature.Curvature;
import org.hessinv.model.Activation;
import org.hessinv.model.Example;
import org.hessinv.model.HiddenLayer;
import org.hessinv.model.MseHead;
import org.hessinv.model.Network;
import org.hessinv.model.SoftmaxHead;
import org.hessinv.testing.Dense;
import org.hessinv.testing.RandomProblems;
import org.junit.jupiter.api.Test;
import org.netlib.util.intW;

/** Levenberg-Marquardt and the training loop on in-process objectives, against LAPACK and against their own rules. */
class LevenbergMarquardtTest {
    /**
     * A linear mse model (the head alone: u = W f + c) is least squares, so one step with lambda -> 0 from any start
     * lands on the least-squares solution, computed here by LAPACK dgels on the design matrix [f_i^T 1] (QR,
     * independent of the engine). Tolerance: the normal equations square the design matrix's condition number
     * (here ~10, so kappa^2 ~ 1e2) and lambda = 1e-12 perturbs the solution by ~lambda kappa^2 relative:
     * 1e-10 relative is 100x above both.
     */
    @Test
    void oneUndampedStepOnALinearModelIsTheLeastSquaresSolution() {
        SplittableRandom rng = new SplittableRandom(5);
        int features = 4, outputs = 2, n = 40;
        Network net = new Network(features, List.of(), new MseHead(features, outputs));
        List<Example> data = RandomProblems.examples(rng, net, n);
        BatchObjective f = new BatchObjective(net, data, Curvature.GGN, 0);
        double[] x0 = RandomProblems.parameters(rng, net, 1.0);
        Objective.LossGradient at = f.lossAndGradient(x0);
        TrainState s = new TrainState(0, x0, at.loss(), at.gradient(), 1e-12, 2, Double.NaN, 0);
        StepReport r = LevenbergMarquardt.DEFAULT.step(f, s, f.curvature(x0, 0));
        assertTrue(r.accepted(), "the least-squares step lowers the loss");
        double[] x1 = r.next().x();

        // dgels: min || X b_k - y_k || for each output k, X = [f_i^T 1] (n x (features + 1)), column-major
        int cols = features + 1;
        double[] design = new double[n * cols];
        double[] rhs = new double[n * outputs];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < features; j++) design[j * n + i] = data.get(i).features()[j];
            design[features * n + i] = 1;
            for (int k = 0; k < outputs; k++) rhs[k * n + i] = data.get(i).response()[k];
        }
        intW info = new intW(0);
        double[] work = new double[64 * (n + outputs)];
        LAPACK.getInstance().dgels("N", n, cols, outputs, design, 0, n, rhs, 0, n, work, 0, work.length, info);
        assertEquals(0, info.val);
        // parameter layout of the head: W (outputs x features, row-major) then c
        double[] expected = new double[net.paramCount()];
        for (int k = 0; k < outputs; k++) {
            for (int j = 0; j < features; j++) expected[k * features + j] = rhs[k * n + j];
            expected[outputs * features + k] = rhs[k * n + features];
        }
        assertTrue(Dense.relativeError(x1, expected) <= 1e-10, "LM step vs dgels: " + Dense.relativeError(x1, expected));
    }

    static Network tanhNetwork() {
        return new Network(3, List.of(HiddenLayer.dense(3, 4, Activation.TANH), HiddenLayer.residual(4, Activation.TANH)),
                new SoftmaxHead(4, 3));
    }

    /** Every accepted step lowers the loss, every rejected one leaves x, loss and gradient unchanged; rejections raise lambda by nu. */
    @Test
    void acceptedStepsLowerTheLossAndRejectedStepsChangeNothing() {
        Network net = tanhNetwork();
        SplittableRandom rng = new SplittableRandom(11);
        List<Example> data = RandomProblems.examples(rng, net, 60);
        BatchObjective f = new BatchObjective(net, data, Curvature.GGN, 20);
        double[] x = RandomProblems.parameters(rng, net, 1.5);
        Objective.LossGradient at = f.lossAndGradient(x);
        // a tiny initial damping forces early rejections on this nonlinear problem
        TrainState s = new TrainState(0, x, at.loss(), at.gradient(), 1e-9, 2, Double.NaN, 0);
        int rejected = 0;
        for (int k = 0; k < 25; k++) {
            StepReport r = LevenbergMarquardt.DEFAULT.step(f, s, f.curvature(s.x(), 3));
            TrainState next = r.next();
            if (r.accepted()) {
                assertTrue(next.loss() < s.loss(), "accepted step " + k + " lowers the loss");
                assertEquals(f.loss(next.x()), next.loss(), 0, "the state's loss is the loss at its x");
                assertTrue(r.rho() > 0);
            } else {
                rejected++;
                assertArrayEquals(s.x(), next.x(), 0, "rejected step leaves x unchanged");
                assertEquals(s.loss(), next.loss(), 0);
                assertEquals(s.damping() * s.nu(), next.damping(), 0, "rejection: lambda *= nu");
                assertEquals(2 * s.nu(), next.nu(), 0, "rejection: nu *= 2");
            }
            assertTrue(r.residual() < 1e-8, "exact solve certified: " + r.residual());
            s = next;
        }
        assertTrue(rejected > 0, "the test exercised rejections");
        assertTrue(s.accepted() > 0, "the test exercised acceptances");
    }

    static final class Recorder implements Trainer.Listener {
        final List<double[]> xs = new ArrayList<>();
        final List<TrainState> checkpoints = new ArrayList<>();
        final List<List<HistoryRow>> checkpointHistories = new ArrayList<>();

        @Override public double[] validate(double[] x) { return new double[] {Double.NaN, Double.NaN}; }

        @Override public void stepped(HistoryRow row, TrainState state) { xs.add(state.x()); }

        @Override public void checkpoint(TrainState state, List<HistoryRow> history) {
            checkpoints.add(state);
            checkpointHistories.add(List.copyOf(history));
        }
    }

    /** A run resumed from its checkpoint at step 4 gives the uninterrupted run's history rows and parameters, bit for bit. */
    @Test
    void resumeFromACheckpointEqualsTheUninterruptedRun() {
        for (Optimizer opt : new Optimizer[] {LevenbergMarquardt.DEFAULT, TrustRegion.DEFAULT}) {
            Network net = tanhNetwork();
            SplittableRandom rng = new SplittableRandom(2);
            List<Example> data = RandomProblems.examples(rng, net, 50);
            BatchObjective f = new BatchObjective(net, data, opt instanceof TrustRegion ? Curvature.HESSIAN : Curvature.GGN, 16);
            double[] x = RandomProblems.parameters(rng, net, 1.0);
            Objective.LossGradient at = f.lossAndGradient(x);
            TrainState start = new TrainState(0, x, at.loss(), at.gradient(), 1e-3, 2, 1.0, 0);
            Trainer.Settings settings = new Trainer.Settings(opt, new Trainer.Stopping(10, Double.POSITIVE_INFINITY, 0, 0), 9, 3, 4);
            List<HistoryRow> first = List.of(Trainer.startRow(start, new double[] {Double.NaN, Double.NaN}));
            Recorder whole = new Recorder();
            Trainer.Result full = Trainer.run(f, start, first, settings, whole);
            assertEquals(10, full.state().step(), opt.name() + ": ran to the step limit (" + full.stopReason() + ")");

            TrainState cp = whole.checkpoints.get(0);
            assertEquals(4, cp.step());
            Trainer.Result resumed = Trainer.run(f, cp, whole.checkpointHistories.get(0), settings, new Recorder());
            assertArrayEquals(full.state().x(), resumed.state().x(), 0, opt.name() + ": final parameters bit for bit");
            assertEquals(full.history().size(), resumed.history().size());
            for (int i = 0; i < full.history().size(); i++) {
                assertEquals(full.history().get(i).withoutTimes(), resumed.history().get(i).withoutTimes(), opt.name() + ": history row " + i);
            }
        }
    }

    /**
     * The two exact routes are the same method: five Levenberg-Marquardt steps solved in output space take the
     * Riccati route's steps. Both solves are backward stable with errors ~ eps kappa(G + lambda I) (kappa <= 1e4 at
     * lambda >= 1e-3 here, docs/math.md section 8), so iterates agree to ~1e-12; 1e-9 leaves room for the
     * steps compounding them (a rejection decision flipping would fail the test by far more).
     */
    @Test
    void outputSpaceRouteTakesTheRiccatiSteps() {
        Network net = tanhNetwork();
        SplittableRandom rng = new SplittableRandom(12);
        List<Example> data = RandomProblems.examples(rng, net, 40);
        double[] x = RandomProblems.parameters(rng, net, 1.0);
        TrainState[] end = new TrainState[2];
        CurvatureRoute[] routes = {CurvatureRoute.RICCATI, CurvatureRoute.OUTPUT_SPACE};
        for (int r = 0; r < 2; r++) {
            BatchObjective f = new BatchObjective(net, data, Curvature.GGN, 12, routes[r]);
            Objective.LossGradient at = f.lossAndGradient(x);
            TrainState s = new TrainState(0, x, at.loss(), at.gradient(), 1e-3, 2, Double.NaN, 0);
            for (int k = 0; k < 5; k++) {
                StepReport rep = LevenbergMarquardt.DEFAULT.step(f, s, f.curvature(s.x(), 1));
                assertEquals(routes[r] == CurvatureRoute.RICCATI ? "riccati" : "output-space", rep.route());
                s = rep.next();
            }
            end[r] = s;
        }
        assertEquals(end[0].accepted(), end[1].accepted(), "same accept/reject decisions");
        assertTrue(end[0].accepted() > 0);
        assertTrue(Dense.relativeError(end[1].x(), end[0].x()) <= 1e-9, "iterates: " + Dense.relativeError(end[1].x(), end[0].x()));
    }
}
