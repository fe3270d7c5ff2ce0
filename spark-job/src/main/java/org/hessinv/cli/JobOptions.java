package org.hessinv.cli;

import org.hessinv.solve.ResidualCertificate;
import org.hessinv.solve.SolverChoice;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.hessinv.curvature.Curvature;
import org.hessinv.model.InvalidInputException;

/**
 * The command line of the Newton-direction job, parsed and checked up front. Defaults: curvature
 * hessian, damping 1e-3, curvature batch 64 or all examples when there are fewer (kept as -64: see
 * NewtonDirectionPipeline.Request), seed 0, rhs gradient, partitions = Spark's default parallelism. With neither --model nor --data the job runs its built-in default problem.
 */
public record JobOptions(String model, String params, Long initSeed, String data, String format, Curvature curvature,
                         double damping, long curvatureBatch, long seed, String rhs, String out, String master,
                         Integer partitions, boolean overwrite, SolverChoice solver, double maxResidual, boolean help) {

    public static final double DEFAULT_DAMPING = 1e-3;
    public static final long DEFAULT_CURVATURE_BATCH = 64;
    public static final String DEFAULT_OUT = "hessinv-out/default";

    public static final String USAGE = String.join("\n",
            "usage: newton-direction --model M.json [--params P.npy | --init-seed N] --data PATH",
            "         [--format csv|parquet|libsvm] [--curvature hessian|ggn] [--damping D]",
            "         [--curvature-batch all|N] [--seed S] [--rhs gradient|R.npy] --out DIR",
            "         [--master local[*]|spark://host:port] [--partitions N] [--overwrite] [--solver riccati|woodbury]",
            "         [--max-residual R] [--verbose]",
            "  Solves (C + D I) d = r for the batch curvature C (Hessian or Gauss-Newton) and writes",
            "  DIR/direction.npy and DIR/report.json. With no --model and no --data it runs the built-in",
            "  default (deep narrow residual network, generated teacher-student data) into " + DEFAULT_OUT + ".",
            "  --solver woodbury: the paper's section 6 route, for one example (--curvature-batch 1) of a network of",
            "  square-parameterized layers (\"type\": \"square\") and a single-parameter head; reports no inertia.",
            "  --max-residual: refuse (exit 3) a direction whose certified residual |(C + D I) d - r| / |r| exceeds R.",
            "  --curvature-batch N larger than the data is refused (give all); the default 64 means all when there are fewer.",
            "  --overwrite replaces only an earlier output folder of this program (it holds a .hessinv-output marker).",
            "  --verbose: on a refused run print the full stack trace, and let Spark log failed tasks.",
            "  Model presets: conf/models/deep-narrow.json, wide-input.json, paper-square.json (see conf/models/README.md).",
            "  Exit codes: 0 done, 2 bad input (one line error: ...), 3 singular or uncertified system, 1 unexpected failure.",
            "  defaults: --curvature hessian --damping " + DEFAULT_DAMPING + " --curvature-batch " + DEFAULT_CURVATURE_BATCH
                    + " --seed 0 --rhs gradient --init-seed 0 (without --params) --max-residual " + ResidualCertificate.DEFAULT_LIMIT);

    public boolean builtInDefault() { return model == null && data == null; }

    public static JobOptions parse(String[] args) {
        Map<String, String> v = new LinkedHashMap<>();
        List<String> flags = List.of("--overwrite", "--help", "-h");
        List<String> valued = List.of("--model", "--params", "--init-seed", "--data", "--format", "--curvature", "--damping",
                "--curvature-batch", "--seed", "--rhs", "--out", "--master", "--partitions", "--solver", "--max-residual");
        List<String> seen = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String value = null;
            int eq = a.indexOf('=');
            if (a.startsWith("--") && eq > 0) {
                value = a.substring(eq + 1);
                a = a.substring(0, eq);
            }
            if (flags.contains(a)) {
                v.put(a, "true");
                continue;
            }
            if (!valued.contains(a)) throw new InvalidInputException("unknown option " + args[i] + "; run with --help for the options");
            if (seen.contains(a)) throw new InvalidInputException("option " + a + " is given twice; give it once");
            seen.add(a);
            if (value == null) {
                if (i + 1 >= args.length) throw new InvalidInputException("option " + a + " needs a value; run with --help");
                value = args[++i];
            }
            v.put(a, value);
        }
        boolean help = v.containsKey("--help") || v.containsKey("-h");
        String model = v.get("--model");
        String data = v.get("--data");
        if (!help && (model == null) != (data == null)) {
            throw new InvalidInputException(model == null ? "--data needs --model (the network the data is for); give both, or neither for the built-in default"
                    : "--model needs --data (the examples); give both, or neither for the built-in default");
        }
        if (v.containsKey("--params") && v.containsKey("--init-seed")) {
            throw new InvalidInputException("give either --params or --init-seed, not both");
        }
        String out = v.get("--out");
        boolean builtIn = model == null && data == null;
        if (out == null && !builtIn && !help) throw new InvalidInputException("missing --out DIR: the folder to write direction.npy and report.json to");
        String rhs = v.getOrDefault("--rhs", "gradient");
        SolverChoice solver = SolverChoice.fromSpec(v.getOrDefault("--solver", "riccati"));
        return new JobOptions(model, v.get("--params"),
                v.containsKey("--init-seed") ? parseLong(v.get("--init-seed"), "--init-seed") : null,
                data, v.get("--format"), Curvature.fromSpec(v.getOrDefault("--curvature", "hessian")),
                parseDamping(v.get("--damping")), parseBatch(v.get("--curvature-batch")),
                v.containsKey("--seed") ? parseLong(v.get("--seed"), "--seed") : 0L, rhs,
                out == null ? DEFAULT_OUT : out, v.get("--master"),
                v.containsKey("--partitions") ? parsePartitions(v.get("--partitions")) : null,
                v.containsKey("--overwrite") || (builtIn && out == null), solver, parseMaxResidual(v.get("--max-residual")), help);
    }

    private static double parseDamping(String s) {
        if (s == null) return DEFAULT_DAMPING;
        double d;
        try {
            d = Double.parseDouble(s);
        } catch (NumberFormatException e) {
            throw new InvalidInputException("--damping must be a number >= 0, got \"" + s + "\"");
        }
        if (!(d >= 0) || !Double.isFinite(d)) throw new InvalidInputException("--damping must be a finite number >= 0, got " + s);
        return d;
    }

    private static double parseMaxResidual(String s) {
        if (s == null) return ResidualCertificate.DEFAULT_LIMIT;
        double r;
        try {
            r = Double.parseDouble(s);
        } catch (NumberFormatException e) {
            r = Double.NaN;
        }
        if (!(r > 0) || !Double.isFinite(r)) {
            throw new InvalidInputException("--max-residual must be a number > 0 (e.g. 1e-6), got \"" + s + "\"");
        }
        return r;
    }

    /** 0 means all examples; not given: -64, the default "64, or all examples when there are fewer". */
    private static long parseBatch(String s) {
        if (s == null) return -DEFAULT_CURVATURE_BATCH;
        if (s.equals("all")) return 0;
        long n = parseLong(s, "--curvature-batch");
        if (n <= 0) throw new InvalidInputException("--curvature-batch must be \"all\" or a positive integer, got " + s);
        return n;
    }

    private static int parsePartitions(String s) {
        long n = parseLong(s, "--partitions");
        if (n <= 0 || n > 100_000) throw new InvalidInputException("--partitions must be between 1 and 100000, got " + s);
        return (int) n;
    }

    private static long parseLong(String s, String name) {
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            throw new InvalidInputException(name + " must be an integer, got \"" + s + "\"");
        }
    }
}
