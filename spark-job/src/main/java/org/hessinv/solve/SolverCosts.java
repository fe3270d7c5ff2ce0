package org.hessinv.solve;

import org.hessinv.curvature.Curvature;
import org.hessinv.model.AffineStage;
import org.hessinv.model.Network;

/**
 * Flop counts of the two exact routes for {@code (C + delta I) d = r}, from the shapes only, so that a solver
 * choice ({@code --solver auto}) can take the cheaper one (docs/math.md, "The damped GGN in output space",
 * "Cost model"). With {@code m = B K}, per stage l ({@code a = a_l} units, {@code q = a_{l-1}} inputs,
 * {@code p = p_l}, P = the Gram's panel width 64):
 * <ul>
 *   <li>output space, Gram ({@link OutputSpaceGgn#factor}): forward linearization {@code B (2 a q + a)}; adjoint
 *       stack propagation {@code 2 m a q + m q} (not for the first stage); the stage's term: FULL
 *       {@code a m (m + P) + m^2 + 2 B^2 (q + 1)} (lower half of {@code Gt Gt^T}, the Hadamard product with
 *       {@code Zt^T Zt}, the B x B input Gram), GAIN/BIAS {@code a m (m + P) + m a + m^2 / 2};</li>
 *   <li>output space, per damping: a Cholesky of C {@code m^3 / 3}, then a refined solve: two solves of
 *       {@code 2 m^2} (triangular) each with a forward-mode pass {@code U^T r} and a reverse pass {@code U y} of
 *       {@code B (4 p + 2 K^2)} each, plus one {@code G v} of {@code B (8 p + 2 K^2)} for the residual:
 *       {@code 4 m^2 + B (24 p + 10 K^2)}, p the parameter count; or, after one eigendecomposition
 *       ({@code 10 m^3 / 3}: dsytrd 4/3 m^3, the back-transformation 2 m^3), the same with {@code 8 m^2} (two
 *       gemv with Q per solve) and no Cholesky;</li>
 *   <li>Riccati: {@link SweepCost} (backward and forward sweep), once per damping.</li>
 * </ul>
 * The eigendecomposition runs in the pure-Java LAPACK (F2J dsyevr), measured slower per flop than the gemm-rich
 * Cholesky; {@link #EIGEN_PENALTY} weighs its flops when routes are compared.
 */
public final class SolverCosts {
    /** The Gram's column panel width (OutputSpaceGgn.PANEL). */
    static final int PANEL = 64;
    /**
     * How many Cholesky flops one dsyevr flop costs in time, measured on this stack (2 cores shared with other
     * builds, F2J LAPACK, recursive gemm Cholesky; docs/math.md): time ratio dsyevr / Cholesky 15 at m = 1280,
     * 20 at 2560, 40 at 5120, for a flop ratio of 10; the Cholesky's rate grows with m, F2J's does not. The
     * largest (4) is used, so the eigendecomposition is chosen only when it clearly pays.
     */
    public static final double EIGEN_PENALTY = 4.0;

    private SolverCosts() {}

    /** The output-space route's flops: the Gram, one Cholesky, one eigendecomposition, and one refined solve by either. */
    public record OutputSpace(long outputs, double gramFlops, double choleskyFlops, double eigenFlops,
                              double solveFlops, double eigenSolveFlops) {
        /** Flops for {@code deltas} dampings from one Gram: per damping a Cholesky and a solve, or one eigendecomposition
         *  (weighted by {@link #EIGEN_PENALTY}) and O(m^2) solves, whichever is less. */
        public double totalFlops(int deltas) {
            double byCholesky = deltas * (choleskyFlops + solveFlops);
            double byEigen = EIGEN_PENALTY * eigenFlops + deltas * eigenSolveFlops;
            return gramFlops + Math.min(byCholesky, byEigen);
        }

        /** Whether {@link #totalFlops} takes the eigendecomposition for this many dampings. */
        public boolean prefersEigen(int deltas) {
            return EIGEN_PENALTY * eigenFlops + deltas * eigenSolveFlops < deltas * (choleskyFlops + solveFlops);
        }
    }

    public static OutputSpace outputSpace(Network net, long batch) {
        double b = batch;
        int k = net.head().units();
        double m = b * k;
        double gram = 0, params = net.paramCount();
        for (int l = 0; l < net.stageCount(); l++) {
            AffineStage s = net.stage(l);
            double a = s.units(), q = s.inputSize();
            gram += b * (2 * a * q + a);
            if (l > 0) gram += 2 * m * a * q + m * q;
            gram += a * m * (m + PANEL);
            gram += s.isSquareParameterized() ? m * a + m * m / 2 : m * m + 2 * b * b * (q + 1);
        }
        double passes = b * (24 * params + 10.0 * k * k);
        return new OutputSpace((long) m, gram, m * m * m / 3, 10 * m * m * m / 3, 4 * m * m + passes, 8 * m * m + passes);
    }

    /** One Riccati solve (backward and forward sweep), {@link SweepCost#totalFlops}. */
    public static double riccati(Network net, long batch) {
        return SweepCost.of(net, batch).totalFlops();
    }

    /** The exact routes a solver choice picks from. */
    public enum Route { RICCATI, OUTPUT_SPACE }

    /**
     * The route with fewer (weighted) flops for {@code deltas} dampings of one curvature batch; the output space
     * applies only to the GGN with delta > 0.
     */
    public static Route cheaper(Network net, long batch, Curvature curvature, double delta, int deltas) {
        if (curvature != Curvature.GGN || !(delta > 0)) return Route.RICCATI;
        double os = outputSpace(net, batch).totalFlops(deltas);
        return os < deltas * riccati(net, batch) ? Route.OUTPUT_SPACE : Route.RICCATI;
    }
}
