package org.hessinv.spark;

import org.apache.spark.Partitioner;

/** Keys are stage indices 0..L-1; partition j holds the contiguous layer range [j L / n, (j+1) L / n). */
public final class LayerRangePartitioner extends Partitioner {
    private static final long serialVersionUID = 1L;
    private final int layers;
    private final int ranges;

    public LayerRangePartitioner(int layers, int ranges) {
        this.layers = layers;
        this.ranges = Math.max(1, Math.min(ranges, layers));
    }

    @Override public int numPartitions() { return ranges; }

    /** range(l) = floor(l * n / L). */
    @Override public int getPartition(Object key) {
        int l = (Integer) key;
        return (int) ((long) l * ranges / layers);
    }

    /** First layer of range j: ceil(j L / n). */
    public int firstLayer(int range) { return (int) (((long) range * layers + ranges - 1) / ranges); }

    @Override public boolean equals(Object o) {
        return o instanceof LayerRangePartitioner p && p.layers == layers && p.ranges == ranges;
    }

    @Override public int hashCode() { return 31 * layers + ranges; }
}
