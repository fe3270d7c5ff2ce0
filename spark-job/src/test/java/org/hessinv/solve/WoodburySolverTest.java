package org.hessinv.solve;

import static org.hessinv.testing.DenseMatrices.add;
import static org.hessinv.testing.DenseMatrices.identity;
import static org.hessinv.testing.DenseMatrices.inverse;
import static org.hessinv.testing.DenseMatrices.maxAbs;
import static org.hessinv.testing.DenseMatrices.mul;
import static org.hessinv.testing.DenseMatrices.relDiff;
import static org.hessinv.testing.DenseMatrices.transpose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.hessinv.curvature.Curvature;
import org.hessinv.curvature.ExampleBatch;
import org.hessinv.curvature.LayerStage;
import org.hessinv.model.Example;
import org.hessinv.model.InvalidInputException;
import org.hessinv.model.Network;
import org.hessinv.testing.DenseMatrices;
import org.hessinv.testing.Dense;
import org.hessinv.testing.RandomProblems;
import org.hessinv.testing.SquareProblems;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The paper's section 6 (Woodbury) route: against the dense solve, against Riccati, and its structural claims. */
class WoodburySolverTest {
    private static final double EPS = Math.ulp(1.0);
    /**
     * Forward error allowance: a stable solve errs by ~ c eps cond; the route chains ~L block solves, two
     * bidiagonal sweeps and a banded LU, so c = 1e3 leaves room for the growth of those steps at these sizes.
     */
    private static final double C_FORWARD = 1e3;

    record Problem(Network net, double[] x, Example example, ExampleBatch batch, double delta) {}

    static Problem problem(int seed, int width, int hidden, Curvature c, double delta) {
        SplittableRandom rng = new SplittableRandom(seed);
        Network net = SquareProblems.network(rng, 3, width, hidden);
        double[] x = SquareProblems.parameters(rng, net);
        Example ex = RandomProblems.examples(rng, net, 1).get(0);
        return new Problem(net, x, ex, new ExampleBatch(net, x, List.of(ex), c), delta);
    }

    @ParameterizedTest(name = "seed {0}, width {1}, {2} hidden, {3}, damping {4}")
    @CsvSource({"1, 3, 1, hessian, 0", "2, 3, 2, hessian, 0", "3, 4, 4, hessian, 0", "4, 3, 8, hessian, 0",
            "5, 2, 16, hessian, 0", "6, 4, 6, hessian, 1e-3", "7, 3, 5, ggn, 1e-2", "8, 4, 12, hessian, 1e-2"})
    void equalsDenseSolveAndRiccati(int seed, int width, int hidden, String curvature, double delta) {
        Problem p = problem(seed, width, hidden, Curvature.fromSpec(curvature), delta);
        int n = p.net().paramCount();
        double[] r = RandomProblems.vector(new SplittableRandom(seed + 100), n);
        double[] c = DenseSolver.assemble(p.batch(), delta);
        double cond = DenseMatrices.symmetricCondition(c, n);
        double[] dense = DenseSolver.solve(c, n, r);
        WoodburySolver.Solution w = WoodburySolver.solve(p.batch(), delta, r);
        RiccatiSolution ric = RiccatiSolver.solve(p.batch(), delta, r, SweepProgress.NONE);
        double bound = C_FORWARD * EPS * cond;
        double errW = RandomProblems.relativeError(w.direction(), dense);
        double errR = RandomProblems.relativeError(ric.direction(), dense);
        double agree = RandomProblems.relativeError(w.direction(), ric.direction());
        System.out.printf("%s: cond %.3g, woodbury %.2e, riccati %.2e, agree %.2e, bound %.2e%n", p.net().describe(), cond, errW, errR, agree, bound);
        assertTrue(errW <= bound, "woodbury vs dense " + errW + " > " + bound);
        assertTrue(errR <= bound, "riccati vs dense " + errR + " > " + bound);
        // both within the bound of the dense solution, so within twice it of each other
        assertTrue(agree <= 2 * bound, "woodbury vs riccati " + agree + " > " + 2 * bound);
        // log|det| and the determinant's sign against the eigenvalues: sum of n logs, each with relative error ~ eps cond
        double[] eig = DenseSolver.eigenvalues(c, n);
        double logDet = Dense.spectrum(eig).logAbsDet();
        int negatives = Dense.spectrum(eig).inertia().negative();
        assertEquals(logDet, w.logAbsDet(), 1e-8 * Math.max(1, Math.abs(logDet)) + n * C_FORWARD * EPS * cond, "log|det|");
        assertEquals(negatives % 2 == 0 ? 1 : -1, w.detSign(), "sign of det");
        assertEquals(ric.logAbsDet(), w.logAbsDet(), 1e-8 * Math.max(1, Math.abs(logDet)) + n * C_FORWARD * EPS * cond, "log|det| vs riccati");
    }

    /** Dense matrices of the paper's section 5-6 objects, built independently from the stage blocks. */
    static final class PaperMatrices {
        final int layers, nn;
        final int[] n, off;
        final double[] m, dx, q, u, aMat;

        PaperMatrices(ExampleBatch b, double delta) {
            layers = b.stageCount();
            n = new int[layers];
            off = new int[layers + 1];
            LayerStage[] st = new LayerStage[layers];
            for (int l = 0; l < layers; l++) {
                st[l] = b.stage(l);
                n[l] = st[l].p;
                off[l + 1] = off[l] + n[l];
            }
            nn = off[layers];
            m = identity(nn);
            dx = new double[nn * nn];
            int two = 2 * nn;
            q = new double[two * two];
            for (int l = 0; l < layers; l++) {
                for (int j = 0; j < n[l]; j++) {
                    for (int i = 0; i < n[l]; i++) {
                        dx[(off[l] + j) * nn + off[l] + i] = st[l].denseBs()[j * n[l] + i];
                        q[(nn + off[l] + j) * two + nn + off[l] + i] = st[l].denseS()[j * n[l] + i] + (i == j ? delta : 0.0);
                    }
                }
                if (l > 0) {
                    for (int j = 0; j < n[l - 1]; j++) {
                        for (int i = 0; i < n[l]; i++) m[(off[l - 1] + j) * nn + off[l] + i] = -st[l].a[j * n[l] + i];
                        for (int i = 0; i < n[l - 1]; i++) q[(off[l - 1] + j) * two + off[l - 1] + i] = st[l].pBlocks[j * n[l - 1] + i];
                    }
                    for (int j = 0; j < n[l]; j++) {
                        for (int i = 0; i < n[l - 1]; i++) {
                            double v = st[l].r[j * n[l - 1] + i];
                            q[(nn + off[l] + j) * two + off[l - 1] + i] = v;   // Q12: (state l-1, param l)
                            q[(off[l - 1] + i) * two + nn + off[l] + j] = v;   // Q21
                        }
                    }
                }
            }
            for (int i = 0; i < nn; i++) q[i * two + i] -= 1.0;           // Q11 = P^T D_M D_zz P - I (eq. 30)
            double[] mInvDx = mul(inverse(m, nn), dx, nn, nn, nn);
            u = new double[two * nn];
            for (int j = 0; j < nn; j++) {
                System.arraycopy(mInvDx, j * nn, u, j * two, nn);
                u[j * two + nn + j] = 1.0;
            }
            aMat = mul(transpose(mInvDx, nn, nn), mInvDx, nn, nn, nn);   // A = D_x^T M^-T M^-1 D_x
        }

        /** U^T X U for a 2N x 2N matrix X. */
        double[] congruence(double[] x) {
            int two = 2 * nn;
            return mul(transpose(u, two, nn), mul(x, u, two, two, nn), nn, two, nn);
        }

        int block(int k) { return k < nn ? layerOf(k) : layerOf(k - nn); }

        int layerOf(int k) {
            int l = 0;
            while (off[l + 1] <= k) l++;
            return l;
        }
    }

    @ParameterizedTest(name = "seed {0}, {1} hidden")
    @CsvSource({"12, 3", "13, 4", "14, 5"})
    void structuralClaims(int seed, int hidden) {
        double delta = 0;
        Problem p = problem(seed, 3, hidden, Curvature.HESSIAN, delta);
        PaperMatrices pm = new PaperMatrices(p.batch(), delta);
        int nn = pm.nn, two = 2 * nn;
        double[] h = DenseSolver.assemble(p.batch(), delta);
        double tol = 1e-10;

        // eq. (26)-(27): H = U^T [Q + diag(I, 0)] U = A + U^T Q U
        double[] qPlus = pm.q.clone();
        for (int i = 0; i < nn; i++) qPlus[i * two + i] += 1.0;
        assertTrue(relDiff(pm.congruence(qPlus), h) < tol, "eq. (26): " + relDiff(pm.congruence(qPlus), h));
        assertTrue(relDiff(add(pm.aMat, pm.congruence(pm.q), 1.0), h) < tol, "eq. (27)");

        // eq. (29): the block inverse equals the dense inverse; Q~11, Q~22 block diagonal, Q~12 upper block diagonal
        WoodburySolver.Factors f = WoodburySolver.factor(p.batch(), delta);
        double[] qInv = inverse(pm.q, two);
        assertTrue(relDiff(f.denseQInverse(), qInv) < tol, "Q^-1 blocks vs dense inverse: " + relDiff(f.denseQInverse(), qInv));
        double scale = maxAbs(qInv);
        for (int j = 0; j < two; j++) {
            for (int i = 0; i < two; i++) {
                int bi = pm.block(i), bj = pm.block(j);
                boolean iState = i < nn, jState = j < nn;
                boolean allowed = iState == jState ? bi == bj : iState ? bj == bi + 1 : bi == bj + 1;
                if (!allowed) assertTrue(Math.abs(qInv[j * two + i]) <= tol * scale, "Q^-1 (" + i + "," + j + ") should be zero");
            }
        }

        // eq. (35)-(39) with the sign corrected: S_H = Q^-1 + U A^-1 U^T
        double[] uaiu = mul(pm.u, mul(inverse(pm.aMat, nn), transpose(pm.u, two, nn), nn, nn, two), two, nn, two);
        double[] sh = add(qInv, uaiu, 1.0);
        assertTrue(relDiff(f.denseSH(), sh) < tol, "S_H blocks vs Q^-1 + U A^-1 U^T: " + relDiff(f.denseSH(), sh));
        double shScale = maxAbs(sh);
        for (int j = 0; j < two; j++) {
            for (int i = 0; i < two; i++) {
                int bi = pm.block(i), bj = pm.block(j);
                boolean iState = i < nn, jState = j < nn;
                boolean allowed;
                if (iState && jState) allowed = bi == bj;                                  // S_H11 block diagonal
                else if (iState) allowed = bj == bi || bj == bi + 1;                       // S_H12 upper bidiagonal
                else if (jState) allowed = bi == bj || bi == bj + 1;                       // S_H21 lower bidiagonal
                else allowed = Math.abs(bi - bj) <= 1;                                     // S_H22 tridiagonal
                if (!allowed) assertTrue(Math.abs(sh[j * two + i]) <= tol * shScale, "S_H (" + i + "," + j + ") should be zero");
                // interleaved by layer, S_H is block tridiagonal with blocks (z_l, x_l)
                if (Math.abs(bi - bj) > 1) assertTrue(Math.abs(sh[j * two + i]) <= tol * shScale);
            }
        }
        // S_H11's block of the loss state z_L is -1 + 1 = 0: S_H11 is singular, the paper's step 5 cannot pivot on it
        int zL = nn - 1;
        assertEquals(0.0, f.denseSH()[zL * two + zL], 0.0, "S_H11 block of the loss state");
        assertTrue(Math.abs(sh[zL * two + zL]) <= tol * shScale);
        // more: with no damping, every state feeding a BIAS stage has a zero S_H11 block (for s(W z + x): R = W^T Lambda,
        // S = Lambda, so S_q = P - I - R S^-1 R^T = -I and Q~11 + I = 0); states feeding GAIN stages have invertible blocks
        List<Integer> elim = new java.util.ArrayList<>();
        int biasFed = 0;
        for (int l = 0; l + 1 < pm.layers; l++) {
            double[] blk = DenseMatrices.sub(sh, two, pm.off[l], pm.off[l + 1], pm.off[l], pm.off[l + 1]);
            if (p.net().stage(l + 1).parameterization() == org.hessinv.model.Parameterization.BIAS) {
                assertTrue(maxAbs(blk) <= tol * shScale, "S_H11 block of the state feeding bias stage " + (l + 2) + " should be zero: " + maxAbs(blk));
                biasFed++;
            } else {
                for (int q = pm.off[l]; q < pm.off[l + 1]; q++) elim.add(q);
            }
        }
        assertTrue(biasFed > 0 && !elim.isEmpty(), "the case should have states feeding both kinds of stage");
        // the paper's step 5 Schur complement, over the states where S_H11 is invertible, is block tridiagonal in the parameters
        List<Integer> keep = new java.util.ArrayList<>();
        for (int q = 0; q < two; q++) if (!elim.contains(q)) keep.add(q);
        int e = elim.size(), k = keep.size();
        double[] s11 = pick(sh, two, elim, elim);
        double[] s12 = pick(sh, two, elim, keep);
        double[] s22 = pick(sh, two, keep, keep);
        double[] schur = add(s22, mul(transpose(s12, e, k), mul(inverse(s11, e), s12, e, e, k), k, e, k), -1.0);
        double sScale = maxAbs(schur);
        double condS11 = DenseMatrices.symmetricCondition(s11, e);
        int checked = 0;
        for (int j = 0; j < k; j++) {
            for (int i = 0; i < k; i++) {
                int oi = keep.get(i), oj = keep.get(j);
                if (oi >= nn && oj >= nn && Math.abs(pm.block(oi) - pm.block(oj)) > 1) {
                    // exact zero in exact arithmetic; rounding through the dense inverse of S_H11 is ~ eps cond(S_H11)
                    assertTrue(Math.abs(schur[j * k + i]) <= Math.max(tol, 1e3 * EPS * condS11) * sScale,
                            "Schur complement (" + i + "," + j + ") should be zero: " + schur[j * k + i] + " vs scale " + sScale);
                    checked++;
                }
            }
        }
        assertTrue(checked > 0 || pm.layers < 3);

        // the paper's eq. (36) as printed (S_H = -Q^-1 - U A^-1 U^T) does not give H^-1
        double[] r = RandomProblems.vector(new SplittableRandom(seed), nn);
        double[] exact = DenseSolver.solve(h, nn, r);
        double[] aInvR = DenseSolver.solve(pm.aMat, nn, r);
        double[] printed = add(new double[two * two], sh, -1.0);
        double[] g = DenseMatrices.apply(pm.u, two, nn, aInvR);
        double[] corr = DenseSolver.solve(pm.aMat, nn, DenseMatrices.apply(transpose(pm.u, two, nn), nn, two, DenseSolver.solve(printed, two, g)));
        double[] viaPrinted = add(aInvR, corr, -1.0);
        double[] corrFixed = DenseSolver.solve(pm.aMat, nn, DenseMatrices.apply(transpose(pm.u, two, nn), nn, two, DenseSolver.solve(sh, two, g)));
        double[] viaFixed = add(aInvR, corrFixed, -1.0);
        assertTrue(RandomProblems.relativeError(viaFixed, exact) < 1e-8, "corrected Woodbury " + RandomProblems.relativeError(viaFixed, exact));
        assertTrue(RandomProblems.relativeError(viaPrinted, exact) > 1e-2, "the printed sign should not solve the system");
        assertTrue(RandomProblems.relativeError(WoodburySolver.solve(p.batch(), delta, r).direction(), exact) < 1e-8);
    }

    private static double[] pick(double[] a, int n, List<Integer> rows, List<Integer> cols) {
        double[] out = new double[rows.size() * cols.size()];
        for (int j = 0; j < cols.size(); j++) for (int i = 0; i < rows.size(); i++) out[j * rows.size() + i] = a[cols.get(j) * n + rows.get(i)];
        return out;
    }

    @Test
    void denseLayersFailThePrecondition() {
        SplittableRandom rng = new SplittableRandom(21);
        Network net = RandomProblems.network(rng, 3, 2, false);
        double[] x = RandomProblems.parameters(rng, net, 0.8);
        ExampleBatch b = new ExampleBatch(net, x, RandomProblems.examples(rng, net, 1), Curvature.HESSIAN);
        WoodburyPreconditionException e = assertThrows(WoodburyPreconditionException.class,
                () -> WoodburySolver.solve(b, 1e-3, new double[net.paramCount()]));
        assertTrue(e.getMessage().contains("square") && e.getMessage().contains("--solver riccati"), e.getMessage());
        assertTrue(e instanceof InvalidInputException);
        WoodburyPreconditionException early = assertThrows(WoodburyPreconditionException.class, () -> WoodburySolver.checkApplicable(net, 1));
        assertTrue(early.getMessage().contains("layer 1 (dense("), early.getMessage());
    }

    @Test
    void batchOtherThanOneFailsThePrecondition() {
        SplittableRandom rng = new SplittableRandom(22);
        Network net = SquareProblems.network(rng, 3, 3, 2);
        double[] x = SquareProblems.parameters(rng, net);
        ExampleBatch b = new ExampleBatch(net, x, RandomProblems.examples(rng, net, 2), Curvature.HESSIAN);
        WoodburyPreconditionException e = assertThrows(WoodburyPreconditionException.class,
                () -> WoodburySolver.solve(b, 1e-3, new double[net.paramCount()]));
        assertTrue(e.getMessage().contains("one example") && e.getMessage().contains("--solver riccati"), e.getMessage());
        assertThrows(WoodburyPreconditionException.class, () -> WoodburySolver.checkApplicable(net, 64));
        WoodburySolver.checkApplicable(net, 1);
    }

    @Test
    void singularQ22FailsThePrecondition() {
        // GGN without damping: every hidden layer's parameter-parameter block is zero
        Problem p = problem(23, 3, 2, Curvature.GGN, 0);
        WoodburyPreconditionException e = assertThrows(WoodburyPreconditionException.class,
                () -> WoodburySolver.solve(p.batch(), 0, new double[p.net().paramCount()]));
        assertTrue(e.getMessage().contains("Q22") && e.getMessage().contains("--solver riccati"), e.getMessage());
    }
}
