package org.hessinv.solve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.hessinv.curvature.Curvature;
import org.hessinv.curvature.DenseStage;
import org.hessinv.curvature.ExampleBatch;
import org.hessinv.curvature.KroneckerStage;
import org.hessinv.curvature.LayerStage;
import org.hessinv.curvature.StageForm;
import org.hessinv.linalg.SymmetricFactorization;
import org.hessinv.model.Activation;
import org.hessinv.model.AffineStage;
import org.hessinv.model.Example;
import org.hessinv.model.HiddenLayer;
import org.hessinv.model.InvalidInputException;
import org.hessinv.model.ModelSpec;
import org.hessinv.model.Network;
import org.hessinv.model.Parameterization;
import org.hessinv.model.SoftmaxHead;
import org.hessinv.testing.RandomProblems;
import org.junit.jupiter.api.Test;

class SolveMemoryTest {
    private static final Network NET = ModelSpec.parse(
            "{\"input\": 4, \"layers\": [{\"type\": \"residual\", \"activation\": \"tanh\"}], \"head\": {\"type\": \"mse\", \"outputs\": 1}}");

    /** The largest dense factorization of order n, counted by hand: the blocked Bunch-Kaufman's L with a spare column 8 n (n + 1), D's two diagonals 16 n, its 2x2 marks n, its permutation 4 n. */
    private static long factor(long n) { return 8 * n * (n + 1) + 16 * n + n + 4 * n; }

    @Test
    void estimateCountsWhatLaterStagesKeepPlusTheLargestWorkingSet() {
        long b = 10;
        // the backward sweep starts at stage 2, the head 4 -> 1 (Kronecker form): p = 5, input state 40, output
        // state 10; doubles: A 10 x 1 x 4, P 10 x 4^2, R 40 x 5; factors Zt 5 x 10, J 10 x 1, Lambda 10 x 1^2;
        // S 5^2; Qdd 5^2; V 10^2 and v 10; V Bs 10 x 5; Qsd and the gain's transpose 2 x 40 x 5; Qss 40^2;
        // the V A panel 10 x (10 x 4 + 1); v 40; and the pivot's factor
        long stage2 = 8 * (40 + 160 + 200 + 50 + 10 + 10 + 25 + 25 + 100 + 10 + 50 + 2 * 200 + 1600 + 410 + 40) + factor(5);
        // it keeps its factor, K^T 40 x 5 and k 5 for the forward sweep
        long kept2 = factor(5) + 8 * (40 * 5 + 5);
        // stage 1, residual 4 -> 4: p = 20, no input state, output state 40: factors Zt 5 x 10, J 10 x 4,
        // Lambda 10 x 4^2; S 20^2, Qdd 20^2; V 40^2 and v 40; V Bs 40 x 20; the pivot's factor
        long stage1 = 8 * (50 + 40 + 160 + 400 + 400 + 1600 + 40 + 40 * 20) + factor(20);
        assertEquals(Math.max(stage2, kept2 + stage1), SolveMemory.estimateBytes(NET, b));
    }

    /**
     * The estimate's terms are what the solve's objects hold: each assembled stage's bytes (A, P, R and its
     * form: dense, Kronecker, capacitance) equal its planned size (Lambda included: Hessian; the GGN's hidden
     * layers have none, so no more), each kept pivot within the spread between the planned (largest) factorization and Cholesky's 8 p^2,
     * and the gains kept after a full sweep no more than planned.
     */
    @Test
    void theEstimatesTermsAreWhatTheSolveHolds() {
        SplittableRandom rng = new SplittableRandom(3);
        double[] frozen = new double[9];
        for (int i = 0; i < frozen.length; i++) frozen[i] = Network.gaussian(rng);
        List<Network> nets = List.of(NET,
                new Network(30, List.of(HiddenLayer.dense(30, 3, Activation.TANH), HiddenLayer.square(3, 3, Activation.TANH, Parameterization.GAIN, frozen),
                        HiddenLayer.dense(3, 3, Activation.TANH)), new SoftmaxHead(3, 2)));
        int forms = 0;
        for (Network net : nets) {
            double[] x = RandomProblems.parameters(rng, net, 0.7);
            for (int batch : new int[] {2, 7}) {
                List<Example> ex = RandomProblems.examples(rng, net, batch);
                for (Curvature c : Curvature.values()) {
                    ExampleBatch eb = new ExampleBatch(net, x, ex, c);
                    RiccatiFactorization f = RiccatiSolver.backwardSweep(eb, 0.1, new double[net.paramCount()], SweepProgress.NONE);
                    long keptPlanned = 0, spreads = 0;
                    for (int l = 0; l < net.stageCount(); l++) {
                        AffineStage s = net.stage(l);
                        LayerStage st = eb.stage(l);
                        StageForm.Bytes planned = StageForm.bytes(s, batch);
                        long stage = LayerStage.stateBytes(s, l > 0, batch) + planned.stored();
                        String what = net.describe() + " B=" + batch + " " + c + " stage " + (l + 1) + " " + st.form.getClass().getSimpleName();
                        if (c == Curvature.HESSIAN) assertEquals(stage, st.bytes(), what);
                        else assertTrue(st.bytes() <= stage, what + ": " + st.bytes() + " > " + stage);
                        long pivot = f.pivot(l).bytes();
                        // the plan covers the largest factorization the pivot may take; Cholesky's holds 8 p^2 of it
                        long spread = SymmetricFactorization.factorBytes(s.paramCount()) - 8L * s.paramCount() * s.paramCount();
                        spreads += spread;
                        assertTrue(pivot <= planned.pivotRetained() && pivot >= planned.pivotRetained() - spread,
                                what + ": pivot " + pivot + " vs planned " + planned.pivotRetained());
                        keptPlanned += StageGain.bytes(planned.pivotRetained(), l > 0 ? (long) batch * s.inputSize() : 0, s.paramCount());
                        forms |= st.form instanceof DenseStage ? 1 : st.form instanceof KroneckerStage ? 2 : 4;
                    }
                    assertTrue(f.keptBytes() <= keptPlanned, f.keptBytes() + " > " + keptPlanned);
                    assertTrue(f.keptBytes() >= keptPlanned - spreads, f.keptBytes() + " << " + keptPlanned);
                }
            }
        }
        assertEquals(7, forms, "every stage form was measured");
    }

    @Test
    void refusesWhatDoesNotFitWithAClearMessage() {
        long need = SolveMemory.estimateBytes(NET, 1000);
        SolveMemory.check(NET, 1000, (long) (need / SolveMemory.HEAP_SHARE) + 1);
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> SolveMemory.check(NET, 1000, need));
        assertTrue(e.getMessage().contains("--curvature-batch") && e.getMessage().contains("driver-memory"), e.getMessage());
        assertTrue(e.getMessage().contains("HESSINV_DRIVER_MEMORY=") && e.getMessage().contains(String.format(java.util.Locale.ROOT, "%.0f%%", 100 * SolveMemory.HEAP_SHARE)), "names the setting that works and the rule: " + e.getMessage());
    }

    /** The anchor (768 -> 7 x dense(24, tanh) -> softmax(10)): its first layer (p = 18456, a capacitance stage) must not be counted at p^2. */
    @Test
    void capacitanceFirstLayerIsNotCountedAtPSquared() {
        Network anchor = ModelSpec.parse("{\"input\": 768, \"layers\": ["
                + "{\"type\": \"dense\", \"units\": 24, \"activation\": \"tanh\"},".repeat(6)
                + "{\"type\": \"dense\", \"units\": 24, \"activation\": \"tanh\"}], \"head\": {\"type\": \"softmax\", \"classes\": 10}}");
        assertEquals(18456, anchor.stage(0).paramCount());
        long p = 18456;
        for (long b : new long[] {64, 128, 256, 512}) {
            long est = SolveMemory.estimateBytes(anchor, b);
            long m = b * 24;
            // the dense pivot alone would be 3 p^2 doubles (8.2 GB); at B = 512 the (B a)^2 batch-state terms dominate
            assertTrue(est < 8 * 3 * p * p, "B=" + b + ": " + est + " bytes includes the dense p x p pivot");
            if (b <= 256) assertTrue(est < 8 * p * p, "B=" + b + ": " + est + " bytes is the size of one p x p matrix or more");
            // V (m^2 doubles: the first layer's output state is B x 24 = m) and the capacitance and its factor (2 m^2)
            assertTrue(est >= 8 * 3 * m * m, "B=" + b + ": the capacitance working set is missing: " + est);
        }
        assertTrue(SolveMemory.estimateBytes(anchor, 64) < 400_000_000L, "B=64 should need well under 1 GB");
    }

    /**
     * A network too deep to keep every K_l (residual width 8, depth 20,000, batch 16: ~1.2 GB of gains) in a
     * 1 GB heap gets a checkpoint segment near sqrt(L) whose estimate fits; with a large heap it keeps everything.
     */
    @Test
    void aVeryDeepNetworkIsPlannedWithCheckpoints() {
        StringBuilder spec = new StringBuilder("{\"input\": 8, \"layers\": [");
        int depth = 20_000;
        for (int l = 0; l < depth; l++) spec.append(l > 0 ? "," : "").append("{\"type\": \"residual\", \"activation\": \"tanh\"}");
        Network deep = ModelSpec.parse(spec.append("], \"head\": {\"type\": \"mse\", \"outputs\": 1}}").toString());
        long heap = 1L << 30;
        long keepAll = SolveMemory.estimateBytes(deep, 16);
        assertTrue(keepAll > SolveMemory.HEAP_SHARE * heap, "keeping every gain must not fit for this test: " + keepAll);
        int segment = SolveMemory.check(deep, 16, heap);
        assertTrue(segment > 1 && segment < deep.stageCount(), "segment " + segment);
        long checkpointed = SolveMemory.estimateBytes(deep, 16, segment);
        assertTrue(checkpointed <= SolveMemory.HEAP_SHARE * heap && checkpointed < keepAll / 10, checkpointed + " bytes");
        assertEquals(deep.stageCount(), SolveMemory.check(deep, 16, 64L << 30), "a large heap keeps every gain");
        // at segment = L the estimate is the keep-everything one
        assertEquals(keepAll, SolveMemory.estimateBytes(deep, 16, deep.stageCount()));
    }
}
