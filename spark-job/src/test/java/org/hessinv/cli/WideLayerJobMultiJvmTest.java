package org.hessinv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.Locale;
import org.apache.spark.sql.SparkSession;
import org.hessinv.curvature.Curvature;
import org.hessinv.io.Npy;
import org.hessinv.testing.LocalCluster;
import org.hessinv.testing.Dense;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The wide-first-layer job ({@link WideLayerJobTest}'s softmax problem, Hessian, damping 0.05) with executors in
 * JVMs of their own ({@code local-cluster[2,1,1024]}, set up as in NewtonDirectionJobMultiJvmTest) and the Kryo
 * serializer: the capacitance stage's records and its null {@code summedS} cross JVM boundaries. Direction, log|det|
 * and inertia against the same dense LAPACK reference and with the same tolerances as WideLayerJobTest.
 */
@Tag("spark")
class WideLayerJobMultiJvmTest {
    private static final double EPS = Math.ulp(1.0);
    private static final double DAMPING = 0.05;

    @Test
    @Timeout(180)
    void separateExecutorJvmsMatchTheDenseReference(@TempDir Path dir) throws Exception {
        WideLayerJobTest.Problem p = WideLayerJobTest.problem(dir, "softmax", WideLayerJobTest.SOFTMAX, 31);
        WideLayerJobTest.Reference ref = WideLayerJobTest.reference(p, Curvature.HESSIAN, DAMPING);
        int n = ref.n();
        double kappa = ref.kappa();
        double dirTol = 10 * n * EPS * kappa + kappa * ref.gradientRoundoff();
        double logdetTol = 10.0 * n * n * EPS * kappa;

        SparkSession spark = LocalCluster.start("WideLayerJobMultiJvmTest");
        try {
            Path out = dir.resolve("out");
            int code = NewtonDirectionJob.run(WideLayerJobTest.args(p, "hessian", DAMPING, out, "--partitions", "3"), spark);
            assertEquals(0, code);
            assertTrue(spark.sparkContext().getExecutorMemoryStatus().size() >= 2, "executors did not run in their own JVMs");
            double[] d = Npy.read(out.resolve("direction.npy"));
            JsonNode report = new ObjectMapper().readTree(out.resolve("report.json").toFile());
            double err = Dense.relativeError(d, ref.direction());
            System.out.printf(Locale.ROOT, "local-cluster: |d - d_ref|/|d_ref| = %.2e (tol %.2e)%n", err, dirTol);
            assertTrue(err <= dirTol, "direction differs from the dense reference by " + err + " > " + dirTol);
            assertEquals(ref.logAbsDet(), report.get("logAbsDet").asDouble(), logdetTol, "log|det|");
            assertEquals(ref.negative(), report.get("inertia").get("negative").asInt(), "negative eigenvalues");
            assertEquals(ref.zero(), report.get("inertia").get("zero").asInt(), "zero eigenvalues");
            assertEquals(ref.positive(), report.get("inertia").get("positive").asInt(), "positive eigenvalues");
            assertTrue(report.get("master").asText().startsWith("local-cluster"), report.get("master").asText());
        } finally {
            spark.stop();
        }
    }
}
