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
}
