package org.hessinv.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.List;
import org.hessinv.model.Activation;
import org.hessinv.model.HiddenLayer;
import org.hessinv.model.MseHead;
import org.hessinv.model.Network;
import org.junit.jupiter.api.Test;

class SweepCostTest {
    @Test
    void countsTheSweepsProductsFromTheShapes() {
        // stage 1: residual 4 -> 4 (p = 20, no input state); stage 2: mse head 4 -> 1 (p = 5, output state 1)
        Network net = new Network(4, List.of(HiddenLayer.residual(4, Activation.TANH)), new MseHead(4, 1));
        int b = 3;
        double n1 = 12, p1 = 20;
        double stage1Gemm = 2 * n1 * n1 * p1 + 2 * p1 * p1 * n1 + 2 * n1 * p1 + 2 * n1 * 4;
        double n2 = 3, m2 = 12, p2 = 5, a2 = 1;
        double stage2Gemm = 2 * n2 * n2 * p2 + 2 * p2 * p2 * n2 + 2 * p2 * p2 * m2
                + 2 * m2 * p2 * a2 + 2 * n2 * m2 * a2 + 2 * m2 * m2 * a2 + 2 * m2 * m2 * p2
                + 2 * n2 * p2 + 2 * p2 * m2 + 2 * m2 * p2 + 2 * n2 * a2;
        SweepCost c = SweepCost.of(net, b);
        assertFalse(c.capacitance());
        assertEquals(stage1Gemm + stage2Gemm, c.gemmFlops(), 1e-9);
        assertEquals(p1 * p1 * p1 + p2 * p2 * p2, c.lapackFlops(), 1e-9);
        // the cost model's time estimate (a pure function of flops and rates, nothing is timed): doubling every
        // rate halves it, and the LAPACK term alone is lapackFlops / rate
        assertEquals(c.seconds(10, 0.5, 1) / 2, c.seconds(20, 0.5, 2), 1e-15 * c.seconds(10, 0.5, 1));
        assertEquals(c.lapackFlops() / 1e9, c.seconds(Double.POSITIVE_INFINITY, 1, 1), 1e-15);
    }
}
