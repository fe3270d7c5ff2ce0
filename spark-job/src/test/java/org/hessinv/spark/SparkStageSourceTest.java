package org.hessinv.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.hessinv.curvature.Curvature;
import org.hessinv.curvature.ExampleBatch;
import org.hessinv.curvature.ExampleSweep;
import org.hessinv.curvature.LayerStage;
import org.hessinv.curvature.StageRecord;
import org.hessinv.model.Example;
import org.hessinv.model.ModelSpec;
import org.hessinv.model.Network;
import org.hessinv.solve.RiccatiSolution;
import org.hessinv.solve.RiccatiSolver;
import org.hessinv.solve.SweepProgress;
import org.hessinv.testing.RandomProblems;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The layer ranges pulled from Spark (the next one prefetched in the background) give the solver exactly the stages of
 * the in-process batch: the Riccati solution over {@link SparkStageSource} has the bits of the one over
 * {@link ExampleBatch}, for the plain sweeps (down the ranges and up again, each range pulled once per walk) and for a
 * checkpointed sweep, whose segments walk back up and down again.
 */
class SparkStageSourceTest {
    private static final String SPEC = "{\"input\": 3, \"layers\": [{\"type\": \"dense\", \"units\": 4, \"activation\": \"tanh\"},"
            + " {\"type\": \"residual\", \"activation\": \"tanh\", \"repeat\": 8}], \"head\": {\"type\": \"mse\", \"outputs\": 2}}";
    private static SparkSession spark;

    @BeforeAll
    static void start() {
        spark = SparkSession.builder().master("local[2]").appName("SparkStageSourceTest").config("spark.ui.enabled", "false").getOrCreate();
    }

    @AfterAll
    static void stop() { spark.stop(); }

    private static void assertSameBits(double[] expected, double[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(Double.doubleToRawLongBits(expected[i]), Double.doubleToRawLongBits(actual[i]), what + "[" + i + "]");
        }
    }

    @Test
    void prefetchedRangesGiveTheInProcessSolution() {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Network net = ModelSpec.parse(SPEC);
        SplittableRandom rng = new SplittableRandom(5);
        List<Example> examples = RandomProblems.examples(rng, net, 12);
        double[] x = RandomProblems.parameters(rng, net, 0.8);
        ExampleBatch batch = new ExampleBatch(net, x, examples, Curvature.HESSIAN);
        double[] r = batch.gradient();
        int stages = net.stageCount();
        List<LayerBatch> layers = new ArrayList<>();
        for (int l = 0; l < stages; l++) {
            List<StageRecord> records = new ArrayList<>();
            for (Example e : examples) records.add(new ExampleSweep(net, x, e, 1.0 / examples.size()).record(l, Curvature.HESSIAN));
            layers.add(new LayerBatch(l, records, LayerStage.sumS(net, x, l, records)));
        }
        LayerRangePartitioner ranges = new LayerRangePartitioner(stages, 4);
        JavaRDD<LayerBatch> rdd = sc.parallelize(layers, 2).mapToPair(b -> new scala.Tuple2<>(b.layer(), b)).partitionBy(ranges).values().cache();

        RiccatiSolution expected = RiccatiSolver.solve(batch, 0.05, r, SweepProgress.NONE);
        SparkStageSource source = new SparkStageSource(net, x, rdd, ranges);
        RiccatiSolution plain = RiccatiSolver.solve(source, 0.05, r, SweepProgress.NONE);
        assertSameBits(expected.direction(), plain.direction(), "direction");
        assertSameBits(new double[] {expected.logAbsDet()}, new double[] {plain.logAbsDet()}, "log|det|");
        // down the ranges for the backward sweep, up again for the forward one (range 0 is still held): no pull wasted by the prefetch
        assertEquals(2 * ranges.numPartitions() - 1, source.pulls(), "pulls");

        SparkStageSource segmented = new SparkStageSource(net, x, rdd, ranges);
        RiccatiSolution checkpointed = RiccatiSolver.solve(segmented, 0.05, r, SweepProgress.NONE, org.hessinv.solve.SweepOptions.DEFAULT.withSegment(3));
        assertSameBits(expected.direction(), checkpointed.direction(), "checkpointed direction");
    }
}
