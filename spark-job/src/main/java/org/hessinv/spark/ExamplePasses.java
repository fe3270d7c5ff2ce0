package org.hessinv.spark;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.hessinv.curvature.ExampleSweep;
import org.hessinv.model.Example;
import org.hessinv.model.Network;
import org.hessinv.train.Objective;
import scala.Tuple2;

/**
 * Full passes over indexed examples at parameters x (broadcast for the pass, destroyed after): the mean
 * loss, the mean loss with its gradient, and the mean loss with the accuracy. The per-example terms are
 * added by {@link ReproducibleReduction}, so a pass gives the same bits for any partitioning, master or run.
 */
public final class ExamplePasses {
    private ExamplePasses() {}

    /** What one example adds to a partition's sums. */
    @FunctionalInterface
    interface Contribution extends java.io.Serializable {
        void add(Network net, double[] x, Example e, double[] sums);
    }

    /** sum_i contribution_i, by a reproducible (binned) sum: the same bits for any partitioning, master or run. */
    static double[] sum(JavaSparkContext sc, JavaRDD<Tuple2<Long, Example>> data, Broadcast<Network> net, double[] x,
                        int length, Contribution c) {
        Broadcast<double[]> xB = sc.broadcast(x);
        try {
            return ReproducibleReduction.sumOverExamples(data, length, (t, out) -> c.add(net.value(), xB.value(), t._2(), out));
        } finally {
            xB.destroy();
        }
    }

    /** F(x) = (1/N) sum_i loss_i(x), forward passes only. */
    public static double loss(JavaSparkContext sc, JavaRDD<Tuple2<Long, Example>> data, Broadcast<Network> net, double[] x, long n) {
        return sum(sc, data, net, x, 1, (nw, xv, e, s) -> s[0] += nw.loss(xv, e))[0] / n;
    }

    /** F(x) and g = dF/dx: one forward and backward sweep per example. */
    public static Objective.LossGradient lossAndGradient(JavaSparkContext sc, JavaRDD<Tuple2<Long, Example>> data,
                                                         Broadcast<Network> net, double[] x, long n) {
        int p = x.length;
        double w = 1.0 / n;
        double[] acc = sum(sc, data, net, x, p + 1, (nw, xv, e, s) -> {
            ExampleSweep sweep = new ExampleSweep(nw, xv, e, w);
            sweep.accumulateGradient(s);
            s[p] += sweep.loss();
        });
        return new Objective.LossGradient(acc[p] / n, java.util.Arrays.copyOf(acc, p));
    }

    /** The mean loss and gradient over the examples whose index is in {@code chosen} ({@code m} of them; a minibatch). */
    public static Objective.LossGradient lossAndGradient(JavaSparkContext sc, JavaRDD<Tuple2<Long, Example>> data,
                                                         Broadcast<Network> net, double[] x, java.util.BitSet chosen, long m) {
        Broadcast<java.util.BitSet> c = sc.broadcast(chosen);
        try {
            return lossAndGradient(sc, data.filter(t -> c.value().get(Math.toIntExact(t._1()))), net, x, m);
        } finally {
            c.destroy();
        }
    }

    /** The mean loss and the accuracy (NaN for a regression head) at x. */
    public static double[] lossAndAccuracy(JavaSparkContext sc, JavaRDD<Tuple2<Long, Example>> data, Broadcast<Network> net,
                                           double[] x, long n) {
        double[] s = sum(sc, data, net, x, 2, (nw, xv, e, acc) -> {
            double[] u = nw.output(xv, e.features());
            acc[0] += nw.head().loss(u, e.response());
            acc[1] += nw.head().hit(u, e.response());
        });
        return new double[] {s[0] / n, s[1] / n};
    }

    /** The per-feature sum of (f - mean)^2 (mean given) or, with a null mean, the sum of f. */
    static double[] featureSums(JavaSparkContext sc, JavaRDD<Tuple2<Long, Example>> data, Broadcast<Network> net, double[] mean) {
        int k = net.value().inputSize();
        return sum(sc, data, net, new double[0], k, (nw, xv, e, s) -> {
            double[] f = e.features();
            for (int j = 0; j < k; j++) {
                double v = mean == null ? f[j] : f[j] - mean[j];
                s[j] += mean == null ? v : v * v;
            }
        });
    }
}
