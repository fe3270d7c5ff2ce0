package org.hessinv.datagen;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The command line of {@code generate-data} as picocli declares it: each option once, with its help. Options whose
 * default depends on --kind (or that only one kind takes) are null when not given; {@link DataOptions#parse} checks
 * the values and resolves the defaults.
 */
@Command(name = "generate-data", sortOptions = false, usageHelpAutoWidth = true,
        customSynopsis = "generate-data --kind teacher|mixture --rows N --features D --out PATH [options]",
        description = {"", "Writes a seeded synthetic data set with Spark (spark.range + mapPartitions), atomically: "
            + "into a hidden temporary sibling of PATH that is renamed to PATH when complete.", ""})
final class DataCommandLine {
    @Option(names = "--kind", paramLabel = "teacher|mixture", description = "teacher: regression targets y0..y{k-1} = random deep tanh teacher network "
            + "+ Gaussian noise; mixture: K-class Gaussian mixture, labels 0..K-1")
    String kind;
    @Option(names = "--rows", paramLabel = "N", converter = Count.class, description = "number of examples (rows)")
    Long rows;
    @Option(names = "--features", paramLabel = "D", converter = Count.class, description = "input dimension (columns f0..f{D-1})")
    Long features;
    @Option(names = "--outputs", paramLabel = "k", converter = Count.class, description = "teacher: number of regression targets (default 1)")
    Long outputs;
    @Option(names = "--classes", paramLabel = "K", converter = Count.class, description = "mixture: number of classes, >= 2 (required for mixture)")
    Long classes;
    @Option(names = "--depth", paramLabel = "L", converter = Count.class,
            description = "teacher: hidden layers, dense D->W then L-1 residual tanh (default 4; 0 = linear)")
    Long depth;
    @Option(names = "--width", paramLabel = "W", converter = Count.class, description = "teacher: hidden width (default 16)")
    Long width;
    @Option(names = "--noise", paramLabel = "s", description = "teacher: target noise sd (default 0.1); mixture: feature noise sd (default 1.0)")
    Double noise;
    @Option(names = "--separation", paramLabel = "m", description = "mixture: norm of each class mean (default 3.0)")
    Double separation;
    @Option(names = "--seed", paramLabel = "S", converter = Count.class, description = "seed; example i depends only on (seed, i) (default 1)")
    Long seed;
    @Option(names = "--format", paramLabel = "csv|parquet|libsvm", description = "csv: header f0..f{D-1},label | y0..y{k-1}; "
            + "parquet: features array<double>, label int | y array<double>; libsvm: 'label 1:v ...' (regression needs k=1) (default parquet)")
    String format;
    @Option(names = "--out", paramLabel = "PATH", description = "output folder (must not exist unless --overwrite)")
    String out;
    @Option(names = "--partitions", paramLabel = "P", converter = Count.class, description = "number of partitions / output files "
            + "(default: rows/500000, at least the default parallelism if that leaves >= 1000 rows per partition)")
    Long partitions;
    @Option(names = "--master", paramLabel = "URL", description = "Spark master, e.g. local[2] or spark://127.0.0.1:7077 "
            + "(default: the one spark-submit gives, else local[*])")
    String master;
    @Option(names = "--overwrite", description = "replace PATH if it is a data set written by generate-data")
    boolean overwrite;
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "print this help")
    boolean help;

    /** An integer option's value: digits, optionally grouped by underscores (1_000_000). */
    static final class Count implements CommandLine.ITypeConverter<Long> {
        @Override public Long convert(String value) {
            try {
                return Long.parseLong(value.replace("_", ""));
            } catch (NumberFormatException e) {
                throw new CommandLine.TypeConversionException("'" + value + "' is not an integer");
            }
        }
    }

    /** A picocli command line for these options: a value that looks like an option is refused, an option given twice too. */
    static CommandLine commandLine(DataCommandLine options) {
        CommandLine cl = new CommandLine(options);
        cl.setUnmatchedOptionsAllowedAsOptionParameters(false);
        cl.setOverwrittenOptionsAllowed(false);
        return cl;
    }
}
