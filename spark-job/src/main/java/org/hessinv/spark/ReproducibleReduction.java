package org.hessinv.spark;

import java.io.Serializable;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import org.apache.spark.api.java.JavaRDD;
import org.hessinv.linalg.ReproducibleSum;

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
}
