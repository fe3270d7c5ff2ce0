package org.hessinv.datagen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.hessinv.data.GaussianMixture;
import org.hessinv.data.SyntheticData;
import org.hessinv.data.TeacherStudent;
import org.hessinv.model.Example;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scala.jdk.javaapi.CollectionConverters;

/** Runs the generator in local[2] for every kind and format, and reads the output back. */
@Tag("spark")
class GenerateDataTest {
    private static SparkSession spark;

    @TempDir Path dir;

    @BeforeAll
    static void start() {
        spark = SparkSession.builder().master("local[2]").appName("GenerateDataTest")
                .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2").getOrCreate();
    }

    @AfterAll
    static void stop() {
        if (spark != null) spark.stop();
    }

    private String out(String name) { return dir.resolve(name).toString(); }

    /** The examples 0..n-1 of a generator as canonical strings "f0,f1,...|y0,...". */
    private static Set<String> expected(SyntheticData data, long n) {
        return LongStream.range(0, n).mapToObj(data::example).map(GenerateDataTest::key).collect(Collectors.toSet());
    }

    private static String key(Example e) { return key(e.features(), e.response()); }

    private static String key(double[] f, double[] y) { return Arrays.toString(f) + "|" + Arrays.toString(y); }

    private static double[] doubles(Row r, int from, int to) {
        double[] v = new double[to - from];
        for (int k = from; k < to; k++) v[k - from] = ((Number) r.get(k)).doubleValue();
        return v;
    }

    private static double[] array(Row r, String field) {
        List<Object> l = CollectionConverters.asJava(r.<scala.collection.Seq<Object>>getAs(field));
        return l.stream().mapToDouble(o -> (Double) o).toArray();
    }

    private void assertNoLeftovers() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            List<String> hidden = s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".")).toList();
            assertTrue(hidden.isEmpty(), "temporary folders left behind: " + hidden);
        }
    }

    @Test
    void csvMixture() throws IOException {
        GenerateData.Result r = GenerateData.generate(spark, "--kind", "mixture", "--rows", "60", "--features", "3",
                "--classes", "4", "--seed", "5", "--format", "csv", "--out", out("mix.csv"), "--partitions", "3");
        assertEquals(60, r.rows());
        Dataset<Row> df = spark.read().option("header", "true").option("inferSchema", "true").csv(out("mix.csv"));
        assertEquals(List.of("f0", "f1", "f2", "label"), Arrays.asList(df.columns()));
        assertEquals(DataTypes.IntegerType, df.schema().apply("label").dataType());
        assertEquals(DataTypes.DoubleType, df.schema().apply("f0").dataType());
        List<Row> rows = df.collectAsList();
        assertEquals(60, rows.size());
        Set<String> got = new HashSet<>();
        for (Row row : rows) got.add(key(doubles(row, 0, 3), new double[] {row.getInt(3)}));
        assertEquals(expected(new GaussianMixture(3, 4, 3.0, 1.0, 5), 60), got);
        assertNoLeftovers();
    }

    @Test
    void csvTeacherWithTwoOutputs() {
        GenerateData.generate(spark, "--kind", "teacher", "--rows", "40", "--features", "4", "--outputs", "2",
                "--depth", "3", "--width", "5", "--noise", "0.2", "--seed", "9", "--format", "csv", "--out", out("t.csv"));
        Dataset<Row> df = spark.read().option("header", "true").option("inferSchema", "true").csv(out("t.csv"));
        assertEquals(List.of("f0", "f1", "f2", "f3", "y0", "y1"), Arrays.asList(df.columns()));
        Set<String> got = new HashSet<>();
        for (Row row : df.collectAsList()) got.add(key(doubles(row, 0, 4), doubles(row, 4, 6)));
        assertEquals(expected(new TeacherStudent(4, 3, 5, 2, 0.2, 9), 40), got);
    }

    @Test
    void parquetTeacherAndMixture() {
        GenerateData.generate(spark, "--kind", "teacher", "--rows", "50", "--features", "6", "--outputs", "3",
                "--format", "parquet", "--out", out("t.parquet"), "--partitions", "2");
        Dataset<Row> t = spark.read().parquet(out("t.parquet"));
        assertEquals(List.of("features", "y"), Arrays.asList(t.columns()));
        // (Spark reads file sources back as nullable.)
        assertEquals(DataTypes.createArrayType(DataTypes.DoubleType, true), t.schema().apply("features").dataType());
        assertEquals(DataTypes.createArrayType(DataTypes.DoubleType, true), t.schema().apply("y").dataType());
        Set<String> got = new HashSet<>();
        for (Row row : t.collectAsList()) got.add(key(array(row, "features"), array(row, "y")));
        assertEquals(expected(new TeacherStudent(6, 4, 16, 3, 0.1, 1), 50), got);

        GenerateData.generate(spark, "--kind", "mixture", "--rows", "30", "--features", "2", "--classes", "3",
                "--separation", "2.5", "--noise", "0.5", "--format", "parquet", "--out", out("m.parquet"));
        Dataset<Row> m = spark.read().parquet(out("m.parquet"));
        assertEquals(List.of("features", "label"), Arrays.asList(m.columns()));
        assertEquals(DataTypes.IntegerType, m.schema().apply("label").dataType());
        got.clear();
        for (Row row : m.collectAsList()) got.add(key(array(row, "features"), new double[] {row.getInt(1)}));
        assertEquals(expected(new GaussianMixture(2, 3, 2.5, 0.5, 1), 30), got);
    }

    @Test
    void libsvmMixtureAndTeacher() throws IOException {
        GenerateData.generate(spark, "--kind", "mixture", "--rows", "25", "--features", "5", "--classes", "3",
                "--format", "libsvm", "--out", out("m.libsvm"));
        Dataset<Row> m = spark.read().format("libsvm").option("numFeatures", "5").load(out("m.libsvm"));
        assertEquals(25, m.count());
        Set<String> got = new HashSet<>();
        for (Row row : m.collectAsList()) {
            Vector v = row.getAs("features");
            assertEquals(5, v.size());
            got.add(key(v.toArray(), new double[] {row.getDouble(0)}));
        }
        assertEquals(expected(new GaussianMixture(5, 3, 3.0, 1.0, 1), 25), got);
        // Integer class labels, 1-based indices.
        String line = spark.read().textFile(out("m.libsvm")).first();
        assertTrue(line.matches("[0-2] 1:\\S+ 2:\\S+ 3:\\S+ 4:\\S+ 5:\\S+"), line);

        GenerateData.generate(spark, "--kind", "teacher", "--rows", "20", "--features", "3", "--format", "libsvm",
                "--out", out("t.libsvm"));
        Dataset<Row> t = spark.read().format("libsvm").option("numFeatures", "3").load(out("t.libsvm"));
        got.clear();
        for (Row row : t.collectAsList()) got.add(key(((Vector) row.getAs("features")).toArray(), new double[] {row.getDouble(0)}));
        assertEquals(expected(new TeacherStudent(3, 4, 16, 1, 0.1, 1), 20), got);
        assertNoLeftovers();
    }

    @Test
    void sameRowsWhateverThePartitionCount() {
        String[] base = {"--kind", "teacher", "--rows", "37", "--features", "3", "--seed", "4", "--format", "parquet"};
        Set<String> sets = null;
        for (String p : new String[] {"1", "4", "7"}) {
            String[] args = Stream.concat(Arrays.stream(base), Stream.of("--partitions", p, "--out", out("p" + p))).toArray(String[]::new);
            assertEquals(Integer.parseInt(p), GenerateData.generate(spark, args).partitions());
            Set<String> got = new HashSet<>();
            for (Row row : spark.read().parquet(out("p" + p)).collectAsList()) got.add(key(array(row, "features"), array(row, "y")));
            assertEquals(37, got.size());
            if (sets == null) sets = got; else assertEquals(sets, got);
        }
    }

    @Test
    void refusesToOverwriteUnlessAsked() throws IOException {
        String[] args = {"--kind", "mixture", "--rows", "10", "--features", "2", "--classes", "2", "--format", "csv", "--out", out("o")};
        GenerateData.generate(spark, args);
        UsageException e = assertThrows(UsageException.class, () -> GenerateData.generate(spark, args));
        assertTrue(e.getMessage().contains("--overwrite"), e.getMessage());
        // An option given twice is an error.
        String[] twice = Stream.concat(Arrays.stream(args), Stream.of("--overwrite", "--rows=12")).toArray(String[]::new);
        assertThrows(UsageException.class, () -> GenerateData.generate(spark, twice));
        String[] replaced = args.clone();
        replaced[3] = "12";
        String[] withOverwrite = Stream.concat(Arrays.stream(replaced), Stream.of("--overwrite")).toArray(String[]::new);
        GenerateData.generate(spark, withOverwrite);
        assertEquals(12, spark.read().option("header", "true").csv(out("o")).count());
        assertNoLeftovers();
    }

    /**
     * Issue 10's generate-data inputs: sizes too large to hold, a master of no known form or nobody listening, an
     * unwritable destination, and --overwrite of something that is not a generated data set: exit 2, one line, nothing
     * written or removed.
     */
    @Test
    void badSizesMastersAndDestinations() throws IOException {
        String[][] bad = {
            {"--kind", "teacher", "--rows", "10", "--features", "2000000000", "--out", out("big")},
            {"--kind", "teacher", "--rows", "10", "--features", "100000000", "--out", out("big")},
            {"--kind", "mixture", "--rows", "10", "--features", "20000", "--classes", "20000", "--out", out("big")},
            {"--kind", "teacher", "--rows", "10", "--features", "2", "--out", out("m"), "--master", "foo://"},
            {"--kind", "teacher", "--rows", "10", "--features", "2", "--out", out("m"), "--master", "spark://127.0.0.1:" + freePort()},
        };
        String[] words = {"Java array", "GB", "GB", "unknown --master", "cannot reach the Spark master"};
        for (int i = 0; i < bad.length; i++) {
            Captured c = captured(bad[i]);
            assertEquals(2, c.code, String.join(" ", bad[i]) + ": " + c.err);
            assertEquals(1, c.err.strip().lines().count(), c.err);
            assertTrue(c.err.startsWith("generate-data: error: ") && c.err.contains(words[i]), c.err);
            assertFalse(c.err.contains("\tat "), c.err);
        }
        // an unwritable destination (/proc refuses new folders, even to root), found before any task runs
        UsageException e = assertThrows(UsageException.class, () -> GenerateData.generate(spark,
                "--kind", "teacher", "--rows", "10", "--features", "2", "--out", "/proc/hessinv-test-out"));
        assertTrue(e.getMessage().contains("cannot write to") && e.getMessage().contains("/proc"), e.getMessage());
        // --overwrite of a file or of a folder that is not a generated data set
        Path file = dir.resolve("mine.txt");
        Files.writeString(file, "mine");
        Path folder = Files.createDirectories(dir.resolve("mine"));
        Files.writeString(folder.resolve("keep.txt"), "mine");
        for (Path p : List.of(file, folder)) {
            UsageException u = assertThrows(UsageException.class, () -> GenerateData.generate(spark,
                    "--kind", "teacher", "--rows", "10", "--features", "2", "--out", p.toString(), "--overwrite"));
            assertTrue(u.getMessage().contains(p.equals(file) ? "existing file" : "not a data set written by generate-data"), u.getMessage());
        }
        assertEquals("mine", Files.readString(file));
        assertEquals("mine", Files.readString(folder.resolve("keep.txt")));
        assertNoLeftovers();
    }

    private static int freePort() throws IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private record Captured(int code, String err) {}

    private static Captured captured(String... args) {
        java.io.PrintStream old = System.err;
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            return new Captured(GenerateData.run(args), err.toString(java.nio.charset.StandardCharsets.UTF_8));
        } finally {
            System.setErr(old);
        }
    }

    /** A data set whose example 23 cannot be made: the write fails part-way. */
    private static final class Failing implements SyntheticData {
        private static final long serialVersionUID = 1L;
        private final GaussianMixture inner = new GaussianMixture(2, 2, 1.0, 1.0, 1);

        @Override public int featureCount() { return 2; }
        @Override public boolean classification() { return true; }
        @Override public int responseCount() { return 2; }
        @Override public String describe() { return "failing"; }
        @Override public Example example(long i) {
            if (i == 23) throw new IllegalStateException("example 23 is broken");
            return inner.example(i);
        }
    }

    @Test
    void aFailedWriteLeavesNothingBehindAndKeepsTheOldOutput() throws IOException {
        String[] args = {"--kind", "mixture", "--rows", "30", "--features", "2", "--classes", "2", "--format", "parquet",
                "--out", out("keep"), "--partitions", "3"};
        GenerateData.generate(spark, args);
        String[] over = Stream.concat(Arrays.stream(args), Stream.of("--overwrite")).toArray(String[]::new);
        assertThrows(Exception.class, () -> GenerateData.generate(spark, DataOptions.parse(over), new Failing()));
        assertNoLeftovers();
        assertEquals(30, spark.read().parquet(out("keep")).count());
        String[] fresh = {"--kind", "mixture", "--rows", "30", "--features", "2", "--classes", "2", "--format", "csv",
                "--out", out("fresh"), "--partitions", "3"};
        assertThrows(Exception.class, () -> GenerateData.generate(spark, DataOptions.parse(fresh), new Failing()));
        assertFalse(Files.exists(dir.resolve("fresh")));
        assertNoLeftovers();
    }

    @Test
    void badOptionsGiveOneLineErrorsAndExitCode2() {
        String[][] bad = {
            {"--kind", "spiral", "--rows", "5", "--features", "2", "--out", out("x")},
            {"--kind", "teacher", "--rows", "five", "--features", "2", "--out", out("x")},
            {"--kind", "teacher", "--rows", "5", "--features", "0", "--out", out("x")},
            {"--kind", "teacher", "--rows", "5", "--features", "2"},
            {"--kind", "mixture", "--rows", "5", "--features", "2", "--out", out("x")},
            {"--kind", "mixture", "--rows", "5", "--features", "2", "--classes", "1", "--out", out("x")},
            {"--kind", "teacher", "--rows", "5", "--features", "2", "--classes", "3", "--out", out("x")},
            {"--kind", "teacher", "--rows", "5", "--features", "2", "--outputs", "2", "--format", "libsvm", "--out", out("x")},
            {"--kind", "teacher", "--rows", "5", "--features", "2", "--format", "json", "--out", out("x")},
            {"--kind", "teacher", "--rows", "5", "--features", "2", "--noise", "-1", "--out", out("x")},
            {"--kind", "teacher", "--rows", "5", "--features", "2", "--out", out("x"), "--bogus"},
            {"--kind", "teacher", "--rows", "5", "--features", "2", "--out"},
        };
        PrintStream saved = System.err;
        try {
            for (String[] args : bad) {
                ByteArrayOutputStream err = new ByteArrayOutputStream();
                System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
                int code = GenerateData.run(args);
                String msg = err.toString(StandardCharsets.UTF_8);
                assertEquals(2, code, String.join(" ", args));
                assertTrue(msg.startsWith("generate-data: error: ") && msg.strip().lines().count() == 1, msg);
            }
        } finally {
            System.setErr(saved);
        }
        assertFalse(Files.exists(dir.resolve("x")));
    }

    @Test
    void defaultPartitionCount() {
        assertEquals(1, GenerateData.defaultPartitions(100, 8));
        assertEquals(3, GenerateData.defaultPartitions(2500, 8));
        assertEquals(8, GenerateData.defaultPartitions(1_000_000, 8));
        assertEquals(20, GenerateData.defaultPartitions(10_000_000, 8));
    }

    @Test
    void helpExitsZero() {
        PrintStream saved = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            assertEquals(0, GenerateData.run(new String[] {"--help"}));
        } finally {
            System.setOut(saved);
        }
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("--kind teacher|mixture"));
    }
}
