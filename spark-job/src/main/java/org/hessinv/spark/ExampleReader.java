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
        return switch (format) {
            case CSV -> csv(spark, path, net);
            case PARQUET -> parquet(spark, path, net);
            case LIBSVM -> libsvm(spark, path, net);
        };
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
        Dataset<Row> df = spark.read().option("header", "true").option("inferSchema", "false")
                .option("mode", "FAILFAST").csv(path);
        String[] cols = df.columns();
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
        return df.javaRDD().map(row -> new Example(cells(row, fc), cells(row, rc)));
    }

    private static double[] cells(Row row, int[] idx) {
        double[] out = new double[idx.length];
        for (int i = 0; i < idx.length; i++) {
            Object v = row.get(idx[i]);
            if (v == null) throw new InvalidInputException("a CSV row has an empty value in column " + row.schema().fields()[idx[i]].name() + "; fill or drop it");
            try {
                out[i] = Double.parseDouble(v.toString().trim());
            } catch (NumberFormatException e) {
                throw new InvalidInputException("a CSV row has a non-numeric value \"" + v + "\" in column "
                        + row.schema().fields()[idx[i]].name() + "; numbers only");
            }
        }
        return out;
    }

    private static JavaRDD<Example> parquet(SparkSession spark, String path, Network net) {
        Dataset<Row> df = spark.read().parquet(path);
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
        boolean responseArray = schema.fields()[ri].dataType() instanceof ArrayType;
        return df.javaRDD().map(row -> new Example(vector(row, fi), responseArray ? vector(row, ri) : new double[] {number(row, ri)}));
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
        Dataset<Row> df;
        try {
            df = spark.read().format("libsvm").option("numFeatures", String.valueOf(net.inputSize())).load(path);
        } catch (RuntimeException e) {
            throw new InvalidInputException("cannot read LibSVM " + path + ": " + e.getMessage());
        }
        StructField[] f = df.schema().fields();
        int li = df.schema().fieldIndex("label");
        int fi = df.schema().fieldIndex("features");
        if (f.length < 2) throw new InvalidInputException("LibSVM " + path + " has no rows or columns");
        return df.javaRDD().map(row -> new Example(((Vector) row.get(fi)).toArray(), new double[] {row.getDouble(li)}));
    }
}
