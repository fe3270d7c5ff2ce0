package org.hessinv.spark;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.hessinv.model.Example;
import org.hessinv.model.Head;
import org.hessinv.model.InvalidInputException;
import org.hessinv.model.MseHead;
import org.hessinv.model.Network;

/**
 * Reads examples for a network from CSV (header; {@code label} or {@code y0..y{k-1}}, every other column a
 * feature in order; a scalar-output mse head, e.g. the single-parameter head of the woodbury route, reads {@code y0},
 * or {@code label} when there is no {@code y0}), Parquet ({@code features} array or ML vector; {@code label} number or {@code y} array)
 * or LibSVM ({@code label idx:val ...}, 1-based indices).
 */
public final class ExampleReader {
    private ExampleReader() {}

    public enum Format {
        CSV, PARQUET, LIBSVM;

        public static Format fromSpec(String s) {
            return switch (s) {
                case "csv" -> CSV;
                case "parquet" -> PARQUET;
                case "libsvm" -> LIBSVM;
                default -> throw new InvalidInputException("unknown --format \"" + s + "\"; use csv, parquet or libsvm");
            };
        }

        /** Guessed from the path's extension, CSV otherwise. */
        public static Format guess(String path) {
            String p = path.toLowerCase(java.util.Locale.ROOT);
            if (p.endsWith(".parquet")) return PARQUET;
            if (p.endsWith(".libsvm") || p.endsWith(".svm") || p.endsWith(".txt")) return LIBSVM;
            return CSV;
        }
    }

    public static JavaRDD<Example> read(SparkSession spark, String path, Format format, Network net) {
        checkExists(spark, path);
        JavaRDD<Example> examples = switch (format) {
            case CSV -> csv(spark, path, net);
            case PARQUET -> parquet(spark, path, net);
            case LIBSVM -> libsvm(spark, path, net);
        };
        return guarded(examples, format.name().equals("LIBSVM") ? "LibSVM" : format.name().equals("CSV") ? "CSV" : "Parquet", path);
    }

    /**
     * The examples with any failure of reading them on an executor (a corrupt or unreadable file, a parse error of
     * Spark's reader) turned into an {@link InvalidInputException} naming the data and the cause, on one line.
     */
    private static JavaRDD<Example> guarded(JavaRDD<Example> examples, String kind, String path) {
        return examples.mapPartitions(it -> new java.util.Iterator<Example>() {
            @Override public boolean hasNext() {
                try {
                    return it.hasNext();
                } catch (Exception e) {   // Spark's reader also throws SparkException (checked in Java's eyes)
                    throw asBadInput(e, kind, path);
                }
            }

            @Override public Example next() {
                try {
                    return it.next();
                } catch (Exception e) {
                    throw asBadInput(e, kind, path);
                }
            }
        }, true);
    }

    private static RuntimeException asBadInput(Exception e, String kind, String path) {
        if (e instanceof InvalidInputException iie) return iie;
        if (e instanceof org.apache.spark.TaskKilledException || e instanceof InterruptedException) return sneaky(e);
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof InvalidInputException iie) return iie;
            if (c instanceof InterruptedException || c instanceof java.nio.channels.ClosedByInterruptException) return sneaky(e);
        }
        return new InvalidInputException("cannot read " + kind + " data " + path + ": " + summary(e) + "; check that --data is "
                + ("Parquet".equals(kind) ? "a valid Parquet file or folder" : "well-formed " + kind) + " (or give the right --format)");
    }

    /** Rethrows any exception unchanged (a task kill must stay a kill). */
    @SuppressWarnings("unchecked")
    private static <T extends Throwable> RuntimeException sneaky(Throwable t) throws T {
        throw (T) t;
    }

    /**
     * Checks, on the driver, that every data file under {@code path} (names not starting with _ or .) begins and ends
     * with Parquet's magic bytes: Spark would find a corrupt footer in a job of its own and log its failure at length.
     */
    private static void checkParquetFiles(SparkSession spark, String path) {
        try {
            org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(path);
            org.apache.hadoop.fs.FileSystem fs = p.getFileSystem(spark.sparkContext().hadoopConfiguration());
            org.apache.hadoop.fs.RemoteIterator<org.apache.hadoop.fs.LocatedFileStatus> files = fs.listFiles(p, true);
            while (files.hasNext()) {
                org.apache.hadoop.fs.LocatedFileStatus f = files.next();
                String name = f.getPath().getName();
                if (name.startsWith("_") || name.startsWith(".")) continue;
                if (!f.getPath().equals(fs.makeQualified(p)) && hiddenBelow(f.getPath(), fs.makeQualified(p))) continue;
                byte[] head = new byte[4];
                byte[] tail = new byte[4];
                boolean ok = f.getLen() >= 12;
                if (ok) {
                    try (org.apache.hadoop.fs.FSDataInputStream in = fs.open(f.getPath())) {
                        in.readFully(0, head);
                        in.readFully(f.getLen() - 4, tail);
                    }
                    byte[] magic = {'P', 'A', 'R', '1'};
                    ok = java.util.Arrays.equals(head, magic) && java.util.Arrays.equals(tail, magic);
                }
                if (!ok) {
                    throw new InvalidInputException("Parquet data " + path + ": " + f.getPath() + " is not a Parquet file (" + f.getLen()
                            + " bytes without the PAR1 header and footer; truncated or another format); rewrite it, or give the right --format");
                }
            }
        } catch (java.io.IOException e) {
            throw new InvalidInputException("cannot read Parquet data " + path + ": " + e.getMessage() + "; check --data");
        }
    }

    /** True when a folder between {@code root} and {@code file} is hidden (_ or .), as Spark's file index skips those. */
    private static boolean hiddenBelow(org.apache.hadoop.fs.Path file, org.apache.hadoop.fs.Path root) {
        for (org.apache.hadoop.fs.Path q = file.getParent(); q != null && !q.equals(root); q = q.getParent()) {
            if (q.getName().startsWith("_") || q.getName().startsWith(".")) return true;
        }
        return false;
    }

    /** The most specific message of a failure: its deepest cause's first line, at most 300 characters. */
    static String summary(Throwable e) {
        Throwable deepest = e;
        for (Throwable c = e; c != null && c.getCause() != c; c = c.getCause()) if (c.getMessage() != null) deepest = c;
        String m = deepest.getMessage() == null ? deepest.getClass().getSimpleName() : deepest.getMessage().strip();
        int nl = m.indexOf('\n');
        if (nl >= 0) m = m.substring(0, nl);
        return m.length() > 300 ? m.substring(0, 300) + "..." : m;
    }

    /** A row or line quoted for a message: at most 80 characters. */
    private static String quote(String s) {
        String t = s.length() > 80 ? s.substring(0, 80) + "..." : s;
        return "\"" + t.replace("\n", " ") + "\"";
    }

    private static void checkExists(SparkSession spark, String path) {
        try {
            org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(path);
            org.apache.hadoop.fs.FileSystem fs = p.getFileSystem(spark.sparkContext().hadoopConfiguration());
            if (!fs.exists(p)) throw new InvalidInputException("data path " + path + " does not exist; check --data");
        } catch (java.io.IOException e) {
            throw new InvalidInputException("cannot read data path " + path + ": " + e.getMessage() + "; check --data");
        }
    }

    private static JavaRDD<Example> csv(SparkSession spark, String path, Network net) {
        String[] cols;
        try {
            cols = spark.read().option("header", "true").option("inferSchema", "false").csv(path).columns();
        } catch (Exception e) {
            throw new InvalidInputException("cannot read CSV " + path + ": " + summary(e) + "; check --data");
        }
        if (cols.length == 0) throw new InvalidInputException("CSV " + path + " has no header line; give a header like f0,f1,...,label");
        // every column a string, and malformed rows (too few or too many fields) kept in a column of their own
        StructType schema = new StructType();
        for (String c : cols) schema = schema.add(c, org.apache.spark.sql.types.DataTypes.StringType, true);
        schema = schema.add(CORRUPT, org.apache.spark.sql.types.DataTypes.StringType, true);
        Dataset<Row> df = spark.read().option("header", "true").option("mode", "PERMISSIVE")
                .option("columnNameOfCorruptRecord", CORRUPT).schema(schema).csv(path).selectExpr("*", "_metadata.file_path AS " + FILE);
        int corrupt = cols.length;
        int file = cols.length + 1;
        int width = cols.length;
        Head head = net.head();
        List<Integer> responseCols = new ArrayList<>();
        List<Integer> featureCols = new ArrayList<>();
        List<String> responseNames = new ArrayList<>();
        if (head instanceof MseHead) {
            for (int k = 0; k < head.units(); k++) responseNames.add("y" + k);
        } else {
            responseNames.add("label");
        }
        if (head instanceof MseHead && head.units() == 1 && !java.util.Arrays.asList(cols).contains("y0")
                && java.util.Arrays.asList(cols).contains("label")) {
            responseNames.set(0, "label");   // a scalar-output mse head also takes its target from a "label" column
        }
        for (String name : responseNames) {
            int idx = java.util.Arrays.asList(cols).indexOf(name);
            if (idx < 0) {
                throw new InvalidInputException("CSV " + path + " has no column \"" + name + "\" (columns: " + String.join(",", cols)
                        + "); the " + head.describe() + " head needs " + String.join(", ", responseNames));
            }
            responseCols.add(idx);
        }
        for (int c = 0; c < cols.length; c++) if (!responseCols.contains(c)) featureCols.add(c);
        if (featureCols.size() != net.inputSize()) {
            throw new InvalidInputException("CSV " + path + " has " + featureCols.size() + " feature columns but the model input is "
                    + net.inputSize() + "; match the data to the model spec's \"input\"");
        }
        int[] fc = featureCols.stream().mapToInt(Integer::intValue).toArray();
        int[] rc = responseCols.stream().mapToInt(Integer::intValue).toArray();
        return df.javaRDD().map(row -> {
            if (!row.isNullAt(corrupt)) {
                String bad = row.getString(corrupt);
                int fields = bad.isEmpty() ? 0 : bad.split(",", -1).length;
                throw new InvalidInputException("CSV " + row.getString(file) + " has a row with " + fields + " fields but the header has "
                        + width + ": " + quote(bad) + "; fix or drop that row");
            }
            return new Example(cells(row, fc, file), cells(row, rc, file));
        });
    }

    private static final String CORRUPT = "_hessinv_corrupt_record";
    private static final String FILE = "_hessinv_file";

    private static double[] cells(Row row, int[] idx, int file) {
        double[] out = new double[idx.length];
        for (int i = 0; i < idx.length; i++) {
            Object v = row.get(idx[i]);
            String column = row.schema().fields()[idx[i]].name();
            if (v == null) {
                throw new InvalidInputException("CSV " + row.getString(file) + " has a row with an empty value in column " + column
                        + ": " + quote(rowText(row, file)) + "; fill or drop that row");
            }
            try {
                out[i] = Double.parseDouble(v.toString().trim());
            } catch (NumberFormatException e) {
                throw new InvalidInputException("CSV " + row.getString(file) + " has a non-numeric value \"" + v + "\" in column "
                        + column + " (row " + quote(rowText(row, file)) + "); numbers only");
            }
        }
        return out;
    }

    private static String rowText(Row row, int file) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < file - 1; i++) b.append(i == 0 ? "" : ",").append(row.isNullAt(i) ? "" : row.get(i));
        return b.toString();
    }

    private static JavaRDD<Example> parquet(SparkSession spark, String path, Network net) {
        checkParquetFiles(spark, path);
        Dataset<Row> df;
        try {
            df = spark.read().parquet(path);
        } catch (Exception e) {
            throw new InvalidInputException("cannot read Parquet " + path + ": " + summary(e)
                    + "; check that --data is a valid Parquet file or folder (or give the right --format)");
        }
        StructType schema = df.schema();
        if (!java.util.Arrays.asList(schema.fieldNames()).contains("features")) {
            throw new InvalidInputException("Parquet " + path + " has no \"features\" column (columns: "
                    + String.join(",", schema.fieldNames()) + "); give features as an array<double> or ML vector");
        }
        String response = java.util.Arrays.asList(schema.fieldNames()).contains("label") ? "label"
                : java.util.Arrays.asList(schema.fieldNames()).contains("y") ? "y" : null;
        if (response == null) {
            throw new InvalidInputException("Parquet " + path + " has neither a \"label\" nor a \"y\" column; add the labels or targets");
        }
        int fi = schema.fieldIndex("features");
        int ri = schema.fieldIndex(response);
        if (!numericArrayOrVector(schema.fields()[fi].dataType())) {
            throw new InvalidInputException("Parquet " + path + " column \"features\" has type " + schema.fields()[fi].dataType().simpleString()
                    + "; give it as array<double> (or another numeric array) or an ML vector");
        }
        boolean responseArray = schema.fields()[ri].dataType() instanceof ArrayType;
        boolean responseOk = responseArray ? numericArrayOrVector(schema.fields()[ri].dataType())
                : schema.fields()[ri].dataType() instanceof org.apache.spark.sql.types.NumericType;
        if (!responseOk) {
            throw new InvalidInputException("Parquet " + path + " column \"" + response + "\" has type " + schema.fields()[ri].dataType().simpleString()
                    + "; give " + (response.equals("label") ? "the label as a number (int or double)" : "the targets as array<double>"));
        }
        return df.javaRDD().map(row -> new Example(vector(row, fi), responseArray ? vector(row, ri) : new double[] {number(row, ri)}));
    }

    private static boolean numericArrayOrVector(org.apache.spark.sql.types.DataType t) {
        return t instanceof org.apache.spark.ml.linalg.VectorUDT
                || (t instanceof ArrayType a && a.elementType() instanceof org.apache.spark.sql.types.NumericType);
    }

    private static double number(Row row, int i) {
        if (row.isNullAt(i)) throw new InvalidInputException("a Parquet row has a null label; fill or drop it");
        return ((Number) row.get(i)).doubleValue();
    }

    private static double[] vector(Row row, int i) {
        if (row.isNullAt(i)) throw new InvalidInputException("a Parquet row has a null " + row.schema().fields()[i].name() + "; fill or drop it");
        Object v = row.get(i);
        if (v instanceof Vector vec) return vec.toArray();
        if (v instanceof scala.collection.Seq<?> seq) {
            double[] out = new double[seq.size()];
            for (int k = 0; k < out.length; k++) {
                Object e = seq.apply(k);
                if (e == null) throw new InvalidInputException("a Parquet row has a null entry in " + row.schema().fields()[i].name());
                out[k] = ((Number) e).doubleValue();
            }
            return out;
        }
        throw new InvalidInputException("Parquet column " + row.schema().fields()[i].name() + " has type "
                + row.schema().fields()[i].dataType().simpleString() + "; use array<double> or an ML vector");
    }

    private static JavaRDD<Example> libsvm(SparkSession spark, String path, Network net) {
        Head head = net.head();
        if (head instanceof MseHead && head.units() != 1) {
            throw new InvalidInputException("LibSVM carries one label per row, but the mse head has " + head.units()
                    + " outputs; use CSV or Parquet for multi-output regression");
        }
        int inputs = net.inputSize();
        Dataset<Row> lines;
        try {
            lines = spark.read().text(path).selectExpr("value", "_metadata.file_path AS " + FILE);
        } catch (Exception e) {
            throw new InvalidInputException("cannot read LibSVM " + path + ": " + summary(e) + "; check --data");
        }
        return lines.javaRDD().flatMap(row -> {
            String line = row.getString(0).strip();
            if (line.isEmpty() || line.startsWith("#")) return java.util.Collections.emptyIterator();
            return java.util.List.of(libsvmLine(line, inputs, row.getString(1))).iterator();
        });
    }

    /** One LibSVM line {@code label idx:value ...} (indices 1-based, increasing, at most the model input) as an example. */
    static Example libsvmLine(String line, int inputs, String file) {
        String[] tokens = line.split("\\s+");
        String where = "LibSVM " + file + " line " + quote(line);
        double label;
        try {
            label = Double.parseDouble(tokens[0]);
        } catch (NumberFormatException e) {
            throw new InvalidInputException(where + ": the label \"" + tokens[0] + "\" is not a number; a line is: label index:value ...");
        }
        double[] features = new double[inputs];
        int previous = 0;
        for (int t = 1; t < tokens.length; t++) {
            String tok = tokens[t];
            int colon = tok.indexOf(':');
            if (colon <= 0) throw new InvalidInputException(where + ": \"" + tok + "\" is not index:value; a line is: label index:value ...");
            int index;
            try {
                index = Integer.parseInt(tok.substring(0, colon));
            } catch (NumberFormatException e) {
                throw new InvalidInputException(where + ": the index in \"" + tok + "\" is not an integer; indices are 1.." + inputs);
            }
            if (index < 1) throw new InvalidInputException(where + ": index " + index + "; LibSVM indices are 1-based (1.." + inputs + ")");
            if (index > inputs) {
                throw new InvalidInputException(where + ": index " + index + " is out of range; the model input has " + inputs
                        + " features (indices 1.." + inputs + ")");
            }
            if (index <= previous) throw new InvalidInputException(where + ": index " + index + " after " + previous + "; indices must increase");
            previous = index;
            try {
                features[index - 1] = Double.parseDouble(tok.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new InvalidInputException(where + ": the value in \"" + tok + "\" is not a number");
            }
        }
        return new Example(features, new double[] {label});
    }
}
