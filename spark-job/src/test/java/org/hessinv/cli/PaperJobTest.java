package org.hessinv.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.sql.SparkSession;
import org.hessinv.curvature.Curvature;
import org.hessinv.curvature.ExampleBatch;
import org.hessinv.io.Json;
import org.hessinv.io.Npy;
import org.hessinv.model.Example;
import org.hessinv.model.ModelSpec;
import org.hessinv.model.Network;
import org.hessinv.solve.DenseSolver;
import org.hessinv.solve.WoodburySolver;
import org.hessinv.spark.CurvatureSample;
import org.hessinv.testing.JobRun;
import org.hessinv.testing.DenseMatrices;
import org.hessinv.testing.RandomProblems;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The job with --solver woodbury: a square-parameterized model (CSV target y0) equals the engine; refusals exit 2. */
@Tag("spark")
class PaperJobTest {
    private static final double EPS = Math.ulp(1.0);
    static final String SQUARE_SPEC = "{\"input\": 3, \"layers\": ["
            + "{\"type\": \"square\", \"units\": 3, \"activation\": \"tanh\", \"parameter\": \"gain\", \"weights\": [[0.9, -0.4, 0.3], [0.2, 0.8, -0.5], [-0.6, 0.1, 0.7]]},"
            + "{\"type\": \"square\", \"units\": 3, \"activation\": \"softplus\", \"parameter\": \"bias\", \"seed\": 2, \"repeat\": 2},"
            + "{\"type\": \"square\", \"units\": 3, \"activation\": \"sigmoid\", \"parameter\": \"gain\", \"seed\": 4}],"
            + " \"head\": {\"type\": \"mse\", \"outputs\": 1, \"parameter\": \"bias\", \"seed\": 3}}";
    private static final String DENSE_SPEC = "{\"input\": 3, \"layers\": [{\"type\": \"dense\", \"units\": 4, \"activation\": \"tanh\"}],"
            + " \"head\": {\"type\": \"mse\", \"outputs\": 1}}";
    private static final int ROWS = 20;
    private static SparkSession spark;
    @TempDir static Path dir;
    private static Network net;
    private static List<Example> examples;

    @BeforeAll
    static void start() throws IOException {
        spark = SparkSession.builder().master("local[2]").appName("hessinv-paper-test").config("spark.ui.enabled", "false").getOrCreate();
        net = ModelSpec.parse(SQUARE_SPEC);
        Files.writeString(dir.resolve("square.json"), SQUARE_SPEC);
        Files.writeString(dir.resolve("dense.json"), DENSE_SPEC);
        examples = RandomProblems.examples(new SplittableRandom(9), net, ROWS);
        StringBuilder b = new StringBuilder("f0,f1,f2,y0\n");
        for (Example e : examples) {
            double[] f = e.features();
            b.append(f[0]).append(',').append(f[1]).append(',').append(f[2]).append(',').append(e.response()[0]).append('\n');
        }
        Files.writeString(dir.resolve("data.csv"), b.toString());
    }

    @AfterAll
    static void stop() { spark.stop(); }

    static JobRun job(String... args) { return JobRun.of(spark, args); }

    @Test
    void woodburyJobEqualsEngine() throws IOException {
        Path out = dir.resolve("out-woodbury");
        double damping = 1e-3;
        JobRun r = job("--model", dir.resolve("square.json").toString(), "--init-seed", "2", "--data", dir.resolve("data.csv").toString(),
                "--solver", "woodbury", "--curvature-batch", "1", "--seed", "5", "--damping", String.valueOf(damping),
                "--partitions", "3", "--out", out.toString());
        assertEquals(0, r.code(), r.stderr());
        double[] d = Npy.read(out.resolve("direction.npy"));

        double[] x = net.initialParameters(2);
        BitSet chosen = CurvatureSample.choose(ROWS, 1, 5);
        Example one = examples.get(chosen.nextSetBit(0));
        ExampleBatch cb = new ExampleBatch(net, x, List.of(one), Curvature.HESSIAN);
        double[] g = new ExampleBatch(net, x, examples, Curvature.HESSIAN).gradient();
        WoodburySolver.Solution expected = WoodburySolver.solve(cb, damping, g);
        double[] c = DenseSolver.assemble(cb, damping);
        double cond = DenseMatrices.symmetricCondition(c, net.paramCount());
        // same blocks and algorithm; only the gradient's summation order differs (a few ulps), amplified by at most cond
        double tol = Math.max(1e-12, 100 * EPS * cond);
        assertTrue(RandomProblems.relativeError(d, expected.direction()) <= tol,
                "job vs engine " + RandomProblems.relativeError(d, expected.direction()) + " > " + tol);
        assertTrue(RandomProblems.relativeError(d, DenseSolver.solve(c, net.paramCount(), g)) <= 1e3 * EPS * cond, "job vs dense");

        assertTrue(new ObjectMapper().readTree(out.resolve("report.json").toFile()).get("inertia").isNull(), "report.json: \"inertia\": null");
        DirectionReport report = Json.read(out.resolve("report.json"), DirectionReport.class);
        assertEquals("woodbury", report.solver());
        assertTrue(report.inertia().isEmpty(), "the woodbury route gives no inertia: " + report.inertia());
        assertEquals(expected.logAbsDet(), report.logAbsDet(), 1e-9 * Math.abs(expected.logAbsDet()));
        assertEquals(1, report.curvatureExamples());
    }

    /** A scalar mse head also reads its target from a "label" column when there is no "y0": same direction. */
    @Test
    void scalarMseHeadReadsLabelColumn(@TempDir Path t) throws IOException {
        Files.writeString(t.resolve("label.csv"), Files.readString(dir.resolve("data.csv")).replaceFirst("y0", "label"));
        List<String> common = List.of("--model", dir.resolve("square.json").toString(), "--init-seed", "2", "--curvature-batch", "1",
                "--seed", "5", "--solver", "woodbury");
        List<String> a = new ArrayList<>(common);
        a.addAll(List.of("--data", dir.resolve("data.csv").toString(), "--out", t.resolve("y0").toString()));
        List<String> b = new ArrayList<>(common);
        b.addAll(List.of("--data", t.resolve("label.csv").toString(), "--out", t.resolve("label").toString()));
        JobRun r1 = job(a.toArray(String[]::new));
        assertEquals(0, r1.code(), r1.stderr());
        JobRun r2 = job(b.toArray(String[]::new));
        assertEquals(0, r2.code(), r2.stderr());
        assertArrayEquals(Npy.read(t.resolve("y0").resolve("direction.npy")), Npy.read(t.resolve("label").resolve("direction.npy")));
    }

    private static void assertRefused(JobRun r, Path out, String... words) {
        assertEquals(NewtonDirectionJob.EXIT_BAD_INPUT, r.code(), r.stderr());
        String last = r.stderr().strip();
        String line = last.substring(last.lastIndexOf('\n') + 1);
        assertTrue(line.startsWith("error: "), r.stderr());
        for (String w : words) assertTrue(line.contains(w), "message lacks \"" + w + "\": " + line);
        assertFalse(Files.exists(out), "output folder was created");
    }

    @Test
    void denseModelWithWoodburyIsRefused(@TempDir Path t) throws IOException {
        Path out = t.resolve("out");
        Files.writeString(t.resolve("d.csv"), "f0,f1,f2,y0\n0.1,0.2,0.3,1\n");
        assertRefused(job("--model", dir.resolve("dense.json").toString(), "--data", t.resolve("d.csv").toString(),
                "--solver", "woodbury", "--curvature-batch", "1", "--out", out.toString()),
                out, "parameter Jacobian", "square", "layer 1 (dense(4, tanh))", "--solver riccati");
    }

    @Test
    void batchOtherThanOneIsRefused(@TempDir Path t) {
        Path out = t.resolve("out");
        assertRefused(job("--model", dir.resolve("square.json").toString(), "--data", dir.resolve("data.csv").toString(),
                "--solver", "woodbury", "--out", out.toString()), out, "one example", "--curvature-batch 1", "--solver riccati");
        Path out2 = t.resolve("out2");
        assertRefused(job("--model", dir.resolve("square.json").toString(), "--data", dir.resolve("data.csv").toString(),
                "--solver", "woodbury", "--curvature-batch", "all", "--out", out2.toString()), out2, "one example", "--solver riccati");
    }

    @Test
    void unknownSolverIsRefused(@TempDir Path t) {
        Path out = t.resolve("out");
        assertRefused(job("--model", dir.resolve("square.json").toString(), "--data", dir.resolve("data.csv").toString(),
                "--solver", "cg", "--out", out.toString()), out, "unknown --solver", "woodbury");
    }

    /** The riccati job on the same square model and CSV (target column y0) runs too, and agrees with woodbury on one example. */
    @Test
    void riccatiJobOnTheSquareModel(@TempDir Path t) throws IOException {
        List<String> common = new ArrayList<>(List.of("--model", dir.resolve("square.json").toString(), "--init-seed", "2",
                "--data", dir.resolve("data.csv").toString(), "--curvature-batch", "1", "--seed", "5", "--damping", "1e-3"));
        List<String> a = new ArrayList<>(common);
        a.addAll(List.of("--out", t.resolve("ric").toString()));
        JobRun r = job(a.toArray(String[]::new));
        assertEquals(0, r.code(), r.stderr());
        List<String> b = new ArrayList<>(common);
        b.addAll(List.of("--solver", "woodbury", "--out", t.resolve("wb").toString()));
        JobRun r2 = job(b.toArray(String[]::new));
        assertEquals(0, r2.code(), r2.stderr());
        double[] dr = Npy.read(t.resolve("ric").resolve("direction.npy"));
        double[] dw = Npy.read(t.resolve("wb").resolve("direction.npy"));
        double[] x = net.initialParameters(2);
        Example one = examples.get(CurvatureSample.choose(ROWS, 1, 5).nextSetBit(0));
        double cond = DenseMatrices.symmetricCondition(DenseSolver.assemble(new ExampleBatch(net, x, List.of(one), Curvature.HESSIAN), 1e-3), net.paramCount());
        assertTrue(RandomProblems.relativeError(dw, dr) <= 2e3 * EPS * cond, "woodbury vs riccati job " + RandomProblems.relativeError(dw, dr));
    }
}
