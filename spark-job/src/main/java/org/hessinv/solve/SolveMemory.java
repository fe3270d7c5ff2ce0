package org.hessinv.solve;

import org.hessinv.curvature.LayerStage;
import org.hessinv.model.AffineStage;
import org.hessinv.model.InvalidInputException;
import org.hessinv.model.Network;

/**
 * Driver memory of a Riccati solve over a batch of B examples, estimated before starting, in bytes:
 * the gains K_l (p_l x B a_{l-1}) kept for the forward sweep, plus the largest stage's working set
 * (V, Qss: (B a)^2; Qsd, V Bs, Bs, R, K: B a p; Qdd, S, its factor and inverse: p^2). A wide stage
 * ({@link LayerStage#lowRank}: p_l > B units) has no p^2 term: its S and Bs stay factored and its pivot is
 * factorized through the m x m capacitance (m = B units: the middle M, Rf M, Cap and its factor, 4 m^2),
 * so the 768-input first layer of the anchor costs ~4 (B 24)^2 doubles instead of 5 p^2 = 13.6 GB.
 */
public final class SolveMemory {
    private static final long DOUBLE = 8;
    /** Share of the JVM's maximum heap a solve may plan to use (the rest: Spark, records, garbage). */
    public static final double HEAP_SHARE = 0.7;

    private SolveMemory() {}

    public static long estimateBytes(Network net, long batch) {
        long gains = 0;
        long peak = 0;
        for (int l = 0; l < net.stageCount(); l++) {
            AffineStage s = net.stage(l);
            long nIn = l == 0 ? 0 : batch * s.inputSize();
            long nOut = batch * s.outputSize();
            long p = s.paramCount();
            gains += p * nIn + p;
            long work;
            if (LayerStage.lowRank(s, batch)) {
                long m = batch * s.units();
                // V, M's source; Bs and V Bs only when a state feeds the stage (Qsd needs them)
                work = 2 * nOut * nOut + 2 * nIn * nIn + 4 * m * m + (nIn > 0 ? 2 * nOut * p : 0) + 4 * nIn * p;
            } else {
                work = 2 * nOut * nOut + 2 * nIn * nIn + 3 * nOut * p + 4 * nIn * p + 5 * p * p;
            }
            peak = Math.max(peak, work);
        }
        return DOUBLE * (gains + peak);
    }

    /** Refuses (before any work) a solve whose estimate exceeds {@link #HEAP_SHARE} of the maximum heap. */
    public static void check(Network net, long batch, long maxHeapBytes) {
        long need = estimateBytes(net, batch);
        if (need > HEAP_SHARE * maxHeapBytes) {
            throw new InvalidInputException(String.format(java.util.Locale.ROOT,
                    "the solve needs about %.1f GB of driver memory for a curvature batch of %d, but the driver heap is %.1f GB; "
                            + "use a smaller --curvature-batch or give the driver more memory (spark-submit --driver-memory)",
                    need / 1e9, batch, maxHeapBytes / 1e9));
        }
    }
}
