package org.hessinv.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.sql.SparkSession;
import org.hessinv.io.Npy;
import org.hessinv.model.Example;
import org.hessinv.model.ModelSpec;
import org.hessinv.model.Network;
import org.hessinv.testing.LocalCluster;
import org.hessinv.testing.RandomProblems;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Training with executors in JVMs of their own ({@code local-cluster[2,1,1024]}): an executor killed (SIGKILL)
 * in the middle of a run does not stop it, and Spark's recomputation of the lost partitions (in index order,
 * summed in partition order) gives the same final parameters, bit for bit, as a run without the kill.
 */
@Tag("spark")
class TrainJobMultiJvmTest {
    private static final String SPEC = "{\"input\": 3, \"layers\": [{\"type\": \"dense\", \"units\": 6, \"activation\": \"tanh\"},"
            + " {\"type\": \"residual\", \"activation\": \"tanh\", \"repeat\": 3}], \"head\": {\"type\": \"softmax\", \"classes\": 3}}";

    @Test
    @Timeout(300)
    void anExecutorKilledMidRunLeavesTheResultUnchanged(@TempDir Path dir) throws Exception {
        Network net = ModelSpec.parse(SPEC);
        List<Example> examples = RandomProblems.examples(new SplittableRandom(8), net, 3000);
        Files.writeString(dir.resolve("model.json"), SPEC);
        NewtonDirectionJobTest.writeCsv(dir.resolve("data.csv"), examples, -1, Double.NaN);
        SparkSession spark = LocalCluster.start("TrainJobMultiJvmTest");
        try {
            String[] common = {"--model", dir.resolve("model.json").toString(), "--data", dir.resolve("data.csv").toString(),
                "--init-seed", "1", "--steps", "12", "--curvature-batch", "64", "--partitions", "4", "--checkpoint-every", "1"};
            Path quiet = dir.resolve("quiet");
            assertEquals(0, TrainJob.run(concat(common, "--out", quiet.toString()), spark));

            Path killed = dir.resolve("killed");
            AtomicInteger kills = new AtomicInteger();
            Thread killer = new Thread(() -> {
                try {
                    // once step 3's checkpoint is written, SIGKILL one executor JVM
                    Path state = killed.resolve("checkpoint").resolve("state.json");
                    for (int i = 0; i < 6000; i++) {
                        if (Files.exists(state) && Files.readString(state).matches("(?s).*\"step\" : ([3-9]|1[0-9]).*")) break;
                        Thread.sleep(10);
                    }
                    ProcessHandle.current().descendants()
                            .filter(p -> p.info().commandLine().orElse("").contains("CoarseGrainedExecutorBackend"))
                            .findFirst().ifPresent(p -> {
                                p.destroyForcibly();
                                kills.incrementAndGet();
                            });
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            killer.start();
            assertEquals(0, TrainJob.run(concat(common, "--out", killed.toString()), spark), "the run survives a lost executor");
            killer.join();
            assertEquals(1, kills.get(), "an executor was killed during the run");
            assertArrayEquals(Npy.read(quiet.resolve("params.npy")), Npy.read(killed.resolve("params.npy")), 0,
                    "final parameters bit for bit");
            assertTrue(Files.readString(killed.resolve("report.json")).contains("\"steps\" : 12"));
        } finally {
            spark.stop();
        }
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
