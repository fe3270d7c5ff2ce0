package org.hessinv.spark;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.hessinv.curvature.LayerStage;
import org.hessinv.curvature.StageSource;
import org.hessinv.model.Network;

/**
 * Stage blocks for the driver's sweeps, pulled from the layer-partitioned RDD one layer range (one
 * partition) at a time: the backward sweep walks the ranges in descending order, the forward sweep in
 * ascending order, and only the current range is held on the driver.
 */
public final class SparkStageSource implements StageSource {
    private final Network net;
    private final double[] x;
    private final JavaRDD<LayerBatch> layerBatches;
    private final LayerRangePartitioner partitioner;
    private int heldRange = -1;
    private Map<Integer, LayerBatch> held = Map.of();
    private int pulls;

    public SparkStageSource(Network net, double[] x, JavaRDD<LayerBatch> layerBatches, LayerRangePartitioner partitioner) {
        this.net = net;
        this.x = x;
        this.layerBatches = layerBatches;
        this.partitioner = partitioner;
    }

    @Override public int stageCount() { return net.stageCount(); }

    @Override public int paramCount(int l) { return net.stage(l).paramCount(); }

    @Override public LayerStage stage(int l) {
        int range = partitioner.getPartition(l);
        if (range != heldRange) {
            List<LayerBatch>[] parts = layerBatches.collectPartitions(new int[] {range});
            Map<Integer, LayerBatch> byLayer = new HashMap<>();
            for (LayerBatch b : parts[0]) byLayer.put(b.layer(), b);
            held = byLayer;
            heldRange = range;
            pulls++;
        }
        LayerBatch b = held.get(l);
        if (b == null) throw new IllegalStateException("layer " + (l + 1) + " is missing from its layer range " + range);
        return LayerStage.assemble(net, x, l, b.records(), b.summedS());
    }

    /** How many layer ranges were pulled to the driver (one Spark job each). */
    public int pulls() { return pulls; }
}
