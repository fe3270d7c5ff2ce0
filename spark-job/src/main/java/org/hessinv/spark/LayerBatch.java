package org.hessinv.spark;

import java.io.Serializable;
import java.util.List;
import org.hessinv.curvature.StageRecord;

/**
 * Everything the driver needs of one stage over the curvature batch: the per-example records in
 * example order, and {@code sum_i S^i} reduced (in example order) on the executor owning the layer;
 * {@code summedS} is null for a capacitance stage ({@link org.hessinv.curvature.CapacitanceStage}), whose S the
 * driver keeps in factored form from the records (p_l^2 doubles would be 2.7 GB for a 768-input layer).
 */
public record LayerBatch(int layer, List<StageRecord> records, double[] summedS) implements Serializable {
}
