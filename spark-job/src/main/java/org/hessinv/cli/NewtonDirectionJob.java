package org.hessinv.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.LongStream;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.hessinv.io.AtomicOutputDir;
import org.hessinv.io.Npy;
import org.hessinv.io.ReportJson;
import org.hessinv.linalg.Blas;
import org.hessinv.linalg.SingularStageException;
import org.hessinv.model.Example;
import org.hessinv.model.InvalidInputException;
import org.hessinv.model.ModelSpec;
import org.hessinv.model.Network;
import org.hessinv.spark.ExampleReader;
import org.hessinv.spark.KryoRegistration;
import org.hessinv.spark.MasterUrl;
import org.hessinv.spark.UserErrorLogFilter;
import org.hessinv.spark.NewtonDirectionPipeline;
import org.hessinv.solve.SweepProgress;
import org.hessinv.solve.WoodburySolver;

/**
 * {@code newton-direction}: reads a model, parameters and data, runs {@link NewtonDirectionPipeline} and
 * writes {@code direction.npy} and {@code report.json} atomically. Exit codes: 0 success, 2 bad input,
 * 3 singular curvature system, 1 anything else.
 */
public final class NewtonDirectionJob {
    public static final int EXIT_BAD_INPUT = 2;
    public static final int EXIT_SINGULAR = 3;
    public static final int EXIT_FAILURE = 1;
    /** Prints the full stack trace of a refused run too, and leaves Spark's logging of failed tasks as configured. */
    public static final String VERBOSE = "--verbose";
    /** The parameters the direction is for, written when they come from the seeded initializer. */
    public static final String INITIAL_PARAMS = "initial-params.npy";

    private NewtonDirectionJob() {}

    public static void main(String[] args) {
        int code = run(args, null);
        if (code != 0) System.exit(code);
    }

    /** Runs the job; with a non-null {@code spark} session (tests) that session is used and left open. Returns the exit code. */
    public static int run(String[] args, SparkSession spark) {
        boolean verbose = java.util.Arrays.asList(args).contains(VERBOSE);
        if (!verbose) UserErrorLogFilter.install();
        try {
            JobOptions o = JobOptions.parse(java.util.Arrays.stream(args).filter(a -> !a.equals(VERBOSE)).toArray(String[]::new));
            if (o.help()) {
                System.out.println(JobOptions.USAGE);
                return 0;
            }
            Map<String, Object> report = execute(o, spark);
            printSummary(report, o);
            return 0;
        } catch (Throwable t) {
            UserError e = UserError.of(t);
            if (e == null) {
                System.err.println("error: unexpected failure: " + t);
                t.printStackTrace();
                return EXIT_FAILURE;
            }
            if (verbose) t.printStackTrace();
            System.err.println("error: " + e.message());
            return e.exitCode();
        }
    }

    static Map<String, Object> execute(JobOptions o, SparkSession given) throws Exception {
        long start = System.nanoTime();
        Network net = o.builtInDefault() ? DefaultProblem.network() : ModelSpec.read(Path.of(o.model()));
        double[] x = o.params() != null ? Npy.read(Path.of(o.params())) : net.initialParameters(o.initSeed() == null ? 0 : o.initSeed());
        if (given != null) MasterUrl.checkForm(o.master());   // the given session is used whatever --master says
        else MasterUrl.check(o.master() != null ? o.master() : new SparkConf().get("spark.master", null));
        net.validateParameters(x);
        if (o.solver().equals("woodbury")) {
            // the route's model and batch preconditions, before any data is read or output written
            // ("all" examples is checked by the pipeline once the number of examples is known)
            WoodburySolver.checkApplicable(net, o.curvatureBatch() == 0 ? 1 : Math.abs(o.curvatureBatch()));
        }
        org.hessinv.train.MemoryBudget.of("newton-direction").require(net, Math.abs(o.curvatureBatch()), o.curvature(), o.solver());
        double[] rhs = null;
        if (!o.rhs().equals("gradient")) {
            rhs = Npy.read(Path.of(o.rhs()));
            if (rhs.length != net.paramCount()) {
                throw new InvalidInputException("--rhs " + o.rhs() + " has " + rhs.length + " entries but the model has "
                        + net.paramCount() + " parameters; give a vector in the parameter layout");
            }
            for (double v : rhs) if (!Double.isFinite(v)) throw new InvalidInputException("--rhs " + o.rhs() + " has a non-finite entry; clean it");
        }
        ExampleReader.Format format = o.data() == null ? null
                : o.format() != null ? ExampleReader.Format.fromSpec(o.format()) : ExampleReader.Format.guess(o.data());
        try (AtomicOutputDir out = AtomicOutputDir.open(Path.of(o.out()), o.overwrite())) {
            long sparkStart = System.nanoTime();
            SparkSession spark = given != null ? given : session(o);
            long pipelineStart = System.nanoTime();
            try {
                JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
                int partitions = o.partitions() != null ? o.partitions() : sc.defaultParallelism();
                JavaRDD<Example> examples;
                if (o.builtInDefault()) {
                    Network teacherNet = net;
                    double[] teacher = net.initialParameters(DefaultProblem.TEACHER_SEED);
                    examples = sc.parallelize(LongStream.range(0, DefaultProblem.EXAMPLES).boxed().toList(), partitions)
                            .map(i -> DefaultProblem.example(teacherNet, teacher, i));
                } else {
                    examples = ExampleReader.read(spark, o.data(), format, net);
                }
                long curvatureBatch = o.curvatureBatch();
                long readEnd = System.nanoTime();
                var result = NewtonDirectionPipeline.run(sc, new NewtonDirectionPipeline.Request(net, x, examples, o.curvature(),
                        o.damping(), curvatureBatch, o.seed(), rhs, partitions, new ProgressPrinter(), o.solver(), o.maxResidual()));
                long writeStart = System.nanoTime();
                Map<String, Object> report = report(o, net, result, partitions, spark.sparkContext().master());
                Npy.write(out.file("direction.npy"), result.solution().direction());
                if (o.params() == null) Npy.write(out.file(INITIAL_PARAMS), x);   // --init-seed or the default: keep what was used
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
                report.put("timings", timings);
                ReportJson.write(out.file("report.json"), report);
                out.commit();
                report.put("out", out.target().toString());
                return report;
            } finally {
                if (given == null) spark.stop();
            }
        }
    }

    private static SparkSession session(JobOptions o) {
        SparkConf conf = KryoRegistration.register(new SparkConf().setAppName("hessinv newton-direction"));
        if (o.master() != null) conf.setMaster(o.master());
        else if (!conf.contains("spark.master")) conf.setMaster("local[*]");
        SparkSession spark = SparkSession.builder().config(conf).getOrCreate();
        if (spark.sparkContext().isStopped()) {
            throw new InvalidInputException("the Spark master " + spark.sparkContext().master() + " did not accept the application; check --master and the cluster");
        }
        return spark;
    }

    private static Map<String, Object> report(JobOptions o, Network net, NewtonDirectionPipeline.Result r, int partitions, String master) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("loss", r.loss());
        m.put("gradientNorm", norm(r.gradient()));
        m.put("rhs", o.rhs());
        m.put("rhsNorm", norm(r.rhs()));
        m.put("directionNorm", norm(r.solution().direction()));
        m.put("residual", r.residual());
        m.put("maxResidual", o.maxResidual());
        if (r.solution().worstPivot() != null) {
            Map<String, Object> worst = new LinkedHashMap<>();
            worst.put("layer", r.solution().worstPivot().layer());
            worst.put("rcond", r.solution().worstPivot().rcond());
            m.put("worstPivot", worst);
        }
        m.put("logAbsDet", r.solution().logAbsDet());
        if (r.solution().inertia() == null) {
            m.put("inertia", null);   // the woodbury route gives log|det| but no inertia
        } else {
            Map<String, Object> inertia = new LinkedHashMap<>();
            inertia.put("negative", r.solution().inertia().negative());
            inertia.put("zero", r.solution().inertia().zero());
            inertia.put("positive", r.solution().inertia().positive());
            m.put("inertia", inertia);
        }
        m.put("curvature", o.curvature().specName());
        m.put("damping", o.damping());
        m.put("solver", o.solver());
        m.put("examples", r.examples());
        m.put("curvatureExamples", r.curvatureExamples());
        m.put("partitions", partitions);
        m.put("layerRanges", r.layerRanges());
        m.put("master", master);
        m.put("model", o.builtInDefault() ? "built-in deep-narrow preset" : o.model());
        m.put("params", o.params() != null ? o.params() : INITIAL_PARAMS + " (--init-seed " + (o.initSeed() == null ? 0 : o.initSeed()) + ")");
        m.put("layers", net.stageCount());
        m.put("parameters", net.paramCount());
        m.put("blas", Blas.backend());
        m.put("timings", new LinkedHashMap<>(r.timings()));
        return m;
    }

    private static void printSummary(Map<String, Object> r, JobOptions o) {
        @SuppressWarnings("unchecked")
        Map<String, Object> inertia = (Map<String, Object>) r.get("inertia");
        System.out.printf(Locale.ROOT, "hessinv: Newton direction for %s (%d layers, %d parameters)%n", r.get("model"), r.get("layers"), r.get("parameters"));
        System.out.printf(Locale.ROOT, "  examples %d, curvature batch %d, %s, damping %g, master %s, %d partitions%n",
                r.get("examples"), r.get("curvatureExamples"), r.get("curvature"), (Double) r.get("damping"), r.get("master"), r.get("partitions"));
        System.out.printf(Locale.ROOT, "  loss %.6g  |gradient| %.6g  |direction| %.6g%n", r.get("loss"), r.get("gradientNorm"), r.get("directionNorm"));
        System.out.printf(Locale.ROOT, "  solver %s   residual |(C + dI) d - r| / |r| = %.3g   log|det| = %.6g   inertia (-,0,+) = %s%n",
                r.get("solver"), r.get("residual"), r.get("logAbsDet"), inertia == null ? "not given by this solver"
                        : "(" + inertia.get("negative") + ", " + inertia.get("zero") + ", " + inertia.get("positive") + ")");
        @SuppressWarnings("unchecked")
        Map<String, Double> timings = (Map<String, Double>) r.get("timings");
        StringBuilder t = new StringBuilder();
        timings.forEach((k, v) -> t.append(t.length() == 0 ? "" : ", ").append(k).append('=').append(String.format(Locale.ROOT, "%.2f", v)));
        System.out.printf(Locale.ROOT, "  timings (s): {%s}%n", t);
        System.out.printf(Locale.ROOT, "  wrote %s/direction.npy%s and report.json%n", r.get("out"),
                o.params() == null ? ", " + INITIAL_PARAMS : "");
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

    /** A failure the user can act on: bad input (exit 2) or a singular system (exit 3), found anywhere in the cause chain. */
    record UserError(String message, int exitCode) {
        static UserError of(Throwable t) {
            for (Throwable c = t; c != null; c = c.getCause()) {
                if (c instanceof InvalidInputException) return new UserError(c.getMessage(), EXIT_BAD_INPUT);
                if (c instanceof SingularStageException) return new UserError(c.getMessage(), EXIT_SINGULAR);
            }
            // a task failure on a remote executor carries the exception only as text
            for (Throwable c = t; c != null; c = c.getCause()) {
                String msg = String.valueOf(c.getMessage());
                String marker = InvalidInputException.class.getName() + ": ";
                int at = msg.indexOf(marker);
                if (at >= 0) {
                    String rest = msg.substring(at + marker.length());
                    int nl = rest.indexOf('\n');
                    return new UserError(nl >= 0 ? rest.substring(0, nl) : rest, EXIT_BAD_INPUT);
                }
            }
            return null;
        }
    }
}
