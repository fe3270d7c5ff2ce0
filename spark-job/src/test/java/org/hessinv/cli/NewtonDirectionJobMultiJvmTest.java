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
 * for the set-up) and the Kryo serializer: the same direction as the in-process engine, and the same bits for
 * 3 and 7 partitions there and for local[2] with 5.
 */
@Tag("spark")
class NewtonDirectionJobMultiJvmTest {
    /** As in NewtonDirectionJobTest: the in-process engine sums the gradient in example order, the job binned. */
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
            assertEquals(0, run(spark, dir, 3, out));
            assertTrue(spark.sparkContext().getExecutorMemoryStatus().size() >= 2, "executors did not run in their own JVMs");
            double[] d = Npy.read(out.resolve("direction.npy"));
            ExampleBatch batch = new ExampleBatch(net, net.initialParameters(2), examples, Curvature.HESSIAN);
            RiccatiSolution expected = RiccatiSolver.solve(batch, 0.01, batch.gradient(), SweepProgress.NONE);
            double diff = RandomProblems.relativeError(d, expected.direction());
            assertTrue(diff <= SAME_ANSWER, "relative difference " + diff);
            // the same bits for another partitioning on the cluster (1 partition: spark/ReproducibleDirectionTest)
            for (int partitions : new int[] {7}) {
                Path other = dir.resolve("out-" + partitions);
                assertEquals(0, run(spark, dir, partitions, other));
                assertSameBits(out, other, partitions + " partitions on local-cluster");
            }
            // the output-space route gathers the curvature batch from the executors (Kryo): the riccati route's answer
            Path ggnRiccati = dir.resolve("out-ggn-riccati");
            Path ggnOutputSpace = dir.resolve("out-ggn-output-space");
            assertEquals(0, run(spark, dir, 3, ggnRiccati, "--curvature", "ggn", "--solver", "riccati"));
            assertEquals(0, run(spark, dir, 3, ggnOutputSpace, "--curvature", "ggn", "--solver", "output-space"));
            double routes = RandomProblems.relativeError(Npy.read(ggnOutputSpace.resolve("direction.npy")), Npy.read(ggnRiccati.resolve("direction.npy")));
            // each within FACTOR n eps kappa of the exact direction (NewtonDirectionJobTest.outputSpaceAgreesWithRiccatiAndTheDenseReference)
            int n = net.paramCount();
            double[] g = org.hessinv.testing.DenseGgn.ggn(net, net.initialParameters(2), examples);
            for (int i = 0; i < n; i++) g[i * n + i] += 0.01;
            double[] lambda = org.hessinv.solve.DenseSolver.eigenvalues(g, n);
            double tol = 2 * Math.max(1e-12, 10 * n * Math.ulp(1.0) * lambda[n - 1] / lambda[0]);
            assertTrue(routes <= tol, "output-space against riccati on local-cluster: " + routes + " > " + tol);
            assertEquals("output-space", org.hessinv.io.Json.read(ggnOutputSpace.resolve("report.json"), DirectionReport.class).solver());
            // bad input found on an executor reaches the driver as a typed cause: exit 2, one line
            NewtonDirectionJobTest.writeCsv(dir.resolve("bad.csv"), examples, 7, Double.NaN);
            org.hessinv.testing.JobRun bad = org.hessinv.testing.JobRun.of(spark, "--model", dir.resolve("model.json").toString(),
                    "--data", dir.resolve("bad.csv").toString(), "--out", dir.resolve("out-bad").toString());
            assertEquals(NewtonDirectionJob.EXIT_BAD_INPUT, bad.code(), bad.stderr());
            assertTrue(bad.lastLine().startsWith("error: ") && bad.lastLine().contains("example 7") && bad.lastLine().contains("NaN"), bad.stderr());
        } finally {
            spark.stop();
        }
        // and under another master (executors in the driver's JVM, Java serialization)
        SparkSession local = SparkSession.builder().master("local[2]").appName("NewtonDirectionJobMultiJvmTest-local")
                .config("spark.ui.enabled", "false").getOrCreate();
        try {
            Path other = dir.resolve("out-local");
            assertEquals(0, run(local, dir, 5, other));
            assertSameBits(dir.resolve("out"), other, "local[2], 5 partitions");
        } finally {
            local.stop();
        }
    }

    private static int run(SparkSession spark, Path dir, int partitions, Path out, String... extra) {
        List<String> args = new java.util.ArrayList<>(List.of("--model", dir.resolve("model.json").toString(), "--init-seed", "2",
                "--data", dir.resolve("data.csv").toString(), "--curvature-batch", "all", "--damping", "0.01",
                "--partitions", String.valueOf(partitions), "--out", out.toString()));
        args.addAll(List.of(extra));
        return NewtonDirectionJob.run(args.toArray(String[]::new), spark);
    }

    /** direction.npy byte for byte, and the report's loss, gradient norm, residual and log|det| bit for bit. */
    private static void assertSameBits(Path a, Path b, String what) throws java.io.IOException {
        assertTrue(java.util.Arrays.equals(Files.readAllBytes(a.resolve("direction.npy")), Files.readAllBytes(b.resolve("direction.npy"))),
                what + ": direction.npy differs");
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        com.fasterxml.jackson.databind.JsonNode ra = json.readTree(a.resolve("report.json").toFile());
        com.fasterxml.jackson.databind.JsonNode rb = json.readTree(b.resolve("report.json").toFile());
        for (String key : List.of("loss", "gradientNorm", "directionNorm", "residual", "logAbsDet")) {
            assertEquals(Double.doubleToRawLongBits(ra.get(key).asDouble()), Double.doubleToRawLongBits(rb.get(key).asDouble()),
                    what + ": " + key + " " + ra.get(key) + " vs " + rb.get(key));
        }
    }
}
