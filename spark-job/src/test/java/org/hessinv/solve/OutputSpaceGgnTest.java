package org.hessinv.solve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.hessinv.curvature.Curvature;
import org.hessinv.curvature.ExampleBatch;
import org.hessinv.model.Activation;
import org.hessinv.model.AffineStage;
import org.hessinv.model.Example;
import org.hessinv.model.Head;
import org.hessinv.model.HiddenLayer;
import org.hessinv.model.MseHead;
import org.hessinv.model.Network;
import org.hessinv.model.Parameterization;
import org.hessinv.model.SoftmaxHead;
import org.hessinv.testing.Dense;
import org.hessinv.testing.DenseGgn;
import org.hessinv.testing.RandomProblems;
import org.hessinv.testing.SquareProblems;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The output-space GGN solve against a dense GGN assembled independently by the chain rule ({@link DenseGgn})
 * and solved by LAPACK (LU; dsyev for the spectrum), on seeded random networks mixing every stage kind (dense,
 * residual, square gain and bias layers; mse heads with K = 1..3 outputs, full, gain or bias, and softmax heads
 * with 2..4 classes), batch sizes 1..16 (so B K both below and above n), dampings 1e-6..10.
 *
 * <p>Tolerances, with {@code kappa = (lambda_max(G) + delta) / delta} the 2-norm condition of G + delta I
 * (dense eigenvalues), FACTOR = 10 the backward-error constant of RiccatiSolverTest:
 * <ul>
 *   <li>direction: the LU reference is backward stable, forward error {@code <~ n eps kappa}; the refined
 *       output-space solve is too (class comment), so {@code ||d - d_dense|| / ||d_dense|| <= FACTOR n eps kappa}
 *       (floor 1e-12 for kappa ~ 1, where summation order dominates);</li>
 *   <li>R-pass residual {@code ||(G + dI) d - r|| / ||r|| <= FACTOR n eps ||G + dI|| ||d|| / ||r||} (backward stability);</li>
 *   <li>log|det|: each eigenvalue of G + dI carries an absolute error ~n eps ||G + dI||, i.e. relative n eps kappa,
 *       so the sum of n logs is within {@code FACTOR n^2 eps kappa};</li>
 *   <li>G v: a product of backward-stable passes, error {@code <= FACTOR n eps ||G|| ||v||};</li>
 *   <li>T T^T against the dense inverse: both carry {@code n eps kappa} relative to {@code ||(G + dI)^-1|| = 1/delta}.</li>
 * </ul>
 */
class OutputSpaceGgnTest {
    private static final double FACTOR = 10;
    private static final int[] BATCHES = {1, 2, 3, 4, 5, 8, 12, 16};
    private static final double[] DELTAS = {1e-6, 1e-3, 1.0, 10.0};
    private static final int SEEDS = 16;

    record Problem(int seed, Network net, double[] x, List<Example> examples) {
        int n() { return net.paramCount(); }
        @Override public String toString() {
            return "seed " + seed + " " + net.describe() + " B=" + examples.size() + " K=" + net.head().units();
        }
    }

    /**
     * Hidden layers cycle through dense, residual, square gain and square bias (from a seed-dependent start);
     * the head cycles through mse (K = 2..3), softmax (K = 2..4), mse with a gain (K = 2) and mse with a bias (K = 1).
     */
    static Problem problem(int seed) {
        SplittableRandom rng = new SplittableRandom(1000 + seed);
        Activation[] acts = Activation.values();
        List<HiddenLayer> layers = new ArrayList<>();
        int width = 3;
        int hidden = 2 + seed % 3;
        for (int l = 0; l < hidden; l++) {
            Activation s = acts[rng.nextInt(acts.length)];
            int units = 2 + rng.nextInt(3);
            switch ((l + seed) % 4) {
                case 0 -> { layers.add(HiddenLayer.dense(width, units, s)); width = units; }
                case 1 -> layers.add(HiddenLayer.residual(width, s));
                case 2 -> { layers.add(HiddenLayer.square(width, units, s, Parameterization.GAIN, SquareProblems.frozen(rng, units, width))); width = units; }
                default -> { layers.add(HiddenLayer.square(width, units, s, Parameterization.BIAS, SquareProblems.frozen(rng, units, width))); width = units; }
            }
        }
        Head head = switch (seed % 4) {
            case 0 -> new MseHead(width, 2 + rng.nextInt(2));
            case 1 -> new SoftmaxHead(width, 2 + rng.nextInt(3));
            case 2 -> new MseHead(width, 2, Parameterization.GAIN, SquareProblems.frozen(rng, 2, width));
            default -> new MseHead(width, 1, Parameterization.BIAS, SquareProblems.frozen(rng, 1, width));
        };
        Network net = new Network(3, layers, head);
        double[] x = new double[net.paramCount()];
        for (int l = 0; l < net.stageCount(); l++) {
            AffineStage s = net.stage(l);
            double base = s.parameterization() == Parameterization.GAIN ? 1.0 : 0.0;
            double scale = s.isSquareParameterized() ? 0.5 : 0.8;
            for (int j = 0; j < s.paramCount(); j++) x[net.paramOffset(l) + j] = base + scale * Network.gaussian(rng);
        }
        return new Problem(seed, net, x, RandomProblems.examples(rng, net, BATCHES[seed % BATCHES.length]));
    }

    static Stream<Problem> problems() { return IntStream.range(0, SEEDS).mapToObj(OutputSpaceGgnTest::problem); }

    record Case(Problem problem, double delta) {
        @Override public String toString() { return problem + " delta " + delta; }
    }

    static Stream<Case> cases() {
        return problems().flatMap(p -> java.util.Arrays.stream(DELTAS).mapToObj(d -> new Case(p, d)));
    }

    static double[] damped(double[] g, int n, double delta) {
        double[] a = g.clone();
        for (int i = 0; i < n; i++) a[i * n + i] += delta;
        return a;
    }

    /** lambda_max(G) from the dense eigenvalues (G is PSD). */
    static double normOf(double[] g, int n) {
        double[] eig = DenseSolver.eigenvalues(g, n);
        return Math.max(Math.abs(eig[0]), Math.abs(eig[n - 1]));
    }

    // ------------------------------------------------------------------ the reference itself

    /** The chain-rule GGN equals the engine's R-pass GGN (two independent assemblies) to rounding. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("problems")
    void denseReferenceAgreesWithRPass(Problem pb) {
        int n = pb.n();
        double[] g = DenseGgn.ggn(pb.net, pb.x, pb.examples);
        double[] byRPass = DenseSolver.assemble(new ExampleBatch(pb.net, pb.x, pb.examples, Curvature.GGN), 0.0);
        // entries are sums of n-term products of O(1) factors: agreement to ~n eps ||G||
        assertTrue(Dense.maxAbs(Dense.minus(g, byRPass)) <= FACTOR * n * Dense.EPS * Math.max(1.0, normOf(g, n)), pb.toString());
    }

    // ------------------------------------------------------------------ Gram

    /** C0 = R J J^T R with R R = Lambda, against the dense stacked Jacobian. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("problems")
    void gramMatchesTheDenseJacobian(Problem pb) {
        int n = pb.n(), k = pb.net.head().units(), b = pb.examples.size(), m = b * k;
        OutputSpaceGgn os = OutputSpaceGgn.factor(pb.net, pb.x, pb.examples);
        assertEquals(m, os.outputs());
        double[] j = DenseGgn.stackedJacobian(pb.net, pb.x, pb.examples);
        double[] r = new double[m * m];
        for (int i = 0; i < b; i++) {
            Example e = pb.examples.get(i);
            double[] lam = DenseGgn.headHessian(pb.net.head(), DenseGgn.output(pb.net, pb.x, e.features()));
            double[] root = OutputSpaceGgn.symmetricRoot(lam, k);
            // the root is symmetric and squares to Lambda (to the eigensolver's k eps ||Lambda||)
            assertTrue(Dense.asymmetry(root, k) <= 1e-15, pb + " root symmetric");
            assertTrue(Dense.maxAbs(Dense.minus(Dense.multiply(root, root, k, k, k), lam)) <= FACTOR * k * Dense.EPS, pb + " root^2 = Lambda");
            for (int c = 0; c < k; c++) for (int a = 0; a < k; a++) r[(i * k + c) * m + i * k + a] = root[c * k + a];
        }
        double[] rj = Dense.multiply(r, j, m, m, n);
        double[] expected = Dense.multiply(rj, Dense.transpose(rj, m, n), m, n, m);
        double[] gram = os.gram();
        double scale = Math.max(1.0, Dense.maxAbs(expected));
        double err = Dense.maxAbs(Dense.minus(gram, expected));
        assertTrue(err <= FACTOR * n * Dense.EPS * scale, pb + ": Gram error " + err + " (scale " + scale + ")");
        assertEquals(0.0, Dense.asymmetry(gram, m), pb + " Gram symmetric");
    }

    // ------------------------------------------------------------------ direction

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void directionMatchesTheDenseSolveAndTheRiccatiSolver(Case c) {
        Problem pb = c.problem;
        int n = pb.n();
        double[] g = DenseGgn.ggn(pb.net, pb.x, pb.examples);
        double normG = normOf(g, n);
        double kappa = (normG + c.delta) / c.delta;
        double[] r = RandomProblems.vector(new SplittableRandom(pb.seed + 77), n);
        double[] dense = DenseSolver.solve(damped(g, n, c.delta), n, r);

        OutputSpaceGgn os = OutputSpaceGgn.factor(pb.net, pb.x, pb.examples);
        double[] d = os.solve(c.delta, r);
        double bound = Math.max(1e-12, FACTOR * n * Dense.EPS * kappa);
        double err = Dense.relativeError(d, dense);
        assertTrue(err <= bound, c + ": relative error " + err + " > " + bound + " (kappa " + kappa + ")");

        ExampleBatch batch = new ExampleBatch(pb.net, pb.x, pb.examples, Curvature.GGN);
        double res = batch.relativeResidual(d, c.delta, r);
        double resBound = FACTOR * n * Dense.EPS * (normG + c.delta) * Dense.norm(d) / Dense.norm(r);
        assertTrue(res <= resBound, c + ": R-pass residual " + res + " > " + resBound);

        // the Riccati recursion on the same GGN: both within the bound of the truth, so within twice it of each other
        double[] riccati = RiccatiSolver.solve(batch, c.delta, r, SweepProgress.NONE).direction();
        double diff = Dense.relativeError(d, riccati);
        assertTrue(diff <= 2 * bound, c + ": differs from the Riccati solve by " + diff + " > " + 2 * bound);

        // the eigendecomposition route gives the same direction
        double[] viaEigen = OutputSpaceGgn.factor(pb.net, pb.x, pb.examples).eigen().solve(c.delta, r);
        double eigErr = Dense.relativeError(viaEigen, dense);
        assertTrue(eigErr <= bound, c + ": eigen route relative error " + eigErr + " > " + bound);
        assertEquals(new org.hessinv.linalg.Inertia(0, 0, n), os.inertia(c.delta));
    }

    /**
     * r = the batch gradient lies in the range of U (r = J^T dloss/du / B), the case where (r - U C^-1 U^T r) / delta
     * cancels. At delta = 1e-6 (kappa ~ 1e6..1e7 here) the first solve's R-pass residual is above the backward-stable
     * bound in most problems (the premise: checked, so the refinement is not dead code), and after the refinement
     * step it is within the bound in every problem, with the forward error within FACTOR n eps kappa of the dense solve.
     */
    @Test
    void refinementRepairsTheCancellationAtTinyDamping() {
        double delta = 1e-6;
        int firstAbove = 0;
        StringBuilder log = new StringBuilder();
        for (int seed = 0; seed < SEEDS; seed++) {
            Problem pb = problem(seed);
            int n = pb.n();
            ExampleBatch batch = new ExampleBatch(pb.net, pb.x, pb.examples, Curvature.GGN);
            double[] r = batch.gradient();
            double[] g = DenseGgn.ggn(pb.net, pb.x, pb.examples);
            double normG = normOf(g, n);
            double kappa = (normG + delta) / delta;
            OutputSpaceGgn os = OutputSpaceGgn.factor(pb.net, pb.x, pb.examples);
            double[] first = os.solve(delta, r, 0);
            double[] refined = os.solve(delta, r);
            double resFirst = batch.relativeResidual(first, delta, r);
            double resRefined = batch.relativeResidual(refined, delta, r);
            double bound = FACTOR * n * Dense.EPS * (normG + delta) * Dense.norm(refined) / Dense.norm(r);
            log.append(String.format(java.util.Locale.ROOT, "%n  seed %d: residual first %.2e refined %.2e bound %.2e", seed, resFirst, resRefined, bound));
            assertTrue(resRefined <= bound, pb + ": refined residual " + resRefined + " > " + bound + " (first " + resFirst + ")");
            if (resFirst > bound) firstAbove++;
            double err = Dense.relativeError(refined, DenseSolver.solve(damped(g, n, delta), n, r));
            double errBound = FACTOR * n * Dense.EPS * kappa;
            assertTrue(err <= errBound, pb + ": refined relative error " + err + " > " + errBound);
        }
        assertTrue(firstAbove >= SEEDS / 2, "the unrefined solve exceeds the bound in only " + firstAbove + " problems:" + log);
    }

    // ------------------------------------------------------------------ log|det|, G v, samples

    /** One Gram, several dampings: the Cholesky route and the eigendecomposition route against the dense spectrum. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("problems")
    void logAbsDetForSeveralDampingsFromOneGram(Problem pb) {
        int n = pb.n();
        double[] g = DenseGgn.ggn(pb.net, pb.x, pb.examples);
        double normG = normOf(g, n);
        OutputSpaceGgn os = OutputSpaceGgn.factor(pb.net, pb.x, pb.examples);
        double[] byCholesky = new double[DELTAS.length];
        for (int t = 0; t < DELTAS.length; t++) byCholesky[t] = os.logAbsDet(DELTAS[t]);
        os.eigen();
        assertTrue(os.hasEigen());
        for (int t = 0; t < DELTAS.length; t++) {
            double delta = DELTAS[t];
            double kappa = (normG + delta) / delta;
            Dense.Spectrum spectrum = Dense.spectrum(DenseSolver.eigenvalues(damped(g, n, delta), n));
            double tol = FACTOR * n * n * Dense.EPS * kappa;
            assertEquals(spectrum.logAbsDet(), byCholesky[t], tol, pb + " delta " + delta + " log|det| (Cholesky)");
            assertEquals(spectrum.logAbsDet(), os.logAbsDet(delta), tol, pb + " delta " + delta + " log|det| (eigen)");
            assertEquals(0, spectrum.inertia().negative(), pb + ": G + delta I is positive definite");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("problems")
    void ggnTimesMatchesDenseG(Problem pb) {
        int n = pb.n();
        double[] g = DenseGgn.ggn(pb.net, pb.x, pb.examples);
        OutputSpaceGgn os = OutputSpaceGgn.factor(pb.net, pb.x, pb.examples);
        for (int t = 0; t < 3; t++) {
            double[] v = RandomProblems.vector(new SplittableRandom(pb.seed * 31 + t), n);
            double[] gv = os.ggnTimes(v);
            double err = Dense.norm(Dense.minus(gv, Dense.times(g, n, n, v)));
            double bound = FACTOR * n * Dense.EPS * normOf(g, n) * Dense.norm(v);
            assertTrue(err <= bound, pb + ": |Gv - G_dense v| = " + err + " > " + bound);
        }
    }

    /** The sample map's T T^T against the dense inverse, column by column (T e_j). */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void sampleMapIsASquareRootOfTheInverse(Case c) {
        Problem pb = c.problem;
        int n = pb.n();
        double[] g = DenseGgn.ggn(pb.net, pb.x, pb.examples);
        double kappa = (normOf(g, n) + c.delta) / c.delta;
        double[] damped = damped(g, n, c.delta);
        double[] inverse = new double[n * n];
        for (int j = 0; j < n; j++) System.arraycopy(DenseSolver.solve(damped, n, unit(n, j)), 0, inverse, j * n, n);
        OutputSpaceGgn os = OutputSpaceGgn.factor(pb.net, pb.x, pb.examples);
        double[] t = new double[n * n];
        for (int j = 0; j < n; j++) System.arraycopy(os.sampleMap(c.delta, unit(n, j)), 0, t, j * n, n);
        double[] ttt = Dense.multiply(t, Dense.transpose(t, n, n), n, n, n);
        double err = Dense.maxAbs(Dense.minus(ttt, inverse)) * c.delta; // relative to ||inverse|| = 1 / delta
        double bound = FACTOR * n * Dense.EPS * kappa;
        assertTrue(err <= bound, c + ": |T T^T - inverse| delta = " + err + " > " + bound);
    }

    private static double[] unit(int n, int j) {
        double[] e = new double[n];
        e[j] = 1.0;
        return e;
    }

    // ------------------------------------------------------------------ refusals and coverage

    @Test
    void refusesNonPositiveOrNonFiniteDamping() {
        Problem pb = problem(0);
        OutputSpaceGgn os = OutputSpaceGgn.factor(pb.net, pb.x, pb.examples);
        double[] r = new double[pb.n()];
        for (double bad : new double[] {0.0, -1e-3, Double.NaN, Double.POSITIVE_INFINITY}) {
            assertThrows(IllegalArgumentException.class, () -> os.solve(bad, r), "delta " + bad);
            assertThrows(IllegalArgumentException.class, () -> os.logAbsDet(bad), "delta " + bad);
            assertThrows(IllegalArgumentException.class, () -> os.sampleMap(bad, r), "delta " + bad);
        }
        assertThrows(IllegalArgumentException.class, () -> os.solve(1e-3, new double[pb.n() + 1]));
    }

    /**
     * B K > n makes C0 = U^T U singular: at delta = 1e-300 the Cholesky of C meets its rounding-level negative
     * eigenvalues and the solve is refused as numerically singular (the job's exit code 3), not returned as NaN.
     */
    @Test
    void refusesADampingBelowTheGramsRounding() {
        Problem pb = problem(6);
        OutputSpaceGgn os = OutputSpaceGgn.factor(pb.net, pb.x, pb.examples);
        assertTrue(os.outputs() > pb.n(), pb.toString());
        var e = assertThrows(org.hessinv.solve.SingularStageException.class, () -> os.solve(1e-300, new double[pb.n()]));
        assertTrue(e.getMessage().contains("delta = 1.0E-300"), e.getMessage());
    }

    /** The problems cover every hidden-layer kind, every head kind, K = 1 and K > 1, B K below and above n. */
    @Test
    void problemsCoverEveryStageKind() {
        Set<String> kinds = new TreeSet<>();
        boolean wide = false, narrow = false, multiOutputMse = false;
        for (int seed = 0; seed < SEEDS; seed++) {
            Problem pb = problem(seed);
            for (AffineStage s : pb.net.stages()) {
                String kind = s instanceof HiddenLayer h ? (h.isResidual() ? "residual" : "dense")
                        : s instanceof MseHead ? "mse" : "softmax";
                kinds.add(s.isSquareParameterized() ? kind + "-" + s.parameterization().specName() : kind);
                multiOutputMse |= s instanceof MseHead && s.units() > 1;
            }
            int m = pb.examples.size() * pb.net.head().units();
            wide |= m > pb.n();
            narrow |= m < pb.n();
        }
        assertTrue(wide && narrow, "B K both above and below n");
        assertTrue(multiOutputMse, "an mse head with K > 1");
        assertEquals(Set.of("dense", "residual", "dense-gain", "dense-bias", "mse", "mse-gain", "mse-bias", "softmax"), kinds);
    }
}
