package org.hessinv.bench;

import org.hessinv.model.AffineStage;
import org.hessinv.model.Network;
import org.hessinv.solve.SolveMemory;

/**
 * Flop count of one Riccati solve (backward and forward sweep) from the block shapes, mirroring the
 * products of {@code RiccatiSolver}: per stage with {@code n = B a_l}, {@code m = B a_{l-1}}, {@code p = p_l}:
 * V Bs {@code 2 n^2 p}, Bs^T (V Bs) {@code 2 p^2 n}, Qsd {@code 2 m p a_l}, V A and A^T (V A)
 * {@code 2 n m a_l + 2 m^2 a_l}, the gain through the inverse pivot {@code 2 p^2 m}, the update
 * {@code 2 m^2 p} (these are gemm flops) and the pivot's Cholesky and inverse {@code p^3/3 + 2p^3/3}
 * (LAPACK flops, pure-Java F2J: much slower per flop). Level-2 terms (gemv, forward sweep) are added too.
 *
 * <p>When the engine no longer holds a dense {@code p x p} pivot for a stage with {@code p > n} (detected
 * from {@link SolveMemory}: its estimate drops below one {@code p x p} matrix; the capacitance / Woodbury
 * path), that stage is costed as the capacitance form instead: {@code 4 n^2 B + n^3 + 4 p n m}
 * (forming the n x n capacitance through the batch x batch QR factor, factorizing it, applying it to the gain).
 */
public record SweepCost(double gemmFlops, double lapackFlops, boolean capacitance) {
    public double totalFlops() { return gemmFlops + lapackFlops; }

    /** Estimated seconds at the given rates (gemm at a fraction {@code gemmEfficiency} of the dgemm probe). */
    public double seconds(double dgemmGflops, double gemmEfficiency, double lapackGflops) {
        return gemmFlops / (dgemmGflops * gemmEfficiency * 1e9) + lapackFlops / (lapackGflops * 1e9);
    }

    public static SweepCost of(Network net, long batch) {
        long pMax = 0;
        for (int l = 0; l < net.stageCount(); l++) pMax = Math.max(pMax, net.stage(l).paramCount());
        boolean capacitance = SolveMemory.estimateBytes(net, batch) < 8.0 * pMax * pMax;
        double gemm = 0, lapack = 0;
        for (int l = 0; l < net.stageCount(); l++) {
            AffineStage s = net.stage(l);
            double n = (double) batch * s.outputSize();
            double m = l == 0 ? 0 : (double) batch * s.inputSize();
            double a = s.outputSize();
            double p = s.paramCount();
            boolean cap = capacitance && p > n;
            if (cap) {
                // CapacitanceFactorization: Cap = delta I + Rf M Rf^T with Rf = I_a kron Rz (Rz batch x batch), so
                // 4 n^2 batch to form it, n^3 to factorize and invert; Qf applications 2 p n per column of the gain
                gemm += 4 * n * n * batch + 2 * p * n * (m + 1) + 2 * p * n * m;
                lapack += n * n * n;
            } else {
                gemm += 2 * n * n * p + 2 * p * p * n;
                lapack += p * p * p;
                if (m > 0) gemm += 2 * p * p * m;
            }
            if (m > 0) gemm += 2 * m * p * a + 2 * n * m * a + 2 * m * m * a + 2 * m * m * p;
            gemm += 2 * n * p + 2 * p * m + 2 * m * p + 2 * n * a; // gemv terms, forward sweep
        }
        return new SweepCost(gemm, lapack, capacitance);
    }
}
