package org.hessinv.curvature;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.hessinv.model.Activation;
import org.hessinv.model.AffineStage;
import org.hessinv.model.Example;
import org.hessinv.model.Head;
import org.hessinv.model.HiddenLayer;
import org.hessinv.model.MseHead;
import org.hessinv.model.Network;
import org.hessinv.model.SoftmaxHead;
import org.hessinv.testing.Dense;
import org.hessinv.testing.DenseCurvature;
import org.hessinv.testing.FiniteDifferences;
import org.hessinv.testing.RandomProblems;
import org.hessinv.testing.ReferenceNetwork;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The one shared suite every layer type (dense, residual) x activation (all six) x head (mse,
 * softmax) runs: 24 networks {@code input 3 -> dense(4, s) -> <type>(s) -> <head>}, so the layer under
 * test sits where it has an input state, an adjoint from above and a stage below it; batch of 3.
 *
 * <p>Checked against central differences (with Richardson) of {@link ReferenceNetwork}, a forward
 * pass written independently of the engine's sweeps:
 * the loss and gradient (forward/backward sweeps); every stage's A, B, P, R, S (LayerBlocks) for the
 * Hessian and for GGN (MATH.md sections 2 and 5); the batch curvature rebuilt from the stacked
 * LayerStage blocks by the quadratic form of section 2; the R-pass, both as products with random
 * vectors and as the dense matrix it defines (column by column), for HESSIAN and GGN.
 *
 * <p>Tolerances come from the finite-difference error budget in {@link FiniteDifferences} (values
 * and derivatives are O(1) here): first derivatives ~1e-12, second derivatives from values ~1e-9.
 * Each tolerance leaves a >= 100x margin over that budget; a wrong formula or a misplaced entry
 * is off by O(0.01..1) relative.
 */
class StageBlocksTest {
    /** Jacobian blocks A, B, and the gradient: FD error ~1e-12 relative. */
    private static final double JACOBIAN_TOL = 1e-9;
    /** Second-derivative blocks P, R, S from second differences of values: FD error ~1e-9. */
    private static final double SECOND_ORDER_TOL = 1e-6;
    /** Hessian from first differences of the (checked) analytic gradient: FD error ~1e-11. */
    private static final double HESSIAN_TOL = 1e-8;
    /** GGN from differenced Jacobians and a second-differenced Lambda: FD error ~1e-9. */
    private static final double GGN_TOL = 1e-6;
    private static final int BATCH = 3;

    record Case(boolean residual, Activation activation, boolean softmax) {
        @Override public String toString() {
            return (residual ? "residual" : "dense") + "/" + activation.specName() + "/" + (softmax ? "softmax" : "mse");
        }

        Network network() {
            List<HiddenLayer> layers = new ArrayList<>();
            layers.add(HiddenLayer.dense(3, 4, activation));
            layers.add(residual ? HiddenLayer.residual(4, activation) : HiddenLayer.dense(4, 3, activation));
            int width = residual ? 4 : 3;
            Head head = softmax ? new SoftmaxHead(width, 3) : new MseHead(width, 2);
            return new Network(3, layers, head);
        }

        long seed() { return 1000L * (residual ? 1 : 0) + 100L * activation.ordinal() + (softmax ? 7 : 0); }
    }

    static Stream<Case> cases() {
        List<Case> out = new ArrayList<>();
        for (boolean residual : new boolean[] {false, true}) {
            for (Activation s : Activation.values()) {
                for (boolean softmax : new boolean[] {false, true}) out.add(new Case(residual, s, softmax));
            }
        }
        return out.stream();
    }

    /** Network, parameters (scale 0.8: second-order terms matter) and examples of a case. */
    private record Problem(Network net, double[] x, List<Example> examples) {
        ExampleBatch batch(Curvature c) { return new ExampleBatch(net, x, examples, c); }
    }

    private static Problem problem(Case c) {
        SplittableRandom rng = new SplittableRandom(c.seed());
        Network net = c.network();
        double[] x = RandomProblems.parameters(rng, net, 0.8);
        return new Problem(net, x, RandomProblems.examples(rng, net, BATCH));
    }

    private static void assertClose(double[] expected, double[] actual, double tol, String what) {
        assertEquals(expected.length, actual.length, what + ": size");
        double err = Dense.maxAbs(Dense.minus(actual, expected));
        double scale = Math.max(1.0, Dense.maxAbs(expected));
        assertTrue(err <= tol * scale, what + ": max error " + err + " > " + tol + " x " + scale
                + "\n expected " + Arrays.toString(expected) + "\n actual   " + Arrays.toString(actual));
    }

    private static double[] concat(double[] a, double[] b) {
        double[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void lossAndGradientMatchTheReferenceForwardPass(Case c) {
        Problem pb = problem(c);
        ExampleBatch batch = pb.batch(Curvature.HESSIAN);
        double ref = ReferenceNetwork.batchLoss(pb.net, pb.x, pb.examples);
        assertEquals(ref, batch.loss(), 1e-13 * Math.max(1, Math.abs(ref)), "loss");
        double[] fd = FiniteDifferences.gradient(xx -> ReferenceNetwork.batchLoss(pb.net, xx, pb.examples), pb.x);
        assertClose(fd, batch.gradient(), JACOBIAN_TOL, c + " gradient");
    }

    /** The blocks of one example's stage l as LayerBlocks writes them, each in its own compact array. */
    private record Blocks(double[] a, double[] b, double[] p, double[] r, double[] s) {}

    private static Blocks engineBlocks(Problem pb, Example e, int l, Curvature curvature) {
        Network net = pb.net;
        AffineStage st = net.stage(l);
        ExampleSweep sweep = new ExampleSweep(net, pb.x, e, 1.0 / BATCH);
        StageRecord rec = sweep.record(l, curvature);
        LayerBlocks lb = new LayerBlocks(st, pb.x, net.paramOffset(l));
        int in = st.inputSize(), out = st.outputSize(), p = st.paramCount();
        double[] a = new double[out * in], b = new double[out * p], pp = new double[in * in], r = new double[in * p], s = new double[p * p];
        lb.writeA(rec, a, 0, out);
        lb.writeB(rec, b, 0, out);
        lb.writeP(rec, pp, 0, in);
        lb.writeR(rec, r, 0, in);
        lb.addS(rec, s, p);
        return new Blocks(a, b, pp, r, s);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void hessianBlocksMatchDifferencesOfEachStage(Case c) {
        Problem pb = problem(c);
        Network net = pb.net;
        double w = 1.0 / BATCH;
        for (Example e : pb.examples) {
            for (int l = 0; l < net.stageCount(); l++) {
                AffineStage st = net.stage(l);
                int in = st.inputSize(), out = st.outputSize(), p = st.paramCount();
                double[] z = ReferenceNetwork.inputOf(net, pb.x, e.features(), l);
                double[] xl = ReferenceNetwork.stageParams(net, pb.x, l);
                double[] zx = concat(z, xl);
                java.util.function.Function<double[], double[]> f = v -> ReferenceNetwork.stage(st,
                        Arrays.copyOfRange(v, 0, in), Arrays.copyOfRange(v, in, in + p), e.response());
                double[] jac = FiniteDifferences.jacobian(f, zx);
                // lambda_l: the adjoint reaching the stage output, d(w * downstream loss)/dz_l, by differences
                int ll = l;
                double[] lambda = st instanceof Head ? new double[] {w}
                        : FiniteDifferences.gradient(zo -> w * ReferenceNetwork.tail(net, pb.x, ll, zo, e.response()), f.apply(zx));
                double[] hess = FiniteDifferences.hessian(v -> {
                    double[] fv = f.apply(v);
                    double sum = 0;
                    for (int j = 0; j < fv.length; j++) sum += lambda[j] * fv[j];
                    return sum;
                }, zx);
                int nzx = in + p;
                Blocks got = engineBlocks(pb, e, l, Curvature.HESSIAN);
                String where = c + " stage " + (l + 1) + " (" + st.describe() + ")";
                assertClose(Dense.block(jac, out, 0, 0, out, in), got.a, JACOBIAN_TOL, where + " A");
                assertClose(Dense.block(jac, out, 0, in, out, p), got.b, JACOBIAN_TOL, where + " B");
                assertClose(Dense.block(hess, nzx, 0, 0, in, in), got.p, SECOND_ORDER_TOL, where + " P");
                assertClose(Dense.block(hess, nzx, 0, in, in, p), got.r, SECOND_ORDER_TOL, where + " R");
                assertClose(Dense.block(hess, nzx, in, in, p, p), got.s, SECOND_ORDER_TOL, where + " S");
            }
        }
    }

    /**
     * GGN (MATH.md section 5): inner stages have P = R = S = 0 and the same A, B as the Hessian; the
     * head's blocks are [W, Ju_x]^T (w Lambda) [W, Ju_x], with [W, Ju_x] = du/d(z, x_L) and Lambda = d2 loss/du2
     * both by differences of the reference.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void ggnBlocksMatchDifferences(Case c) {
        Problem pb = problem(c);
        Network net = pb.net;
        double w = 1.0 / BATCH;
        int last = net.stageCount() - 1;
        for (Example e : pb.examples) {
            for (int l = 0; l <= last; l++) {
                Blocks ggn = engineBlocks(pb, e, l, Curvature.GGN);
                Blocks hes = engineBlocks(pb, e, l, Curvature.HESSIAN);
                String where = c + " GGN stage " + (l + 1);
                assertClose(hes.a, ggn.a, 0.0, where + " A");
                assertClose(hes.b, ggn.b, 0.0, where + " B");
                if (l < last) {
                    assertEquals(0.0, Dense.maxAbs(ggn.p), where + " P");
                    assertEquals(0.0, Dense.maxAbs(ggn.r), where + " R");
                    assertEquals(0.0, Dense.maxAbs(ggn.s), where + " S");
                    continue;
                }
                AffineStage st = net.stage(l);
                int in = st.inputSize(), p = st.paramCount(), k = st.units(), nzx = in + p;
                double[] z = ReferenceNetwork.inputOf(net, pb.x, e.features(), l);
                double[] zx = concat(z, ReferenceNetwork.stageParams(net, pb.x, l));
                double[] ju = FiniteDifferences.jacobian(v -> ReferenceNetwork.affine(st, Arrays.copyOfRange(v, 0, in),
                        Arrays.copyOfRange(v, in, nzx)), zx);
                double[] u = ReferenceNetwork.affine(st, z, ReferenceNetwork.stageParams(net, pb.x, l));
                double[] lam = Dense.scale(w, FiniteDifferences.hessian(uu -> ReferenceNetwork.headLoss(st, uu, e.response()), u));
                double[] full = Dense.multiply(Dense.transpose(ju, k, nzx), Dense.multiply(lam, ju, k, k, nzx), nzx, k, nzx);
                assertClose(Dense.block(full, nzx, 0, 0, in, in), ggn.p, SECOND_ORDER_TOL, where + " P");
                assertClose(Dense.block(full, nzx, 0, in, in, p), ggn.r, SECOND_ORDER_TOL, where + " R");
                assertClose(Dense.block(full, nzx, in, in, p, p), ggn.s, SECOND_ORDER_TOL, where + " S");
            }
        }
    }

    private static double[] referenceCurvature(Problem pb, Curvature c) {
        return c == Curvature.HESSIAN ? DenseCurvature.hessianByGradientDifferences(pb.net, pb.x, pb.examples)
                : DenseCurvature.ggn(pb.net, pb.x, pb.examples);
    }

    private static void assertMatrixClose(double[] expected, double[] actual, double tol, String what) {
        double err = Dense.norm(Dense.minus(actual, expected));
        assertTrue(err <= tol * Dense.norm(expected), what + ": ||diff||_F = " + err + " > " + tol + " x ||C||_F = " + Dense.norm(expected));
    }

    /**
     * LayerStage stacks the examples' blocks (A, P block diagonal; Bs, R stacked; S summed): the
     * curvature rebuilt from them by the quadratic form of MATH.md section 2 equals the independent one.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void stackedStageBlocksRebuildTheCurvature(Case c) {
        Problem pb = problem(c);
        for (Curvature cv : Curvature.values()) {
            ExampleBatch batch = pb.batch(cv);
            double[] ref = referenceCurvature(pb, cv);
            assertMatrixClose(ref, DenseCurvature.fromStages(batch), cv == Curvature.HESSIAN ? HESSIAN_TOL : GGN_TOL, c + " " + cv + " from stages");
            for (int l = 0; l < pb.net.stageCount(); l++) {
                LayerStage st = batch.stage(l);
                double[] summed = LayerStage.sumS(pb.net, pb.x, l, batch.records(l));
                StageFactors factors = factorsOf(st.form);
                if (factors != null) checkKroneckerProducts(pb, l, st, factors, batch.records(l), c + " " + cv + " stage " + (l + 1));
                if (st.form instanceof CapacitanceStage) {
                    // a capacitance stage keeps S factored: nothing is summed, and assembling without it is the same stage
                    assertNull(summed, c + " sumS of a capacitance stage " + (l + 1));
                    assertClose(st.denseBs(), LayerStage.assemble(pb.net, pb.x, l, batch.records(l), null).denseBs(), 0.0, c + " capacitance Bs");
                    continue;
                }
                assertClose(st.denseS(), summed, 1e-15, c + " sumS stage " + (l + 1));
                LayerStage pre = LayerStage.assemble(pb.net, pb.x, l, batch.records(l), st.denseS().clone());
                assertClose(st.denseBs(), pre.denseBs(), 0.0, c + " assemble with summed S");
            }
        }
    }

    /**
     * The Kronecker-form products the sweep uses (V Bs and Bs^T Y, at 1/a_l of the dense cost) against dense
     * products with Bs written example by example by {@link LayerBlocks#writeB}; V symmetric and random, Y
     * random. Both are sums of at most B (inputs + 1) products of O(1) terms: 1e-13 relative is ~100 eps.
     */
    /** The Kronecker factors of a form that has them (null for a dense stage). */
    private static StageFactors factorsOf(StageForm form) {
        return form instanceof FactoredStage f ? f.factors() : null;
    }

    private static void checkKroneckerProducts(Problem pb, int l, LayerStage st, StageFactors factors, List<StageRecord> records, String where) {
        int nOut = st.stateOut(), p = st.p;
        double[] bs = new double[nOut * p];
        LayerBlocks blocks = new LayerBlocks(pb.net.stage(l), pb.x, pb.net.paramOffset(l));
        for (int i = 0; i < records.size(); i++) blocks.writeB(records.get(i), bs, i * st.aOut, nOut);
        SplittableRandom rng = new SplittableRandom(31 + l);
        double[] v = new double[nOut * nOut];
        for (int j = 0; j < nOut; j++) for (int i = 0; i <= j; i++) v[j * nOut + i] = v[i * nOut + j] = rng.nextDouble() - 0.5;
        double[] vbRef = new double[nOut * p];
        org.hessinv.linalg.Blas.gemm(false, false, nOut, p, nOut, 1.0, v, 0, nOut, bs, 0, nOut, 0.0, vbRef, 0, nOut);
        assertClose(vbRef, factors.vTimesBs(v), KRONECKER_TOL, where + " V Bs");
        assertClose(vbRef, st.form.vTimesBs(v), KRONECKER_TOL, where + " V Bs by the stage form");
        double[] y = RandomProblems.vector(rng, nOut * p);
        double[] q0 = RandomProblems.vector(rng, p * p);
        double[] qRef = q0.clone();
        org.hessinv.linalg.Blas.gemm(true, false, p, p, nOut, 1.0, bs, 0, nOut, y, 0, nOut, 1.0, qRef, 0, p);
        double[] q = q0.clone();
        factors.addBsTransposeProduct(y, q);
        assertClose(qRef, q, KRONECKER_TOL, where + " Bs^T Y");
    }

    /** Relative tolerance of the Kronecker-form products against dense ones (see checkKroneckerProducts). */
    private static final double KRONECKER_TOL = 1e-13;

    /** The R-pass as a dense matrix (C e_j, column by column) against the independent one; it is symmetric. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void rPassMatrixMatchesTheIndependentCurvature(Case c) {
        Problem pb = problem(c);
        int n = pb.net.paramCount();
        for (Curvature cv : Curvature.values()) {
            double[] viaRPass = DenseCurvature.byRPass(pb.batch(cv));
            double[] ref = referenceCurvature(pb, cv);
            assertMatrixClose(ref, viaRPass, cv == Curvature.HESSIAN ? HESSIAN_TOL : GGN_TOL, c + " " + cv + " R-pass");
            // symmetry of the R-pass itself (not symmetrized): only rounding, ~n eps ||C||
            assertTrue(Dense.asymmetry(viaRPass, n) <= 100 * n * Dense.EPS * Dense.maxAbs(viaRPass),
                    c + " " + cv + " R-pass asymmetry " + Dense.asymmetry(viaRPass, n));
        }
    }

    /**
     * C v for random v: HESSIAN against the directional central difference of the gradient
     * (d/dt g(x + t v)); GGN against G v of the independent G. Also (C + delta I) v.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void rPassProductsMatchDifferencesOfTheGradient(Case c) {
        Problem pb = problem(c);
        SplittableRandom rng = new SplittableRandom(c.seed() + 1);
        int n = pb.net.paramCount();
        double[] ggn = DenseCurvature.ggn(pb.net, pb.x, pb.examples);
        for (int trial = 0; trial < 3; trial++) {
            double[] v = RandomProblems.vector(rng, n);
            double[] hv = FiniteDifferences.directional(xx -> new ExampleBatch(pb.net, xx, pb.examples, Curvature.HESSIAN).gradient(), pb.x, v);
            double[] got = pb.batch(Curvature.HESSIAN).curvatureTimes(v);
            assertTrue(Dense.norm(Dense.minus(got, hv)) <= HESSIAN_TOL * Math.max(Dense.norm(hv), 1e-2),
                    c + " Hv error " + Dense.norm(Dense.minus(got, hv)) + " vs ||Hv|| " + Dense.norm(hv));
            double[] gv = Dense.times(ggn, n, n, v);
            double[] gotG = pb.batch(Curvature.GGN).curvatureTimes(v);
            assertTrue(Dense.norm(Dense.minus(gotG, gv)) <= GGN_TOL * Dense.norm(ggn) * Dense.norm(v),
                    c + " Gv error " + Dense.norm(Dense.minus(gotG, gv)));
            double delta = 0.3;
            double[] damped = pb.batch(Curvature.GGN).dampedCurvatureTimes(v, delta);
            assertClose(Dense.plus(gotG, Dense.scale(delta, v)), damped, 1e-15, c + " damped");
        }
    }
}
