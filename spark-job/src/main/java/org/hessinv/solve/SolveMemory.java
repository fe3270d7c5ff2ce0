package org.hessinv.solve;

import org.hessinv.curvature.LayerStage;
import org.hessinv.curvature.StageForm;
import org.hessinv.linalg.HeapFootprint;
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
    /**
     * Share of the JVM's maximum heap a solve may plan to use; the rest is G1's own need (young regions, old
     * garbage not yet collected, room to place the next large array) and the job's (Spark, the records).
     * Measured with bench-memory (docs/benchmarks.md): every preset and batch measured finished in the heap
     * this rule accepts; at 0.7 the default problem's batch of 64 ran out of memory in it.
     */
    public static final double HEAP_SHARE = 0.6;

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
        return estimateBytes(net, batch, segment, HeapFootprint.EXACT);
    }

    /**
     * {@link #estimateBytes(Network, long, int)} with every array at its footprint in a heap of
     * {@code regionBytes} regions (0: exact sizes; see {@link HeapFootprint}).
     */
    public static long estimateBytes(Network net, long batch, int segment, long regionBytes) {
        return estimateBytes(net, batch, segment, new HeapFootprint(regionBytes));
    }

    private static long estimateBytes(Network net, long batch, int segment, HeapFootprint fp) {
        int stages = net.stageCount();
        int seg = SegmentedGains.segmentLength(segment, stages);
        long checkpoints = 0;
        long held = 0;
        long peak = 0;
        for (int l = stages - 1; l >= 0; l--) {
            AffineStage s = net.stage(l);
            boolean hasState = l > 0;
            StageForm.Bytes form = StageForm.bytes(s, batch, fp);
            if (SegmentedGains.topsSegment(l, seg, stages)) {
                held = 0;
                if (SegmentedGains.checkpointed(seg, stages)) checkpoints += CostToGo.bytes(batch * s.outputSize(), fp);
            }
            long stage = LayerStage.stateBytes(s, hasState, batch, fp) + form.stored();
            long work = form.pivotWorking() + form.pivotRetained() + BackwardStep.workingBytes(s, hasState, batch, form, fp);
            peak = Math.max(peak, held + stage + work);
            held += StageGain.bytes(form.pivotRetained(), hasState ? batch * s.inputSize() : 0, s.paramCount(), fp);
        }
        return checkpoints + peak;
    }

    /**
     * G1's region size in a heap of maxHeapBytes (JDK 17 ergonomics: heap / 2048 rounded up to a power of two,
     * within 1..32 MB), the unit in which {@link #footprint} counts large arrays.
     */
    public static long regionBytes(long maxHeapBytes) { return HeapFootprint.ofHeap(maxHeapBytes).regionBytes(); }

    /**
     * Bytes a double[n] occupies in a heap of {@code regionBytes} regions (G1): {@code 8 n} for an array
     * under half a region, else whole regions, {@code ceil((8 n + 16) / R) R} (a "humongous" array with its
     * header; 0: exact, 8 n).
     */
    public static long footprint(long doubles, long regionBytes) { return new HeapFootprint(regionBytes).doubles(doubles); }

    /**
     * Memory of the output-space GGN ({@link OutputSpaceGgn}) over a batch of B examples with K outputs
     * (m = B K), in bytes: {@code 8 (max(forming, factored) + linearization + 4 n)}, where forming the Gram
     * holds C0 (m^2), the pending stage terms (at most {@code TERM_BUDGET} doubles plus one stage's
     * m (a_l + 1), and a B^2 S per stage), the adjoint stacks (3 m (a + 1)) and a panel of
     * {@code PANEL} columns per core; factored it holds C0, the Cholesky factor, dsyevr's copy and
     * eigenvectors (4 m^2) and its work (40 m); the linearization is every example's stage inputs and s'(u).
     */
    public static long outputSpaceBytes(Network net, long batch) {
        return outputSpaceBytes(net, batch, 0);
    }

    /**
     * {@link #outputSpaceBytes(Network, long)} with the large arrays at their {@link #footprint} in a heap of
     * {@code regionBytes} regions: the m^2 matrices and the per-stage B^2 S of the pending terms (a deep network
     * holds one per stage: tall depth 1024 at B = 256 holds 1024 of 512 KB, each a whole 1 MB region).
     */
    public static long outputSpaceBytes(Network net, long batch, long regionBytes) {
        long k = net.head().units();
        long m = batch * k;
        long stageTerms = 0;
        long widest = 0;
        long largestTerm = 0;
        long linearization = 2 * batch * k * k;
        for (int l = 0; l < net.stageCount(); l++) {
            AffineStage s = net.stage(l);
            stageTerms += m * (s.units() + 1);
            largestTerm = Math.max(largestTerm, m * (s.units() + 1));
            widest = Math.max(widest, Math.max(s.units(), s.inputSize()) + 1);
            linearization += batch * (s.inputSize() + s.units());
        }
        long pending = Double.BYTES * Math.min(stageTerms, OutputSpaceGgn.TERM_BUDGET + largestTerm)
                + net.stageCount() * footprint(batch * batch, regionBytes);
        long forming = footprint(m * m, regionBytes) + pending + Double.BYTES * 3 * m * widest
                + Double.BYTES * Runtime.getRuntime().availableProcessors() * OutputSpaceGgn.PANEL * m;
        long factored = 4 * footprint(m * m, regionBytes) + Double.BYTES * 40 * m;
        return Math.max(forming, factored) + Double.BYTES * (linearization + 4L * net.paramCount());
    }

    /**
     * Stages per segment of gains the solve should keep within {@link #HEAP_SHARE} of the heap (arrays at
     * their {@link #footprint} in its regions): every
     * stage (the stage count) when they fit, else the segment length near sqrt(L) with the smallest
     * estimate (the checkpoints grow like L / segment, the held gains like segment).
     */
    public static int segmentLength(Network net, long batch, long maxHeapBytes) {
        int stages = net.stageCount();
        long region = regionBytes(maxHeapBytes);
        long keepAll = estimateBytes(net, batch, stages, region);
        if (keepAll <= HEAP_SHARE * maxHeapBytes || stages <= 1) return Math.max(1, stages);
        int root = (int) Math.ceil(Math.sqrt(stages));
        int best = stages;
        long bestBytes = keepAll;
        for (int candidate : new int[] {root / 4, root / 2, root, 2 * root, 4 * root}) {
            if (candidate < 1 || candidate >= stages) continue;
            long bytes = estimateBytes(net, batch, candidate, region);
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
            // the heap a solve of `need` bytes asks for under the HEAP_SHARE rule, rounded up to whole GB
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
