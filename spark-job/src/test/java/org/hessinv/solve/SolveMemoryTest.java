package org.hessinv.solve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.hessinv.model.InvalidInputException;
import org.hessinv.model.ModelSpec;
import org.hessinv.model.Network;
import org.junit.jupiter.api.Test;

class SolveMemoryTest {
    private static final Network NET = ModelSpec.parse(
            "{\"input\": 4, \"layers\": [{\"type\": \"residual\", \"activation\": \"tanh\"}], \"head\": {\"type\": \"mse\", \"outputs\": 1}}");

    @Test
    void estimateCountsWhatLaterStagesKeepPlusTheLargestWorkingSet() {
        long b = 10;
        // the backward sweep starts at stage 2, the head 4 -> 1: p = 5, input state 40, output state 10;
        // V 10^2, Qss 40^2, the V A panel 10 x 65 * 4, V Bs 10 x 5, R / Qsd / K^T 3 x 40 x 5, S / Qdd / factor 3 x 5^2
        long stage2 = 10 * 10 + 40 * 40 + 10 * 65 * 4 + 10 * 5 + 3 * 40 * 5 + 3 * 5 * 5;
        // it keeps its factor 5^2, K^T 40 x 5 and k 5 for the forward sweep
        long kept2 = 5 * 5 + 40 * 5 + 5;
        // stage 1, residual 4 -> 4: p = 20, no input state, output state 40: V 40^2, V Bs 40 x 20, 3 x 20^2
        long stage1 = 40 * 40 + 40 * 20 + 3 * 20 * 20;
        // and each stage's blocks as the sweep reads them: A (B a_l a_{l-1}) and P (B a_{l-1}^2) when it has a state,
        // Lambda and the records' lambda (2 B units^2), the factors' Zt and the records' z, jac, cross (4 B (inputs + 1))
        long blocks2 = 10 * 1 * 4 + 10 * 4 * 4 + 2 * 10 * 1 + 4 * 10 * 5;
        long blocks1 = 2 * 10 * 4 * 4 + 4 * 10 * 5;
        assertEquals(8 * Math.max(stage2 + blocks2, kept2 + stage1 + blocks1), SolveMemory.estimateBytes(NET, b));
    }

    @Test
    void refusesWhatDoesNotFitWithAClearMessage() {
        long need = SolveMemory.estimateBytes(NET, 1000);
        SolveMemory.check(NET, 1000, (long) (need / SolveMemory.HEAP_SHARE) + 1);
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> SolveMemory.check(NET, 1000, need));
        assertTrue(e.getMessage().contains("--curvature-batch") && e.getMessage().contains("driver-memory"), e.getMessage());
        assertTrue(e.getMessage().contains("HESSINV_DRIVER_MEMORY=") && e.getMessage().contains(String.format(java.util.Locale.ROOT, "%.0f%%", 100 * SolveMemory.HEAP_SHARE)), "names the setting that works and the rule: " + e.getMessage());
    }

    /** The anchor (768 -> 7 x dense(24, tanh) -> softmax(10)): its wide first layer (p = 18456) must not be counted at p^2. */
    @Test
    void wideFirstLayerIsNotCountedAtPSquared() {
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
