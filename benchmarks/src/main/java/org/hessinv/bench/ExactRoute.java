package org.hessinv.bench;

import org.hessinv.model.Network;
import org.hessinv.solve.OutputSpaceGgn;
import org.hessinv.solve.RiccatiSolver;
import org.hessinv.solve.SolveMemory;
import org.hessinv.solve.SolverCosts;
import org.hessinv.solve.SweepCost;
import org.hessinv.solve.SweepProgress;

/**
 * The exact routes a benchmark row solves {@code (C + delta I) d = r} by, each with its flop count and its time and
 * memory estimates from the shapes: the Riccati sweep (any curvature) and the output-space GGN (GGN, delta > 0: the
 * {@code B K}-square capacitance, the cheaper exact route at large batches).
 */
sealed interface ExactRoute permits ExactRoute.Riccati, ExactRoute.OutputSpace {
    /** The name in results.csv's {@code route} column and in the targets file. */
    String label();

    /** Flops of one solve. */
    double flops(Network net, int batch);

    /** The factorization flops among them (estimated at the probed Cholesky rate, the rest at half the dgemm rate). */
    double factorFlops(Network net, int batch);

    /** Planned memory of one solve in bytes. */
    long bytes(Network net, int batch);

    /** d = (C + delta I)^-1 r for the problem's batch, curvature and damping. */
    double[] solve(Workloads.Problem p, double[] rhs);

    /** (flops - factorFlops) / (dgemm / 2) + factorFlops / cholesky. */
    default double seconds(Network net, int batch, MachineRates rates) {
        double f = factorFlops(net, batch);
        return (flops(net, batch) - f) / (0.5 * rates.dgemm() * 1e9) + f / (rates.cholesky() * 1e9);
    }

    /** The structured Riccati sweep (backward and forward), {@link SweepCost} flops, {@link SolveMemory} memory. */
    record Riccati() implements ExactRoute {
        @Override public String label() { return "riccati"; }

        @Override public double flops(Network net, int batch) { return SweepCost.of(net, batch).totalFlops(); }

        @Override public double factorFlops(Network net, int batch) { return SweepCost.of(net, batch).factorFlops(); }

        @Override public long bytes(Network net, int batch) { return SolveMemory.estimateBytes(net, batch); }

        @Override public double[] solve(Workloads.Problem p, double[] rhs) {
            return RiccatiSolver.solve(p.batch(), p.damping, rhs, SweepProgress.NONE).direction();
        }
    }

    /**
     * {@link OutputSpaceGgn}: the Gram {@code C0} (m x m, m = B K), one Cholesky of {@code B delta I + C0} and the
     * refined solve ({@link SolverCosts#outputSpace} flops); memory the Gram and its factor, {@code 2 m^2} doubles.
     */
    record OutputSpace() implements ExactRoute {
        @Override public String label() { return "output-space"; }

        @Override public double flops(Network net, int batch) {
            SolverCosts.OutputSpace c = SolverCosts.outputSpace(net, batch);
            return c.gramFlops() + c.choleskyFlops() + c.solveFlops();
        }

        @Override public double factorFlops(Network net, int batch) { return SolverCosts.outputSpace(net, batch).choleskyFlops(); }

        @Override public long bytes(Network net, int batch) {
            long m = (long) batch * net.head().units();
            return 2 * m * m * Double.BYTES;
        }

        @Override public double[] solve(Workloads.Problem p, double[] rhs) {
            return OutputSpaceGgn.factor(p.net, p.x, p.examples).solve(p.damping, rhs);
        }
    }
}
