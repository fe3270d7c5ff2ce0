package org.hessinv.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.hessinv.curvature.Curvature;
import org.hessinv.breeze.BreezeLbfgs;
import org.hessinv.io.Json;
import org.hessinv.io.LinePlot;
import org.hessinv.io.Npy;
import org.hessinv.io.RunFolder;
import org.hessinv.model.Example;
import org.hessinv.model.InvalidInputException;
import org.hessinv.model.ModelSpec;
import org.hessinv.model.Network;
import org.hessinv.model.Standardization;
import org.hessinv.spark.ExampleReader;
import org.hessinv.spark.ExamplePasses;
import org.hessinv.spark.SparkObjective;
import org.hessinv.spark.TrainingData;
import org.hessinv.train.Adam;
import org.hessinv.train.CurvatureRoute;
import org.hessinv.train.HessianFree;
import org.hessinv.train.HistoryRow;
import org.hessinv.train.Lbfgs;
import org.hessinv.train.LevenbergMarquardt;
import org.hessinv.train.MemoryBudget;
import org.hessinv.train.Objective;
import org.hessinv.train.Optimizer;
import org.hessinv.train.TrainState;
import org.hessinv.train.Trainer;
import org.hessinv.train.TrustRegion;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code train}: trains a network with exact Newton-type steps in one Spark application (data read,
 * validated, standardized and persisted once), writing {@code params.npy}, {@code history.csv},
 * {@code report.json}, {@code loss.png} and checkpoints into a run folder that {@code --resume} continues.
 */
@Command(name = "train", mixinStandardHelpOptions = true, version = "hessinv 0.1.0-SNAPSHOT", sortOptions = false, usageHelpAutoWidth = true,
        description = {"Trains a network with exact damped Gauss-Newton (Levenberg-Marquardt) or exact trust-region steps,",
                "or, for comparison, L-BFGS, Adam or Hessian-free (CG on Gauss-Newton products).",
                "With neither --model nor --data: the shipped digits set (data/digits.csv) on conf/models/digits.json."},
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {"0:trained (any stop reason)", "1:unexpected failure", "2:bad input (one line: error: ...)",
                "3:singular curvature system"})
public final class TrainJob implements Callable<Integer> {
    @CommandLine.Mixin
    TrainingOptions training = new TrainingOptions();
    @Option(names = "--optimizer", paramLabel = "lm|trust-region|lbfgs|adam|hf", defaultValue = "lm", description = "Default: ${DEFAULT-VALUE}.")
    String optimizer;
    @Option(names = "--steps", paramLabel = "N", defaultValue = "100", description = "Step limit (default ${DEFAULT-VALUE}).")
    int steps;
    @Option(names = "--time-limit", paramLabel = "SECONDS", description = "Stop after this many seconds of training (default: none).")
    Double timeLimit;
    @Option(names = "--out", paramLabel = "DIR", description = "Run folder (default hessinv-out/train for the built-in run).")
    String out;
    @Option(names = "--resume", description = "Continue the run in --out from its last checkpoint (its settings; stopping rules may be given).")
    boolean resume;
    @Option(names = "--overwrite", description = "Replace an earlier run in --out.")
    boolean overwrite;

    @CommandLine.Mixin
    SparkOptions sparkOptions = new SparkOptions();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Adam steps per learning rate of the grid when --learning-rate is not given. */
    static final int GRID_STEPS = 10;

    /** Set by tests: a session to use (and leave open). */
    private SparkSession given;

    public static void main(String[] args) {
        int code = run(args, null);
        if (code != 0) System.exit(code);
    }

    /** Runs the command; with a non-null {@code spark} session (tests) that session is used and left open. Returns the exit code. */
    public static int run(String[] args, SparkSession spark) {
        TrainJob job = new TrainJob();
        job.given = spark;
        return Commands.execute(job, args);
    }

    @Override public Integer call() throws Exception {
        long start = System.nanoTime();
        boolean builtIn = training.builtIn();
        Path outDir = Path.of(out != null ? out : builtIn ? "hessinv-out/train" : requireOut());
        try (AutoCloseable lock = RunFolder.lock(outDir)) {
            return train(start, outDir);
        }
    }

    private int train(long start, Path outDir) throws Exception {
        RunFolder existing = null;
        TrainSettings s0;
        if (resume) {
            existing = RunFolder.existing(outDir);
            TrainSettings saved = Json.read(existing.file(RunFolder.MARKER), TrainSettings.class);
            s0 = saved.withStopping(matched("--steps") ? steps : saved.steps(), matched("--time-limit") ? timeLimit : saved.timeLimit(),
                    matched("--target-loss") ? training.targetLoss : saved.targetLoss(),
                    matched("--gradient-tolerance") ? training.gradientTolerance : saved.gradientTolerance());
        } else {
            s0 = training.settings(optimizer, steps, timeLimit == null ? Double.POSITIVE_INFINITY : timeLimit, sparkOptions.partitionsOrZero());
            RunFolder.checkNew(outDir, overwrite);
        }
        check(s0);
        String modelJson = s0.builtIn() ? DigitsProblem.modelJson()
                : existing != null ? Files.readString(existing.file("model.json")) : readModel(s0.model());
        Network net = ModelSpec.parse(modelJson);
        double[] x0 = s0.params() != null ? Npy.read(Path.of(s0.params())) : net.initialParameters(s0.initSeed());
        net.validateParameters(x0);
        MemoryBudget.of("train").requireForOptimizer(s0.optimizer(), net, s0.curvatureBatch(), s0.curvature(), s0.solver());
        SparkSession spark = given != null ? given : sparkOptions.session("hessinv train");
        // the partition count is part of the run (a resumed run reuses it: same partitions, same sums)
        TrainSettings s = s0.partitions() > 0 ? s0 : s0.withPartitions(spark.sparkContext().defaultParallelism());
        try (TrainingData d = TrainingData.prepare(JavaSparkContext.fromSparkContext(spark.sparkContext()), net,
                examples(spark, s, net), validation(spark, s, net), s.standardize(),
                existing != null ? Json.read(existing.file("standardization.json"), Standardization.class) : null, s.partitions())) {
            if (!resume && matched("--curvature-batch") && s.curvatureBatch() > d.trainCount()) {
                throw new InvalidInputException("--curvature-batch " + s.curvatureBatch() + " is larger than the " + d.trainCount()
                        + " training examples; give --curvature-batch all (or at most " + d.trainCount() + ")");
            }
            double loadSeconds = (System.nanoTime() - start) / 1e9;
            trainOne(existing, outDir, overwrite, s, modelJson, net, x0, d, loadSeconds, start);
            return 0;
        } finally {
            if (given == null) spark.stop();
        }
    }

    /** One run: its folder, where it ended, and its objective (for the pass count). */
    record Outcome(RunFolder run, Trainer.Result result, SparkObjective objective, TrainSettings settings) {}

    /**
     * Trains on prepared data into a new run folder {@code outDir} (or continues {@code existing}): the start (with Adam's
     * learning-rate grid when no rate is given), the Trainer loop, the final checkpoint and the outputs.
     */
    static Outcome trainOne(RunFolder existing, Path outDir, boolean overwrite, TrainSettings given, String modelJson, Network net,
                            double[] x0, TrainingData d, double loadSeconds, long start) throws IOException {
        TrainSettings s = given;
        Curvature curv = Curvature.fromSpec(s.curvature());
        SparkObjective f = new SparkObjective(d, curv, s.curvatureBatch(), CurvatureRoute.fromSpec(s.solver()));
        MemoryBudget.of("train").requireForOptimizer(s.optimizer(), net, f.batchSize(), s.curvature(), s.solver());
        RunFolder run;
        TrainState state;
        List<HistoryRow> history;
        Optimizer opt;
        if (existing != null) {
            run = existing;
            opt = optimizer(s);
            Checkpoint.Loaded c = Checkpoint.read(run);
            state = c.state();
            history = c.history();
            System.out.printf(Locale.ROOT, "train: resuming %s at step %d (loss %.6g)%n", run.dir(), state.step(), state.loss());
        } else {
            long t0 = System.nanoTime();
            Objective.LossGradient at = f.lossAndGradient(x0);
            double gridSeconds = 0;
            if (s.optimizer().equals("adam") && Double.isNaN(s.learningRate())) {
                long g0 = System.nanoTime();
                double rate = Adam.pickLearningRate(f, TrainState.start(Adam.of(Adam.GRID[0], s.batchSize(), s.seed()), x0, at, s.damping(),
                        s.radius()), GRID_STEPS, s.batchSize(), s.seed());
                gridSeconds = (System.nanoTime() - g0) / 1e9;
                System.out.printf(Locale.ROOT, "train: Adam learning rate %.3g picked from %s after %d steps each (%.1f s)%n", rate,
                        java.util.Arrays.toString(Adam.GRID), GRID_STEPS, gridSeconds);
                s = s.withLearningRate(rate);
            }
            opt = optimizer(s);
            state = TrainState.start(opt, x0, at, s.damping(), s.radius());
            history = List.of(Trainer.startRow(state, validate(d, x0), gridSeconds));
            TrainState first = state;
            List<HistoryRow> firstRows = history;
            TrainSettings resolved = s;
            run = RunFolder.create(outDir, overwrite, tmp -> {
                Json.write(tmp.file(RunFolder.MARKER), resolved);
                Files.writeString(tmp.file("model.json"), modelJson);
                Npy.write(tmp.file("initial-params.npy"), x0);
                Json.write(tmp.file("standardization.json"), d.standardization());
                Checkpoint.write(tmp, first, firstRows);
            });
        }
        Listener listener = new Listener(d, opt);
        listener.run = run;
        printHeader(s, net, d, f, opt, curv);
        listener.stepped(history.get(history.size() - 1), state);
        long t0 = System.nanoTime();
        Trainer.Result r = Trainer.run(f, state, history, new Trainer.Settings(opt,
                new Trainer.Stopping(s.steps(), s.timeLimit(), s.targetLoss(), s.gradientTolerance()), s.seed(), s.resampleEvery(),
                s.checkpointEvery()), listener);
        double trainSeconds = (System.nanoTime() - t0) / 1e9;
        // the final state is a checkpoint too: --resume with a larger --steps continues from exactly here
        if (r.state().step() > state.step()) Checkpoint.write(run, r.state(), r.history());
        writeOutputs(run, s, net, d, r, f, loadSeconds, trainSeconds, (System.nanoTime() - start) / 1e9);
        printSummary(run, r, f);
        return new Outcome(run, r, f, s);
    }

    private String requireOut() { throw new InvalidInputException("give --out DIR for the run folder"); }

    private boolean matched(String option) { return spec.commandLine().getParseResult().hasMatchedOption(option); }

    static String abs(String p) { return Path.of(p).toAbsolutePath().normalize().toString(); }

    /** Refuses settings that cannot run, naming the option. */
    static void check(TrainSettings s) {
        if (s.steps() <= 0) throw new InvalidInputException("--steps must be a positive integer, got " + s.steps());
        if (!(s.timeLimit() > 0)) throw new InvalidInputException("--time-limit must be > 0 seconds, got " + s.timeLimit());
        if (Double.isNaN(s.targetLoss())) throw new InvalidInputException("--target-loss must be a number");
        if (!(s.gradientTolerance() >= 0)) throw new InvalidInputException("--gradient-tolerance must be >= 0, got " + s.gradientTolerance());
        if (s.validationFraction() != 0 && !(s.validationFraction() > 0 && s.validationFraction() < 1)) {
            throw new InvalidInputException("--validation-fraction must be in (0, 1), got " + s.validationFraction());
        }
        if (s.checkpointEvery() < 0) throw new InvalidInputException("--checkpoint-every must be >= 0, got " + s.checkpointEvery());
        if (s.resampleEvery() < 0) throw new InvalidInputException("--resample-every must be >= 0, got " + s.resampleEvery());
        if (s.partitions() < 0) throw new InvalidInputException("--partitions must be >= 1, got " + s.partitions());
        if (!(s.damping() > 0) || !Double.isFinite(s.damping())) throw new InvalidInputException("--damping must be a finite number > 0, got " + s.damping());
        if (!(s.radius() > 0) || !Double.isFinite(s.radius())) throw new InvalidInputException("--radius must be a finite number > 0, got " + s.radius());
        if (s.lbfgsMemory() < 1) throw new InvalidInputException("--lbfgs-memory must be >= 1, got " + s.lbfgsMemory());
        if (s.batchSize() < 0) throw new InvalidInputException("--batch-size must be >= 0 (0: full batch), got " + s.batchSize());
        if (s.cgMax() < 1) throw new InvalidInputException("--cg-max must be >= 1, got " + s.cgMax());
        if (!Double.isNaN(s.learningRate()) && !(s.learningRate() > 0 && Double.isFinite(s.learningRate()))) {
            throw new InvalidInputException("--learning-rate must be a finite number > 0, got " + s.learningRate());
        }
        if (!OPTIMIZERS.contains(s.optimizer())) {
            throw new InvalidInputException("unknown --optimizer \"" + s.optimizer() + "\"; use one of " + String.join(", ", OPTIMIZERS));
        }
        Curvature.fromSpec(s.curvature());
        CurvatureRoute.fromSpec(s.solver());
    }

    /** The optimizers by their command-line names. */
    static final List<String> OPTIMIZERS = List.of("lm", "trust-region", "lbfgs", "adam", "hf");

    /** The optimizer of checked settings (Adam's learning rate resolved). */
    static Optimizer optimizer(TrainSettings s) {
        return switch (s.optimizer()) {
            case "lm" -> LevenbergMarquardt.DEFAULT;
            case "trust-region" -> TrustRegion.DEFAULT;
            case "lbfgs" -> new Lbfgs(s.lbfgsMemory(), BreezeLbfgs.strongWolfe());
            case "adam" -> Adam.of(s.learningRate(), s.batchSize(), s.seed());
            case "hf" -> HessianFree.of(s.cgMax());
            default -> throw new InvalidInputException("unknown --optimizer \"" + s.optimizer() + "\"; use one of " + String.join(", ", OPTIMIZERS));
        };
    }

    static String readModel(String path) throws IOException {
        Path p = Path.of(path);
        if (!Files.isRegularFile(p)) throw new InvalidInputException("model spec " + path + " does not exist; check --model");
        String json = Files.readString(p);
        ModelSpec.parse(json);
        return json;
    }

    static JavaRDD<Example> examples(SparkSession spark, TrainSettings s, Network net) {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        if (s.builtIn()) return sc.parallelize(DigitsProblem.examples(), parts(sc, s));
        return ExampleReader.read(spark, s.data(), formatOf(s, s.data()), net);
    }

    static TrainingData.Validation validation(SparkSession spark, TrainSettings s, Network net) {
        if (s.validation() != null) return new TrainingData.Validation.Given(ExampleReader.read(spark, s.validation(), formatOf(s, s.validation()), net));
        if (s.validationFraction() > 0) return new TrainingData.Validation.Fraction(s.validationFraction(), s.seed() ^ 0x5A11D);
        return new TrainingData.Validation.None();
    }

    private static ExampleReader.Format formatOf(TrainSettings s, String path) {
        return s.format() != null ? ExampleReader.Format.fromSpec(s.format()) : ExampleReader.Format.guess(path);
    }

    private static int parts(JavaSparkContext sc, TrainSettings s) { return s.partitions(); }

    /** Validation loss and accuracy at x (NaN without a validation set). */
    static double[] validate(TrainingData d, double[] x) {
        if (d.validationCount() == 0) return new double[] {Double.NaN, Double.NaN};
        return ExamplePasses.lossAndAccuracy(d.context(), d.validation(), d.network(), x, d.validationCount());
    }

    /** Validation metrics, one progress line per step, checkpoints. */
    static final class Listener implements Trainer.Listener {
        private final TrainingData d;
        private final Optimizer opt;
        RunFolder run;

        Listener(TrainingData d, Optimizer opt) {
            this.d = d;
            this.opt = opt;
        }

        @Override public double[] validate(double[] x) { return TrainJob.validate(d, x); }

        @Override public void stepped(HistoryRow r, TrainState s) {
            String knob = opt instanceof TrustRegion ? String.format(Locale.ROOT, "radius %.3g lambda %.3g", r.radius(), r.damping())
                    : opt instanceof LevenbergMarquardt ? String.format(Locale.ROOT, "lambda %.3g", r.damping())
                    : opt instanceof HessianFree ? String.format(Locale.ROOT, "lambda %.3g %s", r.damping(), r.route())
                    : r.route();
            System.out.printf(Locale.ROOT, "step %4d  loss %.6g  |g| %.3g  validation %s  %s  rho %s  %s  %.1f s%n", r.step(), r.loss(),
                    r.gradientNorm(), Double.isNaN(r.validationLoss()) ? "-" : String.format(Locale.ROOT, "%.4g (acc %.4f)", r.validationLoss(), r.validationAccuracy()),
                    r.accepted() == null ? "start" : knob, Double.isNaN(r.rho()) ? "-" : String.format(Locale.ROOT, "%.3g", r.rho()),
                    r.accepted() == null ? "" : r.accepted() ? "accepted" : "rejected", r.seconds());
        }

        @Override public void checkpoint(TrainState s, List<HistoryRow> history) {
            try {
                Checkpoint.write(run, s, history);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    /** The typed report.json of a run. */
    record Report(double finalLoss, String finalLossMeaning, double finalGradientNorm, double validationLoss, double validationAccuracy,
                  String stopReason, int steps, int acceptedSteps, double seconds, long trainingExamples, long validationExamples,
                  long curvatureExamples, int dataPasses, int parameters, int layers, Map<String, Double> timings, TrainSettings settings) {}

    private static void writeOutputs(RunFolder run, TrainSettings s, Network net, TrainingData d, Trainer.Result r, SparkObjective f, double load,
                                     double train, double total) throws IOException {
        TrainState st = r.state();
        HistoryRow last = r.history().get(r.history().size() - 1);
        Map<String, Double> timings = new LinkedHashMap<>();
        timings.put("load", load);
        timings.put("train", train);
        long w0 = System.nanoTime();
        run.replace("params.npy", p -> Npy.write(p, st.x()));
        run.replace("history.csv", p -> Checkpoint.writeHistory(p, r.history()));
        List<LinePlot.Series> lines = new ArrayList<>();
        double[] secs = r.history().stream().mapToDouble(HistoryRow::seconds).toArray();
        lines.add(new LinePlot.Series("training loss", secs, r.history().stream().mapToDouble(HistoryRow::loss).toArray()));
        if (!Double.isNaN(last.validationLoss())) {
            lines.add(new LinePlot.Series("validation loss", secs, r.history().stream().mapToDouble(HistoryRow::validationLoss).toArray()));
        }
        run.replace("loss.png", p -> LinePlot.write(p, "train --optimizer " + s.optimizer() + ", " + net.paramCount() + " parameters", "seconds", "loss", true, lines));
        timings.put("write", (System.nanoTime() - w0) / 1e9);
        timings.put("total", total + timings.get("write"));
        Report rep = new Report(st.loss(), "mean training loss at params.npy", st.gradientNorm(), last.validationLoss(), last.validationAccuracy(),
                r.stopReason(), st.step(), st.accepted(), last.seconds(), d.trainCount(), d.validationCount(),
                f.batchSize(), f.passes(), net.paramCount(), net.stageCount(), timings, s);
        run.replace("report.json", p -> Json.write(p, rep));
    }

    private static void printHeader(TrainSettings s, Network net, TrainingData d, SparkObjective f, Optimizer opt, Curvature c) {
        System.out.printf(Locale.ROOT, "hessinv train: %s on %s%n", net.describe(), s.builtIn() ? "built-in digits (data/digits.csv)" : s.data());
        System.out.printf(Locale.ROOT, "  %d training examples, %d validation, curvature batch %d (%s, %s), optimizer %s%n",
                d.trainCount(), d.validationCount(), f.batchSize(), c.specName(), f.route().specName(), opt.name());
    }

    private static void printSummary(RunFolder run, Trainer.Result r, SparkObjective f) {
        TrainState s = r.state();
        HistoryRow last = r.history().get(r.history().size() - 1);
        System.out.printf(Locale.ROOT, "stopped: %s%n", r.stopReason());
        System.out.printf(Locale.ROOT, "  %d steps (%d accepted) in %.1f s, %d data passes; training loss %.6g, |gradient| %.3g%s%n",
                s.step(), s.accepted(), last.seconds(), f.passes(), s.loss(), s.gradientNorm(),
                Double.isNaN(last.validationLoss()) ? "" : String.format(Locale.ROOT, "; validation loss %.6g, accuracy %.4f",
                        last.validationLoss(), last.validationAccuracy()));
        System.out.printf(Locale.ROOT, "  wrote %s/{params.npy,history.csv,report.json,loss.png}%n", run.dir());
    }
}
