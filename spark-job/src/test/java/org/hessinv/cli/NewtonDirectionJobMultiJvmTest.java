package org.hessinv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.sql.SparkSession;
import org.hessinv.curvature.Curvature;
import org.hessinv.curvature.ExampleBatch;
import org.hessinv.io.Npy;
import org.hessinv.model.Example;
import org.hessinv.model.ModelSpec;
import org.hessinv.model.Network;
import org.hessinv.solve.RiccatiSolution;
import org.hessinv.solve.RiccatiSolver;
import org.hessinv.solve.SweepProgress;
import org.hessinv.testing.LocalCluster;
import org.hessinv.testing.RandomProblems;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job with executors in JVMs of their own ({@code local-cluster[2,1,1024]}, see LocalClusterSmokeTest
 * for the set-up) and the Kryo serializer: the same direction as the in-process engine.
 */
@Tag("spark")
class NewtonDirectionJobMultiJvmTest {
    /** As in NewtonDirectionJobTest: only the gradient's summation order may differ. */
    private static final double SAME_ANSWER = 1e-12;
    private static final String SPEC = "{\"input\": 3, \"layers\": [{\"type\": \"dense\", \"units\": 4, \"activation\": \"silu\"},"
            + " {\"type\": \"residual\", \"activation\": \"tanh\", \"repeat\": 4}], \"head\": {\"type\": \"softmax\", \"classes\": 3}}";

    @Test
    @Timeout(180)
    void separateExecutorJvmsGiveTheInProcessDirection(@TempDir Path dir) throws Exception {
        Network net = ModelSpec.parse(SPEC);
        List<Example> examples = RandomProblems.examples(new SplittableRandom(21), net, 30);
        Files.writeString(dir.resolve("model.json"), SPEC);
        NewtonDirectionJobTest.writeCsv(dir.resolve("data.csv"), examples, -1, Double.NaN);
        SparkSession spark = LocalCluster.start("NewtonDirectionJobMultiJvmTest");
        try {
            Path out = dir.resolve("out");
            int code = NewtonDirectionJob.run(new String[] {"--model", dir.resolve("model.json").toString(), "--init-seed", "2",
                    "--data", dir.resolve("data.csv").toString(), "--curvature-batch", "all", "--damping", "0.01",
                    "--partitions", "3", "--out", out.toString()}, spark);
            assertEquals(0, code);
            assertTrue(spark.sparkContext().getExecutorMemoryStatus().size() >= 2, "executors did not run in their own JVMs");
            double[] d = Npy.read(out.resolve("direction.npy"));
            ExampleBatch batch = new ExampleBatch(net, net.initialParameters(2), examples, Curvature.HESSIAN);
            RiccatiSolution expected = RiccatiSolver.solve(batch, 0.01, batch.gradient(), SweepProgress.NONE);
            double diff = RandomProblems.relativeError(d, expected.direction());
            assertTrue(diff <= SAME_ANSWER, "relative difference " + diff);
        } finally {
            spark.stop();
        }
    }
}
