package org.hessinv.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.hessinv.io.AtomicOutputDir;
import org.hessinv.io.Npy;
import org.hessinv.model.Example;
import org.hessinv.model.ModelSpec;
import org.hessinv.model.Network;
import org.hessinv.testing.RandomProblems;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every kind of bad input of issue 10 run through the job in this JVM (local[2]): each must exit 2 with one line
 * {@code error: ...} naming the problem, print no stack trace on stdout or stderr, let Spark log nothing at WARN or
 * ERROR (a log appender on the root logger records what gets through), and leave nothing beside {@code --out}.
 */
class BadInputJobTest {
    private static final String SPEC = "{\"input\": 3, \"layers\": [{\"type\": \"dense\", \"units\": 4, \"activation\": \"tanh\"}],"
            + " \"head\": {\"type\": \"softmax\", \"classes\": 3}}";
    private static final int ROWS = 40;
    private static SparkSession spark;
    @TempDir static Path dir;
    private static Path model;
    private static Path csv;
    private static Network net;
    private static final List<LogEvent> LOGGED = new CopyOnWriteArrayList<>();
    private static AbstractAppender appender;

    @BeforeAll
    static void start() throws IOException {
        spark = SparkSession.builder().master("local[2]").appName("hessinv-bad-input")
                .config("spark.ui.enabled", "false").getOrCreate();
        net = ModelSpec.parse(SPEC);
        model = dir.resolve("model.json");
        Files.writeString(model, SPEC);
        List<Example> examples = RandomProblems.examples(new SplittableRandom(7), net, ROWS);
        StringBuilder b = new StringBuilder("f0,f1,f2,label\n");
        for (Example e : examples) {
            b.append(e.features()[0]).append(',').append(e.features()[1]).append(',').append(e.features()[2]).append(',')
                    .append((int) e.response()[0]).append('\n');
        }
        csv = dir.resolve("data.csv");
        Files.writeString(csv, b.toString());
        appender = new AbstractAppender("bad-input-test", null, null, true, Property.EMPTY_ARRAY) {
            @Override public void append(LogEvent event) {
                if (event.getLevel().isMoreSpecificThan(Level.WARN)) LOGGED.add(event.toImmutable());
            }
        };
        appender.start();
        LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
        ctx.getConfiguration().getRootLogger().addAppender(appender, Level.WARN, null);
        ctx.updateLoggers();
    }

    @AfterAll
    static void stop() {
        LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
        ctx.getConfiguration().getRootLogger().removeAppender(appender.getName());
        ctx.updateLoggers();
        spark.stop();
    }

    /** One run: exit code, stdout and stderr, and the WARN/ERROR log events emitted meanwhile. */
    record Run(int code, String stdout, String stderr, List<LogEvent> logged) {}

    static Run job(String... args) { return run(spark, args); }

    /** The job in-process with {@code session} (null: as a command line runs it), its output and the log events captured. */
    private static synchronized Run run(SparkSession session, String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        LOGGED.clear();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int code = NewtonDirectionJob.run(args, session);
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8), new ArrayList<>(LOGGED));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    /** Asserts the one-line refusal: exit 2, a single "error: " line holding every word, no trace, no log, nothing left. */
    static void assertRefused(Run r, Path out, String... words) {
        assertEquals(NewtonDirectionJob.EXIT_BAD_INPUT, r.code(), r.stderr());
        List<String> lines = r.stderr().strip().lines().toList();
        assertEquals(1, lines.size(), "stderr is not one line:\n" + r.stderr());
        String line = lines.get(0);
        assertTrue(line.startsWith("error: "), line);
        for (String w : words) assertTrue(line.contains(w), "message lacks \"" + w + "\": " + line);
        for (String s : List.of(r.stdout(), r.stderr())) {
            assertFalse(s.contains("\tat ") || s.contains("Exception in") || s.contains("Caused by"), "a stack trace was printed:\n" + s);
        }
        assertTrue(r.logged().isEmpty(), "logged at WARN/ERROR: " + r.logged().stream()
                .map(e -> e.getLevel() + " " + e.getLoggerName() + ": " + e.getMessage().getFormattedMessage()).toList());
        if (out != null) {
            assertFalse(Files.exists(out, java.nio.file.LinkOption.NOFOLLOW_LINKS) && !Files.isSymbolicLink(out) && isNew(out),
                    "output " + out + " was created");
            assertNothingBeside(out);
        }
    }

    private static boolean isNew(Path out) { return Files.exists(out.resolve("direction.npy")); }

    /** No temporary folder or lock file of {@code out} in its parent. */
    static void assertNothingBeside(Path out) {
        try (Stream<Path> s = Files.list(out.getParent())) {
            List<String> left = s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("." + out.getFileName() + ".")).toList();
            assertTrue(left.isEmpty(), "left beside " + out + ": " + left);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static String[] args(Path modelFile, Path data, Path out, String... extra) {
        List<String> a = new ArrayList<>(List.of("--model", modelFile.toString(), "--data", data.toString(), "--out", out.toString()));
        a.addAll(List.of(extra));
        return a.toArray(String[]::new);
    }

    private static Path write(Path file, String text) throws IOException {
        Files.writeString(file, text);
        return file;
    }

    // ---- data

    @Test
    void raggedCsvRows(@TempDir Path t) throws IOException {
        Path out = t.resolve("out");
        Path few = write(t.resolve("few.csv"), "f0,f1,f2,label\n0.1,0.2,0.3,1\n0.1,0.2,1\n");
        assertRefused(job(args(model, few, out)), out, "few.csv", "3 fields", "header has 4", "0.1,0.2,1");
        Path many = write(t.resolve("many.csv"), "f0,f1,f2,label\n0.1,0.2,0.3,1,9\n");
        assertRefused(job(args(model, many, out)), out, "many.csv", "5 fields", "header has 4");
    }

    @Test
    void csvValues(@TempDir Path t) throws IOException {
        Path out = t.resolve("out");
        assertRefused(job(args(model, write(t.resolve("a.csv"), "f0,f1,f2,label\n0.1,abc,0.3,1\n"), out)), out,
                "a.csv", "non-numeric value \"abc\"", "column f1");
        assertRefused(job(args(model, write(t.resolve("b.csv"), "f0,f1,f2,label\n0.1,0.2,0.3,1\n0.1,NaN,0.3,1\n"), out)), out,
                "example 1", "NaN");
        assertRefused(job(args(model, write(t.resolve("c.csv"), "f0,f1,f2,label\n0.1,0.2,0.3,4\n"), out)), out, "label 4", "0..2");
    }

    @Test
    void libsvmLines(@TempDir Path t) throws IOException {
        Path out = t.resolve("out");
        String good = "1 1:0.1 2:0.2 3:0.3\n";
        assertRefused(job(args(model, write(t.resolve("a.libsvm"), good + "2 0:0.5\n"), out, "--format", "libsvm")), out,
                "a.libsvm", "index 0", "1-based");
        assertRefused(job(args(model, write(t.resolve("b.libsvm"), good + "2 1:0.5 4:1\n"), out, "--format", "libsvm")), out,
                "b.libsvm", "index 4", "out of range", "1..3");
        assertRefused(job(args(model, write(t.resolve("c.libsvm"), good + "2 1:zero\n"), out, "--format", "libsvm")), out,
                "c.libsvm", "\"1:zero\"", "not a number");
        assertRefused(job(args(model, write(t.resolve("d.libsvm"), good + "two 1:0.5\n"), out, "--format", "libsvm")), out,
                "d.libsvm", "label \"two\"");
    }

    @Test
    void parquetColumnTypesAndCorruptFiles(@TempDir Path t) throws IOException {
        Path out = t.resolve("out");
        Path strings = t.resolve("strings.parquet");
        spark.createDataFrame(List.of(RowFactory.create("0.1,0.2,0.3", 1)), new StructType()
                .add("features", DataTypes.StringType).add("label", DataTypes.IntegerType)).write().parquet(strings.toString());
        assertRefused(job(args(model, strings, out)), out, "strings.parquet", "\"features\"", "type string", "array<double>");
        Path label = t.resolve("label.parquet");
        spark.createDataFrame(List.of(RowFactory.create(scala.jdk.javaapi.CollectionConverters.asScala(List.of(0.1, 0.2, 0.3)).toSeq(), "one")),
                new StructType().add("features", DataTypes.createArrayType(DataTypes.DoubleType)).add("label", DataTypes.StringType))
                .write().parquet(label.toString());
        assertRefused(job(args(model, label, out)), out, "label.parquet", "\"label\"", "type string");
        Path corrupt = write(t.resolve("corrupt.parquet"), "this is not parquet at all");
        assertRefused(job(args(model, corrupt, out)), out, "corrupt.parquet", "not a Parquet file");
        // a folder with one good part and one truncated part
        Path folder = t.resolve("folder.parquet");
        spark.createDataFrame(List.of(RowFactory.create(scala.jdk.javaapi.CollectionConverters.asScala(List.of(0.1, 0.2, 0.3)).toSeq(), 1)),
                new StructType().add("features", DataTypes.createArrayType(DataTypes.DoubleType)).add("label", DataTypes.IntegerType))
                .coalesce(1).write().parquet(folder.toString());
        Path part;
        try (Stream<Path> s = Files.list(folder)) {
            part = s.filter(p -> p.getFileName().toString().endsWith(".parquet")).findFirst().orElseThrow();
        }
        byte[] bytes = Files.readAllBytes(part);
        Files.write(folder.resolve("part-99999-truncated.parquet"), java.util.Arrays.copyOf(bytes, bytes.length / 2));
        assertRefused(job(args(model, folder, out)), out, "part-99999-truncated.parquet", "not a Parquet file");
    }

    @Test
    void curvatureBatchLargerThanTheData(@TempDir Path t) {
        Path out = t.resolve("out");
        // one more than the data (a batch too large for the driver heap, e.g. 1000000, is refused from the shapes
        // before the data are read: MemoryRefusalTest)
        assertRefused(job(args(model, csv, out, "--curvature-batch", String.valueOf(ROWS + 1))), out,
                "--curvature-batch " + (ROWS + 1), ROWS + " examples", "all");
    }

    // ---- model specs and vectors

    @Test
    void oversizedModels(@TempDir Path t) throws IOException {
        Path out = t.resolve("out");
        Path repeat = write(t.resolve("repeat.json"), SPEC.replace("\"activation\": \"tanh\"}", "\"activation\": \"tanh\"}, "
                + "{\"type\": \"residual\", \"activation\": \"tanh\", \"repeat\": 2147483647}"));
        long start = System.nanoTime();
        assertRefused(job(args(repeat, csv, out)), out, "repeat.json", "parameters", "stages");
        assertTrue(System.nanoTime() - start < 10_000_000_000L, "the refusal took " + (System.nanoTime() - start) / 1e9 + " s");
        Path wide = write(t.resolve("wide.json"), "{\"input\": 3, \"layers\": [{\"type\": \"dense\", \"units\": 100000, \"activation\": \"tanh\"},"
                + " {\"type\": \"dense\", \"units\": 100000, \"activation\": \"tanh\"}], \"head\": {\"type\": \"softmax\", \"classes\": 3}}");
        assertRefused(job(args(wide, csv, out)), out, "wide.json", "layer 2", "100000 units", "Java array");
        Path heap = write(t.resolve("heap.json"), "{\"input\": 3, \"layers\": [{\"type\": \"dense\", \"units\": 40000, \"activation\": \"tanh\"},"
                + " {\"type\": \"dense\", \"units\": 40000, \"activation\": \"tanh\"}], \"head\": {\"type\": \"softmax\", \"classes\": 3}}");
        assertRefused(job(args(heap, csv, out)), out, "heap.json", "GB", "heap");
    }

    @Test
    void malformedSpecs(@TempDir Path t) throws IOException {
        Path out = t.resolve("out");
        Path deep = write(t.resolve("deep.json"), "{\"input\": 3, \"layers\": " + "[".repeat(100_000) + "]".repeat(100_000)
                + ", \"head\": {\"type\": \"softmax\", \"classes\": 3}}");
        assertRefused(job(args(deep, csv, out)), out, "deep.json", "nested deeper than");
        Path trailing = write(t.resolve("trailing.json"), SPEC + " {\"more\": 1}");
        assertRefused(job(args(trailing, csv, out)), out, "trailing.json", "not valid JSON", "text after the spec's closing }");
        Path dup = write(t.resolve("dup.json"), SPEC.replace("\"input\": 3,", "\"input\": 3, \"input\": 4,"));
        assertRefused(job(args(dup, csv, out)), out, "dup.json", "Duplicate field 'input'", "once");
    }

    @Test
    void npyShapeBeyondTheFile(@TempDir Path t) throws IOException {
        Path out = t.resolve("out");
        String dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (2305843009213693952,), }";
        byte[] h = (dict + " ".repeat(63 - (10 + dict.length()) % 64) + "\n").getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer b = ByteBuffer.allocate(10 + h.length + 16).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}).putShort((short) h.length).put(h);
        Path p = t.resolve("huge.npy");
        Files.write(p, b.array());
        assertRefused(job(args(model, csv, out, "--params", p.toString())), out, "huge.npy", "shape", "more data than");
    }

    // ---- masters

    @Test
    void masters(@TempDir Path t) throws IOException {
        Path out = t.resolve("out");
        assertRefused(job(args(model, csv, out, "--master", "foo://")), out, "unknown --master \"foo://\"", "spark://HOST:PORT");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();   // free once closed: nothing listens there
        }
        // the check runs on the driver before any session; run it as the job does without a session of the test's
        long start = System.nanoTime();
        Run r = runWithoutSession("--model", model.toString(), "--data", csv.toString(), "--out", out.toString(),
                "--master", "spark://127.0.0.1:" + port);
        double seconds = (System.nanoTime() - start) / 1e9;
        assertRefused(r, out, "cannot reach the Spark master spark://127.0.0.1:" + port, "start it");
        assertTrue(seconds < 20, "took " + seconds + " s");

        // something listens but is not a Spark master (it answers like a web server): refused by the RPC probe
        try (ServerSocket impostor = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            Thread answer = new Thread(() -> {
                while (!impostor.isClosed()) {
                    try (java.net.Socket c = impostor.accept()) {
                        c.getOutputStream().write("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                        c.getOutputStream().flush();
                        Thread.sleep(200);
                    } catch (IOException | InterruptedException e) {
                        return;
                    }
                }
            });
            answer.setDaemon(true);
            answer.start();
            start = System.nanoTime();
            r = runWithoutSession("--model", model.toString(), "--data", csv.toString(), "--out", out.toString(),
                    "--master", "spark://127.0.0.1:" + impostor.getLocalPort());
            seconds = (System.nanoTime() - start) / 1e9;
            assertRefused(r, out, "spark://127.0.0.1:" + impostor.getLocalPort(), "does not answer as a Spark master");
            assertTrue(seconds < 20, "took " + seconds + " s");
        }
    }

    /** The job as a command line runs it (it would make its own session; the master check refuses before that). */
    private static Run runWithoutSession(String... args) { return run(null, args); }

    // ---- --out

    @Test
    void danglingSymlinkAsOut(@TempDir Path t) throws IOException {
        Path link = Files.createSymbolicLink(t.resolve("out"), t.resolve("nowhere"));
        long start = System.nanoTime();
        assertRefused(job(args(model, csv, link, "--curvature-batch", "all")), link, "symbolic link", "nowhere");
        assertTrue(Files.isSymbolicLink(link) && !Files.exists(t.resolve("nowhere")), "the link was changed");
        assertTrue(System.nanoTime() - start < 5_000_000_000L, "refused only after computing");
    }

    @Test
    void overwriteRefusesWhatIsNotAnEarlierOutput(@TempDir Path t) throws IOException {
        // a regular file
        Path file = write(t.resolve("out.txt"), "mine");
        assertRefused(job(args(model, csv, file, "--overwrite")), null, "existing file");
        assertEquals("mine", Files.readString(file));
        assertNothingBeside(file);
        // a folder without the marker
        Path folder = Files.createDirectory(t.resolve("folder"));
        write(folder.resolve("keep.txt"), "mine");
        assertRefused(job(args(model, csv, folder, "--overwrite")), null, "not an output of hessinv", AtomicOutputDir.MARKER);
        assertEquals("mine", Files.readString(folder.resolve("keep.txt")));
        assertNothingBeside(folder);
        // the working folder and its parent
        Path cwd = Path.of("").toAbsolutePath();
        for (Path p : List.of(Path.of("."), cwd, cwd.getParent())) {
            assertRefused(job(args(model, csv, p, "--overwrite")), null, "working folder");
        }
        assertTrue(Files.exists(Path.of("pom.xml")), "the working folder was touched");
    }

    @Test
    void overwriteReplacesAnEarlierOutputAndInitialParametersAreWritten(@TempDir Path t) throws IOException {
        Path out = t.resolve("out");
        Run first = job(args(model, csv, out, "--init-seed", "5"));
        assertEquals(0, first.code(), first.stderr());
        assertTrue(Files.exists(out.resolve(AtomicOutputDir.MARKER)));
        assertArrayEquals(net.initialParameters(5), Npy.read(out.resolve(NewtonDirectionJob.INITIAL_PARAMS)));
        assertTrue(first.stdout().contains(NewtonDirectionJob.INITIAL_PARAMS), first.stdout());
        assertRefused(job(args(model, csv, out)), null, "already exists", "--overwrite");
        Npy.write(t.resolve("x.npy"), net.initialParameters(6));
        Run again = job(args(model, csv, out, "--overwrite", "--params", t.resolve("x.npy").toString()));
        assertEquals(0, again.code(), again.stderr());
        assertFalse(Files.exists(out.resolve(NewtonDirectionJob.INITIAL_PARAMS)), "initial-params.npy written although --params was given");
        assertNothingBeside(out);
    }

    @Test
    void aSecondWriterOfOneOutIsRefused(@TempDir Path t) throws Exception {
        Path out = t.resolve("out");
        try (AtomicOutputDir held = AtomicOutputDir.open(out, false)) {
            Run r = job(args(model, csv, out, "--overwrite"));
            assertEquals(NewtonDirectionJob.EXIT_BAD_INPUT, r.code(), r.stderr());
            assertTrue(r.stderr().strip().startsWith("error: another job is writing --out"), r.stderr());
            assertTrue(Files.isDirectory(held.temporary()), "the first writer's temporary folder was touched");
            Npy.write(held.file("direction.npy"), new double[] {1});
            held.commit();
        }
        assertArrayEquals(new double[] {1}, Npy.read(out.resolve("direction.npy")));
        assertNothingBeside(out);

        // two jobs at once without --overwrite: exactly one writes, the other is refused with exit 2
        Path out2 = t.resolve("out2");
        int[] codes = new int[2];
        String[] errs = new String[2];
        Thread[] threads = new Thread[2];
        java.util.concurrent.CyclicBarrier barrier = new java.util.concurrent.CyclicBarrier(2);
        for (int i = 0; i < 2; i++) {
            int k = i;
            threads[i] = new Thread(() -> {
                try {
                    barrier.await();
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
                JobRunCapture c = JobRunCapture.run(spark, args(model, csv, out2, "--init-seed", String.valueOf(k)));
                codes[k] = c.code;
                errs[k] = c.err;
            });
            threads[i].start();
        }
        for (Thread th : threads) th.join();
        assertEquals(1, (codes[0] == 0 ? 1 : 0) + (codes[1] == 0 ? 1 : 0), "exit codes " + codes[0] + ", " + codes[1]);
        int loser = codes[0] == 0 ? 1 : 0;
        assertEquals(NewtonDirectionJob.EXIT_BAD_INPUT, codes[loser]);
        assertTrue(errs[loser].contains("another job is writing") || errs[loser].contains("already exists"), errs[loser]);
        assertArrayEquals(net.initialParameters(1 - loser), Npy.read(out2.resolve(NewtonDirectionJob.INITIAL_PARAMS)));
        assertNothingBeside(out2);
    }

    /** A run whose standard streams are not redirected (threads share System.err): the error line is kept per thread. */
    record JobRunCapture(int code, String err) {
        static JobRunCapture run(SparkSession spark, String... args) {
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            PrintStream p = new PrintStream(err, true, StandardCharsets.UTF_8);
            THREAD_ERR.set(p);
            try {
                return new JobRunCapture(NewtonDirectionJob.run(args, spark), err.toString(StandardCharsets.UTF_8));
            } finally {
                THREAD_ERR.remove();
            }
        }
    }

    private static final ThreadLocal<PrintStream> THREAD_ERR = new ThreadLocal<>();

    static {
        // route System.err per thread while two jobs run at once
        PrintStream original = System.err;
        System.setErr(new PrintStream(new java.io.OutputStream() {
            @Override public void write(int b) {
                PrintStream p = THREAD_ERR.get();
                (p != null ? p : original).write(b);
            }

            @Override public void write(byte[] b, int off, int len) {
                PrintStream p = THREAD_ERR.get();
                (p != null ? p : original).write(b, off, len);
            }
        }, true));
    }
}
