package org.hessinv.cli;

import java.io.BufferedWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.hessinv.curvature.Curvature;
import org.hessinv.io.AtomicOutputDir;
import org.hessinv.io.Json;
import org.hessinv.io.Npy;
import org.hessinv.model.Example;
import org.hessinv.model.InvalidInputException;
import org.hessinv.model.Network;
import org.hessinv.model.Standardization;
import org.hessinv.spark.InfluencePasses;
import org.hessinv.spark.TrainingData;
import org.hessinv.train.DampedCurvature;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code influence}: for every test example t, {@code s_t = (C + delta I)^-1 grad L_t} (one factorization, all
 * right-hand sides), then {@code score(t, i) = -grad L_t^T (C + delta I)^-1 grad l_i} for every training example i,
 * on the executors holding the training data (docs/math.md section 10). C is the curvature of the mean training
 * loss on the curvature batch. Writes top.csv, report.json and, with --all-scores, scores.npy, atomically.
 */
@Command(name = "influence", mixinStandardHelpOptions = true, version = "hessinv 0.1.0-SNAPSHOT", sortOptions = false, usageHelpAutoWidth = true,
        description = {"Influence of every training example on the loss of every test example: -grad L_t^T (C + delta I)^-1 grad l_i.",
                "Positive: upweighting training example i raises test example t's loss (harmful); negative: helpful."},
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {"0:written", "1:unexpected failure", "2:bad input (one line: error: ...)", "3:singular curvature system"})
public final class InfluenceJob implements Callable<Integer> {
    @picocli.CommandLine.Mixin
    TrainedModelOptions trained = new TrainedModelOptions();

    @Option(names = "--data", required = true, paramLabel = "TRAIN", description = "Training examples (CSV, Parquet or LibSVM).")
    String data;
    @Option(names = "--test", required = true, paramLabel = "TEST", description = "Test examples (same format rules).")
    String test;
    @Option(names = "--curvature", paramLabel = "ggn|hessian", defaultValue = "ggn", description = "Default: ${DEFAULT-VALUE}.")
    String curvature;
    @Option(names = "--solver", paramLabel = "auto|riccati|output-space", defaultValue = "auto", description = "Exact route (default ${DEFAULT-VALUE}).")
    String solver;
    @Option(names = "--damping", paramLabel = "D", defaultValue = "1e-3", description = "delta > 0 (default ${DEFAULT-VALUE}).")
    double damping;
    @Option(names = "--curvature-batch", paramLabel = "all|N", defaultValue = "256", description = "Examples in the curvature batch (seeded; default ${DEFAULT-VALUE}, or all when there are fewer).")
    String curvatureBatch;
    @Option(names = "--seed", paramLabel = "S", defaultValue = "0", description = "Seed of the curvature batch (default ${DEFAULT-VALUE}).")
    long seed;
    @Option(names = "--top", paramLabel = "K", defaultValue = "10", description = "Most harmful and most helpful training examples per test example (default ${DEFAULT-VALUE}).")
    int top;
    @Option(names = "--all-scores", description = "Also write scores.npy, the tests x train float64 matrix.")
    boolean allScores;
    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output folder (written atomically).")
    String out;
    @Option(names = "--overwrite", description = "Replace an earlier output of this job.")
    boolean overwrite;

    @picocli.CommandLine.Mixin
    SparkOptions sparkOptions = new SparkOptions();

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    private SparkSession given;

    public static void main(String[] args) {
        int code = run(args, null);
        if (code != 0) System.exit(code);
    }

    public static int run(String[] args, SparkSession spark) {
        InfluenceJob job = new InfluenceJob();
        job.given = spark;
        return Commands.execute(job, args);
    }

    /** Each solve's certificate ||(C + delta I) s_t - grad L_t|| / ||grad L_t||. */
    record Report(String model, String params, String data, String test, String curvature, String route, double damping,
                  long trainExamples, long testExamples, long curvatureExamples, int parameters, int top, boolean allScores,
                  double meanTestLoss, double maxResidual, double[] residuals, Map<String, Double> timings) {}

    @Override public Integer call() throws Exception {
        long start = System.nanoTime();
        if (!(damping > 0) || !Double.isFinite(damping)) throw new InvalidInputException("--damping must be a finite number > 0, got " + damping);
        if (top < 1) throw new InvalidInputException("--top must be a positive integer, got " + top);
        long batchSize = Commands.curvatureBatch(curvatureBatch);
        Curvature curv = Curvature.fromSpec(curvature);
        org.hessinv.train.CurvatureRoute.fromSpec(solver);
        Network net = trained.network();
        org.hessinv.train.MemoryBudget.of("influence").require(net, batchSize, curv, solver);
        double[] x = trained.parameters(net);
        Standardization st = trained.standardization(net);
        try (AtomicOutputDir dir = AtomicOutputDir.open(Path.of(out), overwrite)) {
            SparkSession spark = given != null ? given : sparkOptions.session("hessinv influence");
            int parts = sparkOptions.partitionsOrZero();
            try (TrainingData train = TrainedModel.read(spark, net, data, trained.format, st, parts);
                 TrainingData tests = TrainedModel.read(spark, net, test, trained.format, st, parts)) {
                org.hessinv.train.MemoryBudget.of("influence").requireCounted(net, batchSize, train.trainCount(), curv, solver);
                Map<String, Double> t = new LinkedHashMap<>();
                t.put("load", secs(start));
                long t0 = System.nanoTime();
                List<Example> batch = TrainedModel.batch(train, batchSize, seed, spec.commandLine().getParseResult().hasMatchedOption("--curvature-batch"));
                DampedCurvature c = TrainedModel.curvature(net, x, batch, curv, solver);
                double[][] g = InfluencePasses.gradients(train.context(), tests.train(), tests.network(), x);
                double[] testLosses = InfluencePasses.losses(train.context(), tests.train(), tests.network(), x);
                t.put("gradients", secs(t0));
                t0 = System.nanoTime();
                double[][] s = c.solveMany(damping, g);
                t.put("solve", secs(t0));
                t0 = System.nanoTime();
                double[] residuals = new double[s.length];
                for (int j = 0; j < s.length; j++) residuals[j] = residual(c, damping, s[j], g[j]);
                t.put("certify", secs(t0));
                t0 = System.nanoTime();
                double[][] byTrain = InfluencePasses.scores(train.context(), train.train(), train.network(), x, s);
                t.put("scores", secs(t0));
                t0 = System.nanoTime();
                int nTrain = byTrain.length, nTest = s.length;
                double[][] scores = new double[nTest][nTrain];
                for (int i = 0; i < nTrain; i++) for (int j = 0; j < nTest; j++) scores[j][i] = byTrain[i][j];
                writeTop(dir.file("top.csv"), scores, Math.min(top, nTrain));
                if (allScores) Npy.writeMatrix(dir.file("scores.npy"), scores, nTrain);
                double maxRes = Arrays.stream(residuals).max().orElse(0);
                t.put("write", secs(t0));
                t.put("total", secs(start));
                Report rep = new Report(abs(trained.model), abs(trained.params), abs(data), abs(test), curv.specName(), c.route(), damping, nTrain, nTest,
                        batch.size(), net.paramCount(), top, allScores, Arrays.stream(testLosses).average().orElse(Double.NaN), maxRes, residuals, t);
                Json.write(dir.file("report.json"), rep);
                dir.commit();
                System.out.printf(Locale.ROOT, "influence: %d test x %d training examples, %s curvature (%s), damping %.3g, curvature batch %d%n",
                        nTest, nTrain, curv.specName(), c.route(), damping, batch.size());
                System.out.printf(Locale.ROOT, "  max residual %.2e   timings (s): %s%n  wrote %s/{top.csv,report.json%s}%n", maxRes, fmt(t),
                        dir.target(), allScores ? ",scores.npy" : "");
                return 0;
            } finally {
                if (given == null) spark.stop();
            }
        }
    }

    /** ||(C + delta I) s - g|| / ||g|| by the R-pass (DampedCurvature.times), independent of the solve. */
    static double residual(DampedCurvature c, double delta, double[] s, double[] g) {
        double[] cs = c.times(s);
        double num = 0, den = 0;
        for (int k = 0; k < s.length; k++) {
            double r = cs[k] + delta * s[k] - g[k];
            num += r * r;
            den += g[k] * g[k];
        }
        return den == 0 ? 0 : Math.sqrt(num / den);
    }

    /** test,rank,train,score,kind: the K largest (harmful, rank 1 = largest) and K smallest (helpful, rank 1 = smallest) per test. */
    static void writeTop(Path file, double[][] scores, int k) throws java.io.IOException {
        try (BufferedWriter w = Files.newBufferedWriter(file)) {
            w.write("test,rank,train,score,kind\n");
            for (int t = 0; t < scores.length; t++) {
                double[] row = scores[t];
                Integer[] order = new Integer[row.length];
                for (int i = 0; i < order.length; i++) order[i] = i;
                // descending score, ties by index
                Arrays.sort(order, (a, b) -> row[a] != row[b] ? Double.compare(row[b], row[a]) : Integer.compare(a, b));
                for (int r = 0; r < k; r++) w.write(t + "," + (r + 1) + "," + order[r] + "," + Double.toString(row[order[r]]) + ",harmful\n");
                for (int r = 0; r < k; r++) {
                    int i = order[order.length - 1 - r];
                    w.write(t + "," + (r + 1) + "," + i + "," + Double.toString(row[i]) + ",helpful\n");
                }
            }
        }
    }

    static double secs(long t0) { return (System.nanoTime() - t0) / 1e9; }

    static String abs(String p) { return Path.of(p).toAbsolutePath().normalize().toString(); }

    static String fmt(Map<String, Double> t) {
        StringBuilder b = new StringBuilder("{");
        t.forEach((k, v) -> b.append(b.length() > 1 ? ", " : "").append(k).append('=').append(String.format(Locale.ROOT, "%.2f", v)));
        return b.append('}').toString();
    }
}
