package org.hessinv.spark;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.hessinv.curvature.ExampleSweep;
import org.hessinv.model.Example;
import org.hessinv.model.Network;
import scala.Tuple2;

/**
 * Per-example passes for influence (docs/math.md section 10), run on the executors where the examples live:
 * each example's own loss gradient, and the scores {@code -s_t^T grad l_i} of every training example i
 * against every broadcast solved test direction {@code s_t = (C + delta I)^-1 grad L_t}.
 */
public final class InfluencePasses {
    private InfluencePasses() {}

    /** grad loss_i(x) of every example (weight 1), in index order, on the driver (for a modest number of examples: the test set). */
    public static double[][] gradients(JavaSparkContext sc, JavaRDD<Tuple2<Long, Example>> data, Broadcast<Network> net, double[] x) {
        Broadcast<double[]> xB = sc.broadcast(x);
        try {
            List<Tuple2<Long, double[]>> rows = new ArrayList<>(data.map(t -> {
                Network nw = net.value();
                double[] g = new double[nw.paramCount()];
                new ExampleSweep(nw, xB.value(), t._2(), 1.0).accumulateGradient(g);
                return new Tuple2<>(t._1(), g);
            }).collect());
            return ordered(rows);
        } finally {
            xB.destroy();
        }
    }

    /**
     * score[i][t] = -s_t^T grad loss_i(x) for every training example i (index order) and every row s_t of
     * {@code directions}: one pass over the data, one gradient per example, dotted with every s_t on the
     * executor; only the N x T scores come back.
     */
    public static double[][] scores(JavaSparkContext sc, JavaRDD<Tuple2<Long, Example>> data, Broadcast<Network> net, double[] x,
                                    double[][] directions) {
        Broadcast<double[]> xB = sc.broadcast(x);
        Broadcast<double[][]> sB = sc.broadcast(directions);
        try {
            List<Tuple2<Long, double[]>> rows = new ArrayList<>(data.mapPartitions(it -> {
                Network nw = net.value();
                double[][] s = sB.value();
                double[] g = new double[nw.paramCount()];
                List<Tuple2<Long, double[]>> out = new ArrayList<>();
                while (it.hasNext()) {
                    Tuple2<Long, Example> t = it.next();
                    java.util.Arrays.fill(g, 0.0);
                    new ExampleSweep(nw, xB.value(), t._2(), 1.0).accumulateGradient(g);
                    double[] row = new double[s.length];
                    for (int j = 0; j < s.length; j++) {
                        double[] sj = s[j];
                        double dot = 0;
                        for (int k = 0; k < g.length; k++) dot += sj[k] * g[k];
                        row[j] = -dot;
                    }
                    out.add(new Tuple2<>(t._1(), row));
                }
                return out.iterator();
            }).collect());
            return ordered(rows);
        } finally {
            xB.destroy();
            sB.destroy();
        }
    }

    /** Per-example losses, in index order. */
    public static double[] losses(JavaSparkContext sc, JavaRDD<Tuple2<Long, Example>> data, Broadcast<Network> net, double[] x) {
        Broadcast<double[]> xB = sc.broadcast(x);
        try {
            List<Tuple2<Long, double[]>> rows = new ArrayList<>(data.map(t -> new Tuple2<>(t._1(), new double[] {net.value().loss(xB.value(), t._2())})).collect());
            double[][] o = ordered(rows);
            double[] out = new double[o.length];
            for (int i = 0; i < o.length; i++) out[i] = o[i][0];
            return out;
        } finally {
            xB.destroy();
        }
    }

    private static double[][] ordered(List<Tuple2<Long, double[]>> rows) {
        rows.sort(Comparator.comparingLong(Tuple2::_1));
        double[][] out = new double[rows.size()][];
        for (int i = 0; i < out.length; i++) out[i] = rows.get(i)._2();
        return out;
    }
}
