package org.hessinv.cli;

import java.io.BufferedWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.hessinv.curvature.Curvature;
import org.hessinv.io.AtomicOutputDir;
import org.hessinv.io.Json;
import org.hessinv.model.Example;
import org.hessinv.model.InvalidInputException;
import org.hessinv.model.Network;
import org.hessinv.model.Standardization;
import org.hessinv.spark.ExamplePasses;
import org.hessinv.spark.TrainingData;
import org.hessinv.train.DampedCurvature;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code evidence}: the Laplace log evidence of a trained network as a function of the prior precision delta
 * (docs/math.md section 10), {@code log p(D | delta) ~ -N F(x*) - delta ||x*||^2 / 2 + n log(delta) / 2
 * - log det(N C + delta I) / 2}, over a grid of delta, with its maximizer; optionally the predictive mean and
 * standard deviation of test examples from samples of the Laplace posterior N(x*, (N C + delta* I)^-1).
 */
@Command(name = "evidence", mixinStandardHelpOptions = true, version = "hessinv 0.1.0-SNAPSHOT", sortOptions = false, usageHelpAutoWidth = true,
        description = {"Laplace log evidence over a grid of prior precisions delta, its maximizer, and (with --samples and --test)",
                "the predictive mean and standard deviation of test examples under the Laplace posterior at the maximizer."},
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {"0:written", "1:unexpected failure", "2:bad input (one line: error: ...)", "3:singular curvature system"})
public final class EvidenceJob implements Callable<Integer> {
    @picocli.CommandLine.Mixin
    TrainedModelOptions trained = new TrainedModelOptions();

    @Option(names = "--data", required = true, paramLabel = "TRAIN", description = "Training examples (CSV, Parquet or LibSVM).")
    String data;
    @Option(names = "--curvature", paramLabel = "ggn", defaultValue = "ggn", description = "The Gauss-Newton matrix (positive semi-definite; default).")
    String curvature;
    @Option(names = "--solver", paramLabel = "auto|riccati|output-space", defaultValue = "auto", description = "Exact route (default ${DEFAULT-VALUE}).")
    String solver;
    @Option(names = "--deltas", paramLabel = "D1,D2,...", split = ",", description = "Prior precisions to evaluate.")
    List<Double> deltas;
    @Option(names = "--delta-grid", paramLabel = "LO:HI:N", description = "N log-spaced precisions from LO to HI (default 1e-4:1e4:33).")
    String deltaGrid;
    @Option(names = "--curvature-batch", paramLabel = "all|N", defaultValue = "256", description = "Examples in the curvature batch (seeded; default ${DEFAULT-VALUE}, or all when there are fewer).")
    String curvatureBatch;
    @Option(names = "--seed", paramLabel = "S", defaultValue = "0", description = "Seed of the curvature batch and of the samples (default ${DEFAULT-VALUE}).")
    long seed;
    @Option(names = "--samples", paramLabel = "S", defaultValue = "0", description = "Posterior samples for the predictive of --test (default ${DEFAULT-VALUE}: none).")
    int samples;
    @Option(names = "--test", paramLabel = "TEST", description = "Test examples for the predictive (with --samples).")
    String test;
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
        EvidenceJob job = new EvidenceJob();
        job.given = spark;
        return Commands.execute(job, args);
    }

    /** One grid point: delta, the log evidence (without delta-free constants) and log det(N C + delta I). */
    record Point(double delta, double logEvidence, double logAbsDet) {}

    record Report(String model, String params, String data, String curvature, String route, long examples, long curvatureExamples,
                  int parameters, double meanLoss, double paramsNormSquared, String form, double bestDelta, double bestLogEvidence,
                  boolean bestOnGridEdge, int samples, long testExamples, List<Point> grid, Map<String, Double> timings) {}

    static final String FORM = "log p(D|delta) = -N F(x*) - delta |x*|^2 / 2 + (n/2) log delta - (1/2) log det(N C + delta I) "
            + "(+ delta-free constants), log det(N C + delta I) = n log N + log det(C + (delta/N) I)";

    @Override public Integer call() throws Exception {
        long start = System.nanoTime();
        double[] grid = grid();
        long batchSize = Commands.curvatureBatch(curvatureBatch);
        Curvature curv = Curvature.fromSpec(curvature);
        if (curv != Curvature.GGN) throw new InvalidInputException("--curvature must be ggn for the evidence (a positive semi-definite curvature), got \"" + curvature + "\"");
        org.hessinv.train.CurvatureRoute.fromSpec(solver);
        if (samples < 0) throw new InvalidInputException("--samples must be >= 0, got " + samples);
        if (samples > 0 && test == null) throw new InvalidInputException("--samples needs --test TEST (the examples to predict)");
        if (samples == 0 && test != null) throw new InvalidInputException("--test needs --samples S (posterior samples for the predictive)");
        Network net = trained.network();
        org.hessinv.train.MemoryBudget.of("evidence").require(net, batchSize, curv, solver);
        double[] x = trained.parameters(net);
        Standardization st = trained.standardization(net);
        try (AtomicOutputDir dir = AtomicOutputDir.open(Path.of(out), overwrite)) {
            SparkSession spark = given != null ? given : sparkOptions.session("hessinv evidence");
            int parts = sparkOptions.partitionsOrZero();
            try (TrainingData train = TrainedModel.read(spark, net, data, trained.format, st, parts)) {
                Map<String, Double> t = new LinkedHashMap<>();
                t.put("load", InfluenceJob.secs(start));
                long t0 = System.nanoTime();
                long nData = train.trainCount();
                org.hessinv.train.MemoryBudget.of("evidence").requireCounted(net, batchSize, nData, curv, solver);
                double meanLoss = ExamplePasses.loss(train.context(), train.train(), train.network(), x, nData);
                List<Example> batch = TrainedModel.batch(train, batchSize, seed, spec.commandLine().getParseResult().hasMatchedOption("--curvature-batch"));
                DampedCurvature c = TrainedModel.curvature(net, x, batch, curv, solver);
                t.put("curvature", InfluenceJob.secs(t0));
                t0 = System.nanoTime();
                double xx = 0;
                for (double v : x) xx += v * v;
                List<Point> points = new ArrayList<>();
                int best = 0;
                for (double d : grid) {
                    Point p = evaluate(c, nData, meanLoss, xx, d);
                    points.add(p);
                    if (p.logEvidence() > points.get(best).logEvidence()) best = points.size() - 1;
                }
                t.put("grid", InfluenceJob.secs(t0));
                Point b = points.get(best);
                boolean edge = grid.length > 1 && (best == 0 || best == grid.length - 1);
                try (BufferedWriter w = Files.newBufferedWriter(dir.file("evidence.csv"))) {
                    w.write("delta,log_evidence,log_abs_det\n");
                    for (Point p : points) w.write(p.delta() + "," + p.logEvidence() + "," + p.logAbsDet() + "\n");
                }
                long nTest = 0;
                if (samples > 0) {
                    t0 = System.nanoTime();
                    try (TrainingData tests = TrainedModel.read(spark, net, test, trained.format, st, parts)) {
                        BitSet all = new BitSet();
                        all.set(0, Math.toIntExact(tests.trainCount()));
                        List<Example> te = tests.gather(all);
                        nTest = te.size();
                        writePredictive(dir.file("predictive.csv"), net, x, te, c, b.delta(), nData, samples, seed);
                    }
                    t.put("samples", InfluenceJob.secs(t0));
                }
                t.put("total", InfluenceJob.secs(start));
                Report rep = new Report(InfluenceJob.abs(trained.model), InfluenceJob.abs(trained.params), InfluenceJob.abs(data), curv.specName(), c.route(), nData,
                        batch.size(), net.paramCount(), meanLoss, xx, FORM, b.delta(), b.logEvidence(), edge, samples, nTest, points, t);
                Json.write(dir.file("report.json"), rep);
                dir.commit();
                System.out.printf(Locale.ROOT, "evidence: %d examples, %s (%s), curvature batch %d, %d precisions%n", nData, curv.specName(), c.route(),
                        batch.size(), grid.length);
                System.out.printf(Locale.ROOT, "  maximizer delta %.4g, log evidence %.6g%s%n  timings (s): %s%n  wrote %s/{evidence.csv,report.json%s}%n",
                        b.delta(), b.logEvidence(), edge ? " (at the edge of the grid: widen it)" : "", InfluenceJob.fmt(t), dir.target(),
                        samples > 0 ? ",predictive.csv" : "");
                return 0;
            } finally {
                if (given == null) spark.stop();
            }
        }
    }

    /** The log evidence at delta (docs/math.md section 10), with log det(N C + delta I) = n log N + log det(C + (delta/N) I). */
    static Point evaluate(DampedCurvature c, long nData, double meanLoss, double xx, double delta) {
        int n = c.dimension();
        double logDet = n * Math.log(nData) + c.logAbsDet(delta / nData);
        double ev = -nData * meanLoss - delta * xx / 2 + n * Math.log(delta) / 2 - logDet / 2;
        return new Point(delta, ev, logDet);
    }

    /**
     * Per test example and output: the MAP prediction, and the mean and standard deviation over S draws
     * x_s = x* + T eps_s / sqrt(N), T T^T = (C + (delta/N) I)^-1, i.e. x_s ~ N(x*, (N C + delta I)^-1).
     */
    static void writePredictive(Path file, Network net, double[] x, List<Example> tests, DampedCurvature c, double delta, long nData,
                                int samples, long seed) throws java.io.IOException {
        int k = net.head().units();
        double[][] sum = new double[tests.size()][k];
        double[][] sq = new double[tests.size()][k];
        SplittableRandom rng = new SplittableRandom(seed ^ 0xE1D3);
        double scale = 1 / Math.sqrt(nData);
        for (int s = 0; s < samples; s++) {
            double[] eps = new double[x.length];
            for (int i = 0; i < eps.length; i++) eps[i] = Network.gaussian(rng);
            double[] d = c.sampleMap(delta / nData, eps);
            double[] xs = x.clone();
            for (int i = 0; i < xs.length; i++) xs[i] += scale * d[i];
            for (int j = 0; j < tests.size(); j++) {
                double[] p = net.head().prediction(net.output(xs, tests.get(j).features()));
                for (int a = 0; a < k; a++) {
                    sum[j][a] += p[a];
                    sq[j][a] += p[a] * p[a];
                }
            }
        }
        try (BufferedWriter w = Files.newBufferedWriter(file)) {
            w.write("test,output,map,mean,std\n");
            for (int j = 0; j < tests.size(); j++) {
                double[] map = net.head().prediction(net.output(x, tests.get(j).features()));
                for (int a = 0; a < k; a++) {
                    double mean = sum[j][a] / samples;
                    double var = samples > 1 ? Math.max(0, (sq[j][a] - samples * mean * mean) / (samples - 1)) : 0;
                    w.write(j + "," + a + "," + map[a] + "," + mean + "," + Math.sqrt(var) + "\n");
                }
            }
        }
    }

    private double[] grid() {
        if (deltas != null && deltaGrid != null) throw new InvalidInputException("give --deltas or --delta-grid, not both");
        double[] g;
        if (deltas != null) {
            g = deltas.stream().mapToDouble(Double::doubleValue).toArray();
        } else {
            String spec = deltaGrid != null ? deltaGrid : "1e-4:1e4:33";
            String[] f = spec.split(":", -1);
            double lo, hi;
            int count;
            try {
                if (f.length != 3) throw new NumberFormatException();
                lo = Double.parseDouble(f[0]);
                hi = Double.parseDouble(f[1]);
                count = Integer.parseInt(f[2]);
            } catch (NumberFormatException e) {
                throw new InvalidInputException("--delta-grid must be LO:HI:N (e.g. 1e-4:1e4:33), got \"" + spec + "\"");
            }
            if (!(lo > 0) || !(hi >= lo) || !Double.isFinite(hi) || count < 1 || (count == 1 && hi != lo)) {
                throw new InvalidInputException("--delta-grid needs 0 < LO <= HI finite and N >= 1 (N = 1 only with LO = HI), got \"" + spec + "\"");
            }
            g = new double[count];
            for (int i = 0; i < count; i++) g[i] = count == 1 ? lo : Math.exp(Math.log(lo) + (Math.log(hi) - Math.log(lo)) * i / (count - 1));
        }
        if (g.length == 0) throw new InvalidInputException("--deltas is empty; give at least one precision > 0");
        for (double d : g) if (!(d > 0) || !Double.isFinite(d)) throw new InvalidInputException("every prior precision must be a finite number > 0, got " + d);
        return g;
    }
}
