package org.hessinv.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.hessinv.io.AtomicOutputDir;
import org.hessinv.model.Head;
import org.hessinv.model.InvalidInputException;
import org.hessinv.model.Network;
import org.hessinv.model.SoftmaxHead;
import org.hessinv.model.Standardization;
import org.hessinv.spark.ExampleReader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code predict}: the predictions of a trained network for every example, in read order, with the
 * standardization its {@code train} run saved; prints the loss and accuracy over the (labelled) data.
 */
@Command(name = "predict", mixinStandardHelpOptions = true, version = "hessinv 0.1.0-SNAPSHOT", sortOptions = false, usageHelpAutoWidth = true,
        description = {"Predictions of a trained network: class probabilities and the predicted class (softmax) or the outputs (mse).",
                "Writes a folder of CSV or Parquet part files (Spark's layout), one row per example with its read-order index."},
        exitCodeListHeading = "Exit codes:%n", exitCodeList = {"0:written", "1:unexpected failure", "2:bad input (one line: error: ...)"})
public final class PredictJob implements Callable<Integer> {
    @picocli.CommandLine.Mixin
    TrainedModelOptions trained = new TrainedModelOptions();

    @Option(names = "--data", required = true, paramLabel = "PATH", description = "Examples (CSV, Parquet or LibSVM), with labels.")
    String data;
    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output folder; CSV unless its name ends in .parquet.")
    String out;
    @Option(names = "--overwrite", description = "Replace an existing output folder.")
    boolean overwrite;

    @picocli.CommandLine.Mixin
    SparkOptions sparkOptions = new SparkOptions();

    /** Set by tests: a session to use (and leave open). */
    private SparkSession given;

    public static void main(String[] args) {
        int code = run(args, null);
        if (code != 0) System.exit(code);
    }

    public static int run(String[] args, SparkSession spark) {
        PredictJob job = new PredictJob();
        job.given = spark;
        return Commands.execute(job, args);
    }

    @Override public Integer call() throws Exception {
        Network net = trained.network();
        double[] x = trained.parameters(net);
        Standardization st = trained.standardization(net);
        ExampleReader.Format fmt = trained.format != null ? ExampleReader.Format.fromSpec(trained.format) : ExampleReader.Format.guess(data);
        boolean parquet = out.toLowerCase(Locale.ROOT).endsWith(".parquet");
        try (AtomicOutputDir dir = AtomicOutputDir.open(Path.of(out), overwrite)) {
            SparkSession spark = given != null ? given : sparkOptions.session("hessinv predict");
            try {
                JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
                Broadcast<Network> netB = sc.broadcast(net);
                Broadcast<double[]> xB = sc.broadcast(x);
                Broadcast<Standardization> stB = sc.broadcast(st);
                Head head = net.head();
                boolean classes = head instanceof SoftmaxHead;
                JavaRDD<Row> rows = ExampleReader.read(spark, data, fmt, net).zipWithIndex().map(t -> {
                    Network nw = netB.value();
                    nw.validateExample(t._1(), t._2());
                    double[] u = nw.output(xB.value(), stB.value().apply(t._1().features()));
                    double[] pred = nw.head().prediction(u);
                    List<Object> cells = new ArrayList<>();
                    cells.add(t._2());
                    for (double v : pred) cells.add(v);
                    if (classes) cells.add(argmax(pred));
                    cells.add(nw.head().loss(u, t._1().response()));
                    cells.add(nw.head().hit(u, t._1().response()));
                    return RowFactory.create(cells.toArray());
                });
                Dataset<Row> df = spark.createDataFrame(rows, schema(head, classes)).orderBy("index");
                df.cache();
                Row totals = df.agg(org.apache.spark.sql.functions.avg("loss"), org.apache.spark.sql.functions.avg("hit"),
                        org.apache.spark.sql.functions.count("index")).first();
                Dataset<Row> written = df.drop("hit");
                if (parquet) written.write().mode(SaveMode.Overwrite).parquet(dir.file("").toString());
                else written.write().mode(SaveMode.Overwrite).option("header", "true").csv(dir.file("").toString());
                Files.deleteIfExists(dir.file("._SUCCESS.crc"));
                dir.commit();
                System.out.printf(Locale.ROOT, "predict: %d examples, loss %.6g%s%n  wrote %s%n", totals.getLong(2), totals.getDouble(0),
                        classes ? String.format(Locale.ROOT, ", accuracy %.4f", totals.getDouble(1)) : "", dir.target());
                return 0;
            } finally {
                if (given == null) spark.stop();
            }
        }
    }

    private static int argmax(double[] p) {
        int best = 0;
        for (int j = 1; j < p.length; j++) if (p[j] > p[best]) best = j;
        return best;
    }

    private static StructType schema(Head head, boolean classes) {
        List<StructField> f = new ArrayList<>();
        f.add(DataTypes.createStructField("index", DataTypes.LongType, false));
        for (int k = 0; k < head.units(); k++) f.add(DataTypes.createStructField((classes ? "p" : "y") + k, DataTypes.DoubleType, false));
        if (classes) f.add(DataTypes.createStructField("predicted", DataTypes.IntegerType, false));
        f.add(DataTypes.createStructField("loss", DataTypes.DoubleType, false));
        f.add(DataTypes.createStructField("hit", DataTypes.DoubleType, false));
        return DataTypes.createStructType(f);
    }
}
