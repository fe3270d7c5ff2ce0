package org.hessinv.solve;

import org.hessinv.curvature.LayerStage;
import org.hessinv.curvature.StageForm;
import org.hessinv.model.AffineStage;
import org.hessinv.model.InvalidInputException;
import org.hessinv.model.Network;

/**
 * Driver memory of a Riccati solve over a batch of B examples, estimated before starting, in bytes, from
 * the sizes the objects that allocate report for the stages' dimensions. The backward sweep runs l = L..1;
 * at stage l it holds the checkpoints ({@link SegmentedGains}), the gains kept above l in its segment
 * ({@link StageGain}: the pivot's factorization, K_l^T and k_l), and stage l's own: its blocks
 * ({@link LayerStage#stateBytes} for A, P, R and the form's arrays, {@link StageForm#bytes}), its pivot (the
 * form's working bytes and factorization) and the step's working set ({@link BackwardStep#workingBytes}).
 * A capacitance stage has no p_l^2 term: its S and Bs stay factored and its pivot goes through the m x m
 * capacitance (m = B units), so the 768-input first layer of the anchor costs ~3 (B 24)^2 doubles instead of
 * 3 p^2 = 8.2 GB.
 */
public final class SolveMemory {
    /** Share of the JVM's maximum heap a solve may plan to use (the rest: Spark, records, garbage). */
    public static final double HEAP_SHARE = 0.7;

    private SolveMemory() {}

    /** The estimate when every stage's gains are kept (no checkpointing). */
    public static long estimateBytes(Network net, long batch) {
        return estimateBytes(net, batch, net.stageCount());
    }

    /**
     * The estimate when the gains are kept one {@code segment} of stages at a time (the checkpointed sweep,
     * {@link SegmentedGains}): the checkpoints (V, v entering the top of every segment, when segment < L) plus,
     * at the worst stage l, the gains held above l in its segment and l's blocks, pivot and working set.
     */
    public static long estimateBytes(Network net, long batch, int segment) {
        int stages = net.stageCount();
        int seg = SegmentedGains.segmentLength(segment, stages);
        long checkpoints = 0;
        long held = 0;
        long peak = 0;
        for (int l = stages - 1; l >= 0; l--) {
            AffineStage s = net.stage(l);
            boolean hasState = l > 0;
            StageForm.Bytes form = StageForm.bytes(s, batch);
            if (SegmentedGains.topsSegment(l, seg, stages)) {
                held = 0;
                if (SegmentedGains.checkpointed(seg, stages)) checkpoints += CostToGo.bytes(batch * s.outputSize());
            }
            long stage = LayerStage.stateBytes(s, hasState, batch) + form.stored();
            long work = form.pivotWorking() + form.pivotRetained() + BackwardStep.workingBytes(s, hasState, batch, form);
            peak = Math.max(peak, held + stage + work);
            held += StageGain.bytes(form.pivotRetained(), hasState ? batch * s.inputSize() : 0, s.paramCount());
        }
        return checkpoints + peak;
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
