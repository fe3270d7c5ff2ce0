package org.hessinv.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.hessinv.breeze.BreezeLbfgs;
import org.hessinv.curvature.Curvature;
import org.hessinv.model.Example;
import org.hessinv.model.Network;
import org.hessinv.testing.RandomProblems;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Each first-order or Hessian-free optimizer resumed from its checkpoint at step 4 equals the uninterrupted run, bit for bit. */
class OptimizerResumeTest {
    static Optimizer optimizer(String name) {
        return switch (name) {
            case "lbfgs" -> new Lbfgs(3, BreezeLbfgs.strongWolfe());
            case "adam" -> Adam.of(0.02, 0, 0);
            case "adam-minibatch" -> Adam.of(0.02, 10, 3);
            case "hf" -> HessianFree.of(20);
            default -> throw new IllegalArgumentException(name);
        };
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"lbfgs", "adam", "adam-minibatch", "hf"})
    void resumeFromACheckpointEqualsTheUninterruptedRun(String name) {
        Optimizer opt = optimizer(name);
        Network net = LevenbergMarquardtTest.tanhNetwork();
        SplittableRandom rng = new SplittableRandom(2);
        List<Example> data = RandomProblems.examples(rng, net, 50);
        BatchObjective f = new BatchObjective(net, data, Curvature.GGN, 16);
        double[] x = RandomProblems.parameters(rng, net, 1.0);
        TrainState start = TrainState.start(opt, x, f.lossAndGradient(x), 1e-3, 1.0);
        Trainer.Settings settings = new Trainer.Settings(opt, new Trainer.Stopping(10, Double.POSITIVE_INFINITY, 0, 0), 9, 3, 4);
        List<HistoryRow> first = List.of(Trainer.startRow(start, new double[] {Double.NaN, Double.NaN}));
        LevenbergMarquardtTest.Recorder whole = new LevenbergMarquardtTest.Recorder();
        Trainer.Result full = Trainer.run(f, start, first, settings, whole);
        assertEquals(10, full.state().step(), name + ": ran to the step limit (" + full.stopReason() + ")");
        assertTrue(full.state().loss() < start.loss(), name + " lowered the loss");
        assertEquals(opt.initialMemory(x.length).kind(), full.state().memory().kind());

        TrainState cp = whole.checkpoints.get(0);
        assertEquals(4, cp.step());
        Trainer.Result resumed = Trainer.run(f, cp, whole.checkpointHistories.get(0), settings, new LevenbergMarquardtTest.Recorder());
        assertArrayEquals(full.state().x(), resumed.state().x(), 0, name + ": final parameters bit for bit");
        assertEquals(full.history().size(), resumed.history().size());
        for (int i = 0; i < full.history().size(); i++) {
            assertEquals(full.history().get(i).withoutTimes(), resumed.history().get(i).withoutTimes(), name + ": history row " + i);
        }
    }
}
