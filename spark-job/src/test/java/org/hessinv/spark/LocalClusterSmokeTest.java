package org.hessinv.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.hessinv.curvature.ExampleSweep;
import org.hessinv.data.GaussianMixture;
import org.hessinv.model.Example;
import org.hessinv.model.ModelSpec;
import org.hessinv.model.Network;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The multi-JVM setup of the test run: master {@code local-cluster[2,1,1024]} starts a Master and two
 * Workers inside this JVM, and the Workers launch two executor JVMs from SPARK_HOME/jars (prepared by
 * the pom: target/spark-home) plus target/classes and target/test-classes. Tasks there run the engine
 * and report their process ids, which must differ from this (the driver's) pid.
 */
@Tag("spark")
class LocalClusterSmokeTest {
    private static final String SPEC = "{\"input\": 5, \"layers\": [{\"type\": \"dense\", \"units\": 4, \"activation\": \"tanh\"},"
            + " {\"type\": \"residual\", \"activation\": \"tanh\", \"repeat\": 3}], \"head\": {\"type\": \"softmax\", \"classes\": 3}}";

    /** One task's report: executor pid, example index, the engine's loss there, the executor's OPENBLAS_NUM_THREADS. */
    record Report(long pid, int index, double loss, String openblas) implements java.io.Serializable {}

    static double loss(int i) {
        Network net = ModelSpec.parse(SPEC);
        Example e = new GaussianMixture(5, 3, 2.0, 1.0, 17).example(i);
        return new ExampleSweep(net, net.initialParameters(3), e, 1.0).loss();
    }

    @Test
    @Timeout(120)
    void executorsRunTheEngineInJvmsOfTheirOwn() throws Exception {
        String jvmOptions = System.getProperty("hessinv.sparkJvmOptions");
        assertNotNull(jvmOptions, "surefire must pass -Dhessinv.sparkJvmOptions (spark-job/pom.xml)");
        String sparkHome = System.getenv("SPARK_HOME");
        assertNotNull(sparkHome, "surefire must set SPARK_HOME (spark-job/pom.xml)");
        assertTrue(Files.isDirectory(Path.of(sparkHome, "jars")), sparkHome + "/jars is missing: run the tests through Maven");
        assertEquals("2.13", System.getenv("SPARK_SCALA_VERSION"));
        assertEquals("127.0.0.1", System.getenv("SPARK_LOCAL_IP"));
        assertEquals("1", System.getenv("OPENBLAS_NUM_THREADS"), "the parent pom's surefire environment must still apply");
        String classes = Path.of("target", "classes").toAbsolutePath() + File.pathSeparator
                + Path.of("target", "test-classes").toAbsolutePath();
        SparkConf conf = new SparkConf()
                .setMaster("local-cluster[2,1,1024]")
                .setAppName("LocalClusterSmokeTest")
                .set("spark.executor.extraClassPath", classes)
                .set("spark.executor.extraJavaOptions", jvmOptions)
                .set("spark.executor.memory", "512m")
                .set("spark.executorEnv.OPENBLAS_NUM_THREADS", "1")
                .set("spark.ui.enabled", "false");
        long driverPid = ProcessHandle.current().pid();
        try (JavaSparkContext sc = new JavaSparkContext(conf)) {
            // Wait for both executors (the driver counts as one more entry).
            long deadline = System.nanoTime() + 90_000_000_000L;
            while (sc.sc().getExecutorMemoryStatus().size() < 3) {
                assertTrue(System.nanoTime() < deadline, "the 2 executors did not register in 90 s; see target/spark-home and the Worker logs");
                Thread.sleep(100);
            }
            List<Report> reports = sc.parallelize(IntStream.range(0, 8).boxed().toList(), 8).map(i -> {
                double loss = loss(i);
                Thread.sleep(150); // long enough that both executors take tasks
                return new Report(ProcessHandle.current().pid(), i, loss, System.getenv("OPENBLAS_NUM_THREADS"));
            }).collect();
            assertEquals(8, reports.size());
            Set<Long> pids = reports.stream().map(Report::pid).collect(Collectors.toCollection(TreeSet::new));
            assertFalse(pids.contains(driverPid), "a task ran in the driver JVM " + driverPid + ": " + pids);
            assertEquals(2, pids.size(), "expected the tasks in 2 executor JVMs, got pids " + pids);
            for (Report r : reports) {
                assertEquals(loss(r.index()), r.loss(), 1e-12 * Math.max(1, Math.abs(r.loss())), "engine loss of example " + r.index());
                assertEquals("1", r.openblas());
            }
        }
    }
}
