package org.hessinv.spark;

import org.apache.spark.Partitioner;

/**
 * Keys are example indices 0..n-1; partition j holds the contiguous index range [j n / P, (j+1) n / P).
 * With the records sorted by index inside each partition, every pass visits the examples in one fixed
 * order for a given P, whatever the executors or the order in which shuffle blocks arrive.
 */
public final class IndexRangePartitioner extends Partitioner {
    private static final long serialVersionUID = 1L;
    private final long n;
    private final int parts;

    public IndexRangePartitioner(long n, int parts) {
        this.n = Math.max(1, n);
        this.parts = Math.max(1, parts);
    }

    @Override public int numPartitions() { return parts; }

    /** floor(i P / n). */
    @Override public int getPartition(Object key) {
        long i = (Long) key;
        return (int) Math.min(parts - 1, (long) (((double) i / n) * parts));
    }

    @Override public boolean equals(Object o) { return o instanceof IndexRangePartitioner p && p.n == n && p.parts == parts; }

    @Override public int hashCode() { return Long.hashCode(n) * 31 + parts; }
}
