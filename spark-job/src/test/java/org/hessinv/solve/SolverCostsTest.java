package org.hessinv.solve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.hessinv.curvature.Curvature;
import org.hessinv.model.Activation;
import org.hessinv.model.HiddenLayer;
import org.hessinv.model.MseHead;
import org.hessinv.model.Network;
import org.hessinv.model.Parameterization;
import org.hessinv.model.SoftmaxHead;
import org.junit.jupiter.api.Test;

/** The output-space flop model counted by hand (SolverCosts' table), and the route choice it drives. */
class SolverCostsTest {
    /** The anchor (conf/models/wide-input.json): input 768, 7 dense tanh layers of width 24, softmax head of 10 classes. */
    static final Network ANCHOR = org.hessinv.model.ModelSpec.parse("{\"input\": 768, \"layers\": [{\"type\": \"dense\", \"units\": 24,"
            + " \"activation\": \"tanh\", \"repeat\": 7}], \"head\": {\"type\": \"softmax\", \"classes\": 10}}");

    @Test
    void countsTheGramFromTheShapes() {
        // stage 1: dense 3 -> 4 (FULL); stage 2: square bias 4 -> 2; stage 3: mse head 2 -> 2 (FULL); B = 5, K = 2, m = 10
        Network net = new Network(3, List.of(HiddenLayer.dense(3, 4, Activation.TANH),
                HiddenLayer.square(4, 2, Activation.TANH, Parameterization.BIAS, new double[8])), new MseHead(2, 2));
        double b = 5, m = 10, pw = 64;
        double s1 = b * (2 * 4 * 3 + 4) + 4 * m * (m + pw) + m * m + 2 * b * b * (3 + 1);
        double s2 = b * (2 * 2 * 4 + 2) + 2 * m * 2 * 4 + m * 4 + 2 * m * (m + pw) + m * 2 + m * m / 2;
        double s3 = b * (2 * 2 * 2 + 2) + 2 * m * 2 * 2 + m * 2 + 2 * m * (m + pw) + m * m + 2 * b * b * (2 + 1);
        SolverCosts.OutputSpace c = SolverCosts.outputSpace(net, 5);
        assertEquals(10, c.outputs());
        assertEquals(s1 + s2 + s3, c.gramFlops(), 1e-9);
        assertEquals(m * m * m / 3, c.choleskyFlops(), 1e-9);
        assertEquals(10 * m * m * m / 3, c.eigenFlops(), 1e-9);
        double passes = b * (24 * net.paramCount() + 10 * 4);
        assertEquals(4 * m * m + passes, c.solveFlops(), 1e-9);
        assertEquals(8 * m * m + passes, c.eigenSolveFlops(), 1e-9);
    }

    @Test
    void manyDampingsTakeTheEigendecomposition() {
        SolverCosts.OutputSpace c = SolverCosts.outputSpace(ANCHOR, 128);
        assertFalse(c.prefersEigen(1));
        assertTrue(c.prefersEigen(1000));
        assertTrue(c.totalFlops(1000) < 1000 * (c.choleskyFlops() + c.solveFlops()));
    }

    @Test
    void picksTheCheaperRoute() {
        Network anchor = ANCHOR;
        // m = 1280 outputs against n = 22,306 parameters and 8 capacitance stages: the output space wins by ~60x
        assertEquals(SolverCosts.Route.OUTPUT_SPACE, SolverCosts.cheaper(anchor, 128, Curvature.GGN, 1e-3, 1));
        // it does not apply to the Hessian or without damping
        assertEquals(SolverCosts.Route.RICCATI, SolverCosts.cheaper(anchor, 128, Curvature.HESSIAN, 1e-3, 1));
        assertEquals(SolverCosts.Route.RICCATI, SolverCosts.cheaper(anchor, 128, Curvature.GGN, 0.0, 1));
        // a small network with many classes and a large batch: m = 4000 x 10 outputs >> n = 202, Riccati is cheaper
        Network small = new Network(4, List.of(HiddenLayer.dense(4, 8, Activation.TANH), HiddenLayer.residual(8, Activation.TANH)),
                new SoftmaxHead(8, 10));
        assertEquals(SolverCosts.Route.RICCATI, SolverCosts.cheaper(small, 4000, Curvature.GGN, 1e-3, 1));
    }
}
