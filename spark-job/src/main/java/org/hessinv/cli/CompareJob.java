package org.hessinv.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.hessinv.io.LinePlot;
import org.hessinv.io.Npy;
import org.hessinv.model.InvalidInputException;
import org.hessinv.model.ModelSpec;
import org.hessinv.model.Network;
import org.hessinv.spark.TrainingData;
import org.hessinv.train.HistoryRow;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code train-compare}: several optimizers from the same initial parameters on the same data under the same time
 * budget, in one Spark application (data read, standardized and persisted once; each optimizer a fresh Trainer run
 * into {@code DIR/<optimizer>/}, the layout of {@code train}). Writes {@code compare.csv}, {@code compare.png}
 * (training loss against seconds, log scale), {@code compare-accuracy.png} (validation accuracy) and
 * {@code summary.md}.
 */
@Command(name = "train-compare", mixinStandardHelpOptions = true, version = "hessinv 0.1.0-SNAPSHOT", sortOptions = false, usageHelpAutoWidth = true,
        description = {"Trains the same start with several optimizers under the same time budget and compares them.",
                "With neither --model nor --data: the shipped digits set on conf/models/digits.json."},
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {"0:compared", "1:unexpected failure", "2:bad input (one line: error: ...)", "3:singular curvature system"})
public final class CompareJob implements Callable<Integer> {
    @picocli.CommandLine.Mixin
    SparkOptions sparkOptions = new SparkOptions();

    @picocli.CommandLine.Mixin
    TrainingOptions training = new TrainingOptions();
    @Option(names = "--optimizers", paramLabel = "LIST", defaultValue = "lm,lbfgs,adam,hf", split = ",",
            description = "Comma-separated, from lm, trust-region, lbfgs, adam, hf (default ${DEFAULT-VALUE}).")
    List<String> optimizers;
    @Option(names = "--steps", paramLabel = "N", defaultValue = "1000000", description = "Step limit of each (default ${DEFAULT-VALUE}).")
    int steps;
    @Option(names = "--time-limit", paramLabel = "SECONDS", defaultValue = "120", description = "Budget of each optimizer (default ${DEFAULT-VALUE}).")
    double timeLimit;
    @Option(names = "--reach", paramLabel = "L", defaultValue = "1e-3", description = "Also report the seconds to training loss <= L (default ${DEFAULT-VALUE}).")
    double reach;
    @Option(names = "--out", paramLabel = "DIR", description = "Output folder (default hessinv-out/compare for the built-in run).")
    String out;
    @Option(names = "--overwrite", description = "Replace an earlier comparison in --out.")
    boolean overwrite;

    private SparkSession given;

    public static void main(String[] args) {
        int code = run(args, null);
        if (code != 0) System.exit(code);
    }

    public static int run(String[] args, SparkSession spark) {
        CompareJob job = new CompareJob();
        job.given = spark;
        return Commands.execute(job, args);
    }

    /** What one optimizer reached. */
    record Line(String optimizer, List<HistoryRow> history, String stopReason, int passes) {
        double best() { return history.stream().mapToDouble(HistoryRow::loss).filter(Double::isFinite).min().orElse(Double.NaN); }

        HistoryRow last() { return history.get(history.size() - 1); }

        /** Steps whose loss is above the previous row's. */
        long increases() {
            long k = 0;
            for (int i = 1; i < history.size(); i++) if (history.get(i).loss() > history.get(i - 1).loss()) k++;
            return k;
        }

        /**
         * Trust region only: "indefinite / hard-case" step counts, the steps whose search proved the curvature indefinite (its
         * lambda raised by negative curvature) / the steps along a negative-curvature direction (the hard case).
         */
        String negativeCurvature() {
            long hard = history.stream().filter(r -> r.route() != null && r.route().contains("negative-curvature")).count();
            long indefinite = history.stream().filter(r -> r.negativeEigenvalues() > 0
                    || r.route() != null && (r.route().contains("indefinite") || r.route().contains("negative-curvature"))).count();
            return optimizer.equals("trust-region") ? indefinite + " / " + hard : "-";
        }

        /** The first seconds at which the training loss was <= level (NaN: never). */
        double secondsTo(double level) {
            for (HistoryRow r : history) if (r.loss() <= level) return r.seconds();
            return Double.NaN;
        }
    }

    @Override public Integer call() throws Exception {
        long start = System.nanoTime();
        boolean builtIn = training.builtIn();
        if (out == null && !builtIn) throw new InvalidInputException("give --out DIR for the comparison");
        Path dir = Path.of(out != null ? out : "hessinv-out/compare").toAbsolutePath().normalize();
        if (optimizers.isEmpty()) throw new InvalidInputException("--optimizers is empty; give e.g. lm,lbfgs,adam,hf");
        if (optimizers.stream().distinct().count() != optimizers.size()) throw new InvalidInputException("--optimizers lists one twice: " + optimizers);
        if (!(timeLimit > 0)) throw new InvalidInputException("--time-limit must be > 0 seconds, got " + timeLimit);
        List<TrainSettings> each = new ArrayList<>();
        for (String o : optimizers) {
            TrainSettings s = training.settings(o, steps, timeLimit, sparkOptions.partitionsOrZero());
            TrainJob.check(s);
            each.add(s);
        }
        TrainSettings base = each.get(0);
        if (Files.exists(dir) && !overwrite) {
            throw new InvalidInputException("--out " + dir + " exists; pass --overwrite to replace the comparison in it, or choose another --out");
        }
        String modelJson = builtIn ? DigitsProblem.modelJson() : TrainJob.readModel(base.model());
        Network net = ModelSpec.parse(modelJson);
        double[] x0 = base.params() != null ? Npy.read(Path.of(base.params())) : net.initialParameters(base.initSeed());
        net.validateParameters(x0);

        SparkSession spark = given != null ? given : sparkOptions.session("hessinv train-compare");
        try {
            int parts = base.partitions() > 0 ? base.partitions() : spark.sparkContext().defaultParallelism();
            List<Line> lines = new ArrayList<>();
            try (TrainingData d = TrainingData.prepare(JavaSparkContext.fromSparkContext(spark.sparkContext()), net,
                    TrainJob.examples(spark, base.withPartitions(parts), net), TrainJob.validation(spark, base, net), base.standardize(), null, parts)) {
                double loadSeconds = (System.nanoTime() - start) / 1e9;
                Files.createDirectories(dir);
                for (TrainSettings s : each) {
                    System.out.printf(Locale.ROOT, "%n=== train-compare: %s (time limit %.0f s) ===%n", s.optimizer(), timeLimit);
                    TrainJob.Outcome o = TrainJob.trainOne(null, dir.resolve(s.optimizer()), overwrite, s.withPartitions(parts), modelJson,
                            net, x0, d, loadSeconds, System.nanoTime());
                    lines.add(new Line(s.optimizer(), o.result().history(), o.result().stopReason(), o.objective().passes()));
                }
            }
            write(dir, lines, net);
            return 0;
        } finally {
            if (given == null) spark.stop();
        }
    }

    private void write(Path dir, List<Line> lines, Network net) throws IOException {
        StringBuilder csv = new StringBuilder("optimizer,step,seconds,loss,validation_loss,accuracy\n");
        for (Line l : lines) {
            for (HistoryRow r : l.history()) {
                csv.append(l.optimizer()).append(',').append(r.step()).append(',').append(r.seconds()).append(',').append(r.loss()).append(',')
                        .append(cell(r.validationLoss())).append(',').append(cell(r.validationAccuracy())).append('\n');
            }
        }
        Files.writeString(dir.resolve("compare.csv"), csv);
        List<LinePlot.Series> loss = new ArrayList<>(), acc = new ArrayList<>();
        for (Line l : lines) {
            double[] secs = l.history().stream().mapToDouble(HistoryRow::seconds).toArray();
            loss.add(new LinePlot.Series(l.optimizer(), secs, l.history().stream().mapToDouble(HistoryRow::loss).toArray()));
            acc.add(new LinePlot.Series(l.optimizer(), secs, l.history().stream().mapToDouble(HistoryRow::validationAccuracy).toArray()));
        }
        String title = "train-compare, " + net.paramCount() + " parameters, " + (int) timeLimit + " s each";
        LinePlot.write(dir.resolve("compare.png"), title, "seconds", "training loss", true, loss);
        boolean anyAccuracy = lines.stream().anyMatch(l -> Double.isFinite(l.last().validationAccuracy()));
        if (anyAccuracy) LinePlot.write(dir.resolve("compare-accuracy.png"), title, "seconds", "validation accuracy", false, acc);
        String summary = summary(lines, reach, timeLimit) ;
        Files.writeString(dir.resolve("summary.md"), summary);
        System.out.println();
        System.out.print(summary);
        System.out.printf(Locale.ROOT, "wrote %s/{compare.csv,compare.png%s,summary.md} and one train folder per optimizer%n", dir,
                anyAccuracy ? ",compare-accuracy.png" : "");
    }

    /**
     * The table: each optimizer's last loss and best loss, validation accuracy, steps, passes, why it stopped, the seconds to
     * reach the common level (the highest of the best losses: the best loss the slowest one reached) and to reach {@code reach}.
     */
    static String summary(List<Line> lines, double reach, double timeLimit) {
        double common = lines.stream().mapToDouble(Line::best).max().orElse(Double.NaN);
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "Same start, same data, %.0f s each. Common level = the best loss the slowest optimizer reached = %.4g.%n%n",
                timeLimit, common));
        b.append(String.format(Locale.ROOT, "| optimizer | steps | final loss | best loss | validation accuracy | s to common level %.3g | s to loss %.3g | data passes | loss increases | negative curvature (indefinite / hard-case steps) | stop |%n",
                common, reach));
        b.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
        for (Line l : lines) {
            HistoryRow last = l.last();
            b.append(String.format(Locale.ROOT, "| %s | %d | %.4g | %.4g | %s | %s | %s | %d | %d | %s | %s |%n", l.optimizer(), last.step(), last.loss(),
                    l.best(), Double.isFinite(last.validationAccuracy()) ? String.format(Locale.ROOT, "%.4f", last.validationAccuracy()) : "-",
                    seconds(l.secondsTo(common)), seconds(l.secondsTo(reach)), l.passes(), l.increases(), l.negativeCurvature(), l.stopReason()));
        }
        return b.toString();
    }

    private static String seconds(double s) { return Double.isNaN(s) ? "not reached" : String.format(Locale.ROOT, "%.1f", s); }

    private static String cell(double v) { return Double.isNaN(v) ? "" : Double.toString(v); }
}
