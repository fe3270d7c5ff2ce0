package org.hessinv.datagen;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.hessinv.data.SyntheticData;
import org.hessinv.model.Example;
import org.hessinv.model.InvalidInputException;
import org.hessinv.spark.MasterUrl;
import org.hessinv.spark.UserErrorLogFilter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a seeded synthetic data set ({@link org.hessinv.data.TeacherStudent} or
 * {@link org.hessinv.data.GaussianMixture}) in a format the Newton-direction job reads. Rows come from
 * {@code spark.range(rows)} mapped partition by partition, so row i is example i whatever the partition
 * count. The output appears atomically: written to a hidden temporary sibling, then renamed.
 *
 * <p>Exit codes: 0 done, 2 bad command line (one-line message on stderr), 1 failure while writing.
 */
public final class GenerateData {
    private static final Logger LOG = LoggerFactory.getLogger(GenerateData.class);
    private static final long ROWS_PER_PARTITION = 500_000;
    /** Marks a folder written by generate-data (hidden: Spark's readers skip it), so --overwrite may replace it. */
    public static final String MARKER = ".hessinv-output";

    private GenerateData() {}

    /** What was written. */
    public record Result(String path, long rows, int partitions, String format, double seconds) {}

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Parses, generates in a SparkSession of its own (stopped at the end) and returns the exit code. */
    public static int run(String[] args) {
        if (DataOptions.wantsHelp(args)) {
            System.out.print(DataOptions.usage());
            return 0;
        }
        DataOptions o;
        try {
            o = DataOptions.parse(args);
            o.generator();
            MasterUrl.check(o.master() != null ? o.master() : new SparkConf().get("spark.master", null));
        } catch (UsageException | InvalidInputException e) {
            System.err.println("generate-data: error: " + e.getMessage());
            return 2;
        }
        UserErrorLogFilter.install();
        SparkSession.Builder builder = SparkSession.builder().appName("hessinv generate-data");
        if (o.master() != null) {
            builder.master(o.master());
        } else if (!new SparkConf().contains("spark.master")) {
            builder.master("local[*]");
        }
        SparkSession spark = builder.getOrCreate();
        try {
            if (spark.sparkContext().isStopped()) {
                throw new UsageException("the Spark master " + spark.sparkContext().master() + " did not accept the application; check --master");
            }
            Result r = generate(spark, o);
            System.out.printf("generate-data: wrote %d rows (%s) as %s to %s in %d partitions, %.1f s%n",
                    r.rows(), o.generator().describe(), r.format(), r.path(), r.partitions(), r.seconds());
            return 0;
        } catch (UsageException | InvalidInputException e) {
            System.err.println("generate-data: error: " + e.getMessage());
            return 2;
        } catch (Exception e) {
            LOG.error("generate-data failed", e);
            System.err.println("generate-data: failed: " + e + "; nothing was written to " + o.out());
            return 1;
        } finally {
            spark.stop();
        }
    }

    /** Parses {@code args} and generates in the given session ({@code --master} is ignored). */
    public static Result generate(SparkSession spark, String... args) {
        return generate(spark, DataOptions.parse(args));
    }

    /** Generates the data set {@code o} describes in {@code spark}, atomically. */
    public static Result generate(SparkSession spark, DataOptions o) {
        return generate(spark, o, o.generator());
    }

    /** Writes {@code data} as {@code o} says (the options' kind and generator settings are not used). */
    static Result generate(SparkSession spark, DataOptions o, SyntheticData data) {
        long start = System.nanoTime();
        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        Path out = new Path(o.out());
        FileSystem fs;
        try {
            fs = out.getFileSystem(hadoop);
            out = fs.makeQualified(out);
            if (fs.exists(out) && !o.overwrite()) {
                throw new UsageException("output " + o.out() + " exists; pass --overwrite to replace it or choose another --out");
            }
            if (out.getParent() == null) throw new UsageException("--out cannot be the root folder");
            if (fs.exists(out.getParent()) && !fs.getFileStatus(out.getParent()).isDirectory()) {
                throw new UsageException("the parent of --out, " + out.getParent() + ", is not a folder");
            }
            if (fs.exists(out) && !fs.getFileStatus(out).isDirectory()) {
                throw new UsageException("--out " + o.out() + " is an existing file, not a data folder; remove it yourself or choose another --out");
            }
            if (fs.exists(out) && !fs.exists(new Path(out, MARKER)) && !fs.exists(new Path(out, "_SUCCESS"))) {
                throw new UsageException("--out " + o.out() + " exists but is not a data set written by generate-data (no " + MARKER
                        + " or _SUCCESS); --overwrite replaces only those, so remove it yourself or choose another --out");
            }
        } catch (IOException e) {
            throw new UsageException("cannot use output " + o.out() + ": " + e.getMessage());
        }
        int partitions = o.partitions() != null ? o.partitions() : defaultPartitions(o.rows(), spark.sparkContext().defaultParallelism());
        String tag = UUID.randomUUID().toString().substring(0, 8);
        Path tmp = new Path(out.getParent(), "." + out.getName() + ".tmp-" + tag);
        LOG.info("generating {} rows of {} as {} into {} ({} partitions)", o.rows(), data.describe(), o.format(), out, partitions);
        boolean committed = false;
        try {
            // a writable destination, checked on the driver before any task runs
            boolean made;
            try {
                made = fs.mkdirs(tmp);
            } catch (IOException e) {
                throw new UsageException("cannot write to " + out.getParent() + " (" + e.getMessage() + "); choose a writable --out");
            }
            if (!made) throw new UsageException("cannot write to " + out.getParent() + "; choose a writable --out");
            fs.delete(tmp, true);
            fs.deleteOnExit(tmp);   // SIGTERM or Ctrl-C mid-write: Hadoop's shutdown hook removes the partial folder
            Dataset<Row> rows = rows(spark, data, o.format(), o.rows(), partitions);
            switch (o.format()) {
                case "csv" -> rows.write().option("header", "true").csv(tmp.toString());
                case "parquet" -> rows.write().parquet(tmp.toString());
                case "libsvm" -> rows.write().text(tmp.toString());
                default -> throw new IllegalStateException(o.format());
            }
            fs.create(new Path(tmp, MARKER), false).close();
            commit(fs, tmp, out);
            committed = true;
            fs.cancelDeleteOnExit(tmp);
        } catch (IOException e) {
            throw new RuntimeException("writing " + out + ": " + e.getMessage(), e);
        } finally {
            if (!committed) deleteQuietly(fs, tmp);
        }
        return new Result(out.toString(), o.rows(), partitions, o.format(), (System.nanoTime() - start) / 1e9);
    }

    /**
     * Without --partitions: one partition per 500,000 rows, but at least the default parallelism
     * (all cores busy) unless that leaves fewer than 1,000 rows per partition.
     */
    static int defaultPartitions(long rows, int parallelism) {
        long bySize = (rows + ROWS_PER_PARTITION - 1) / ROWS_PER_PARTITION;
        long byCores = Math.min(parallelism, (rows + 999) / 1000);
        return (int) Math.min(Integer.MAX_VALUE, Math.max(1, Math.max(bySize, byCores)));
    }

    /** The output schema of the options' format and kind. */
    public static StructType schema(SyntheticData data, String format) {
        List<StructField> fields = new ArrayList<>();
        switch (format) {
            case "csv" -> {
                for (int k = 0; k < data.featureCount(); k++) fields.add(DataTypes.createStructField("f" + k, DataTypes.DoubleType, false));
                if (data.classification()) {
                    fields.add(DataTypes.createStructField("label", DataTypes.IntegerType, false));
                } else {
                    for (int k = 0; k < data.responseCount(); k++) fields.add(DataTypes.createStructField("y" + k, DataTypes.DoubleType, false));
                }
            }
            case "parquet" -> {
                fields.add(DataTypes.createStructField("features", DataTypes.createArrayType(DataTypes.DoubleType, false), false));
                fields.add(data.classification()
                        ? DataTypes.createStructField("label", DataTypes.IntegerType, false)
                        : DataTypes.createStructField("y", DataTypes.createArrayType(DataTypes.DoubleType, false), false));
            }
            case "libsvm" -> fields.add(DataTypes.createStructField("value", DataTypes.StringType, false));
            default -> throw new UsageException("unknown format " + format);
        }
        return DataTypes.createStructType(fields);
    }

    private static Dataset<Row> rows(SparkSession spark, SyntheticData data, String format, long count, int partitions) {
        StructType schema = schema(data, format);
        MapPartitionsFunction<Long, Row> toRows = indices -> new Iterator<>() {
            @Override public boolean hasNext() { return indices.hasNext(); }

            @Override public Row next() { return toRow(data, format, data.example(indices.next())); }
        };
        return spark.range(0, count, 1, partitions).mapPartitions(toRows, Encoders.row(schema));
    }

    /** One example as a row of the format's schema. */
    static Row toRow(SyntheticData data, String format, Example e) {
        double[] f = e.features();
        double[] y = e.response();
        switch (format) {
            case "csv" -> {
                Object[] v = new Object[f.length + (data.classification() ? 1 : y.length)];
                for (int k = 0; k < f.length; k++) v[k] = f[k];
                if (data.classification()) {
                    v[f.length] = (int) y[0];
                } else {
                    for (int k = 0; k < y.length; k++) v[f.length + k] = y[k];
                }
                return RowFactory.create(v);
            }
            case "parquet" -> {
                return RowFactory.create(f, data.classification() ? (Object) (int) y[0] : (Object) y);
            }
            case "libsvm" -> {
                StringBuilder b = new StringBuilder(24 * (f.length + 1));
                if (data.classification()) b.append((int) y[0]); else b.append(y[0]);
                for (int k = 0; k < f.length; k++) b.append(' ').append(k + 1).append(':').append(f[k]);
                return RowFactory.create(b.toString());
            }
            default -> throw new IllegalStateException(format);
        }
    }

    /** Renames tmp to out; an existing out is first moved aside and removed only after the rename. */
    private static void commit(FileSystem fs, Path tmp, Path out) throws IOException {
        Path old = null;
        if (fs.exists(out)) {
            old = new Path(out.getParent(), "." + out.getName() + ".old-" + UUID.randomUUID().toString().substring(0, 8));
            if (!fs.rename(out, old)) throw new IOException("cannot move the old " + out + " aside to replace it");
        }
        if (!fs.rename(tmp, out)) {
            if (old != null) fs.rename(old, out);
            throw new IOException("cannot rename " + tmp + " to " + out);
        }
        if (old != null) deleteQuietly(fs, old);
    }

    private static void deleteQuietly(FileSystem fs, Path p) {
        try {
            if (fs.exists(p)) fs.delete(p, true);
        } catch (IOException e) {
            LOG.warn("could not remove {}: {}", p, e.getMessage());
        }
    }
}
