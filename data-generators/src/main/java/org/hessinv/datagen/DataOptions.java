package org.hessinv.datagen;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.hessinv.data.GaussianMixture;
import org.hessinv.data.SyntheticData;
import org.hessinv.data.TeacherStudent;
import org.hessinv.model.InvalidInputException;
import picocli.CommandLine;

/** The parsed and validated command line of {@link GenerateData}. */
public record DataOptions(
        String kind, long rows, int features, int outputs, int classes, int depth, int width,
        double noise, double separation, long seed, String format, String out, Integer partitions,
        String master, boolean overwrite) {

    /** The usage text of --help, from the options' declarations ({@link DataCommandLine}). */
    public static String usage() {
        return DataCommandLine.commandLine(new DataCommandLine()).getUsageMessage(CommandLine.Help.Ansi.OFF);
    }

    /** True when the arguments ask for help. */
    public static boolean wantsHelp(String[] args) {
        for (String a : args) if (a.equals("--help") || a.equals("-h")) return true;
        return false;
    }

    /** The options of {@code args}, checked; a bad command line is a {@link UsageException} naming the problem and the fix. */
    public static DataOptions parse(String[] args) {
        DataCommandLine c = new DataCommandLine();
        try {
            DataCommandLine.commandLine(c).parseArgs(args);
        } catch (CommandLine.ParameterException e) {
            throw new UsageException(e.getMessage().strip().replaceAll("\\s*\\R\\s*", "; ") + "; see --help");
        }
        String kind = required(c.kind, "--kind");
        if (!kind.equals("teacher") && !kind.equals("mixture")) {
            throw new UsageException("--kind must be teacher or mixture, got '" + kind + "'");
        }
        boolean teacher = kind.equals("teacher");
        long rows = positive(required(c.rows, "--rows"), "--rows");
        int features = positiveInt(required(c.features, "--features"), "--features");
        if (teacher) {
            if (c.classes != null) throw new UsageException("--classes is for --kind mixture; the teacher takes --outputs, --depth, --width");
            if (c.separation != null) throw new UsageException("--separation is for --kind mixture; the teacher takes --outputs, --depth, --width");
        } else {
            if (c.outputs != null) throw new UsageException("--outputs is for --kind teacher; the mixture takes --classes, --separation");
            if (c.depth != null) throw new UsageException("--depth is for --kind teacher; the mixture takes --classes, --separation");
            if (c.width != null) throw new UsageException("--width is for --kind teacher; the mixture takes --classes, --separation");
        }
        int outputs = teacher ? positiveInt(orDefault(c.outputs, 1L), "--outputs") : 0;
        int classes = 0;
        if (!teacher) {
            classes = positiveInt(required(c.classes, "--classes"), "--classes");
            if (classes < 2) throw new UsageException("--classes must be at least 2, got " + classes);
        }
        int depth = teacher ? nonNegativeInt(orDefault(c.depth, 4L), "--depth") : 0;
        int width = teacher ? positiveInt(orDefault(c.width, 16L), "--width") : 0;
        double noise = nonNegative(orDefault(c.noise, teacher ? 0.1 : 1.0), "--noise");
        double separation = teacher ? 0.0 : nonNegative(orDefault(c.separation, 3.0), "--separation");
        long seed = orDefault(c.seed, 1L);
        String format = orDefault(c.format, "parquet").toLowerCase(Locale.ROOT);
        if (!List.of("csv", "parquet", "libsvm").contains(format)) {
            throw new UsageException("--format must be csv, parquet or libsvm, got '" + c.format + "'");
        }
        if (format.equals("libsvm") && teacher && outputs != 1) {
            throw new UsageException("libsvm holds one label per row: use --outputs 1 with --format libsvm, or csv/parquet for " + outputs + " outputs");
        }
        String out = required(c.out, "--out");
        if (out.isBlank()) throw new UsageException("--out must be a path");
        Integer partitions = c.partitions != null ? positiveInt(c.partitions, "--partitions") : null;
        String master = c.master;
        if (master != null && master.isBlank()) throw new UsageException("--master needs a value such as local[*] or spark://127.0.0.1:7077");
        return new DataOptions(kind, rows, features, outputs, classes, depth, width, noise, separation, seed, format, out,
                partitions, master, c.overwrite);
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

    private static <T> T required(T value, String key) {
        if (value == null) throw new UsageException("missing " + key + "; see --help");
        return value;
    }

    private static <T> T orDefault(T value, T dflt) { return value != null ? value : dflt; }

    private static long positive(long n, String key) {
        if (n <= 0) throw new UsageException(key + " must be a positive integer, got '" + n + "'");
        return n;
    }

    private static int positiveInt(long n, String key) {
        positive(n, key);
        if (n > Integer.MAX_VALUE) throw new UsageException(key + " is too large: " + n);
        return (int) n;
    }

    private static int nonNegativeInt(long n, String key) {
        if (n < 0 || n > Integer.MAX_VALUE) throw new UsageException(key + " must be an integer >= 0, got '" + n + "'");
        return (int) n;
    }

    private static double nonNegative(double d, String key) {
        if (!(d >= 0) || Double.isInfinite(d)) throw new UsageException(key + " must be a finite number >= 0, got '" + d + "'");
        return d;
    }
}
