package org.hessinv.spark;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.hessinv.cli.DefaultProblem;
import org.hessinv.curvature.ExampleSweep;
import org.hessinv.model.Example;
import org.hessinv.model.Network;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Timing entry (not a test): the loss-and-gradient pass of the pipeline with plain tree sums against the
 * reproducible (binned) sums, on the default preset (64 tanh layers of width 16, 17,041 parameters) and its
 * teacher-student data, in local[2]. Best of 3 alternating runs each (wall and process CPU time), data cached first.
 * Usage: {@code java -cp ... org.hessinv.spark.ReproducibleReductionBenchmark [--repeats N] [rows...]} (default 4096 200000).
 */
@Command(name = "reproducible-reduction-benchmark", mixinStandardHelpOptions = true,
        description = "Plain tree sums against reproducible (binned) sums of the loss-and-gradient pass, in local[2].")
public final class ReproducibleReductionBenchmark implements Runnable {
    @Parameters(paramLabel = "ROWS", arity = "0..*", description = "example counts (default 4096 200000)")
    int[] sizes = {4096, 200_000};

    @Option(names = "--repeats", paramLabel = "N", description = "best of N alternating runs each (default ${DEFAULT-VALUE})")
    int repeats = 3;

    /** CPU seconds of this process (driver and local executors): on a shared machine wall time mostly measures the other builds. */
    private static double cpu() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime() / 1e9;
    }

    public static void main(String[] args) {
        org.hessinv.testing.TimingEntry.main(new ReproducibleReductionBenchmark(), args);
    }

    @Override public void run() {
        SparkSession spark = SparkSession.builder().master("local[2]").appName("ReproducibleReductionBenchmark")
                .config("spark.ui.enabled", "false").getOrCreate();
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Network net = DefaultProblem.network();
        double[] teacher = net.initialParameters(DefaultProblem.TEACHER_SEED);
        double[] x = net.initialParameters(0); // the job's default --init-seed
        int p = net.paramCount();
        try {
            for (int rows : sizes) {
                List<Example> examples = new ArrayList<>(rows);
                for (int i = 0; i < rows; i++) examples.add(DefaultProblem.example(net, teacher, i));
                JavaRDD<Example> rdd = sc.parallelize(examples, 4).persist(StorageLevel.MEMORY_ONLY());
                rdd.count();
                double w = 1.0 / rows;
                ReproducibleReduction.Contribution<Example> c = (e, a) -> {
                    ExampleSweep s = new ExampleSweep(net, x, e, w);
                    s.accumulateGradient(a);
                    a[p] += w * s.loss();
                };
                double bestPlain = Double.MAX_VALUE;
                double bestRepro = Double.MAX_VALUE;
                double cpuPlain = Double.MAX_VALUE;
                double cpuRepro = Double.MAX_VALUE;
                double[] plain = null;
                double[] repro = null;
                for (int rep = 0; rep < repeats; rep++) {
                    double c0 = cpu();
                    long t0 = System.nanoTime();
                    plain = ReproducibleReduction.plainSumOverExamples(rdd, p + 1, c);
                    long t1 = System.nanoTime();
                    double c1 = cpu();
                    repro = ReproducibleReduction.sumOverExamples(rdd, p + 1, c);
                    long t2 = System.nanoTime();
                    double c2 = cpu();
                    cpuPlain = Math.min(cpuPlain, c1 - c0);
                    cpuRepro = Math.min(cpuRepro, c2 - c1);
                    bestPlain = Math.min(bestPlain, (t1 - t0) / 1e9);
                    bestRepro = Math.min(bestRepro, (t2 - t1) / 1e9);
                }
                double num = 0;
                double den = 0;
                for (int i = 0; i < p; i++) {
                    num += (plain[i] - repro[i]) * (plain[i] - repro[i]);
                    den += repro[i] * repro[i];
                }
                System.out.printf(Locale.ROOT, "%d examples x %d parameters: gradient pass wall plain %.3f s, reproducible %.3f s (%.2fx);"
                        + " CPU plain %.3f s, reproducible %.3f s (%.2fx); ||g_plain - g_repro|| / ||g|| = %.2e%n", rows, p, bestPlain, bestRepro,
                        bestRepro / bestPlain, cpuPlain, cpuRepro, cpuRepro / cpuPlain, Math.sqrt(num / den));
                rdd.unpersist(true);
            }
        } finally {
            spark.stop();
        }
    }
}
