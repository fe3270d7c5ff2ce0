package org.hessinv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.sql.SparkSession;
import org.hessinv.curvature.Curvature;
import org.hessinv.io.Json;
import org.hessinv.io.Npy;
import org.hessinv.model.Example;
import org.hessinv.model.ModelSpec;
import org.hessinv.model.Network;
import org.hessinv.model.Standardization;
import org.hessinv.solve.DenseSolver;
import org.hessinv.testing.DenseCurvature;
import org.hessinv.testing.DenseGgn;
import org.hessinv.testing.FiniteDifferences;
import org.hessinv.testing.JobRun;
import org.hessinv.testing.RandomProblems;
import org.hessinv.testing.ReferenceNetwork;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The influence and evidence jobs in local[2] on a small network against dense references: the curvature
 * assembled densely (DenseGgn by the chain rule, the Hessian by differences of the gradient), a dense LAPACK
 * solve and eigendecomposition, per-example gradients by finite differences of an independent forward pass.
 */
@Tag("spark")
class InfluenceJobTest {
    private static final String SPEC = "{\"input\": 3, \"layers\": [{\"type\": \"dense\", \"units\": 4, \"activation\": \"tanh\"},"
            + " {\"type\": \"residual\", \"activation\": \"tanh\", \"repeat\": 2}], \"head\": {\"type\": \"softmax\", \"classes\": 3}}";
    private static SparkSession spark;
    @TempDir static Path dir;
    private static Network net;
    private static double[] x;
    /** Raw (unstandardized) training and test examples, and the standardization saved next to the parameters. */
    private static List<Example> train, test;
    private static Standardization st;
    private static Path model, params, trainCsv, testCsv;

    @BeforeAll
    static void start() throws IOException {
        spark = SparkSession.builder().master("local[2]").appName("hessinv-influence-test").config("spark.ui.enabled", "false").getOrCreate();
        net = ModelSpec.parse(SPEC);
        SplittableRandom rng = new SplittableRandom(5);
        x = RandomProblems.parameters(rng, net, 0.8);
        train = shifted(RandomProblems.examples(rng, net, 40));
        test = shifted(RandomProblems.examples(rng, net, 6));
        st = new Standardization(new double[] {5, 5, 5}, new double[] {3, 2.5, 3.5});
        Path run = Files.createDirectories(dir.resolve("run"));
        model = run.resolve("model.json");
        Files.writeString(model, SPEC);
        params = run.resolve("params.npy");
        Npy.write(params, x);
        Json.write(run.resolve("standardization.json"), st);
        trainCsv = csv(dir.resolve("train.csv"), train);
        testCsv = csv(dir.resolve("test.csv"), test);
    }

    private static List<Example> shifted(List<Example> in) {
        List<Example> out = new ArrayList<>();
        for (Example e : in) {
            double[] f = e.features().clone();
            for (int k = 0; k < f.length; k++) f[k] = 5 + 3 * f[k];
            out.add(new Example(f, e.response()));
        }
        return out;
    }

    private static Path csv(Path p, List<Example> ex) throws IOException {
        StringBuilder b = new StringBuilder("f0,f1,f2,label\n");
        for (Example e : ex) {
            b.append(e.features()[0]).append(',').append(e.features()[1]).append(',').append(e.features()[2]).append(',')
                    .append((int) e.response()[0]).append('\n');
        }
        Files.writeString(p, b);
        return p;
    }

    @AfterAll
    static void stop() { spark.stop(); }

    private static List<Example> standardized(List<Example> ex) {
        List<Example> out = new ArrayList<>();
        for (Example e : ex) out.add(st.apply(e));
        return out;
    }

    /** The dense curvature of the mean training loss over every training example. */
    private static double[] denseCurvature(Curvature c) {
        List<Example> tr = standardized(train);
        return c == Curvature.GGN ? DenseGgn.ggn(net, x, tr) : DenseCurvature.hessianByGradientDifferences(net, x, tr);
    }

    private static double[] gradient(Example e) { return FiniteDifferences.gradient(xx -> ReferenceNetwork.loss(net, xx, e), x); }

    /** A 2-D float64 .npy matrix. */
    static double[][] readMatrix(Path p) throws IOException {
        byte[] bytes = Files.readAllBytes(p);
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int headerLen = buf.getShort(8) & 0xffff;
        String header = new String(bytes, 10, headerLen, java.nio.charset.StandardCharsets.ISO_8859_1);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("'shape': \\((\\d+), (\\d+)\\)").matcher(header);
        assertTrue(m.find(), header);
        int rows = Integer.parseInt(m.group(1)), cols = Integer.parseInt(m.group(2));
        assertEquals(10 + headerLen + 8L * rows * cols, bytes.length);
        double[][] out = new double[rows][cols];
        for (int i = 0; i < rows; i++) for (int j = 0; j < cols; j++) out[i][j] = buf.getDouble(10 + headerLen + 8 * (i * cols + j));
        return out;
    }

    /** The default --curvature-batch (256) is all 40 examples here; only an explicit larger N is refused (badInput...). */
    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"ggn,output-space,1e-3", "ggn,riccati,1e-3", "hessian,riccati,0.1"})
    void scoresEqualADenseReference(String curvature, String solver, double delta) throws IOException {
        Path out = dir.resolve("inf-" + curvature + "-" + solver);
        JobRun r = JobRun.of(InfluenceJob::run, spark, "--model", model.toString(), "--params", params.toString(), "--data", trainCsv.toString(),
                "--test", testCsv.toString(), "--curvature", curvature, "--solver", solver, "--damping", String.valueOf(delta),
                "--top", "3", "--all-scores", "--partitions", "3", "--out", out.toString());
        assertEquals(0, r.code(), r.stderr());
        int n = net.paramCount();
        double[] m = denseCurvature(Curvature.fromSpec(curvature));
        for (int i = 0; i < n; i++) m[i * n + i] += delta;
        double[][] ref = new double[test.size()][train.size()];
        List<Example> tr = standardized(train), te = standardized(test);
        double[][] gTrain = new double[tr.size()][];
        for (int i = 0; i < tr.size(); i++) gTrain[i] = gradient(tr.get(i));
        double scale = 0;
        for (int t = 0; t < te.size(); t++) {
            double[] s = DenseSolver.solve(m.clone(), n, gradient(te.get(t)));
            for (int i = 0; i < tr.size(); i++) {
                double dot = 0;
                for (int k = 0; k < n; k++) dot += s[k] * gTrain[i][k];
                ref[t][i] = -dot;
                scale = Math.max(scale, Math.abs(ref[t][i]));
            }
        }
        double[][] got = readMatrix(out.resolve("scores.npy"));
        assertEquals(te.size(), got.length);
        double worst = 0;
        for (int t = 0; t < te.size(); t++) for (int i = 0; i < tr.size(); i++) worst = Math.max(worst, Math.abs(got[t][i] - ref[t][i]));
        // finite-difference gradients (~1e-10 relative) and, for the Hessian, its difference-built matrix (~1e-9)
        assertTrue(worst <= 1e-6 * scale, curvature + "/" + solver + ": max |score - dense| = " + worst + " of max |score| " + scale);
        // top.csv: per test the 3 largest (harmful) and 3 smallest (helpful), indices in read order
        List<String> lines = Files.readAllLines(out.resolve("top.csv"));
        assertEquals("test,rank,train,score,kind", lines.get(0));
        assertEquals(1 + te.size() * 6, lines.size());
        for (int t = 0; t < te.size(); t++) {
            int argmax = 0, argmin = 0;
            for (int i = 1; i < tr.size(); i++) {
                if (ref[t][i] > ref[t][argmax]) argmax = i;
                if (ref[t][i] < ref[t][argmin]) argmin = i;
            }
            String[] h = lines.get(1 + 6 * t).split(",");
            String[] p = lines.get(1 + 6 * t + 3).split(",");
            assertEquals(List.of(String.valueOf(t), "1", String.valueOf(argmax), "harmful"), List.of(h[0], h[1], h[2], h[4]));
            assertEquals(List.of(String.valueOf(t), "1", String.valueOf(argmin), "helpful"), List.of(p[0], p[1], p[2], p[4]));
        }
        JsonNode rep = new ObjectMapper().readTree(out.resolve("report.json").toFile());
        assertEquals(te.size(), rep.get("residuals").size());
        assertTrue(rep.get("maxResidual").asDouble() < 1e-8, "certified residual " + rep.get("maxResidual"));
        assertEquals(solver, rep.get("route").asText());
    }

    /** The log evidence at every grid point equals the one from a dense eigendecomposition of N C + delta I. */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"output-space", "riccati"})
    void logEvidenceEqualsADenseEigendecomposition(String solver) throws IOException {
        Path out = dir.resolve("ev-" + solver);
        JobRun r = JobRun.of(EvidenceJob::run, spark, "--model", model.toString(), "--params", params.toString(), "--data", trainCsv.toString(),
                "--solver", solver, "--delta-grid", "1e-3:1e3:13", "--curvature-batch", "all", "--samples", "20", "--test", testCsv.toString(),
                "--out", out.toString());
        assertEquals(0, r.code(), r.stderr());
        int n = net.paramCount();
        int nData = train.size();
        double[] eig = DenseSolver.eigenvalues(denseCurvature(Curvature.GGN), n);
        List<Example> tr = standardized(train);
        double loss = ReferenceNetwork.batchLoss(net, x, tr);
        double xx = 0;
        for (double v : x) xx += v * v;
        List<String> lines = Files.readAllLines(out.resolve("evidence.csv"));
        assertEquals("delta,log_evidence,log_abs_det", lines.get(0));
        assertEquals(14, lines.size());
        double bestDelta = 0, best = Double.NEGATIVE_INFINITY;
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",");
            double delta = Double.parseDouble(f[0]);
            double logDet = 0;
            for (double e : eig) logDet += Math.log(nData * Math.max(e, 0) + delta);
            double ev = -nData * loss - delta * xx / 2 + n * Math.log(delta) / 2 - logDet / 2;
            assertEquals(logDet, Double.parseDouble(f[2]), 1e-9 * Math.abs(logDet) + 1e-9, "log det at " + delta);
            assertEquals(ev, Double.parseDouble(f[1]), 1e-9 * Math.abs(ev) + 1e-9, "log evidence at " + delta);
            if (ev > best) {
                best = ev;
                bestDelta = delta;
            }
        }
        JsonNode rep = new ObjectMapper().readTree(out.resolve("report.json").toFile());
        assertEquals(bestDelta, rep.get("bestDelta").asDouble(), 1e-12 * bestDelta);
        List<String> pred = Files.readAllLines(out.resolve("predictive.csv"));
        assertEquals("test,output,map,mean,std", pred.get(0));
        assertEquals(1 + test.size() * 3, pred.size());
        for (String line : pred.subList(1, pred.size())) {
            String[] f = line.split(",");
            double mean = Double.parseDouble(f[3]), sd = Double.parseDouble(f[4]);
            assertTrue(mean >= 0 && mean <= 1 && sd > 0 && sd < 1, line);
        }
    }

    @Test
    void badInputIsOneLineAndWritesNothing() throws IOException {
        String[] common = {"--model", model.toString(), "--params", params.toString(), "--data", trainCsv.toString()};
        List<String[]> cases = List.of(
                new String[] {"influence", "--test", testCsv.toString(), "--damping", "0"},
                new String[] {"influence", "--test", testCsv.toString(), "--top", "0"},
                new String[] {"influence", "--test", testCsv.toString(), "--curvature-batch", "1000"},
                new String[] {"influence", "--test", testCsv.toString(), "--curvature", "fisher"},
                new String[] {"influence", "--test", testCsv.toString(), "--standardization", dir.resolve("none.json").toString()},
                new String[] {"influence"},
                new String[] {"evidence", "--delta-grid", "1:0.1:5"},
                new String[] {"evidence", "--deltas", "1,-2"},
                new String[] {"evidence", "--curvature", "hessian"},
                new String[] {"evidence", "--samples", "5"});
        int k = 0;
        for (String[] c : cases) {
            Path out = dir.resolve("bad" + k++);
            List<String> a = new ArrayList<>(List.of(common));
            a.addAll(List.of(c).subList(1, c.length));
            a.addAll(List.of("--out", out.toString()));
            JobRun r = c[0].equals("influence") ? JobRun.of(InfluenceJob::run, spark, a.toArray(String[]::new))
                    : JobRun.of(EvidenceJob::run, spark, a.toArray(String[]::new));
            assertEquals(2, r.code(), String.join(" ", c) + ": " + r.stderr());
            String[] errLines = r.stderr().strip().split("\n");
            assertEquals(1, errLines.length, r.stderr());
            assertTrue(errLines[0].startsWith("error: "), r.stderr());
            assertFalse(Files.exists(out), "nothing written for " + String.join(" ", c));
        }
    }
}
