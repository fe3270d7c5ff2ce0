package org.hessinv.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.hessinv.io.Npy;
import org.hessinv.model.Example;
import org.hessinv.model.ModelSpec;
import org.hessinv.model.Network;
import org.hessinv.train.HistoryRow;
import org.hessinv.testing.JobRun;
import org.hessinv.testing.RandomProblems;
import org.hessinv.testing.ReferenceNetwork;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The train and predict jobs in local[2] on a small classification problem. */
@Tag("spark")
class TrainJobTest {
    private static final String SPEC = "{\"input\": 3, \"layers\": [{\"type\": \"dense\", \"units\": 4, \"activation\": \"tanh\"},"
            + " {\"type\": \"residual\", \"activation\": \"tanh\", \"repeat\": 2}], \"head\": {\"type\": \"softmax\", \"classes\": 3}}";
    private static SparkSession spark;
    @TempDir static Path dir;
    private static Network net;
    private static List<Example> examples;
    private static Path model;
    private static Path data;

    @BeforeAll
    static void start() throws IOException {
        spark = SparkSession.builder().master("local[2]").appName("hessinv-train-test").config("spark.ui.enabled", "false").getOrCreate();
        net = ModelSpec.parse(SPEC);
        examples = new ArrayList<>();
        SplittableRandom rng = new SplittableRandom(3);
        // features with a mean and scale far from (0, 1), so standardization matters
        for (Example e : RandomProblems.examples(rng, net, 90)) {
            double[] f = e.features().clone();
            for (int k = 0; k < f.length; k++) f[k] = 5 + 3 * f[k];
            examples.add(new Example(f, e.response()));
        }
        model = dir.resolve("model.json");
        Files.writeString(model, SPEC);
        data = dir.resolve("data.csv");
        StringBuilder b = new StringBuilder("f0,f1,f2,label\n");
        for (Example e : examples) {
            b.append(e.features()[0]).append(',').append(e.features()[1]).append(',').append(e.features()[2]).append(',')
                    .append((int) e.response()[0]).append('\n');
        }
        Files.writeString(data, b);
    }

    @AfterAll
    static void stop() { spark.stop(); }

    static JobRun train(String... args) { return JobRun.of(TrainJob::run, spark, args); }

    static String[] args(Path out, String... more) { return args(3, out, more); }

    static String[] args(int partitions, Path out, String... more) {
        List<String> a = new ArrayList<>(List.of("--model", model.toString(), "--data", data.toString(), "--init-seed", "4",
                "--curvature-batch", "40", "--partitions", String.valueOf(partitions), "--validation-fraction", "0.2",
                "--checkpoint-every", "2", "--out", out.toString()));
        a.addAll(List.of(more));
        return a.toArray(String[]::new);
    }

    static String[] concat(String[] a, String... b) {
        List<String> out = new ArrayList<>(List.of(a));
        out.addAll(List.of(b));
        return out.toArray(String[]::new);
    }

    /**
     * train-compare on the tiny problem: one folder per optimizer, every optimizer starting from the same loss, seconds
     * increasing, and each optimizer's last compare.csv row equal to an independent evaluation of its saved params.npy.
     */
    @Test
    void compareWritesConsistentRows() throws IOException {
        Path out = dir.resolve("compare");
        JobRun r = JobRun.of(CompareJob::run, spark, "--model", model.toString(), "--data", data.toString(), "--init-seed", "4",
                "--curvature-batch", "40", "--partitions", "3", "--validation-fraction", "0.2", "--optimizers", "lm,lbfgs,adam,hf",
                "--time-limit", "30", "--steps", "4", "--out", out.toString());
        assertEquals(0, r.code(), r.stderr());
        for (String f : List.of("compare.csv", "compare.png", "compare-accuracy.png", "summary.md")) assertTrue(Files.isRegularFile(out.resolve(f)), f);
        List<String> lines = Files.readAllLines(out.resolve("compare.csv"));
        assertEquals("optimizer,step,seconds,loss,validation_loss,accuracy", lines.get(0));
        java.util.Map<String, List<String[]>> by = new java.util.LinkedHashMap<>();
        for (String l : lines.subList(1, lines.size())) by.computeIfAbsent(l.split(",")[0], k -> new ArrayList<>()).add(l.split(",", -1));
        assertEquals(List.of("lm", "lbfgs", "adam", "hf"), List.copyOf(by.keySet()));
        double start = Double.parseDouble(by.get("lm").get(0)[3]);
        for (var e : by.entrySet()) {
            List<String[]> rows = e.getValue();
            assertEquals("0", rows.get(0)[1], e.getKey() + " starts at step 0");
            assertEquals(start, Double.parseDouble(rows.get(0)[3]), 0, e.getKey() + " starts from the same loss");
            for (int i = 1; i < rows.size(); i++) {
                assertTrue(Double.parseDouble(rows.get(i)[2]) >= Double.parseDouble(rows.get(i - 1)[2]), e.getKey() + ": seconds increase");
            }
            assertEquals(5, rows.size(), e.getKey() + ": start and 4 steps");
            Path run = out.resolve(e.getKey());
            assertArrayEquals(net.initialParameters(4), Npy.read(run.resolve("initial-params.npy")), 0, e.getKey() + ": same start");
            double independent = ReferenceNetwork.batchLoss(net, Npy.read(run.resolve("params.npy")), standardizedTrainingSet(run));
            double last = Double.parseDouble(rows.get(rows.size() - 1)[3]);
            assertEquals(independent, last, 1e-12 * independent, e.getKey() + ": last loss = loss of its params.npy");
        }
        String summary = Files.readString(out.resolve("summary.md"));
        for (String o : by.keySet()) assertTrue(summary.contains("| " + o + " |"), summary);
    }

    static List<HistoryRow> history(Path run) throws IOException {
        return Checkpoint.readHistory(run.resolve("history.csv"));
    }

    /** The examples of the training set as train splits them (the complement of the seeded validation draw), standardized as saved. */
    static List<Example> standardizedTrainingSet(Path run) throws IOException {
        JsonNode st = new ObjectMapper().readTree(run.resolve("standardization.json").toFile());
        int n = examples.size();
        java.util.BitSet held = org.hessinv.spark.CurvatureSample.choose(n, Math.round(0.2 * n), 0 ^ 0x5A11D);
        List<Example> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (held.get(i)) continue;
            double[] f = examples.get(i).features().clone();
            for (int k = 0; k < f.length; k++) f[k] = (f[k] - st.get("mean").get(k).asDouble()) / st.get("scale").get(k).asDouble();
            out.add(new Example(f, examples.get(i).response()));
        }
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"lm", "trust-region", "lbfgs", "adam", "hf"})
    void trainsAndWritesConsistentOutputs(String optimizer) throws IOException {
        Path out = dir.resolve("run-" + optimizer);
        JobRun r = train(args(out, "--optimizer", optimizer, "--steps", "6", "--learning-rate", "0.05"));
        assertEquals(0, r.code(), r.stderr());
        for (String f : List.of("run.json", "model.json", "initial-params.npy", "params.npy", "history.csv", "report.json", "loss.png",
                "standardization.json", "checkpoint/params.npy")) {
            assertTrue(Files.isRegularFile(out.resolve(f)), f + " written");
        }
        assertArrayEquals(net.initialParameters(4), Npy.read(out.resolve("initial-params.npy")), 0, "initial-params.npy is the seeded start");
        List<HistoryRow> h = history(out);
        assertEquals(7, h.size(), "start row and one row per step");
        for (int i = 1; i < h.size(); i++) {
            HistoryRow prev = h.get(i - 1), row = h.get(i);
            assertEquals(i, row.step());
            assertTrue(row.seconds() >= prev.seconds(), "seconds increase");
            // Adam's steps are all taken, and need not lower the loss
            if (row.accepted() && !optimizer.equals("adam")) assertTrue(row.loss() < prev.loss(), "accepted step " + i + " lowers the loss");
            else if (!row.accepted()) assertEquals(prev.loss(), row.loss(), 0, "rejected step " + i + " keeps the loss");
            // hf's CG is truncated: its residual is what CG reached, not an exact solve's
            if (!optimizer.equals("hf")) assertTrue(row.residual() < 1e-8 || Double.isNaN(row.residual()), "certified solve: " + row.residual());
            if (optimizer.equals("hf")) assertTrue(row.route().startsWith("cg:"), "hf counts its products: " + row.route());
        }
        assertTrue(h.get(h.size() - 1).loss() < h.get(0).loss(), "training lowered the loss");
        // report.json's finalLoss is the training loss at params.npy, evaluated independently (reference forward pass)
        JsonNode rep = new ObjectMapper().readTree(out.resolve("report.json").toFile());
        double independent = ReferenceNetwork.batchLoss(net, Npy.read(out.resolve("params.npy")), standardizedTrainingSet(out));
        assertEquals(independent, rep.get("finalLoss").asDouble(), 1e-12 * independent, "finalLoss = loss of params.npy");
        assertEquals(h.get(h.size() - 1).loss(), rep.get("finalLoss").asDouble(), 0);
        assertEquals(72, rep.get("trainingExamples").asLong());
        assertEquals(18, rep.get("validationExamples").asLong());
    }

    /**
     * A run stopped at step 3 (checkpoints every 2 steps) and resumed to step 7 equals the uninterrupted 7-step run, bit for bit,
     * for every optimizer (its memory in the checkpoint: L-BFGS pairs, Adam moments with seeded minibatches, hf's warm start).
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"lm", "lbfgs", "adam", "hf"})
    void resumedRunEqualsTheUninterruptedRun(String optimizer) throws IOException {
        Path whole = dir.resolve("whole-" + optimizer);
        Path parts = dir.resolve("parts-" + optimizer);
        String[] o = {"--resample-every", "2", "--optimizer", optimizer, "--batch-size", "16", "--learning-rate", "0.05", "--lbfgs-memory", "3"};
        assertEquals(0, train(args(whole, concat(o, "--steps", "7"))).code());
        assertEquals(0, train(args(parts, concat(o, "--steps", "3"))).code());
        JobRun resumed = train("--out", parts.toString(), "--resume", "--steps", "7");
        assertEquals(0, resumed.code(), resumed.stderr());
        assertArrayEquals(Npy.read(whole.resolve("params.npy")), Npy.read(parts.resolve("params.npy")), 0, "final parameters bit for bit");
        List<HistoryRow> a = history(whole), b = history(parts);
        assertEquals(a.size(), b.size());
        for (int i = 0; i < a.size(); i++) assertEquals(a.get(i).withoutTimes(), b.get(i).withoutTimes(), "history row " + i);
    }

    /** The reproducible sums make a run independent of the partitioning: 1 and 5 partitions, same history and parameters, bit for bit. */
    @Test
    void theResultDoesNotDependOnThePartitioning() throws IOException {
        Path one = dir.resolve("p1"), five = dir.resolve("p5");
        assertEquals(0, train(args(1, one, "--steps", "4")).code());
        assertEquals(0, train(args(5, five, "--steps", "4")).code());
        assertArrayEquals(Npy.read(one.resolve("params.npy")), Npy.read(five.resolve("params.npy")), 0);
        List<HistoryRow> a = history(one), b = history(five);
        for (int i = 0; i < a.size(); i++) assertEquals(a.get(i).withoutTimes(), b.get(i).withoutTimes(), "history row " + i);
    }

    /** A driver killed after its checkpoint at step 2: deleting what came after it and resuming finishes the same run. */
    @Test
    void resumeFromAnOlderCheckpointReplaysTheLostSteps() throws IOException {
        Path whole = dir.resolve("whole5");
        Path killed = dir.resolve("killed5");
        assertEquals(0, train(args(whole, "--steps", "5")).code());
        assertEquals(0, train(args(killed, "--steps", "2")).code());
        // what a kill after step 2's checkpoint leaves: no final outputs
        for (String f : List.of("params.npy", "history.csv", "report.json", "loss.png")) Files.delete(killed.resolve(f));
        assertEquals(0, train("--out", killed.toString(), "--resume", "--steps", "5").code());
        assertArrayEquals(Npy.read(whole.resolve("params.npy")), Npy.read(killed.resolve("params.npy")), 0);
    }

    @Test
    void badInputIsOneLineAndWritesNothing() throws IOException {
        Path out = dir.resolve("bad");
        String[][] cases = {
            args(out, "--steps", "0"),
            args(out, "--time-limit", "-5"),
            args(out, "--validation-fraction", "1.5"),
            args(out, "--optimizer", "sgd"),
            args(out, "--optimizer", "lbfgs", "--lbfgs-memory", "0"),
            args(out, "--optimizer", "hf", "--cg-max", "0"),
            args(out, "--optimizer", "adam", "--learning-rate", "-1"),
            args(out, "--optimizer", "adam", "--batch-size", "-2"),
            args(out, "--curvature", "fisher"),
            args(out, "--curvature-batch", "-3"),
            {"--model", model.toString(), "--data", data.toString(), "--curvature-batch", "5000", "--out", out.toString()},
            args(out, "--steps", "many"),
            {"--model", model.toString(), "--data", dir.resolve("nothing.csv").toString(), "--out", out.toString()},
            {"--model", dir.resolve("no-model.json").toString(), "--data", data.toString(), "--out", out.toString()},
            {"--out", dir.toString(), "--resume"},
            {"--model", model.toString(), "--out", out.toString()},
        };
        for (String[] c : cases) {
            JobRun r = train(c);
            assertEquals(2, r.code(), String.join(" ", c) + "\n" + r.stderr());
            assertTrue(r.lastLine().startsWith("error: "), r.stderr());
            assertFalse(r.stderr().contains("\tat "), "no stack trace: " + r.stderr());
            assertFalse(Files.exists(out), "nothing written for " + String.join(" ", c));
        }
        // a model/data mismatch: the data has 3 features, this model wants 5
        Path wide = dir.resolve("wide.json");
        Files.writeString(wide, SPEC.replace("\"input\": 3", "\"input\": 5"));
        JobRun r = train("--model", wide.toString(), "--data", data.toString(), "--out", out.toString());
        assertEquals(2, r.code(), r.stderr());
        assertTrue(r.lastLine().contains("feature"), r.lastLine());
        assertFalse(Files.exists(out));
        try (Stream<Path> s = Files.list(dir)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().startsWith(".bad")), "no temporary folder left");
        }
        // a second writer while a run holds --out is refused
        try (AutoCloseable held = org.hessinv.io.RunFolder.lock(out)) {
            JobRun busy = train(args(out, "--steps", "1"));
            assertEquals(2, busy.code(), busy.stderr());
            assertTrue(busy.lastLine().contains("another train run"), busy.lastLine());
            assertFalse(Files.exists(out));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        // an existing run is left untouched without --overwrite
        Path run = dir.resolve("run-lm-existing");
        assertEquals(0, train(args(run, "--steps", "1")).code());
        byte[] before = Files.readAllBytes(run.resolve("params.npy"));
        JobRun again = train(args(run, "--steps", "2"));
        assertEquals(2, again.code());
        assertTrue(again.lastLine().contains("--resume"), again.lastLine());
        assertArrayEquals(before, Files.readAllBytes(run.resolve("params.npy")));
    }

    /** predict applies the saved standardization; its probabilities match an independent forward pass of params.npy. */
    @Test
    void predictUsesTheSavedStandardization() throws IOException {
        Path run = dir.resolve("for-predict");
        assertEquals(0, train(args(run, "--steps", "3")).code());
        Path out = dir.resolve("predictions");
        JobRun r = JobRun.of(PredictJob::run, spark, "--model", run.resolve("model.json").toString(), "--params",
                run.resolve("params.npy").toString(), "--data", data.toString(), "--out", out.toString());
        assertEquals(0, r.code(), r.stderr());
        double[] x = Npy.read(run.resolve("params.npy"));
        JsonNode st = new ObjectMapper().readTree(run.resolve("standardization.json").toFile());
        List<String> lines = new ArrayList<>();
        try (Stream<Path> s = Files.list(out)) {
            for (Path p : s.filter(p -> p.toString().endsWith(".csv")).sorted().toList()) {
                List<String> l = Files.readAllLines(p);
                lines.addAll(l.subList(1, l.size()));
            }
        }
        assertEquals(examples.size(), lines.size());
        for (String line : lines) {
            String[] c = line.split(",");
            int i = Integer.parseInt(c[0]);
            double[] f = examples.get(i).features().clone();
            for (int k = 0; k < f.length; k++) f[k] = (f[k] - st.get("mean").get(k).asDouble()) / st.get("scale").get(k).asDouble();
            double[] u = ReferenceNetwork.output(net, x, f);
            double m = Math.max(u[0], Math.max(u[1], u[2]));
            double z = Math.exp(u[0] - m) + Math.exp(u[1] - m) + Math.exp(u[2] - m);
            for (int k = 0; k < 3; k++) assertEquals(Math.exp(u[k] - m) / z, Double.parseDouble(c[1 + k]), 1e-12, "p" + k + " of example " + i);
        }
    }
}
