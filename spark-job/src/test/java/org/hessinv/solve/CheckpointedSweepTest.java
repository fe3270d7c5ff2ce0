package org.hessinv.solve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.hessinv.curvature.Curvature;
import org.hessinv.curvature.ExampleBatch;
import org.hessinv.model.Network;
import org.hessinv.testing.Dense;
import org.hessinv.testing.RandomProblems;
import org.junit.jupiter.api.Test;

/**
 * The checkpointed sweep (gains of one segment held at a time, the others recomputed from checkpointed
 * cost-to-go) runs the same operations in the same order as the sweep that keeps every gain, so its
 * results must be identical bit for bit, for every segment length; and it must still match the dense
 * reference (the plain sweep is checked against it in RiccatiSolverTest; here once more, independently).
 */
class CheckpointedSweepTest {
    private static final double DAMPING = 0.05;

    private static ExampleBatch problem(long seed, int input, int hidden, int batch, Curvature c) {
        SplittableRandom rng = new SplittableRandom(seed);
        Network net = RandomProblems.network(rng, input, hidden, seed % 2 == 0);
        double[] x = RandomProblems.parameters(rng, net, 0.7);
        return new ExampleBatch(net, x, RandomProblems.examples(rng, net, batch), c);
    }

    @Test
    void everySegmentLengthGivesTheSameNumbersAsKeepingEveryGain() {
        int cases = 0;
        for (long seed = 0; seed < 6; seed++) {
            for (Curvature c : Curvature.values()) {
                // seed 0, 1: a first stage wider than batch x units (capacitance pivot); the others narrow
                int input = seed < 2 ? 30 : 3;
                ExampleBatch b = problem(seed, input, 4 + (int) (seed % 3), 3, c);
                int stages = b.stageCount();
                double[] r = RandomProblems.vector(new SplittableRandom(seed + 50), b.network().paramCount());
                RiccatiFactorization plain = RiccatiSolver.backwardSweep(b, DAMPING, r, SweepProgress.NONE);
                double[] d = plain.forwardSweep(b, SweepProgress.NONE);
                for (int segment = 1; segment <= stages; segment++) {
                    String where = "seed " + seed + " " + c + " segment " + segment + " of " + stages;
                    RiccatiFactorization f = RiccatiSolver.backwardSweep(b, DAMPING, r, SweepProgress.NONE, SweepOptions.DEFAULT.withSegment(segment));
                    assertArrayEquals(d, f.forwardSweep(b, SweepProgress.NONE), where);
                    // a second forward sweep replays the segments again
                    assertArrayEquals(d, f.forwardSweep(b, SweepProgress.NONE), where + " (second forward sweep)");
                    assertEquals(plain.logAbsDet(), f.logAbsDet(), where);
                    assertEquals(plain.inertia(), f.inertia(), where);
                    assertEquals(plain.worstPivot(), f.worstPivot(), where);
                    if (plain.inertia().negative() == 0) {
                        double[] eps = RandomProblems.vector(new SplittableRandom(seed + 90), r.length);
                        assertArrayEquals(plain.sampleMap(b, eps), f.sampleMap(b, eps), where + " sample map");
                    } else {
                        assertThrows(IllegalStateException.class, () -> f.sampleMap(b, new double[r.length]), where);
                    }
                    cases++;
                }
                // and against the dense reference: error <= 10 n eps kappa (as in RiccatiSolverTest)
                int n = b.network().paramCount();
                double[] dense = DenseSolver.assemble(b, DAMPING);
                double kappa = Dense.condition(DenseSolver.eigenvalues(dense, n));
                double[] ref = DenseSolver.solve(dense, n, r);
                double err = RandomProblems.relativeError(RiccatiSolver.solve(b, DAMPING, r, SweepProgress.NONE, SweepOptions.DEFAULT.withSegment(1)).direction(), ref);
                assertTrue(err <= Math.max(1e-12, 10 * n * Math.ulp(1.0) * kappa), "seed " + seed + " " + c + ": error " + err + ", kappa " + kappa);
            }
        }
        assertTrue(cases >= 60, "cases run: " + cases);
    }

    @Test
    void aSegmentShorterThanOneStageIsRefused() {
        ExampleBatch b = problem(3, 3, 2, 2, Curvature.GGN);
        double[] r = new double[b.network().paramCount()];
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RiccatiSolver.backwardSweep(b, DAMPING, r, SweepProgress.NONE, SweepOptions.DEFAULT.withSegment(0)));
        assertTrue(e.getMessage().contains("segment"), e.getMessage());
    }
}
