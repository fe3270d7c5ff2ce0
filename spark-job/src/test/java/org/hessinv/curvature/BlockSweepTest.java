package org.hessinv.curvature;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.hessinv.model.Activation;
import org.hessinv.model.Example;
import org.hessinv.model.Head;
import org.hessinv.model.HiddenLayer;
import org.hessinv.model.MseHead;
import org.hessinv.model.Network;
import org.hessinv.model.Parameterization;
import org.hessinv.model.SoftmaxHead;
import org.hessinv.testing.RandomProblems;
import org.hessinv.testing.SquareProblems;
import org.junit.jupiter.api.Test;

/**
 * The blocked sweep against the per-example {@link ExampleSweep}: loss, gradient, outputs and hits on random
 * networks mixing every stage kind (dense, residual, square gain and bias layers, mse heads full / gain / bias,
 * softmax), blocks of 1..300 examples, the data cut into blocks with a ragged last one.
 *
 * <p>Bound: both paths evaluate the same expressions on the same operands except for the order of the
 * additions inside each dot product (length at most max(width, B)) and of the block sums, and tanh (within
 * 4 ulp of Math.tanh, i.e. a relative change below 1e-15 of each activation). A reordered sum of
 * m terms differs by at most ~2 m eps sum|terms|, and the stages propagate such differences with gains of
 * order one on these networks (weights ~ N(0, 1/inputs), depth <= 10); with m <= 300 and eps = 1.1e-16 the
 * difference of each quantity is below ~1e-12 of its natural scale: sum_i |loss_i| for the loss, sum_i ||w
 * grad_i|| for the gradient (a scale free of the cancellation between examples). Measured: 1e-16..1e-14.
 */
class BlockSweepTest {
    private static final double TOL = 1e-12;

    /** A network mixing dense, residual and square (gain/bias, frozen W) layers and a head of kind {@code head}. */
    static Network mixed(SplittableRandom rng, int head) {
        int input = 3 + rng.nextInt(3);
        List<HiddenLayer> layers = new ArrayList<>();
        Activation[] acts = Activation.values();
        int width = input;
        int hidden = 3 + rng.nextInt(6);
        for (int l = 0; l < hidden; l++) {
            Activation s = acts[rng.nextInt(acts.length)];
            switch (rng.nextInt(4)) {
                case 0 -> { int u = 2 + rng.nextInt(4); layers.add(HiddenLayer.dense(width, u, s)); width = u; }
                case 1 -> layers.add(HiddenLayer.residual(width, s));
                default -> {
                    int u = 2 + rng.nextInt(4);
                    Parameterization p = rng.nextBoolean() ? Parameterization.GAIN : Parameterization.BIAS;
                    layers.add(HiddenLayer.square(width, u, s, p, SquareProblems.frozen(rng, u, width)));
                    width = u;
                }
            }
        }
        Head h = switch (head) {
            case 0 -> new MseHead(width, 1 + rng.nextInt(3));
            case 1 -> new MseHead(width, 1, Parameterization.GAIN, SquareProblems.frozen(rng, 1, width));
            case 2 -> new MseHead(width, 2, Parameterization.BIAS, SquareProblems.frozen(rng, 2, width));
            default -> new SoftmaxHead(width, 2 + rng.nextInt(3));
        };
        return new Network(input, layers, h);
    }

    private static double[] initial(SplittableRandom rng, Network net) {
        double[] x = net.initialParameters(rng.nextLong());
        for (int i = 0; i < x.length; i++) x[i] += 0.3 * Network.gaussian(rng);
        return x;
    }

    /** Checks the blocked loss, gradient, outputs and hits of {@code examples} cut into blocks of {@code size}. */
    private static double[] check(Network net, double[] x, List<Example> examples, int size) {
        int p = net.paramCount();
        double w = 1.0 / examples.size();
        double[] refGrad = new double[p];
        double refLoss = 0, lossScale = 0, gradScale = 0, refHits = 0;
        for (Example e : examples) {
            ExampleSweep s = new ExampleSweep(net, x, e, w);
            double[] gi = new double[p];
            s.accumulateGradient(gi);
            for (int i = 0; i < p; i++) refGrad[i] += gi[i];
            gradScale += RandomProblems.norm(gi);
            refLoss += s.loss();
            lossScale += Math.abs(s.loss());
            refHits += net.head().hit(s.output(), e.response());
        }
        BlockSweep block = new BlockSweep(net, x, size);
        double[] grad = new double[p];
        double loss = 0, lossOnly = 0, hits = 0, outErr = 0;
        for (int b0 = 0; b0 < examples.size(); b0 += size) {
            List<Example> blk = examples.subList(b0, Math.min(examples.size(), b0 + size));
            lossOnly += block.loss(blk);
            for (int e = 0; e < blk.size(); e++) {
                double[] ref = net.output(x, blk.get(e).features());
                double[] got = block.output(e);
                for (int j = 0; j < ref.length; j++) outErr = Math.max(outErr, Math.abs(got[j] - ref[j]) / Math.max(1, Math.abs(ref[j])));
            }
            double[] lh = block.lossAndHits(blk);
            hits += lh[1];
            loss += block.lossAndGradient(blk, w, grad);
        }
        double gErr = 0;
        for (int i = 0; i < p; i++) gErr += (grad[i] - refGrad[i]) * (grad[i] - refGrad[i]);
        gErr = Math.sqrt(gErr) / gradScale;
        double lErr = Math.abs(loss - refLoss) / lossScale;
        double l2Err = Math.abs(lossOnly - refLoss) / lossScale;
        assertTrue(gErr <= TOL, "gradient " + gErr + " block " + size + " " + net.describe());
        assertTrue(lErr <= TOL && l2Err <= TOL, "loss " + lErr + ", " + l2Err);
        assertTrue(outErr <= TOL, "outputs " + outErr);
        if (net.head() instanceof SoftmaxHead) assertEquals(refHits, hits, 1e-9 + 0.0); else assertTrue(Double.isNaN(hits));
        return new double[] {gErr, lErr, outErr};
    }

    @Test
    void matchesThePerExampleSweepOnEveryStageKindAndBlockSize() {
        SplittableRandom rng = new SplittableRandom(20261201);
        int[] sizes = {1, 2, 3, 7, 16, 64, 100, 255, 256, 300};
        double worst = 0;
        for (int trial = 0; trial < 24; trial++) {
            Network net = mixed(rng, trial % 4);
            double[] x = initial(rng, net);
            int count = 1 + rng.nextInt(700);
            List<Example> examples = RandomProblems.examples(rng, net, count);
            for (int size : sizes) worst = Math.max(worst, check(net, x, examples, size)[0]);
        }
        System.out.println("BlockSweepTest: worst gradient difference / sum_i ||w grad_i|| = " + worst);
    }

    @Test
    void matchesOnTheRandomAndSquareProblemsOfTheOtherTests() {
        SplittableRandom rng = new SplittableRandom(7);
        for (int trial = 0; trial < 6; trial++) {
            Network net = trial < 3 ? RandomProblems.network(rng, 4, 6, trial % 2 == 0) : SquareProblems.network(rng, 3, 4, 5);
            double[] x = trial < 3 ? RandomProblems.parameters(rng, net, 0.7) : SquareProblems.parameters(rng, net);
            List<Example> examples = RandomProblems.examples(rng, net, 513);
            for (int size : new int[] {1, 5, 256}) check(net, x, examples, size);
        }
    }

    @Test
    void deepNarrowPresetBlockOf256() {
        List<HiddenLayer> layers = new ArrayList<>();
        layers.add(HiddenLayer.dense(16, 16, Activation.TANH));
        for (int l = 0; l < 63; l++) layers.add(HiddenLayer.residual(16, Activation.TANH));
        Network net = new Network(16, layers, new MseHead(16, 1));
        SplittableRandom rng = new SplittableRandom(3);
        double[] x = net.initialParameters(0);
        List<Example> examples = RandomProblems.examples(rng, net, 600);
        double[] err = check(net, x, examples, BlockSweep.BLOCK_SIZE);
        System.out.println("BlockSweepTest deep-narrow: gradient " + err[0] + ", loss " + err[1] + ", outputs " + err[2]);
    }
}
