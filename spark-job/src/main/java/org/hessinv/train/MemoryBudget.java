package org.hessinv.train;

import java.util.Locale;
import org.hessinv.curvature.Curvature;
import org.hessinv.model.InvalidInputException;
import org.hessinv.model.Network;
import org.hessinv.solve.SolveMemory;

/**
 * The driver-memory check of the commands that solve exactly (newton-direction, train, influence, evidence),
 * from the model's shapes and the curvature batch alone, so that it runs before any data is read: the
 * route's estimate ({@link SolveMemory}, every array at its heap footprint in the driver's G1 regions) plus
 * {@link #FIXED_BYTES} must be at most {@link SolveMemory#HEAP_SHARE} of the driver heap. A refusal is one line naming the estimate,
 * the heap and its usable share, the heap that works with each launcher, and the largest batch that fits.
 *
 * @param command   the launcher in submit-scripts/ (newton-direction, train, influence, evidence)
 * @param heapBytes the driver heap ({@code Runtime.maxMemory()} of the driver JVM; tests give a small one)
 */
public record MemoryBudget(String command, long heapBytes) {
    /** A GB as -Xmx and --driver-memory count it (2^30 bytes). */
    private static final double GB = 1L << 30;

    /** The budget of this JVM's heap. */
    public static MemoryBudget of(String command) { return new MemoryBudget(command, Runtime.getRuntime().maxMemory()); }

    /**
     * Refuses (InvalidInputException: exit 2) a solve of {@code batch} examples by {@code solver} (riccati,
     * woodbury: the same stages, checked as riccati; output-space; auto: the route {@link CurvatureRoute#resolve}
     * picks) whose estimate does not fit; {@code batch <= 0} ("all", not counted yet) checks nothing: call
     * again with the count. Returns the Riccati sweep's checkpoint segment (the stage count for output space).
     */
    public int require(Network net, long batch, Curvature curvature, String solver) {
        if (batch <= 0) return net.stageCount();
        boolean outputSpace = isOutputSpace(net, batch, curvature, solver);
        long need = needBytes(net, batch, outputSpace, heapBytes);
        if (need > SolveMemory.HEAP_SHARE * heapBytes) throw new InvalidInputException(refusal(net, batch, curvature, outputSpace, need));
        return outputSpace ? net.stageCount() : SolveMemory.segmentLength(net, batch, heapBytes);
    }

    /** {@link #require} once the examples are counted: the batch asked for ({@code asked <= 0}: all), at most {@code count}. */
    public int requireCounted(Network net, long asked, long count, Curvature curvature, String solver) {
        return require(net, asked <= 0 ? count : Math.min(asked, count), curvature, solver);
    }

    /** {@link #require} for a training run with {@code optimizer}: only lm and trust-region solve (lbfgs, adam and hf need no curvature solve). */
    public void requireForOptimizer(String optimizer, Network net, long batch, String curvature, String solver) {
        if (optimizer.equals("lm") || optimizer.equals("trust-region")) require(net, batch, Curvature.fromSpec(curvature), solver);
    }

    private static boolean isOutputSpace(Network net, long batch, Curvature curvature, String solver) {
        // riccati, woodbury and dense work on the stage blocks (their own estimates); auto may take the output space
        if (!solver.equals("auto") && !solver.equals("output-space")) return false;
        return CurvatureRoute.fromSpec(solver).resolve(net, batch, curvature) == CurvatureRoute.OUTPUT_SPACE;
    }

    /**
     * What the driver holds besides the solve, whatever the batch: the JVM's classes and the job's objects (Spark's
     * driver, the batch's records). bench-memory: with less than this a 17 MB or 34 MB heap could not run the
     * smallest output-space solves at all; the reported batch of 512 finished with 4 GB at 2.44 GB + this.
     */
    public static final long FIXED_BYTES = 128L << 20;

    /**
     * The need in a heap of heapBytes: {@link #FIXED_BYTES} plus the solve's estimate, Riccati at the checkpoint
     * segment planned for that heap with its arrays at their footprint in that heap's regions, or the output-space GGN.
     */
    public static long needBytes(Network net, long batch, boolean outputSpace, long heapBytes) {
        long region = SolveMemory.regionBytes(heapBytes);
        if (outputSpace) return FIXED_BYTES + SolveMemory.outputSpaceBytes(net, batch, region);
        return FIXED_BYTES + SolveMemory.estimateBytes(net, batch, SolveMemory.segmentLength(net, batch, heapBytes), region);
    }

    /** The smallest heap, a multiple of {@code step} bytes, whose budget holds the estimate (the check accepts it). */
    public static long smallestHeap(Network net, long batch, boolean outputSpace, long step) {
        long heap = Math.max(step, (long) (needBytes(net, batch, outputSpace, 0) / SolveMemory.HEAP_SHARE) / step * step);
        while (needBytes(net, batch, outputSpace, heap) > SolveMemory.HEAP_SHARE * heap) heap += step;
        return heap;
    }

    private String refusal(Network net, long batch, Curvature curvature, boolean outputSpace, long need) {
        long gb = (smallestHeap(net, batch, outputSpace, 1L << 30) + (1L << 30) - 1) >> 30;
        long fits = 0;
        for (long lo = 1, hi = batch - 1; lo <= hi; ) {
            long mid = (lo + hi) >>> 1;
            if (needBytes(net, mid, outputSpace, heapBytes) <= SolveMemory.HEAP_SHARE * heapBytes) {
                fits = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return String.format(Locale.ROOT, "the exact solve (%s route, %s curvature, curvature batch %d) needs about %.1f GB of driver heap, "
                        + "but the driver heap is %.1f GB, of which %.0f%% (%.1f GB) is usable by the solve; give the driver %d GB "
                        + "(HESSINV_DRIVER_MEMORY=%dg submit-scripts/%s ..., or spark-submit --driver-memory %dg ...)%s",
                outputSpace ? "output-space" : "riccati", curvature.specName(), batch, need / GB, heapBytes / GB,
                100 * SolveMemory.HEAP_SHARE, SolveMemory.HEAP_SHARE * heapBytes / GB, gb, gb, command, gb,
                fits > 0 ? " or use --curvature-batch " + fits + " or less" : "");
    }
}
