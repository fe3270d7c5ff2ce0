package org.hessinv.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.hessinv.curvature.Curvature;
import org.hessinv.curvature.ExampleSweep;
import org.hessinv.linalg.ReproducibleSum;
import org.hessinv.model.Example;
import org.hessinv.model.ModelSpec;
import org.hessinv.model.Network;
import org.hessinv.solve.SweepProgress;
import org.hessinv.testing.RandomProblems;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The pipeline in local[2]: loss, gradient, direction, log|det| and residual are bit-identical for 1, 3
 * and 7 partitions (and input slices), and between two runs of one configuration; the loss and gradient are
 * the bits of an in-process binned sum of the same per-example contributions.
 */
class ReproducibleDirectionTest {
    private static final String SPEC = "{\"input\": 3, \"layers\": [{\"type\": \"dense\", \"units\": 4, \"activation\": \"tanh\"},"
            + " {\"type\": \"residual\", \"activation\": \"gelu\", \"repeat\": 5}], \"head\": {\"type\": \"softmax\", \"classes\": 3}}";
    private static final int ROWS = 400;
    private static SparkSession spark;
    private static Network net;
    private static List<Example> examples;
    private static double[] x;

    @BeforeAll
    static void start() {
        spark = SparkSession.builder().master("local[2]").appName("ReproducibleDirectionTest")
                .config("spark.ui.enabled", "false").getOrCreate();
        net = ModelSpec.parse(SPEC);
        SplittableRandom rng = new SplittableRandom(41);
        examples = RandomProblems.examples(rng, net, ROWS);
        x = RandomProblems.parameters(rng, net, 0.8);
    }

    @AfterAll
    static void stop() { spark.stop(); }

    private static NewtonDirectionPipeline.Result run(int slices, int partitions) {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        return NewtonDirectionPipeline.run(sc, new NewtonDirectionPipeline.Request(net, x, sc.parallelize(examples, slices),
                Curvature.HESSIAN, 0.01, 48, 7, null, partitions, SweepProgress.NONE));
    }

    private static void assertSameBits(double[] expected, double[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(Double.doubleToRawLongBits(expected[i]), Double.doubleToRawLongBits(actual[i]),
                    what + "[" + i + "]: " + expected[i] + " vs " + actual[i]);
        }
    }

    private static void assertSameBits(NewtonDirectionPipeline.Result a, NewtonDirectionPipeline.Result b, String what) {
        assertSameBits(new double[] {a.loss()}, new double[] {b.loss()}, what + " loss");
        assertSameBits(a.gradient(), b.gradient(), what + " gradient");
        assertSameBits(a.solution().direction(), b.solution().direction(), what + " direction");
        assertSameBits(new double[] {a.solution().logAbsDet()}, new double[] {b.solution().logAbsDet()}, what + " log|det|");
        assertSameBits(new double[] {a.residual()}, new double[] {b.residual()}, what + " residual");
        assertEquals(a.solution().inertia().orElseThrow().negative(), b.solution().inertia().orElseThrow().negative(), what + " inertia");
    }

    @Test
    void sameBitsForAnyPartitioningAndRun() {
        NewtonDirectionPipeline.Result one = run(1, 1);
        assertSameBits(one, run(2, 3), "3 partitions");
        assertSameBits(one, run(5, 7), "7 partitions");
        NewtonDirectionPipeline.Result again = run(2, 3);
        assertSameBits(one, again, "3 partitions, second run");

        // the loss and gradient are the binned sum of the per-example contributions, whatever Spark did
        int p = net.paramCount();
        ReproducibleSum acc = new ReproducibleSum(p + 1);
        double w = 1.0 / ROWS;
        double[] scratch = new double[p + 1];
        for (Example e : examples) {
            Arrays.fill(scratch, 0.0);
            ExampleSweep s = new ExampleSweep(net, x, e, w);
            s.accumulateGradient(scratch);
            scratch[p] += w * s.loss();
            acc.add(scratch);
        }
        double[] expected = acc.result();
        assertSameBits(Arrays.copyOf(expected, p), one.gradient(), "in-process gradient");
        assertSameBits(new double[] {expected[p]}, new double[] {one.loss()}, "in-process loss");
    }
}
