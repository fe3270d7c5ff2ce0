package org.hessinv.solve;

import org.hessinv.curvature.StageForm;
import org.hessinv.model.AffineStage;
import org.hessinv.model.Network;

/**
 * Flop count of one Riccati solve (backward and forward sweep) from the block shapes, mirroring the
 * products of the backward step ({@code BackwardStep}) on its positive definite (Cholesky) path. Per stage with output state
 * {@code n = B a_l}, input state {@code m = B a_{l-1}} (0 for the first stage), {@code p = p_l}:
 * <ul>
 * <li>V Bs: {@code 2 n B p} in Kronecker form (a dense stage: one unit's inputs + 1 nonzeros per row of Bs),
 * {@code 2 n^2 p} for a gain or bias stage; Bs^T (V Bs): {@code 2 B p^2}, dense {@code 2 n p^2};</li>
 * <li>the pivot's Cholesky {@code p^3/3} (factorization flops);</li>
 * <li>with an input state: Qsd = R + A^T V Bs {@code 2 m p a_l}, Qss = P + A^T V A {@code 2 n m a_l + 2 m^2 a_l},
 * W = Qsd L^-T and K^T = W L^-1 {@code 2 m p^2}, V = Qss - W W^T {@code m^2 p} (symmetric: half a product);</li>
 * <li>a capacitance stage ({@link StageForm#usesCapacitance}) instead forms its capacitance {@code Cap = delta I + Rf M Rf^T}
 * on its lower unit blocks ({@code 2 c^2 B (1 + 1/units)}, c = B units) and factorizes it ({@code c^3/3}); with an input state its gain takes
 * capacitance solves ({@code 4 p c m + 6 c^2 m});</li>
 * <li>level-2 terms (gemv, forward sweep).</li>
 * </ul>
 */
public record SweepCost(double gemmFlops, double factorFlops, boolean capacitance) {
    public double totalFlops() { return gemmFlops + factorFlops; }

    /**
     * Estimated seconds: products at a fraction {@code gemmEfficiency} of the dgemm probe, factorizations at
     * their own measured rate.
     */
    public double seconds(double dgemmGflops, double gemmEfficiency, double factorGflops) {
        return gemmFlops / (dgemmGflops * gemmEfficiency * 1e9) + factorFlops / (factorGflops * 1e9);
    }

    public static SweepCost of(Network net, long batch) {
        double gemm = 0, factor = 0;
        boolean anyCapacitance = false;
        for (int l = 0; l < net.stageCount(); l++) {
            SweepCost c = ofStage(net, batch, l);
            gemm += c.gemmFlops;
            factor += c.factorFlops;
            anyCapacitance |= c.capacitance;
        }
        return new SweepCost(gemm, factor, anyCapacitance);
    }

    /** The flops of each stage's backward step (the weights of progress estimates), stage 0 first. */
    public static double[] stageFlops(Network net, long batch) {
        double[] w = new double[net.stageCount()];
        for (int l = 0; l < w.length; l++) w[l] = ofStage(net, batch, l).totalFlops();
        return w;
    }

    /** The terms above for stage l alone. */
    static SweepCost ofStage(Network net, long batch, int l) {
        double gemm = 0, factor = 0;
        AffineStage s = net.stage(l);
        double n = (double) batch * s.outputSize();
        double m = l == 0 ? 0 : (double) batch * s.inputSize();
        double a = s.outputSize();
        double p = s.paramCount();
        boolean kron = !s.isSquareParameterized();
        boolean capacitance = StageForm.usesCapacitance(s, batch);
        if (!(capacitance && m == 0)) gemm += kron ? 2 * n * batch * p : 2 * n * n * p;
        if (capacitance) {
            double c = (double) batch * s.units();
            gemm += 2 * c * c * batch * (1 + 1.0 / s.units());
            factor += c * c * c / 3;
            if (m > 0) gemm += 4 * p * c * m + 6 * c * c * m;
        } else {
            gemm += kron ? 2 * batch * p * p : 2 * n * p * p;
            factor += p * p * p / 3;
            if (m > 0) gemm += 2 * m * p * p + m * m * p;
        }
        if (m > 0) gemm += 2 * m * p * a + 2 * n * m * a + 2 * m * m * a;
        gemm += 2 * n * p + 2 * p * m + 2 * m * p + 2 * n * a; // gemv terms, forward sweep
        return new SweepCost(gemm, factor, capacitance);
    }
}
