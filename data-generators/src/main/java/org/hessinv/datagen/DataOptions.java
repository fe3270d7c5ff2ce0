package org.hessinv.datagen;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.hessinv.data.GaussianMixture;
import org.hessinv.data.SyntheticData;
import org.hessinv.data.TeacherStudent;
import org.hessinv.model.InvalidInputException;

/** The parsed and validated command line of {@link GenerateData}. */
public record DataOptions(
        String kind, long rows, int features, int outputs, int classes, int depth, int width,
        double noise, double separation, long seed, String format, String out, Integer partitions,
        String master, boolean overwrite) {

    public static final String USAGE = String.join("\n",
            "usage: generate-data --kind teacher|mixture --rows N --features D --out PATH [options]",
            "",
            "Writes a seeded synthetic data set with Spark (spark.range + mapPartitions), atomically:",
            "into a hidden temporary sibling of PATH that is renamed to PATH when complete.",
            "",
            "  --kind teacher|mixture   teacher: regression targets y0..y{k-1} = random deep tanh teacher",
            "                           network + Gaussian noise; mixture: K-class Gaussian mixture, labels 0..K-1",
            "  --rows N                 number of examples (rows)",
            "  --features D             input dimension (columns f0..f{D-1})",
            "  --outputs k              teacher: number of regression targets (default 1)",
            "  --classes K              mixture: number of classes, >= 2 (required for mixture)",
            "  --depth L                teacher: hidden layers, dense D->W then L-1 residual tanh (default 4; 0 = linear)",
            "  --width W                teacher: hidden width (default 16)",
            "  --noise s                teacher: target noise sd (default 0.1); mixture: feature noise sd (default 1.0)",
            "  --separation m           mixture: norm of each class mean (default 3.0)",
            "  --seed S                 seed; example i depends only on (seed, i) (default 1)",
            "  --format csv|parquet|libsvm",
            "                           csv: header f0..f{D-1},label | y0..y{k-1}; parquet: features array<double>,",
            "                           label int | y array<double>; libsvm: 'label 1:v ...' (regression needs k=1)",
            "                           (default parquet)",
            "  --out PATH               output folder (must not exist unless --overwrite)",
            "  --partitions P           number of partitions / output files (default: rows/500000, at least",
            "                           the default parallelism if that leaves >= 1000 rows per partition)",
            "  --master URL             Spark master, e.g. local[2] or spark://127.0.0.1:7077 (default: the",
            "                           one spark-submit gives, else local[*])",
            "  --overwrite              replace PATH if it is a data set written by generate-data",
            "  --help                   print this help");

    private static final List<String> FLAGS = List.of("--overwrite", "--help");
    private static final List<String> VALUED = List.of("--kind", "--rows", "--features", "--outputs", "--classes", "--depth",
            "--width", "--noise", "--separation", "--seed", "--format", "--out", "--partitions", "--master");

    /** True when the arguments ask for help. */
    public static boolean wantsHelp(String[] args) {
        for (String a : args) if (a.equals("--help") || a.equals("-h")) return true;
        return false;
    }

    public static DataOptions parse(String[] args) {
        Map<String, String> v = new LinkedHashMap<>();
        boolean overwrite = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String value = null;
            int eq = a.indexOf('=');
            if (a.startsWith("--") && eq > 0) {
                value = a.substring(eq + 1);
                a = a.substring(0, eq);
            }
            if (FLAGS.contains(a)) {
                if (value != null) throw new UsageException(a + " takes no value");
                if (a.equals("--overwrite")) overwrite = true;
                continue;
            }
            if (!VALUED.contains(a)) {
                throw new UsageException("unknown option '" + args[i] + "'; see --help");
            }
            if (value == null) {
                if (i + 1 >= args.length || (args[i + 1].startsWith("--") && !isNumber(args[i + 1]))) {
                    throw new UsageException(a + " needs a value");
                }
                value = args[++i];
            }
            if (v.put(a, value) != null) throw new UsageException(a + " given twice");
        }
        String kind = required(v, "--kind");
        if (!kind.equals("teacher") && !kind.equals("mixture")) {
            throw new UsageException("--kind must be teacher or mixture, got '" + kind + "'");
        }
        boolean teacher = kind.equals("teacher");
        long rows = positiveLong(v, "--rows", null);
        int features = positiveInt(v, "--features", null);
        if (teacher) {
            for (String o : List.of("--classes", "--separation")) {
                if (v.containsKey(o)) throw new UsageException(o + " is for --kind mixture; the teacher takes --outputs, --depth, --width");
            }
        } else {
            for (String o : List.of("--outputs", "--depth", "--width")) {
                if (v.containsKey(o)) throw new UsageException(o + " is for --kind teacher; the mixture takes --classes, --separation");
            }
        }
        int outputs = teacher ? positiveInt(v, "--outputs", 1) : 0;
        int classes = 0;
        if (!teacher) {
            classes = positiveInt(v, "--classes", null);
            if (classes < 2) throw new UsageException("--classes must be at least 2, got " + classes);
        }
        int depth = teacher ? nonNegativeInt(v, "--depth", 4) : 0;
        int width = teacher ? positiveInt(v, "--width", 16) : 0;
        double noise = nonNegativeDouble(v, "--noise", teacher ? 0.1 : 1.0);
        double separation = teacher ? 0.0 : nonNegativeDouble(v, "--separation", 3.0);
        long seed = v.containsKey("--seed") ? parseLong("--seed", v.get("--seed")) : 1L;
        String format = v.getOrDefault("--format", "parquet").toLowerCase(Locale.ROOT);
        if (!List.of("csv", "parquet", "libsvm").contains(format)) {
            throw new UsageException("--format must be csv, parquet or libsvm, got '" + v.get("--format") + "'");
        }
        if (format.equals("libsvm") && teacher && outputs != 1) {
            throw new UsageException("libsvm holds one label per row: use --outputs 1 with --format libsvm, or csv/parquet for " + outputs + " outputs");
        }
        String out = required(v, "--out");
        if (out.isBlank()) throw new UsageException("--out must be a path");
        Integer partitions = v.containsKey("--partitions") ? positiveInt(v, "--partitions", null) : null;
        String master = v.get("--master");
        if (master != null && master.isBlank()) throw new UsageException("--master needs a value such as local[*] or spark://127.0.0.1:7077");
        return new DataOptions(kind, rows, features, outputs, classes, depth, width, noise, separation, seed, format, out,
                partitions, master, overwrite);
    }

    /** The generator these options describe. */
    public SyntheticData generator() {
        checkSize();
        try {
            return kind.equals("teacher")
                    ? new TeacherStudent(features, depth, width, outputs, noise, seed)
                    : new GaussianMixture(features, classes, separation, noise, seed);
        } catch (InvalidInputException e) {
            throw new UsageException(e.getMessage());
        }
    }

    /**
     * Refuses sizes whose generator (teacher network or class means) or single row cannot be held: counted in doubles
     * before anything is allocated, against a Java array's limit and a quarter of this JVM's heap (the executors hold
     * a copy of the generator and a partition's rows are built one at a time).
     */
    void checkSize() {
        double generator = kind.equals("teacher")
                ? (double) features * (depth == 0 ? 0 : width + 1) + (double) Math.max(0, depth - 1) * width * (width + 1)
                        + (double) (depth == 0 ? features : width) * outputs + outputs
                : (double) classes * features;
        double row = (double) features + Math.max(outputs, 1);
        long limit = Integer.MAX_VALUE - 8;
        double heap = Runtime.getRuntime().maxMemory();
        String what = kind.equals("teacher") ? "the teacher network (--features " + features + ", --depth " + depth + ", --width " + width
                + ", --outputs " + outputs + ")" : "the class means (--features " + features + ", --classes " + classes + ")";
        if (generator > limit || row > limit) {
            throw new UsageException(String.format(Locale.ROOT, "%s has %.3g numbers, more than one Java array holds (%d); use smaller sizes",
                    what, Math.max(generator, row), limit));
        }
        if (8 * (generator + row) > heap / 4) {
            throw new UsageException(String.format(Locale.ROOT, "%s and one row need about %.2f GB, more than a quarter of the %.1f GB heap; "
                    + "use smaller sizes or a larger heap (HESSINV_DRIVER_MEMORY)", what, 8 * (generator + row) / 1e9, heap / 1e9));
        }
    }

    /** The options as a command line again (for logs). */
    public List<String> describe() {
        List<String> a = new ArrayList<>(List.of("--kind", kind, "--rows", Long.toString(rows), "--features", Integer.toString(features)));
        if (kind.equals("teacher")) {
            a.addAll(List.of("--outputs", Integer.toString(outputs), "--depth", Integer.toString(depth), "--width", Integer.toString(width)));
        } else {
            a.addAll(List.of("--classes", Integer.toString(classes), "--separation", Double.toString(separation)));
        }
        a.addAll(List.of("--noise", Double.toString(noise), "--seed", Long.toString(seed), "--format", format, "--out", out));
        return a;
    }

    private static boolean isNumber(String s) {
        try {
            Double.parseDouble(s);
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static String required(Map<String, String> v, String key) {
        String s = v.get(key);
        if (s == null) throw new UsageException("missing " + key + "; see --help");
        return s;
    }

    private static long parseLong(String key, String s) {
        try {
            return Long.parseLong(s.replace("_", ""));
        } catch (NumberFormatException e) {
            throw new UsageException(key + " must be an integer, got '" + s + "'");
        }
    }

    private static long positiveLong(Map<String, String> v, String key, Long dflt) {
        if (!v.containsKey(key)) {
            if (dflt == null) throw new UsageException("missing " + key + "; see --help");
            return dflt;
        }
        long n = parseLong(key, v.get(key));
        if (n <= 0) throw new UsageException(key + " must be a positive integer, got '" + v.get(key) + "'");
        return n;
    }

    private static int positiveInt(Map<String, String> v, String key, Integer dflt) {
        long n = positiveLong(v, key, dflt == null ? null : dflt.longValue());
        if (n > Integer.MAX_VALUE) throw new UsageException(key + " is too large: " + n);
        return (int) n;
    }

    private static int nonNegativeInt(Map<String, String> v, String key, int dflt) {
        if (!v.containsKey(key)) return dflt;
        long n = parseLong(key, v.get(key));
        if (n < 0 || n > Integer.MAX_VALUE) throw new UsageException(key + " must be an integer >= 0, got '" + v.get(key) + "'");
        return (int) n;
    }

    private static double nonNegativeDouble(Map<String, String> v, String key, double dflt) {
        if (!v.containsKey(key)) return dflt;
        double d;
        try {
            d = Double.parseDouble(v.get(key));
        } catch (NumberFormatException e) {
            throw new UsageException(key + " must be a number, got '" + v.get(key) + "'");
        }
        if (!(d >= 0) || Double.isInfinite(d)) throw new UsageException(key + " must be a finite number >= 0, got '" + v.get(key) + "'");
        return d;
    }
}
