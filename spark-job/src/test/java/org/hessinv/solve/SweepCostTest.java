package org.hessinv.solve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.hessinv.model.Activation;
import org.hessinv.model.HiddenLayer;
import org.hessinv.model.MseHead;
import org.hessinv.model.Network;
import org.junit.jupiter.api.Test;

/** The flop model counted by hand from the block shapes (see SweepCost's list of products). */
class SweepCostTest {
    @Test
    void countsTheSweepsProductsFromTheShapes() {
        // stage 1: residual 4 -> 4 (p = 20 = B units: not a capacitance stage; no input state); stage 2: mse head 4 -> 1 (p = 5)
        Network net = new Network(4, List.of(HiddenLayer.residual(4, Activation.TANH)), new MseHead(4, 1));
        int b = 5;
        double n1 = 20, p1 = 20;
        // V Bs in Kronecker form 2 n B p, Bs^T V Bs 2 B p^2, gemv terms
        double stage1Gemm = 2 * n1 * b * p1 + 2 * b * p1 * p1 + 2 * n1 * p1 + 2 * n1 * 4;
        double n2 = 5, m2 = 20, p2 = 5, a2 = 1;
        double stage2Gemm = 2 * n2 * b * p2 + 2 * b * p2 * p2
                + 2 * m2 * p2 * p2 + m2 * m2 * p2                               // W, K^T; V = Qss - W W^T
                + 2 * m2 * p2 * a2 + 2 * n2 * m2 * a2 + 2 * m2 * m2 * a2         // Qsd, Qss
                + 2 * n2 * p2 + 2 * p2 * m2 + 2 * m2 * p2 + 2 * n2 * a2;
        SweepCost c = SweepCost.of(net, b);
        assertFalse(c.capacitance());
        assertEquals(stage1Gemm + stage2Gemm, c.gemmFlops(), 1e-9);
        assertEquals((p1 * p1 * p1 + p2 * p2 * p2) / 3, c.factorFlops(), 1e-9);
    }

    @Test
    void costsAWideFirstStageThroughItsCapacitance() {
        // stage 1: dense 9 -> 2 (p = 20 > B units = 6: a capacitance stage, no input state); stage 2: mse head 2 -> 1 (p = 3)
        Network net = new Network(9, List.of(HiddenLayer.dense(9, 2, Activation.TANH)), new MseHead(2, 1));
        int b = 3;
        double n1 = 6, p1 = 20, c1 = 6;
        // no V Bs (no input state); Cap = delta I + Rf M Rf^T on its lower unit blocks: M Rf^T on the block rows
        // below each of the 2 column blocks (2 (6 + 3) 3^2 flops), then Rz times 3 blocks (3 x 2 x 3^3); gemv terms
        double stage1Gemm = 2 * (6 + 3) * 9 + 3 * 2 * 27 + 2 * n1 * p1 + 2 * n1 * 2;
        double n2 = 3, m2 = 6, p2 = 3, a2 = 1;
        double stage2Gemm = 2 * n2 * b * p2 + 2 * b * p2 * p2 + 2 * m2 * p2 * p2 + m2 * m2 * p2
                + 2 * m2 * p2 * a2 + 2 * n2 * m2 * a2 + 2 * m2 * m2 * a2
                + 2 * n2 * p2 + 2 * p2 * m2 + 2 * m2 * p2 + 2 * n2 * a2;
        SweepCost c = SweepCost.of(net, b);
        assertTrue(c.capacitance());
        assertEquals(stage1Gemm + stage2Gemm, c.gemmFlops(), 1e-9);
        assertEquals((c1 * c1 * c1 + p2 * p2 * p2) / 3, c.factorFlops(), 1e-9);
    }
}
