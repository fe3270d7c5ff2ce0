package org.hessinv.linalg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.hessinv.model.ModelSpec;
import org.hessinv.model.Network;
import org.hessinv.solve.SolveMemory;
import org.junit.jupiter.api.Test;

/** G1's footprint of arrays, counted by hand from its rules (region = heap / 2048 as a power of two in 1..32 MB; humongous from half a region, header included). */
class HeapFootprintTest {
    private static final long MB = 1L << 20;

    @Test
    void regionSizeFollowsTheHeap() {
        assertEquals(MB, HeapFootprint.ofHeap(1L << 30).regionBytes(), "1 GB heap: 512 KB target, at least 1 MB");
        assertEquals(2 * MB, HeapFootprint.ofHeap(4L << 30).regionBytes(), "4 GB heap: 2 MB regions");
        assertEquals(4 * MB, HeapFootprint.ofHeap(6L << 30).regionBytes(), "6 GB: 3 MB target rounded up to 4 MB");
        assertEquals(32 * MB, HeapFootprint.ofHeap(1L << 40).regionBytes(), "at most 32 MB");
    }

    @Test
    void largeArraysTakeWholeRegionsWithTheirHeader() {
        HeapFootprint fp = new HeapFootprint(2 * MB);
        assertEquals(8 * 1000, fp.doubles(1000), "small arrays are packed: their size");
        assertEquals(4 * MB, fp.doubles(1 << 18), "a double[2^18] is 2 MB + 16 bytes of header: two 2 MB regions");
        assertEquals(2 * MB, fp.doubles((1 << 17) + 1), "just over half a region: one whole region");
        assertEquals(8L * 12345, HeapFootprint.EXACT.doubles(12345), "EXACT counts 8 n");
    }

    @Test
    void theEstimateInRegionsIsNeverBelowTheExactOne() {
        Network net = ModelSpec.parse("{\"input\": 40, \"layers\": ["
                + "{\"type\": \"dense\", \"units\": 16, \"activation\": \"tanh\"},".repeat(8)
                + "{\"type\": \"dense\", \"units\": 16, \"activation\": \"tanh\"}], \"head\": {\"type\": \"mse\", \"outputs\": 1}}");
        for (long batch : new long[] {8, 64, 256}) {
            long exact = SolveMemory.estimateBytes(net, batch, net.stageCount());
            long regions = SolveMemory.estimateBytes(net, batch, net.stageCount(), 2 * MB);
            assertTrue(regions >= exact, batch + ": " + regions + " < " + exact);
        }
        // at batch 256 the state Hessians (B a)^2 = 4096^2 doubles are 128 MB each: whole 2 MB regions plus one for the header
        assertTrue(SolveMemory.estimateBytes(net, 256, net.stageCount(), 2 * MB) > SolveMemory.estimateBytes(net, 256, net.stageCount()));
    }
}
