package org.hessinv.spark;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.hessinv.curvature.BlockSweep;
import org.hessinv.model.Example;
import org.hessinv.model.Network;
import org.hessinv.train.Objective;
import scala.Tuple2;

/**
 * Full passes over indexed examples at parameters x (broadcast for the pass, destroyed after): the mean
 * loss, the mean loss with its gradient, and the mean loss with the accuracy. The loss passes sweep blocks
 * of {@link BlockSweep#BLOCK_SIZE} examples by index ({@link BlockSweep}: each stage a gemm over the block);
 * the blocks' terms are added by {@link ReproducibleReduction#sumOverBlocks}, so a pass gives the same bits for
 * any partitioning, master or run. The data must hold the indices 0..n-1 once each (as {@link TrainingData} does).
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

    /** A block's contribution, made with a per-task {@link BlockSweep} at x. */
    @FunctionalInterface
    interface BlockTerm extends java.io.Serializable {
        void add(BlockSweep sweep, java.util.List<Example> block, double[] sums);
    }

    /** sum over the index blocks of term(block), by a reproducible (binned) sum: the same bits for any partitioning. */
    static double[] sumBlocks(JavaSparkContext sc, JavaRDD<Tuple2<Long, Example>> data, Broadcast<Network> net, double[] x,
                              long n, int length, BlockTerm term) {
        Broadcast<double[]> xB = sc.broadcast(x);
        try {
            return ReproducibleReduction.sumOverBlocks(data, n, length, BlockSweep.BLOCK_SIZE, () -> {
                BlockSweep sweep = new BlockSweep(net.value(), xB.value());
                return (block, out) -> term.add(sweep, block, out);
            });
        } finally {
            xB.destroy();
        }
    }

    /** F(x) = (1/N) sum_i loss_i(x), forward passes only. */
    public static double loss(JavaSparkContext sc, JavaRDD<Tuple2<Long, Example>> data, Broadcast<Network> net, double[] x, long n) {
        return sumBlocks(sc, data, net, x, n, 1, (sw, b, s) -> s[0] += sw.loss(b))[0] / n;
    }

    /** F(x) and g = dF/dx: one forward and backward sweep per block of examples. */
    public static Objective.LossGradient lossAndGradient(JavaSparkContext sc, JavaRDD<Tuple2<Long, Example>> data,
                                                         Broadcast<Network> net, double[] x, long n) {
        int p = x.length;
        double w = 1.0 / n;
        double[] acc = sumBlocks(sc, data, net, x, n, p + 1, (sw, b, s) -> s[p] += sw.lossAndGradient(b, w, s));
        return new Objective.LossGradient(acc[p] / n, java.util.Arrays.copyOf(acc, p));
    }

    /**
     * The mean loss and gradient over the examples whose index is in {@code chosen} ({@code m} of them; a minibatch).
     * The chosen examples are indexed 0..m-1 by their rank among the chosen indices (a function of the index and
     * the set alone, increasing with the index), so the blocked pass blocks the minibatch by rank, with the same
     * bits for any partitioning.
     */
    public static Objective.LossGradient lossAndGradient(JavaSparkContext sc, JavaRDD<Tuple2<Long, Example>> data,
                                                         Broadcast<Network> net, double[] x, java.util.BitSet chosen, long m) {
        if (chosen.cardinality() != m) throw new IllegalArgumentException("minibatch of " + m + " but " + chosen.cardinality() + " indices chosen");
        Broadcast<IndexRank> c = sc.broadcast(new IndexRank(chosen));
        try {
            JavaRDD<Tuple2<Long, Example>> batch = data.filter(t -> c.value().contains(t._1()))
                    .map(t -> new Tuple2<>(c.value().rank(t._1()), t._2()));
            return lossAndGradient(sc, batch, net, x, m);
        } finally {
            c.destroy();
        }
    }

    /** rank(i) = the number of chosen indices below i, in O(1): the set's words and the counts before each word. */
    static final class IndexRank implements java.io.Serializable {
        private static final long serialVersionUID = 1L;
        private final long[] words;
        private final long[] before;

        IndexRank(java.util.BitSet chosen) {
            words = chosen.toLongArray();
            before = new long[words.length + 1];
            for (int w = 0; w < words.length; w++) before[w + 1] = before[w] + Long.bitCount(words[w]);
        }

        boolean contains(long i) {
            int w = (int) (i >>> 6);
            return w < words.length && (words[w] & (1L << (i & 63))) != 0;
        }

        long rank(long i) {
            int w = (int) (i >>> 6);
            return before[w] + Long.bitCount(words[w] & ((1L << (i & 63)) - 1));
        }
    }

    /** The mean loss and the accuracy (NaN for a regression head) at x. */
    public static double[] lossAndAccuracy(JavaSparkContext sc, JavaRDD<Tuple2<Long, Example>> data, Broadcast<Network> net,
                                           double[] x, long n) {
        double[] s = sumBlocks(sc, data, net, x, n, 2, (sw, b, acc) -> {
            double[] lh = sw.lossAndHits(b);
            acc[0] += lh[0];
            acc[1] += lh[1];
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
