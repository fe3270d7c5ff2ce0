package org.hessinv.train;

import java.util.List;
import org.hessinv.model.Example;
import org.hessinv.model.Network;
import org.hessinv.solve.OutputSpaceGgn;

/**
 * The damped GGN of a batch solved in its output space ({@link OutputSpaceGgn}, docs/math.md section 8): the
 * B K Gram is formed once per point, each damping costs one Cholesky of the B K capacitance (and the solve's
 * refinement step); G v by forward-mode and reverse passes. Needs lambda > 0; G + lambda I is then positive definite.
 */
public final class OutputSpaceCurvature implements DampedCurvature {
    private final OutputSpaceGgn ggn;

    public OutputSpaceCurvature(Network net, double[] x, List<Example> batch) { this.ggn = OutputSpaceGgn.factor(net, x, batch); }

    @Override public int dimension() { return ggn.parameters(); }

    @Override public DampedSolve solve(double lambda, double[] r) {
        long t0 = System.nanoTime();
        double[] d = ggn.solve(lambda, r);
        return new DampedSolve(d, ggn.logAbsDet(lambda), ggn.inertia(lambda), (System.nanoTime() - t0) / 1e9);
    }

    /** Each right-hand side reuses the capacitance's Cholesky at lambda (kept by {@link OutputSpaceGgn} for the last damping). */
    @Override public double[][] solveMany(double lambda, double[][] rhs) {
        double[][] out = new double[rhs.length][];
        for (int j = 0; j < rhs.length; j++) out[j] = ggn.solve(lambda, rhs[j]);
        return out;
    }

    /** From one eigendecomposition of the Gram (computed on the first call): O(B K) per lambda afterwards. */
    @Override public double logAbsDet(double lambda) {
        ggn.eigen();
        return ggn.logAbsDet(lambda);
    }

    @Override public double[] sampleMap(double lambda, double[] eps) { return ggn.sampleMap(lambda, eps); }

    @Override public double[] times(double[] v) { return ggn.ggnTimes(v); }

    @Override public String route() { return "output-space"; }
}
