package org.hessinv.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.hessinv.curvature.BlockSweep;
import org.hessinv.curvature.ExampleSweep;
import org.hessinv.linalg.ReproducibleSum;
import org.hessinv.model.Example;
import org.hessinv.model.Network;
import org.hessinv.testing.RandomProblems;
import org.hessinv.train.Objective;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import scala.Tuple2;

/**
 * The training job's blocked passes in local[2]: loss, loss+gradient and loss+accuracy are bit-identical for
 * 1, 3 and 7 partitions (7 splits blocks of 256 between partitions: 700 examples, boundaries every 100), equal
 * bit for bit to an in-process binned sum of the index blocks' BlockSweep terms, and within rounding of the
 * per-example sweeps; a shuffled, hash-spread RDD (every block in pieces) gives the same bits too.
 */
@Tag("spark")
class BlockedPassesTest {
    private static final int ROWS = 700;
    private static SparkSession spark;
    private static Network net;
    private static List<Example> examples;
    private static double[] x;

    @BeforeAll
    static void start() {
        spark = SparkSession.builder().master("local[2]").appName("BlockedPassesTest")
                .config("spark.ui.enabled", "false").getOrCreate();
        SplittableRandom rng = new SplittableRandom(5);
        net = RandomProblems.network(rng, 4, 6, true);
        examples = RandomProblems.examples(rng, net, ROWS);
        x = RandomProblems.parameters(rng, net, 0.8);
    }

    @AfterAll
    static void stop() { spark.stop(); }

    private static double[] passes(int slices, int partitions) {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        try (TrainingData d = TrainingData.prepare(sc, net, sc.parallelize(examples, slices), new TrainingData.Validation.None(),
                false, null, partitions)) {
            assertEquals(partitions, d.train().getNumPartitions());
            Objective.LossGradient lg = ExamplePasses.lossAndGradient(sc, d.train(), d.network(), x, ROWS);
            double loss = ExamplePasses.loss(sc, d.train(), d.network(), x, ROWS);
            double[] la = ExamplePasses.lossAndAccuracy(sc, d.train(), d.network(), x, ROWS);
            double[] out = new double[lg.gradient().length + 4];
            System.arraycopy(lg.gradient(), 0, out, 0, lg.gradient().length);
            out[out.length - 4] = lg.loss();
            out[out.length - 3] = loss;
            out[out.length - 2] = la[0];
            out[out.length - 1] = la[1];
            return out;
        }
    }

    private static void assertSameBits(double[] expected, double[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(Double.doubleToRawLongBits(expected[i]), Double.doubleToRawLongBits(actual[i]),
                    what + "[" + i + "]: " + expected[i] + " vs " + actual[i]);
        }
    }

    @Test
    void sameBitsForAnyPartitioning() {
        double[] one = passes(1, 1);
        assertSameBits(one, passes(2, 3), "3 partitions");
        assertSameBits(one, passes(5, 7), "7 partitions");

        // the binned sum of the index blocks' terms, in process
        int p = net.paramCount();
        ReproducibleSum ref = new ReproducibleSum(p + 1);
        BlockSweep sweep = new BlockSweep(net, x);
        for (int b0 = 0; b0 < ROWS; b0 += BlockSweep.BLOCK_SIZE) {
            double[] s = new double[p + 1];
            s[p] = sweep.lossAndGradient(examples.subList(b0, Math.min(ROWS, b0 + BlockSweep.BLOCK_SIZE)), 1.0 / ROWS, s);
            ref.add(s);
        }
        double[] r = ref.result();
        double[] got = new double[p + 1];
        System.arraycopy(one, 0, got, 0, p);
        got[p] = one[p] * ROWS;
        assertSameBits(java.util.Arrays.copyOf(r, p), java.util.Arrays.copyOf(got, p), "in-process blocks");
        assertEquals(r[p] / ROWS, one[p], 0.0, "loss");

        // within rounding of the per-example sweeps (bound: BlockSweepTest)
        double[] g = new double[p];
        double loss = 0, hits = 0;
        for (Example e : examples) {
            ExampleSweep s = new ExampleSweep(net, x, e, 1.0 / ROWS);
            s.accumulateGradient(g);
            loss += s.loss();
            hits += net.head().hit(s.output(), e.response());
        }
        assertTrue(RandomProblems.relativeError(java.util.Arrays.copyOf(one, p), g) < 1e-12);
        assertEquals(loss / ROWS, one[p + 1], 1e-12 * Math.abs(loss / ROWS));
        assertEquals(one[p + 1], one[p + 2], 0.0, "forward-only loss, loss of the accuracy pass");
        assertEquals(hits / ROWS, one[p + 3], 1e-15);
    }

    /** A minibatch (chosen indices, ranked 0..m-1) gives the same bits for 1 and 7 partitions, and the per-example numbers. */
    @Test
    void minibatchSameBitsForAnyPartitioning() {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        java.util.BitSet chosen = CurvatureSample.choose(ROWS, 300, 11);
        double[][] got = new double[2][];
        int[] parts = {1, 7};
        for (int k = 0; k < 2; k++) {
            try (TrainingData d = TrainingData.prepare(sc, net, sc.parallelize(examples, 3), new TrainingData.Validation.None(),
                    false, null, parts[k])) {
                Objective.LossGradient lg = ExamplePasses.lossAndGradient(sc, d.train(), d.network(), x, chosen, 300);
                got[k] = java.util.Arrays.copyOf(lg.gradient(), lg.gradient().length + 1);
                got[k][lg.gradient().length] = lg.loss();
            }
        }
        assertSameBits(got[0], got[1], "minibatch, 7 partitions");
        int p = net.paramCount();
        double[] g = new double[p];
        double loss = 0;
        for (int i = chosen.nextSetBit(0); i >= 0; i = chosen.nextSetBit(i + 1)) {
            ExampleSweep s = new ExampleSweep(net, x, examples.get(i), 1.0 / 300);
            s.accumulateGradient(g);
            loss += s.loss();
        }
        assertTrue(RandomProblems.relativeError(java.util.Arrays.copyOf(got[0], p), g) < 1e-12);
        assertEquals(loss / 300, got[0][p], 1e-12 * Math.abs(loss / 300));
    }

    @Test
    void shuffledPartitionsGiveTheSameBits() {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        List<Tuple2<Long, Example>> rows = new ArrayList<>();
        for (int i = 0; i < ROWS; i++) rows.add(new Tuple2<>((long) i, examples.get(i)));
        List<Tuple2<Long, Example>> shuffled = new ArrayList<>(rows);
        Collections.shuffle(shuffled, new java.util.Random(3));
        int p = net.paramCount();
        ReproducibleReduction.BlockContribution c = () -> {
            BlockSweep s = new BlockSweep(net, x);
            return (block, out) -> out[p] += s.lossAndGradient(block, 1.0 / ROWS, out);
        };
        double[] sorted = ReproducibleReduction.sumOverBlocks(sc.parallelize(rows, 1), ROWS, p + 1, BlockSweep.BLOCK_SIZE, c);
        double[] spread = ReproducibleReduction.sumOverBlocks(sc.parallelize(shuffled, 5), ROWS, p + 1, BlockSweep.BLOCK_SIZE, c);
        assertSameBits(sorted, spread, "shuffled over 5 partitions");
        // a missing example is refused, not summed
        Exception e = org.junit.jupiter.api.Assertions.assertThrows(Exception.class, () ->
                ReproducibleReduction.sumOverBlocks(sc.parallelize(rows.subList(1, ROWS), 2), ROWS, p + 1, BlockSweep.BLOCK_SIZE, c));
        assertTrue(String.valueOf(e.getMessage()).contains("not 0..699"), e.getMessage());
    }
}
