package org.hessinv.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.hessinv.train.OptimizerMemory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every optimizer memory written to a checkpoint folder reads back bit for bit (no Spark). */
class CheckpointMemoryTest {
    @TempDir Path dir;

    private OptimizerMemory roundTrip(String name, OptimizerMemory m, int n) throws IOException {
        Path d = Files.createDirectory(dir.resolve(name));
        Checkpoint.writeMemory(d, m);
        return Checkpoint.readMemory(d, n);
    }

    @Test
    void eachVariantReadsBackBitForBit() throws IOException {
        double[] a = {1.0 / 3, -Math.PI, 1e-300}, b = {Math.E, 0.1, -7}, c = {Math.nextUp(1.0), -0.0, 5e-324};
        assertInstanceOf(OptimizerMemory.None.class, roundTrip("none", OptimizerMemory.None.INSTANCE, 3));

        OptimizerMemory.Lbfgs l = (OptimizerMemory.Lbfgs) roundTrip("lbfgs", new OptimizerMemory.Lbfgs(4, List.of(a, b), List.of(c, a), 1), 3);
        assertEquals(4, l.capacity());
        assertEquals(1, l.failures());
        assertEquals(2, l.size());
        assertArrayEquals(a, l.steps().get(0), 0);
        assertArrayEquals(b, l.steps().get(1), 0);
        assertArrayEquals(c, l.gradientChanges().get(0), 0);
        assertArrayEquals(a, l.gradientChanges().get(1), 0);
        OptimizerMemory.Lbfgs empty = (OptimizerMemory.Lbfgs) roundTrip("lbfgs0", OptimizerMemory.Lbfgs.empty(10), 3);
        assertEquals(0, empty.size());
        assertEquals(10, empty.capacity());

        OptimizerMemory.Adam m = (OptimizerMemory.Adam) roundTrip("adam", new OptimizerMemory.Adam(7, a, c), 3);
        assertEquals(7, m.t());
        assertArrayEquals(a, m.m(), 0);
        assertArrayEquals(c, m.v(), 0);

        OptimizerMemory.HessianFree h = (OptimizerMemory.HessianFree) roundTrip("hf", new OptimizerMemory.HessianFree(b), 3);
        assertArrayEquals(b, h.previousDirection(), 0);
        // -0.0 and the subnormal survive: bit for bit, not just equal
        assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(m.v()[1]));
    }
}
