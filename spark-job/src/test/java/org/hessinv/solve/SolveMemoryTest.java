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
    void estimateCountsGainsAndTheLargestStage() {
        long b = 10;
        // stage 1: residual 4 -> 4, p = 20, no input state; stage 2: head 4 -> 1, p = 5, input state 40
        long gains = (20 * 0 + 20) + (5 * 40 + 5);
        long stage1 = 2 * 40 * 40 + 0 + 3 * 40 * 20 + 0 + 5 * 20 * 20;
        long stage2 = 2 * 10 * 10 + 2 * 40 * 40 + 3 * 10 * 5 + 4 * 40 * 5 + 5 * 5 * 5;
        assertEquals(8 * (gains + Math.max(stage1, stage2)), SolveMemory.estimateBytes(NET, b));
    }

    @Test
    void refusesWhatDoesNotFitWithAClearMessage() {
        long need = SolveMemory.estimateBytes(NET, 1000);
        SolveMemory.check(NET, 1000, (long) (need / SolveMemory.HEAP_SHARE) + 1);
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> SolveMemory.check(NET, 1000, need));
        assertTrue(e.getMessage().contains("--curvature-batch") && e.getMessage().contains("driver-memory"), e.getMessage());
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
            // the dense pivot alone would be 5 p^2 doubles (13.6 GB); at B = 512 the (B a)^2 batch-state terms dominate
            assertTrue(est < 8 * 5 * p * p, "B=" + b + ": " + est + " bytes includes the dense p x p pivot");
            if (b <= 256) assertTrue(est < 8 * p * p, "B=" + b + ": " + est + " bytes is the size of one p x p matrix or more");
            assertTrue(est >= 8 * 4 * m * m, "B=" + b + ": the capacitance working set is missing: " + est);
        }
        assertTrue(SolveMemory.estimateBytes(anchor, 64) < 400_000_000L, "B=64 should need well under 1 GB");
    }
}
