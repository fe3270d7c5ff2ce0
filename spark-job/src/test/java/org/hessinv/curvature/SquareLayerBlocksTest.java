package org.hessinv.curvature;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.hessinv.model.AffineStage;
import org.hessinv.model.Example;
import org.hessinv.model.Head;
import org.hessinv.model.HiddenLayer;
import org.hessinv.model.Network;
import org.hessinv.solve.DenseSolver;
import org.hessinv.solve.RiccatiSolver;
import org.hessinv.solve.SweepProgress;
import org.hessinv.testing.RandomProblems;
import org.hessinv.testing.SquareProblems;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The square-parameterized stages (gain, bias; W frozen) and the single-parameter head against central
 * finite differences: each stage's blocks A, B (first derivatives of f_l) and P, R, S (second derivatives
 * of lambda f_l, or of w loss at the head), and the network's R-pass against differences of the gradient.
 */
class SquareLayerBlocksTest {
    /** First differences, h = 1e-6: truncation h^2 |f'''| ~ 1e-12, rounding eps |f| / h ~ 1e-10. */
    private static final double H1 = 1e-6;
    private static final double TOL1 = 1e-7;
    /** Second differences, h = 1e-4: truncation h^2 |f''''| ~ 1e-8, rounding eps |f| / h^2 ~ 1e-8. */
    private static final double H2 = 1e-4;
    private static final double TOL2 = 1e-6;

    private interface Fn { double[] at(double[] z, double[] xl); }

    /** The stage map: s(u) for a hidden layer, {loss(u, y)} for the head, with its parameters xl (length p_l). */
    private static double[] stageMap(AffineStage s, double[] z, double[] xl, double[] y) {
        double[] u = new double[s.units()];
        s.affine(xl, 0, z, u);
        if (s instanceof HiddenLayer h) {
            double[] out = new double[u.length];
            h.output(z, u, out);
            return out;
        }
        return new double[] {((Head) s).loss(u, y)};
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }

    /** The stacked variable v = (z, xl): perturb entry i by t. */
    private static double[] at(double[] z, double[] xl, int i, double t, boolean wantZ) {
        double[] v = wantZ ? z.clone() : xl.clone();
        int n = z.length;
        if (wantZ && i < n) v[i] += t;
        if (!wantZ && i >= n) v[i - n] += t;
        return v;
    }

    private static double phi(AffineStage s, double[] lam, double[] y, double[] z, double[] xl, int i, double ti, int j, double tj) {
        double[] zz = at(at(z, xl, i, ti, true), xl, j, tj, true);
        double[] xx = at(z, at(z, xl, i, ti, false), j, tj, false);
        return dot(lam, stageMap(s, zz, xx, y));
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(ints = {1, 2, 3, 4})
    void blocksMatchFiniteDifferences(int seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        Network net = SquareProblems.network(rng, 3, 4, 3);
        double[] x = SquareProblems.parameters(rng, net);
        Example ex = RandomProblems.examples(rng, net, 1).get(0);
        double weight = 0.7;
        ExampleSweep sweep = new ExampleSweep(net, x, ex, weight);
        for (int l = 0; l < net.stageCount(); l++) {
            AffineStage s = net.stage(l);
            int p = s.paramCount();
            assertEquals(s.units(), p, "a square stage has one parameter per unit");
            double[] xl = java.util.Arrays.copyOfRange(x, net.paramOffset(l), net.paramOffset(l) + p);
            double[] z = sweep.zIn[l];
            int in = z.length;
            int out = s.outputSize();
            LayerStage st = LayerStage.assemble(net, x, l, List.of(sweep.record(l, Curvature.HESSIAN)), null);
            // the head's A and B are the unweighted loss derivatives; its P, R, S carry the weight
            double[] lam = s instanceof Head ? new double[] {weight} : sweep.lambdaOut[l];
            for (int i = 0; i < in + p; i++) {
                double[] plus = stageMap(s, at(z, xl, i, H1, true), at(z, xl, i, H1, false), ex.response());
                double[] minus = stageMap(s, at(z, xl, i, -H1, true), at(z, xl, i, -H1, false), ex.response());
                for (int a = 0; a < out; a++) {
                    double fd = (plus[a] - minus[a]) / (2 * H1);
                    double analytic;
                    if (i < in) {
                        if (!st.hasState()) continue;
                        analytic = st.a[i * out + a];
                    } else {
                        analytic = st.denseBs()[(i - in) * out + a];
                    }
                    assertEquals(fd, analytic, TOL1 * Math.max(1, Math.abs(fd)),
                            "stage " + (l + 1) + " " + s.describe() + (i < in ? " A" : " B") + "[" + a + "," + (i < in ? i : i - in) + "]");
                }
                for (int j = 0; j <= i; j++) {
                    double fd = (phi(s, lam, ex.response(), z, xl, i, H2, j, H2) - phi(s, lam, ex.response(), z, xl, i, H2, j, -H2)
                            - phi(s, lam, ex.response(), z, xl, i, -H2, j, H2) + phi(s, lam, ex.response(), z, xl, i, -H2, j, -H2)) / (4 * H2 * H2);
                    double analytic;
                    String name;
                    if (i < in) {
                        if (!st.hasState()) continue;
                        analytic = st.pBlocks[j * in + i];
                        name = "P";
                    } else if (j < in) {
                        if (!st.hasState()) continue;
                        analytic = st.r[(i - in) * in + j];
                        name = "R";
                    } else {
                        analytic = st.denseS()[(i - in) * p + (j - in)];
                        name = "S";
                    }
                    assertEquals(fd, analytic, TOL2 * Math.max(1, Math.abs(fd)), "stage " + (l + 1) + " " + s.describe() + " " + name);
                }
            }
        }
    }

    /** C v by R-pass equals (g(x + h v) - g(x - h v)) / 2h for the Hessian of a batch. */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(ints = {5, 6, 7})
    void rPassMatchesGradientDifferences(int seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        Network net = SquareProblems.network(rng, 3, 3, 4);
        double[] x = SquareProblems.parameters(rng, net);
        List<Example> ex = RandomProblems.examples(rng, net, 3);
        ExampleBatch b = new ExampleBatch(net, x, ex, Curvature.HESSIAN);
        double[] v = RandomProblems.vector(rng, net.paramCount());
        double[] cv = b.curvatureTimes(v);
        double[] xp = x.clone(), xm = x.clone();
        for (int i = 0; i < x.length; i++) { xp[i] += H1 * v[i]; xm[i] -= H1 * v[i]; }
        double[] gp = new ExampleBatch(net, xp, ex, Curvature.HESSIAN).gradient();
        double[] gm = new ExampleBatch(net, xm, ex, Curvature.HESSIAN).gradient();
        double[] fd = new double[x.length];
        for (int i = 0; i < x.length; i++) fd[i] = (gp[i] - gm[i]) / (2 * H1);
        double err = RandomProblems.relativeError(cv, fd);
        assertTrue(err < TOL1, "R-pass vs finite differences: relative error " + err);
    }

    /** The existing machinery handles the new stages: Riccati equals the dense solve on square networks (both curvatures). */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(ints = {8, 9})
    void riccatiEqualsDenseOnSquareNetworks(int seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        Network net = SquareProblems.network(rng, 3, 4, 5);
        double[] x = SquareProblems.parameters(rng, net);
        List<Example> ex = RandomProblems.examples(rng, net, 4);
        for (Curvature c : Curvature.values()) {
            ExampleBatch b = new ExampleBatch(net, x, ex, c);
            double[] r = RandomProblems.vector(rng, net.paramCount());
            double[] dense = DenseSolver.solve(b, 0.1, r);
            double[] d = RiccatiSolver.solve(b, 0.1, r, SweepProgress.NONE).direction();
            // damping 0.1 keeps cond(C + 0.1 I) below ~1e3 here: 1e-10 leaves a wide margin over cond * eps
            assertTrue(RandomProblems.relativeError(d, dense) < 1e-10, c + ": " + RandomProblems.relativeError(d, dense));
        }
    }
}
