package org.hessinv.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.api.java.JavaRDD;
import org.hessinv.linalg.ReproducibleSum;
import org.hessinv.model.Example;
import scala.Tuple2;

/**
 * Sums of per-example vectors over an RDD whose result does not depend on the partitioning, the master or
 * the order in which tasks finish: each example's contribution is computed into a zeroed scratch vector and
 * added to a {@link ReproducibleSum}; the per-partition sums are merged by treeReduce, in whatever order
 * (merging binned sums is exact and order-independent). The result is bit-identical for any partitioning.
 */
public final class ReproducibleReduction {
    /** Tree depth of the merge. */
    static final int DEPTH = 2;

    private ReproducibleReduction() {}

    /** One example's contribution: adds it into {@code out} (of length n, zero on entry). */
    @FunctionalInterface
    public interface Contribution<T> extends Serializable {
        void addTo(T example, double[] out) throws Exception;
    }

    /** {@code sum over the examples of rdd of contribution(example)}, a vector of length n. */
    public static <T> double[] sumOverExamples(JavaRDD<T> rdd, int n, Contribution<T> contribution) {
        JavaRDD<ReproducibleSum> perPartition = rdd.mapPartitions((Iterator<T> it) -> {
            ReproducibleSum acc = new ReproducibleSum(n);
            double[] scratch = new double[n];
            while (it.hasNext()) {
                Arrays.fill(scratch, 0.0);
                contribution.addTo(it.next(), scratch);
                acc.add(scratch);
            }
            return Collections.singletonList(acc).iterator();
        });
        // one sum per partition (possibly empty), so treeReduce needs no zero value to ship with the tasks
        return perPartition.treeReduce(ReproducibleSum::merge, DEPTH).result();
    }

    /**
     * The same sum with plain floating-point addition in treeAggregate's combination order: not reproducible
     * (kept to measure what the reproducible sum costs; see ReproducibleReductionBenchmark).
     */
    public static <T> double[] plainSumOverExamples(JavaRDD<T> rdd, int n, Contribution<T> contribution) {
        return rdd.treeAggregate(new double[n], (a, e) -> {
            contribution.addTo(e, a);
            return a;
        }, (a, b) -> {
            for (int i = 0; i < n; i++) a[i] += b[i];
            return a;
        }, DEPTH);
    }

    /** A block's contribution, computed by a per-task worker (which may keep scratch, e.g. a BlockSweep). */
    @FunctionalInterface
    public interface BlockContribution extends Serializable {
        BlockWorker worker();
    }

    /** Adds a block's contribution into {@code out} (length n, zero on entry); the examples in index order. */
    @FunctionalInterface
    public interface BlockWorker {
        void addTo(List<Example> block, double[] out);
    }

    /**
     * {@code sum over the blocks b of contribution(block b)}, block b being the examples of indices
     * {@code [b S, min((b+1) S, count))}, for an RDD holding each index 0..count-1 once. Bit-identical for
     * any partitioning: a block's contribution is computed from the whole block, in index order, whichever
     * partitions hold it. Inside a partition (sorted by index, as {@link TrainingData} keeps them) every block
     * that is whole is computed there; the pieces of a block split between partitions (at most two per
     * partition, fewer than S examples each) travel with the partition's sum and are joined in the tree
     * merge, where the block is computed once complete. The blocks' contributions are added to a
     * {@link ReproducibleSum}, whose merge is exact and order-independent.
     */
    public static double[] sumOverBlocks(JavaRDD<Tuple2<Long, Example>> rdd, long count, int n, int blockSize,
                                         BlockContribution contribution) {
        if (blockSize <= 0) throw new IllegalArgumentException("block size must be positive, got " + blockSize);
        JavaRDD<BlockPartial> perPartition = rdd.mapPartitions((Iterator<Tuple2<Long, Example>> it) -> {
            BlockPartial acc = new BlockPartial(n, count, blockSize);
            List<Tuple2<Long, Example>> run = new ArrayList<>();
            long current = -1;
            while (it.hasNext()) {
                Tuple2<Long, Example> t = it.next();
                long b = acc.blockOf(t._1());
                if (b != current) {
                    acc.addRun(current, run, contribution);
                    run.clear();
                    current = b;
                }
                run.add(t);
            }
            acc.addRun(current, run, contribution);
            return Collections.singletonList(acc).iterator();
        });
        BlockPartial total = perPartition.treeReduce((a, b) -> a.merge(b, contribution), DEPTH);
        if (!total.pieces.isEmpty()) {
            Map.Entry<Long, TreeMap<Long, Example>> e = total.pieces.firstEntry();
            throw new IllegalStateException("block " + e.getKey() + " has " + e.getValue().size() + " of its "
                    + total.blockLength(e.getKey()) + " examples: the indices are not 0.." + (count - 1) + " each once");
        }
        return total.sum.result();
    }

    /** A partition's (or a merge's) sum of whole blocks and the pieces of the blocks not yet whole. */
    static final class BlockPartial implements Serializable {
        private static final long serialVersionUID = 1L;
        final ReproducibleSum sum;
        final long count;
        final int blockSize;
        /** block -> (index -> example) of the blocks seen only in part. */
        final TreeMap<Long, TreeMap<Long, Example>> pieces = new TreeMap<>();
        private transient BlockWorker worker;
        private transient double[] scratch;

        BlockPartial(int n, long count, int blockSize) {
            this.sum = new ReproducibleSum(n);
            this.count = count;
            this.blockSize = blockSize;
        }

        long blockOf(long index) {
            if (index < 0 || index >= count) throw new IllegalStateException("example index " + index + " outside 0.." + (count - 1));
            return index / blockSize;
        }

        int blockLength(long b) { return (int) Math.min(blockSize, count - b * blockSize); }

        /** A run of consecutive records of block b: computed when it is the whole block in order, else kept as a piece. */
        void addRun(long b, List<Tuple2<Long, Example>> run, BlockContribution c) {
            if (run.isEmpty()) return;
            boolean whole = run.size() == blockLength(b) && !pieces.containsKey(b);
            for (int i = 0; whole && i < run.size(); i++) whole = run.get(i)._1() == b * blockSize + i;
            if (whole) {
                List<Example> block = new ArrayList<>(run.size());
                for (Tuple2<Long, Example> t : run) block.add(t._2());
                compute(block, c);
                return;
            }
            TreeMap<Long, Example> piece = pieces.computeIfAbsent(b, k -> new TreeMap<>());
            for (Tuple2<Long, Example> t : run) {
                if (piece.put(t._1(), t._2()) != null) throw new IllegalStateException("example index " + t._1() + " occurs twice");
            }
            completeIfWhole(b, c);
        }

        private void completeIfWhole(long b, BlockContribution c) {
            TreeMap<Long, Example> piece = pieces.get(b);
            if (piece.size() == blockLength(b)) {
                pieces.remove(b);
                compute(new ArrayList<>(piece.values()), c);
            }
        }

        private void compute(List<Example> block, BlockContribution c) {
            if (worker == null) {
                worker = c.worker();
                scratch = new double[sum.size()];
            }
            Arrays.fill(scratch, 0.0);
            worker.addTo(block, scratch);
            sum.add(scratch);
        }

        /** Adds other's sum and pieces into this one (blocks made whole are computed). Returns this. */
        BlockPartial merge(BlockPartial other, BlockContribution c) {
            sum.merge(other.sum);
            for (Map.Entry<Long, TreeMap<Long, Example>> e : other.pieces.entrySet()) {
                TreeMap<Long, Example> piece = pieces.computeIfAbsent(e.getKey(), k -> new TreeMap<>());
                for (Map.Entry<Long, Example> x : e.getValue().entrySet()) {
                    if (piece.put(x.getKey(), x.getValue()) != null) throw new IllegalStateException("example index " + x.getKey() + " occurs twice");
                }
                completeIfWhole(e.getKey(), c);
            }
            return this;
        }
    }
}
