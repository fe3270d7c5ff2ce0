package org.hessinv.spark;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import org.apache.spark.api.java.JavaRDD;
import org.hessinv.curvature.LayerStage;
import org.hessinv.curvature.StageSource;
import org.hessinv.model.Network;

/**
 * Stage blocks for the driver's sweeps, pulled from the layer-partitioned RDD one layer range (one
 * partition) at a time: the backward sweep walks the ranges in descending order, the forward sweep in ascending
 * order, and at most two ranges are held
 * on the driver: the current one and the next one in the direction of the walk, whose pull (one Spark job) is
 * started in the background as soon as the walk enters the current range, so that it overlaps the driver's work
 * on the current range's stages instead of stalling the sweep.
 */
public final class SparkStageSource implements StageSource {
    private final Network net;
    private final double[] x;
    private final JavaRDD<LayerBatch> layerBatches;
    private final LayerRangePartitioner partitioner;
    private final Executor background;
    private int heldRange = -1;
    private Map<Integer, LayerBatch> held = Map.of();
    private int nextRange = -1;
    private CompletableFuture<Map<Integer, LayerBatch>> next;
    private int lastLayer = -1;
    private int pulls;

    public SparkStageSource(Network net, double[] x, JavaRDD<LayerBatch> layerBatches, LayerRangePartitioner partitioner) {
        this.net = net;
        this.x = x;
        this.layerBatches = layerBatches;
        this.partitioner = partitioner;
        this.background = task -> {
            Thread t = new Thread(task, "hessinv-stage-prefetch");
            t.setDaemon(true);
            t.start();
        };
    }

    @Override public int stageCount() { return net.stageCount(); }

    @Override public int paramCount(int l) { return net.stage(l).paramCount(); }

    @Override public LayerStage stage(int l) {
        int range = partitioner.getPartition(l);
        // the walk's direction: down for the backward sweep (and its checkpointed segments), up for the forward sweep
        int direction = lastLayer < 0 || l <= lastLayer ? -1 : 1;
        lastLayer = l;
        if (range != heldRange) {
            held = range == nextRange ? await(next) : pull(range);
            heldRange = range;
            next = null;
            nextRange = -1;
        }
        int ahead = range + direction;
        if (ahead >= 0 && ahead < partitioner.numPartitions() && ahead != nextRange) {
            nextRange = ahead;
            next = CompletableFuture.supplyAsync(() -> pull(ahead), background);
        }
        LayerBatch b = held.get(l);
        if (b == null) throw new IllegalStateException("layer " + (l + 1) + " is missing from its layer range " + range);
        return LayerStage.assemble(net, x, l, b.records(), b.summedS());
    }

    /** One layer range's batches by layer (one Spark job). */
    private Map<Integer, LayerBatch> pull(int range) {
        List<LayerBatch>[] parts = layerBatches.collectPartitions(new int[] {range});
        Map<Integer, LayerBatch> byLayer = new HashMap<>();
        for (LayerBatch b : parts[0]) byLayer.put(b.layer(), b);
        synchronized (this) {
            pulls++;
        }
        return byLayer;
    }

    private static Map<Integer, LayerBatch> await(CompletableFuture<Map<Integer, LayerBatch>> f) {
        try {
            return f.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            if (e.getCause() instanceof Error err) throw err;
            throw e;
        }
    }

    /** How many layer ranges were pulled to the driver (one Spark job each, including prefetches). */
    public synchronized int pulls() { return pulls; }
}
