package org.hessinv.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.LongStream;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.hessinv.curvature.Curvature;
import org.hessinv.io.AtomicOutputDir;
import org.hessinv.io.Json;
import org.hessinv.io.Npy;
import org.hessinv.linalg.Blas;
import org.hessinv.solve.SingularStageException;
import org.hessinv.model.Example;
import org.hessinv.model.InvalidInputException;
import org.hessinv.model.ModelSpec;
import org.hessinv.model.Network;
import org.hessinv.spark.ExampleReader;
import org.hessinv.spark.MasterUrl;
import org.hessinv.spark.NewtonDirectionPipeline;
import org.hessinv.solve.ResidualCertificate;
import org.hessinv.solve.SolverChoice;
import org.hessinv.solve.SweepProgress;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code newton-direction}: reads a model, parameters and data, runs {@link NewtonDirectionPipeline} and
 * writes {@code direction.npy} and {@code report.json} ({@link DirectionReport}) atomically. Exit codes
 * ({@link Commands}): 0 success, 2 bad input, 3 singular curvature system, 1 anything else.
 */
@Command(name = "newton-direction", mixinStandardHelpOptions = true, version = "hessinv 0.1.0-SNAPSHOT", sortOptions = false,
        usageHelpAutoWidth = true,
        description = {"Solves (C + D I) d = r exactly for the batch curvature C (Hessian or Gauss-Newton)",
                "and writes DIR/direction.npy and DIR/report.json. With neither --model nor --data:",
                "the built-in default (deep narrow residual network, generated teacher-student data)",
                "into " + NewtonDirectionJob.DEFAULT_OUT + ". Model presets: conf/models/deep-narrow.json,",
                "wide-input.json, paper-square.json (see conf/models/README.md)."},
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {"0:done", "1:unexpected failure", "2:bad input (one line: error: ...)",
                "3:singular or uncertified curvature system"})
public final class NewtonDirectionJob implements Callable<Integer> {
    public static final int EXIT_BAD_INPUT = 2;
    public static final int EXIT_SINGULAR = 3;
    public static final int EXIT_FAILURE = 1;
    /** Prints the full stack trace of a refused run too, and leaves Spark's logging of failed tasks as configured. */
    public static final String VERBOSE = "--verbose";
    /** The parameters the direction is for, written when they come from the seeded initializer. */
    public static final String INITIAL_PARAMS = "initial-params.npy";
    static final String DEFAULT_OUT = "hessinv-out/default";
    /** Without --curvature-batch: this many examples, or all when there are fewer. */
    static final long DEFAULT_CURVATURE_BATCH = 64;

    @Option(names = "--model", paramLabel = "M.json", description = "JSON model spec (conf/models/*.json); needs --data.")
    String model;
    @Option(names = "--params", paramLabel = "P.npy", description = "Parameters (float64 .npy); else --init-seed.")
    String params;
    @Option(names = "--init-seed", paramLabel = "N", description = "Seed of the initializer, without --params (default 0); the parameters are written as "
            + INITIAL_PARAMS + ".")
    Long initSeed;
    @Option(names = "--data", paramLabel = "PATH", description = "Examples (CSV, Parquet or LibSVM file or folder); needs --model.")
    String data;
    @Option(names = "--format", paramLabel = "csv|parquet|libsvm", description = "Data format (default: from the extension, else csv).")
    String format;
    @Option(names = "--curvature", paramLabel = "hessian|ggn", defaultValue = "hessian",
            description = "The exact Hessian (possibly indefinite) or the Gauss-Newton matrix (default ${DEFAULT-VALUE}).")
    String curvature;
    @Option(names = "--damping", paramLabel = "D", defaultValue = "1e-3", description = "D >= 0 (default ${DEFAULT-VALUE}).")
    double damping;
    @Option(names = "--curvature-batch", paramLabel = "all|N", description = "Examples drawn (seeded) for the curvature (default "
            + DEFAULT_CURVATURE_BATCH + ", or all when there are fewer; an N larger than the data is refused); the gradient uses all.")
    String curvatureBatch;
    @Option(names = "--seed", paramLabel = "S", defaultValue = "0", description = "Seed of the curvature-batch draw (default ${DEFAULT-VALUE}).")
    long seed;
    @Option(names = "--rhs", paramLabel = "gradient|R.npy", defaultValue = "gradient",
            description = "Right-hand side r: the gradient or a float64 .npy vector in the parameter layout (default ${DEFAULT-VALUE}).")
    String rhs;
    @Option(names = "--solver", paramLabel = "auto|riccati|output-space|woodbury|dense", defaultValue = "riccati",
            description = {"Exact route (default ${DEFAULT-VALUE}): riccati, the Riccati sweep (any network, curvature, batch);"
                    + " output-space, the Gauss-Newton curvature in the batch's B K outputs (--curvature ggn, D > 0);"
                    + " woodbury, the paper's section 6 route (square-parameterized layers, a single-parameter head,"
                    + " --curvature-batch 1; no inertia); dense, the dense reference (at most 10000 parameters);"
                    + " auto, the cheaper of riccati and output-space by their flop models (riccati for the Hessian)."})
    String solver;
    @Option(names = "--max-residual", paramLabel = "R", description = "Refuse (exit 3) a direction whose certified residual "
            + "|(C + D I) d - r| / |r| exceeds R (default " + ResidualCertificate.DEFAULT_LIMIT + ").")
    Double maxResidual;
    @Option(names = "--out", paramLabel = "DIR", description = "Output folder, written atomically (default " + DEFAULT_OUT + " for the built-in run).")
    String out;
    @Option(names = "--overwrite", description = "Replace an earlier output folder of this program (it holds a .hessinv-output marker).")
    boolean overwrite;

    @CommandLine.Mixin
    SparkOptions sparkOptions = new SparkOptions();

    /** Set by tests: a session to use (and leave open). */
    private SparkSession given;

    public static void main(String[] args) {
        int code = run(args, null);
        if (code != 0) System.exit(code);
    }

    /** Runs the job; with a non-null {@code spark} session (tests) that session is used and left open. Returns the exit code. */
    public static int run(String[] args, SparkSession spark) {
        NewtonDirectionJob job = new NewtonDirectionJob();
        job.given = spark;
        return Commands.execute(job, args);
    }

    @Override public Integer call() throws Exception {
        Written w = execute();
        printSummary(w.report(), w.out());
        return 0;
    }

    /** The report and the folder it was committed to. */
    record Written(DirectionReport report, Path out) {}

    private boolean builtInDefault() { return model == null && data == null; }

    /** The options' own checks, before anything is read. */
    private void checkOptions() {
        if ((model == null) != (data == null)) {
            throw new InvalidInputException(model == null ? "--data needs --model (the network the data is for); give both, or neither for the built-in default"
                    : "--model needs --data (the examples); give both, or neither for the built-in default");
        }
        if (params != null && initSeed != null) throw new InvalidInputException("give either --params or --init-seed, not both");
        if (out == null && !builtInDefault()) throw new InvalidInputException("missing --out DIR: the folder to write direction.npy and report.json to");
        if (!(damping >= 0) || !Double.isFinite(damping)) throw new InvalidInputException("--damping must be a finite number >= 0, got " + damping);
        if (maxResidual != null && (!(maxResidual > 0) || !Double.isFinite(maxResidual))) {
            throw new InvalidInputException("--max-residual must be a number > 0 (e.g. 1e-6), got " + maxResidual);
        }
        if (sparkOptions.partitionsOrZero() > 100_000) throw new InvalidInputException("--partitions must be between 1 and 100000, got " + sparkOptions.partitions);
    }

    /** 0 means all examples; not given: -64, the default "64, or all examples when there are fewer" (see NewtonDirectionPipeline.Request). */
    private long curvatureBatch() { return curvatureBatch == null ? -DEFAULT_CURVATURE_BATCH : Commands.curvatureBatch(curvatureBatch); }

    private double maxResidual() { return maxResidual != null ? maxResidual : ResidualCertificate.DEFAULT_LIMIT; }

    private long initSeed() { return initSeed == null ? 0 : initSeed; }

    Written execute() throws Exception {
        long start = System.nanoTime();
        checkOptions();
        Curvature curv = Curvature.fromSpec(curvature);
        SolverChoice choice = SolverChoice.fromSpec(solver);
        long batch = curvatureBatch();
        Network net = builtInDefault() ? DefaultProblem.network() : ModelSpec.read(Path.of(model));
        double[] x = params != null ? Npy.read(Path.of(params)) : net.initialParameters(initSeed());
        String master = sparkOptions.master;
        if (given != null) MasterUrl.checkForm(master);   // the given session is used whatever --master says
        else MasterUrl.check(master != null ? master : new SparkConf().get("spark.master", null));
        net.validateParameters(x);
        if (choice != SolverChoice.AUTO) {
            // the route's preconditions, before any data is read or output written ("all" examples, or the default
            // batch on fewer examples, is checked by the pipeline once the number of examples is known)
            choice.resolve(net, batch == 0 ? 1 : Math.abs(batch), curv, damping, 1);
        }
        // the memory the solve needs, from the shapes alone: refused before any data is read
        org.hessinv.train.MemoryBudget.of("newton-direction").require(net, Math.abs(batch), curv, solver);
        double[] r = null;
        if (!rhs.equals("gradient")) {
            r = Npy.read(Path.of(rhs));
            if (r.length != net.paramCount()) {
                throw new InvalidInputException("--rhs " + rhs + " has " + r.length + " entries but the model has "
                        + net.paramCount() + " parameters; give a vector in the parameter layout");
            }
            for (double v : r) if (!Double.isFinite(v)) throw new InvalidInputException("--rhs " + rhs + " has a non-finite entry; clean it");
        }
        ExampleReader.Format fmt = data == null ? null
                : format != null ? ExampleReader.Format.fromSpec(format) : ExampleReader.Format.guess(data);
        Path outDir = Path.of(out != null ? out : DEFAULT_OUT);
        try (AtomicOutputDir dir = AtomicOutputDir.open(outDir, overwrite || (builtInDefault() && out == null))) {
            long sparkStart = System.nanoTime();
            SparkSession spark = given != null ? given : session();
            long pipelineStart = System.nanoTime();
            try {
                JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
                int partitions = sparkOptions.partitions != null ? sparkOptions.partitions : sc.defaultParallelism();
                JavaRDD<Example> examples;
                if (builtInDefault()) {
                    Network teacherNet = net;
                    double[] teacher = net.initialParameters(DefaultProblem.TEACHER_SEED);
                    examples = sc.parallelize(LongStream.range(0, DefaultProblem.EXAMPLES).boxed().toList(), partitions)
                            .map(i -> DefaultProblem.example(teacherNet, teacher, i));
                } else {
                    examples = ExampleReader.read(spark, data, fmt, net);
                }
                long readEnd = System.nanoTime();
                var result = NewtonDirectionPipeline.run(sc, new NewtonDirectionPipeline.Request(net, x, examples, curv,
                        damping, batch, seed, r, partitions, new ProgressPrinter(), choice, maxResidual()));
                long writeStart = System.nanoTime();
                Npy.write(dir.file("direction.npy"), result.solution().direction());
                if (params == null) Npy.write(dir.file(INITIAL_PARAMS), x);   // --init-seed or the default: keep what was used
                // every second of total in a named phase: setup (spec, parameters, checks), spark (session start), read (the
                // readers' schema and header passes), the pipeline's phases, its bookkeeping between them (pipeline-other), write
                Map<String, Double> timings = new LinkedHashMap<>();
                timings.put("setup", (sparkStart - start) / 1e9);
                timings.put("spark", (pipelineStart - sparkStart) / 1e9);
                timings.put("read", (readEnd - pipelineStart) / 1e9);
                double phases = 0;
                for (Map.Entry<String, Double> e : result.timings().entrySet()) {
                    timings.put(e.getKey(), e.getValue());
                    phases += e.getValue();
                }
                timings.put("pipeline-other", Math.max(0, (writeStart - readEnd) / 1e9 - phases));
                timings.put("write", (System.nanoTime() - writeStart) / 1e9);
                timings.put("total", (System.nanoTime() - start) / 1e9);
                DirectionReport report = report(net, result, partitions, spark.sparkContext().master(), timings);
                Json.write(dir.file("report.json"), report);
                dir.commit();
                return new Written(report, dir.target());
            } finally {
                if (given == null) spark.stop();
            }
        }
    }

    private SparkSession session() {
        SparkSession spark = sparkOptions.session("hessinv newton-direction");
        if (spark.sparkContext().isStopped()) {
            throw new InvalidInputException("the Spark master " + spark.sparkContext().master() + " did not accept the application; check --master and the cluster");
        }
        return spark;
    }

    private DirectionReport report(Network net, NewtonDirectionPipeline.Result r, int partitions, String master, Map<String, Double> timings) {
        return new DirectionReport(r.loss(), norm(r.gradient()), rhs, norm(r.rhs()), norm(r.solution().direction()), r.residual(),
                maxResidual(), r.solution().worstPivot(), r.solution().logAbsDet(), r.solution().inertia(), Curvature.fromSpec(curvature).specName(),
                damping, r.solution().route(), r.examples(), r.curvatureExamples(), partitions, r.layerRanges(), master,
                builtInDefault() ? "built-in deep-narrow preset" : model,
                params != null ? params : INITIAL_PARAMS + " (--init-seed " + initSeed() + ")",
                net.stageCount(), net.paramCount(), Blas.backend(), timings);
    }

    private void printSummary(DirectionReport r, Path outDir) {
        System.out.printf(Locale.ROOT, "hessinv: Newton direction for %s (%d layers, %d parameters)%n", r.model(), r.layers(), r.parameters());
        System.out.printf(Locale.ROOT, "  examples %d, curvature batch %d, %s, damping %g, master %s, %d partitions%n",
                r.examples(), r.curvatureExamples(), r.curvature(), r.damping(), r.master(), r.partitions());
        System.out.printf(Locale.ROOT, "  loss %.6g  |gradient| %.6g  |direction| %.6g%n", r.loss(), r.gradientNorm(), r.directionNorm());
        System.out.printf(Locale.ROOT, "  solver %s   residual |(C + dI) d - r| / |r| = %.3g   log|det| = %.6g   inertia (-,0,+) = %s%n",
                r.solver(), r.residual(), r.logAbsDet(), r.inertia().map(in -> "(" + in.negative() + ", " + in.zero() + ", " + in.positive() + ")")
                        .orElse("not given by this solver"));
        StringBuilder t = new StringBuilder();
        r.timings().forEach((k, v) -> t.append(t.length() == 0 ? "" : ", ").append(k).append('=').append(String.format(Locale.ROOT, "%.2f", v)));
        System.out.printf(Locale.ROOT, "  timings (s): {%s}%n", t);
        System.out.printf(Locale.ROOT, "  wrote %s/direction.npy%s and report.json%n", outDir, params == null ? ", " + INITIAL_PARAMS : "");
    }

    private static double norm(double[] v) {
        double s = 0;
        for (double e : v) s += e * e;
        return Math.sqrt(s);
    }

    /**
     * Prints sweep progress to stderr at most every {@link #INTERVAL_NANOS}: elapsed time since the sweep started and
     * the time left, from the stages' planned costs (the sweep's flop model) when given, else per stage.
     */
    static final class ProgressPrinter implements SweepProgress {
        private static final long INTERVAL_NANOS = 5_000_000_000L;
        private String sweep = "";
        private long start;
        private long last;
        private double[] costs;
        private double doneCost;

        @Override public void planned(double[] stageCosts) { costs = stageCosts.clone(); }

        @Override public void stageDone(String sweepName, int layer, int done, int total) {
            long now = System.nanoTime();
            if (!sweepName.equals(sweep)) {
                sweep = sweepName;
                start = now;
                last = now;
                doneCost = 0;
            }
            boolean weighted = costs != null && costs.length == total && sweepName.equals("backward");
            doneCost += weighted ? costs[layer - 1] : 1;
            if (now - last < INTERVAL_NANOS || done == total) return;
            last = now;
            double elapsed = (now - start) / 1e9;
            double all = weighted ? java.util.Arrays.stream(costs).sum() : total;
            System.err.printf(Locale.ROOT, "%s sweep: %d of %d layers done (layer %d), %.1f s elapsed, ~%.0f s left in this sweep%n",
                    sweepName, done, total, layer, elapsed, elapsed * (all - doneCost) / doneCost);
        }
    }
}
