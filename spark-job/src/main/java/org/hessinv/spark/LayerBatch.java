package org.hessinv.spark;

import java.io.Serializable;
import java.util.List;
import org.hessinv.curvature.StageRecord;

/**
 * Everything the driver needs of one stage over the curvature batch: the per-example records in
 * example order, and {@code sum_i S^i} reduced (in example order) on the executor owning the layer.
 */
public record LayerBatch(int layer, List<StageRecord> records, double[] summedS) implements Serializable {
}
