package org.hessinv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.hessinv.curvature.Curvature;
import org.hessinv.curvature.ExampleBatch;
import org.hessinv.io.Json;
import org.hessinv.io.Npy;
import org.hessinv.model.Example;
import org.hessinv.model.ModelSpec;
import org.hessinv.model.Network;
import org.hessinv.solve.DenseSolver;
import org.hessinv.solve.RiccatiSolution;
import org.hessinv.solve.RiccatiSolver;
import org.hessinv.solve.SweepProgress;
import org.hessinv.spark.CurvatureSample;
import org.hessinv.testing.DenseGgn;
import org.hessinv.testing.JobRun;
import org.hessinv.testing.RandomProblems;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The job in local[2] against the in-process engine, and its handling of bad input. */
@Tag("spark")
class NewtonDirectionJobTest {
    /**
     * The job's gradient is a binned (reproducible) sum, the in-process engine's a plain sum in example order:
     * differences of a few ulps in r, amplified by at most cond(C + delta I) ~ 1e3 here, stay far below 1e-12.
     * (Across partitionings the job's outputs are bit-identical: spark/ReproducibleDirectionTest.)
     */
    private static final double SAME_ANSWER = 1e-12;
    private static final double EPS = Math.ulp(1.0);
    /** The constant of a backward-stable factorization's error bound (Higham: a small multiple of n eps). */
    private static final double BACKWARD_ERROR_FACTOR = 10;
    private static final String SPEC = "{\"input\": 3, \"layers\": [{\"type\": \"dense\", \"units\": 4, \"activation\": \"tanh\"},"
            + " {\"type\": \"residual\", \"activation\": \"gelu\", \"repeat\": 3}], \"head\": {\"type\": \"softmax\", \"classes\": 3}}";
    private static final int ROWS = 40;
    private static SparkSession spark;
    @TempDir static Path dir;
    private static Network net;
    private static List<Example> examples;

    @BeforeAll
    static void start() throws IOException {
        spark = SparkSession.builder().master("local[2]").appName("hessinv-test")
                .config("spark.ui.enabled", "false").getOrCreate();
        net = ModelSpec.parse(SPEC);
        Files.writeString(dir.resolve("model.json"), SPEC);
        examples = RandomProblems.examples(new SplittableRandom(3), net, ROWS);
        writeCsv(dir.resolve("data.csv"), examples, -1, Double.NaN);
    }

    @AfterAll
    static void stop() { spark.stop(); }

    static void writeCsv(Path file, List<Example> rows, int badRow, double badValue) throws IOException {
        StringBuilder b = new StringBuilder("f0,f1,f2,label\n");
        for (int i = 0; i < rows.size(); i++) {
            double[] f = rows.get(i).features();
            b.append(i == badRow ? String.valueOf(badValue) : String.valueOf(f[0])).append(',').append(f[1]).append(',').append(f[2])
                    .append(',').append((int) rows.get(i).response()[0]).append('\n');
        }
        Files.writeString(file, b.toString());
    }

    static JobRun job(String... args) { return JobRun.of(spark, args); }

    @ParameterizedTest(name = "{0} with {1} partitions, curvature batch {2}")
    @CsvSource({"hessian, 1, all", "hessian, 3, all", "hessian, 7, all", "ggn, 1, all", "ggn, 3, all", "ggn, 7, all",
            "hessian, 3, 16", "ggn, 7, 16"})
    void jobEqualsInProcessEngine(String curvature, int partitions, String batch) throws IOException {
        Path out = dir.resolve("out-" + curvature + "-" + partitions + "-" + batch);
        double damping = 0.01;
        JobRun r = job("--model", dir.resolve("model.json").toString(), "--init-seed", "5", "--data", dir.resolve("data.csv").toString(),
                "--curvature", curvature, "--damping", String.valueOf(damping), "--curvature-batch", batch, "--seed", "11",
                "--partitions", String.valueOf(partitions), "--out", out.toString());
        assertEquals(0, r.code(), r.stderr());
        double[] d = Npy.read(out.resolve("direction.npy"));

        double[] x = net.initialParameters(5);
        ExampleBatch all = new ExampleBatch(net, x, examples, Curvature.fromSpec(curvature));
        List<Example> curv = examples;
        if (!batch.equals("all")) {
            BitSet chosen = CurvatureSample.choose(ROWS, Long.parseLong(batch), 11);
            curv = new ArrayList<>();
            for (int i = 0; i < ROWS; i++) if (chosen.get(i)) curv.add(examples.get(i));
        }
        ExampleBatch cb = new ExampleBatch(net, x, curv, Curvature.fromSpec(curvature));
        RiccatiSolution expected = RiccatiSolver.solve(cb, damping, all.gradient(), SweepProgress.NONE);
        assertTrue(RandomProblems.relativeError(d, expected.direction()) <= SAME_ANSWER,
                "relative difference " + RandomProblems.relativeError(d, expected.direction()));

        JsonNode json = new ObjectMapper().readTree(out.resolve("report.json").toFile());
        for (String key : List.of("loss", "gradientNorm", "directionNorm", "residual", "logAbsDet", "inertia", "curvature",
                "damping", "examples", "curvatureExamples", "partitions", "master", "timings")) {
            assertTrue(json.has(key), "report lacks " + key);
        }
        DirectionReport report = Json.read(out.resolve("report.json"), DirectionReport.class);
        assertEquals(ROWS, report.examples());
        assertEquals(curv.size(), report.curvatureExamples());
        assertEquals(partitions, report.partitions());
        assertEquals(all.loss(), report.loss(), 1e-12 * Math.abs(all.loss()));
        assertEquals(expected.logAbsDet(), report.logAbsDet(), 1e-9 * Math.abs(expected.logAbsDet()));
        assertEquals(expected.inertia().negative(), report.inertia().orElseThrow().negative());
        assertEquals("riccati", report.solver());
        // A backward-stable solve leaves ||r - (C + delta I) d|| <= c n eps ||C + delta I|| ||d||; c = BACKWARD_ERROR_FACTOR.
        double[] eig = DenseSolver.eigenvalues(DenseSolver.assemble(cb, damping), net.paramCount());
        double normC = Math.max(Math.abs(eig[0]), Math.abs(eig[eig.length - 1]));
        double bound = BACKWARD_ERROR_FACTOR * net.paramCount() * EPS * normC * RandomProblems.norm(d) / RandomProblems.norm(all.gradient());
        assertTrue(report.residual() <= bound, "residual " + report.residual() + " > backward-error bound " + bound);
        assertTrue(report.timings().containsKey("solve"));
        // every second of total is in a named phase (only the clock reads between the phases are not: < 10 ms)
        double named = 0;
        for (var e : report.timings().entrySet()) {
            if (!e.getKey().equals("total")) named += e.getValue();
        }
        assertEquals(report.timings().get("total"), named, 0.01, "timings add up: " + report.timings());
    }

    /** The same examples as Parquet (features array, integer label) and LibSVM give the same direction as CSV. */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"parquet", "libsvm"})
    void otherFormatsReadTheSameExamples(String format, @TempDir Path t) throws IOException {
        Path data = t.resolve("data." + format);
        List<org.apache.spark.sql.Row> rows = new ArrayList<>();
        for (Example e : examples) {
            rows.add(format.equals("parquet")
                    ? org.apache.spark.sql.RowFactory.create(scala.jdk.javaapi.CollectionConverters.asScala(
                            java.util.Arrays.stream(e.features()).boxed().toList()).toSeq(), (int) e.response()[0])
                    : org.apache.spark.sql.RowFactory.create(e.response()[0], org.apache.spark.ml.linalg.Vectors.dense(e.features())));
        }
        org.apache.spark.sql.types.StructType schema = format.equals("parquet")
                ? new org.apache.spark.sql.types.StructType()
                        .add("features", org.apache.spark.sql.types.DataTypes.createArrayType(org.apache.spark.sql.types.DataTypes.DoubleType))
                        .add("label", org.apache.spark.sql.types.DataTypes.IntegerType)
                : new org.apache.spark.sql.types.StructType()
                        .add("label", org.apache.spark.sql.types.DataTypes.DoubleType)
                        .add("features", new org.apache.spark.ml.linalg.VectorUDT());
        spark.createDataFrame(rows, schema).coalesce(1).write().format(format).save(data.toString());
        Path outCsv = t.resolve("csv");
        Path outOther = t.resolve("other");
        List<String> common = List.of("--model", dir.resolve("model.json").toString(), "--curvature-batch", "all", "--damping", "0.01");
        List<String> a = new ArrayList<>(common);
        a.addAll(List.of("--data", dir.resolve("data.csv").toString(), "--out", outCsv.toString()));
        assertEquals(0, job(a.toArray(String[]::new)).code());
        List<String> b = new ArrayList<>(common);
        b.addAll(List.of("--data", data.toString(), "--format", format, "--out", outOther.toString()));
        JobRun r = job(b.toArray(String[]::new));
        assertEquals(0, r.code(), r.stderr());
        double[] viaCsv = Npy.read(outCsv.resolve("direction.npy"));
        double[] viaOther = Npy.read(outOther.resolve("direction.npy"));
        assertTrue(RandomProblems.relativeError(viaOther, viaCsv) <= SAME_ANSWER, "differs by " + RandomProblems.relativeError(viaOther, viaCsv));
    }

    private static void assertRefused(JobRun r, Path out, String... words) {
        assertEquals(NewtonDirectionJob.EXIT_BAD_INPUT, r.code(), r.stderr());
        String last = r.stderr().strip();
        String line = last.substring(last.lastIndexOf('\n') + 1);
        assertTrue(line.startsWith("error: "), r.stderr());
        for (String w : words) assertTrue(line.contains(w), "message lacks \"" + w + "\": " + line);
        assertFalse(Files.exists(out), "output folder was created");
        try (Stream<Path> s = Files.list(out.getParent())) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().startsWith("." + out.getFileName() + ".tmp")), "temporary folder left behind");
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private String[] args(Path data, Path out, String... extra) {
        List<String> a = new ArrayList<>(List.of("--model", dir.resolve("model.json").toString(), "--data", data.toString(), "--out", out.toString()));
        a.addAll(List.of(extra));
        return a.toArray(String[]::new);
    }

    @Test
    void missingData(@TempDir Path t) {
        Path out = t.resolve("out");
        assertRefused(job(args(t.resolve("nope.csv"), out)), out, "nope.csv", "does not exist");
    }

    @Test
    void wrongFeatureCount(@TempDir Path t) throws IOException {
        Files.writeString(t.resolve("d.csv"), "f0,f1,label\n0.1,0.2,1\n");
        Path out = t.resolve("out");
        assertRefused(job(args(t.resolve("d.csv"), out)), out, "2 feature columns", "input is 3");
    }

    /** A direction whose certified residual exceeds --max-residual is refused (exit 3, no output), never written. */
    @Test
    void uncertifiedDirectionIsRefused(@TempDir Path t) {
        Path out = t.resolve("out");
        JobRun r = job(args(dir.resolve("data.csv"), out, "--curvature-batch", "all", "--max-residual", "1e-300"));
        assertEquals(NewtonDirectionJob.EXIT_SINGULAR, r.code(), r.stderr());
        String line = r.stderr().strip().substring(r.stderr().strip().lastIndexOf('\n') + 1);
        assertTrue(line.startsWith("error: ") && line.contains("numerically singular") && line.contains("above the limit 1e-300"), line);
        assertFalse(Files.exists(out), "output folder was created");
    }

    @Test
    void badMaxResidual(@TempDir Path t) {
        Path out = t.resolve("out");
        assertRefused(job(args(dir.resolve("data.csv"), out, "--max-residual", "-1")), out, "--max-residual", "> 0");
    }

    @Test
    void nanFeature(@TempDir Path t) throws IOException {
        writeCsv(t.resolve("d.csv"), examples, 7, Double.NaN);
        Path out = t.resolve("out");
        assertRefused(job(args(t.resolve("d.csv"), out)), out, "example 7", "NaN");
    }

    @Test
    void labelOutOfRange(@TempDir Path t) throws IOException {
        Files.writeString(t.resolve("d.csv"), "f0,f1,f2,label\n0.1,0.2,0.3,1\n0.1,0.2,0.3,5\n");
        Path out = t.resolve("out");
        assertRefused(job(args(t.resolve("d.csv"), out)), out, "label 5", "0..2");
    }

    @Test
    void malformedSpec(@TempDir Path t) throws IOException {
        Files.writeString(t.resolve("bad.json"), "{\"input\": 3, \"layers\": [");
        Path out = t.resolve("out");
        assertRefused(job("--model", t.resolve("bad.json").toString(), "--data", dir.resolve("data.csv").toString(), "--out", out.toString()),
                out, "bad.json", "not valid JSON");
    }

    @Test
    void malformedNpy(@TempDir Path t) throws IOException {
        Files.writeString(t.resolve("p.npy"), "not numpy at all");
        Path out = t.resolve("out");
        assertRefused(job(args(dir.resolve("data.csv"), out, "--params", t.resolve("p.npy").toString())), out, "p.npy", "not a valid .npy");
    }

    @Test
    void wrongParameterCount(@TempDir Path t) throws IOException {
        Npy.write(t.resolve("p.npy"), new double[7]);
        Path out = t.resolve("out");
        assertRefused(job(args(dir.resolve("data.csv"), out, "--params", t.resolve("p.npy").toString())), out, "7 entries", String.valueOf(net.paramCount()));
    }

    @Test
    void existingOutputWithoutOverwrite(@TempDir Path t) throws IOException {
        Path out = t.resolve("out");
        Files.createDirectory(out);
        Files.writeString(out.resolve("keep.txt"), "mine");
        JobRun r = job(args(dir.resolve("data.csv"), out));
        assertEquals(NewtonDirectionJob.EXIT_BAD_INPUT, r.code(), r.stderr());
        assertTrue(r.stderr().contains("already exists") && r.stderr().contains("--overwrite"), r.stderr());
        assertEquals("mine", Files.readString(out.resolve("keep.txt")));
        // --overwrite replaces only an earlier output (marked at commit): this folder is left alone
        JobRun refused = job(args(dir.resolve("data.csv"), out, "--overwrite"));
        assertEquals(NewtonDirectionJob.EXIT_BAD_INPUT, refused.code(), refused.stderr());
        assertTrue(refused.lastLine().contains("not an output of hessinv"), refused.stderr());
        assertEquals("mine", Files.readString(out.resolve("keep.txt")));
        Path earlier = t.resolve("earlier");
        assertEquals(0, job(args(dir.resolve("data.csv"), earlier)).code());
        JobRun again = job(args(dir.resolve("data.csv"), earlier, "--overwrite", "--damping", "0.5"));
        assertEquals(0, again.code(), again.stderr());
        assertEquals(0.5, Json.read(earlier.resolve("report.json"), DirectionReport.class).damping());
    }

    @Test
    void unknownOption() {
        JobRun r = job("--bogus", "1");
        assertEquals(NewtonDirectionJob.EXIT_BAD_INPUT, r.code());
        assertEquals("error: Unknown options: '--bogus', '1'; see --help", r.lastLine(), r.stderr());
    }

    /** report.json's fields, in the order README ("report.json") lists them; worstPivot only from a route with stage pivots. */
    static final List<String> REPORT_FIELDS = List.of("loss", "gradientNorm", "rhs", "rhsNorm", "directionNorm", "residual", "maxResidual",
            "worstPivot", "logAbsDet", "inertia", "curvature", "damping", "solver", "examples", "curvatureExamples", "partitions",
            "layerRanges", "master", "model", "params", "layers", "parameters", "blas", "timings");

    private static List<String> fieldsOf(Path report) throws IOException {
        List<String> names = new ArrayList<>();
        new ObjectMapper().readTree(report.toFile()).fieldNames().forEachRemaining(names::add);
        return names;
    }

    /**
     * --solver output-space (GGN, 16 of 40 examples, B K = 48 outputs < n = 91) and --solver dense against --solver riccati and
     * a dense reference sharing none of the routes' code: G by the chain rule (DenseGgn), G + delta I solved by LAPACK's LU,
     * log|det| and inertia from dsyev. Tolerances as in solve/DirectionSolverTest ({@code kappa} from the dense eigenvalues,
     * FACTOR 10): direction {@code FACTOR n eps kappa} relative (floor 1e-12, above the ulps by which the job's binned gradient
     * differs from the in-process sum), log|det| {@code FACTOR n^2 eps kappa}, inertia exact.
     */
    @Test
    void outputSpaceAgreesWithRiccatiAndTheDenseReference() throws IOException {
        double damping = 0.01;
        double[] x = net.initialParameters(5);
        int n = net.paramCount();
        BitSet chosen = CurvatureSample.choose(ROWS, 16, 11);
        List<Example> curv = new ArrayList<>();
        for (int i = 0; i < ROWS; i++) if (chosen.get(i)) curv.add(examples.get(i));
        double[] g = new ExampleBatch(net, x, examples, Curvature.GGN).gradient();
        double[] m = DenseGgn.ggn(net, x, curv);
        for (int i = 0; i < n; i++) m[i * n + i] += damping;
        double[] lambda = DenseSolver.eigenvalues(m, n);
        assertTrue(lambda[0] > damping / 2, "G + delta I is positive definite: " + lambda[0]);
        double kappa = lambda[n - 1] / lambda[0];
        double logDet = 0;
        for (double l : lambda) logDet += Math.log(l);
        double[] dRef = DenseSolver.solve(m, n, g);
        double dirTol = Math.max(1e-12, 10 * n * EPS * kappa);

        double[][] directions = new double[3][];
        List<String> routes = List.of("output-space", "riccati", "dense");
        for (int k = 0; k < routes.size(); k++) {
            Path out = dir.resolve("out-route-" + routes.get(k));
            JobRun r = job("--model", dir.resolve("model.json").toString(), "--init-seed", "5", "--data", dir.resolve("data.csv").toString(),
                    "--curvature", "ggn", "--damping", String.valueOf(damping), "--curvature-batch", "16", "--seed", "11",
                    "--partitions", "3", "--solver", routes.get(k), "--out", out.toString());
            assertEquals(0, r.code(), r.stderr());
            DirectionReport report = Json.read(out.resolve("report.json"), DirectionReport.class);
            String what = "--solver " + routes.get(k);
            assertEquals(routes.get(k), report.solver(), what + ": the report names the route that ran");
            directions[k] = Npy.read(out.resolve("direction.npy"));
            double err = RandomProblems.relativeError(directions[k], dRef);
            assertTrue(err <= dirTol, what + ": |d - d_ref| / |d_ref| = " + err + " > " + dirTol);
            assertEquals(logDet, report.logAbsDet(), 10.0 * n * n * EPS * kappa, what + ": log|det|");
            assertEquals(new org.hessinv.linalg.Inertia(0, 0, n), report.inertia().orElseThrow(), what + ": inertia");
            List<String> fields = new ArrayList<>(REPORT_FIELDS);
            if (!routes.get(k).equals("riccati")) fields.remove("worstPivot");
            assertEquals(fields, fieldsOf(out.resolve("report.json")), what + ": report layout");
            assertEquals(routes.get(k).equals("riccati"), report.worstPivot().isPresent(), what + ": worst pivot");
            assertEquals(routes.get(k).equals("riccati") ? 3 : 0, report.layerRanges(), what + ": layer ranges");
        }
        assertTrue(RandomProblems.relativeError(directions[0], directions[1]) <= 2 * dirTol, "output-space against riccati");
    }

    /**
     * --solver auto on the wide-input preset (input 768, 7 dense tanh layers of width 24, 10 classes; n = 22,306) with the
     * GGN on a 4-example batch: SolverCosts makes the B K = 40 output space far cheaper than the sweep, the job takes it and
     * the report says so; the Hessian stays on the Riccati sweep (engine level: solve/DirectionSolverTest).
     */
    @Test
    void autoTakesTheOutputSpaceWhereItIsCheaper(@TempDir Path t) throws IOException {
        Path preset = Path.of("..", "conf", "models", "wide-input.json");
        Network wide = ModelSpec.read(preset);
        assertEquals(org.hessinv.solve.SolverCosts.Route.OUTPUT_SPACE,
                org.hessinv.solve.SolverCosts.cheaper(wide, 4, Curvature.GGN, 1e-3, 1), "the cost models' choice");
        List<Example> rows = RandomProblems.examples(new SplittableRandom(5), wide, 8);
        // LibSVM (Spark's CSV reader takes a minute over 769 columns)
        StringBuilder b = new StringBuilder();
        for (Example e : rows) {
            b.append((int) e.response()[0]);
            for (int i = 0; i < e.features().length; i++) b.append(' ').append(i + 1).append(':').append(e.features()[i]);
            b.append('\n');
        }
        Files.writeString(t.resolve("wide.libsvm"), b.toString());
        Path out = t.resolve("out");
        JobRun r = job("--model", preset.toString(), "--data", t.resolve("wide.libsvm").toString(), "--format", "libsvm", "--curvature", "ggn",
                "--curvature-batch", "4", "--solver", "auto", "--out", out.toString());
        assertEquals(0, r.code(), r.stderr());
        DirectionReport report = Json.read(out.resolve("report.json"), DirectionReport.class);
        assertEquals("output-space", report.solver());
        assertEquals(4, report.curvatureExamples());
        assertEquals(new org.hessinv.linalg.Inertia(0, 0, wide.paramCount()), report.inertia().orElseThrow());
        assertTrue(report.residual() <= report.maxResidual(), "certified: " + report.residual());
    }

    /** The output space solves the GGN only: with the Hessian an explicit --solver output-space is refused on one line. */
    @Test
    void outputSpaceWithTheHessianIsRefused(@TempDir Path t) {
        Path out = t.resolve("out");
        JobRun r = job(args(dir.resolve("data.csv"), out, "--curvature", "hessian", "--solver", "output-space"));
        assertRefused(r, out, "--curvature ggn", "--solver riccati");
        assertEquals(List.of("error: --solver output-space solves the Gauss-Newton curvature only; use --curvature ggn or --solver riccati"),
                r.stderr().strip().lines().toList());
    }

    /** --help: exit 0 and every option on the generated usage, with the solver routes and the exit codes. */
    @Test
    void helpListsEveryOption() {
        java.io.PrintStream old = System.out;
        java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
        int code;
        System.setOut(new java.io.PrintStream(buf, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            code = NewtonDirectionJob.run(new String[] {"--help"}, spark);
        } finally {
            System.setOut(old);
        }
        String help = buf.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(0, code, help);
        for (String option : List.of("--model", "--params", "--init-seed", "--data", "--format", "--curvature", "--damping",
                "--curvature-batch", "--seed", "--rhs", "--solver", "--max-residual", "--out", "--overwrite", "--master",
                "--partitions", "--verbose", "--help", "auto|riccati|output-space|woodbury|dense", "Exit codes")) {
            assertTrue(help.contains(option), "--help lacks " + option + ":\n" + help);
        }
    }
}
