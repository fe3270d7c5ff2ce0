package org.hessinv.solve;

import org.hessinv.curvature.StageForm;
import org.hessinv.model.AffineStage;
import org.hessinv.model.InvalidInputException;
import org.hessinv.model.Network;

/**
 * Driver memory of a Riccati solve over a batch of B examples, estimated before starting, in bytes. The
 * backward sweep runs l = L..1; at stage l it holds what the stages after it keep for the forward sweep
 * (K_l^T: B a_{l-1} x p_l, k_l, and the pivot's factor: p_l^2, or for a wide stage its capacitance and
 * factor, 2 m^2) plus stage l's working set: V ((B a_l)^2) and Qss ((B a_{l-1})^2), the V A panel
 * ({@code (B a_l) x 65 a_{l-1}}), V Bs ({@code B a_l x p}), R, Qsd and K^T ({@code 3 B a_{l-1} p}), and
 * S, Qdd and its factor ({@code 3 p^2}). A wide stage ({@link StageForm#usesCapacitance}: p_l > B units) has no
 * p^2 term: its S and Bs stay factored and its pivot goes through the m x m capacitance (m = B units,
 * formed in place of the middle M: the capacitance and its factor, 2 m^2), so the 768-input first layer
 * of the anchor costs ~2 (B 24)^2 doubles instead of 3 p^2 = 8.2 GB.
 */
public final class SolveMemory {
    private static final long DOUBLE = 8;
    /** Share of the JVM's maximum heap a solve may plan to use (the rest: Spark, records, garbage). */
    public static final double HEAP_SHARE = 0.7;
    /** Columns of the V A panel per input unit: 64 examples (RiccatiSolver's panel) plus one column of slack. */
    private static final long PANEL_COLUMNS_PER_UNIT = 65;

    private SolveMemory() {}

    /** The estimate when every stage's gains are kept (no checkpointing). */
    public static long estimateBytes(Network net, long batch) {
        return estimateBytes(net, batch, net.stageCount());
    }

    /**
     * The estimate when the gains are kept one {@code segment} of stages at a time (RiccatiSolver's
     * checkpointed sweep): the checkpoints (V, v entering the top of each segment, when segment < L) plus,
     * at the worst stage l, the gains held above l in its segment and l's working set.
     */
    public static long estimateBytes(Network net, long batch, int segment) {
        int stages = net.stageCount();
        long checkpoints = 0;
        long held = 0;
        long peak = 0;
        for (int l = stages - 1; l >= 0; l--) {
            AffineStage s = net.stage(l);
            long nIn = l == 0 ? 0 : batch * s.inputSize();
            long nOut = batch * s.outputSize();
            long p = s.paramCount();
            boolean top = l == Math.min(stages, (l / segment + 1) * segment) - 1;
            if (top) {
                held = 0;
                if (segment < stages) checkpoints += nOut * nOut + nOut;
            }
            long stateWork = nIn == 0 ? 0 : nIn * nIn + PANEL_COLUMNS_PER_UNIT * s.inputSize() * nOut + 3 * nIn * p;
            long work;
            long keep;
            if (StageForm.usesCapacitance(s, batch)) {
                long m = batch * s.units();
                work = nOut * nOut + 2 * m * m + stateWork + (nIn == 0 ? 0 : nOut * p);
                keep = 2 * m * m + (s.inputSize() + 1) * batch;
            } else {
                work = nOut * nOut + stateWork + nOut * p + 3 * p * p;
                keep = p * p;
            }
            peak = Math.max(peak, held + work);
            held += keep + nIn * p + p;
        }
        return DOUBLE * (checkpoints + peak);
    }

    /**
     * Stages per segment of gains the solve should keep within {@link #HEAP_SHARE} of the heap: every
     * stage (the stage count) when they fit, else the segment length near sqrt(L) with the smallest
     * estimate (the checkpoints grow like L / segment, the held gains like segment).
     */
    public static int segmentLength(Network net, long batch, long maxHeapBytes) {
        int stages = net.stageCount();
        if (estimateBytes(net, batch) <= HEAP_SHARE * maxHeapBytes || stages <= 1) return Math.max(1, stages);
        int root = (int) Math.ceil(Math.sqrt(stages));
        int best = stages;
        long bestBytes = estimateBytes(net, batch);
        for (int candidate : new int[] {root / 4, root / 2, root, 2 * root, 4 * root}) {
            if (candidate < 1 || candidate >= stages) continue;
            long bytes = estimateBytes(net, batch, candidate);
            if (bytes < bestBytes) {
                best = candidate;
                bestBytes = bytes;
            }
        }
        return best;
    }

    /**
     * The segment length the solve should use ({@link #segmentLength}); refuses (before any work) a solve
     * whose estimate at that length exceeds {@link #HEAP_SHARE} of the maximum heap.
     */
    public static int check(Network net, long batch, long maxHeapBytes) {
        int segment = segmentLength(net, batch, maxHeapBytes);
        long need = estimateBytes(net, batch, segment);
        if (need > HEAP_SHARE * maxHeapBytes) {
            // the heap a solve of `need` bytes asks for under the 70% rule, rounded up to whole GB
            long gb = (long) Math.ceil(need / HEAP_SHARE / 1e9);
            throw new InvalidInputException(String.format(java.util.Locale.ROOT,
                    "the solve needs about %.1f GB of driver memory for a curvature batch of %d, more than the %.0f%% of the %.1f GB driver "
                            + "heap a solve may use; give the driver at least %d GB (HESSINV_DRIVER_MEMORY=%dg with submit-scripts/, "
                            + "spark-submit --driver-memory %dg) or use a smaller --curvature-batch",
                    need / 1e9, batch, 100 * HEAP_SHARE, maxHeapBytes / 1e9, gb, gb, gb));
        }
        return segment;
    }
}
