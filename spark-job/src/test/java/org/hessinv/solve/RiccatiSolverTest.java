package org.hessinv.solve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.hessinv.curvature.Curvature;
import org.hessinv.curvature.ExampleBatch;
import org.hessinv.model.Activation;
import org.hessinv.model.AffineStage;
import org.hessinv.model.Example;
import org.hessinv.model.HiddenLayer;
import org.hessinv.model.Network;
import org.hessinv.testing.Dense;
import org.hessinv.testing.DenseCurvature;
import org.hessinv.testing.RandomProblems;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Riccati solve against the dense reference on seeded random networks (RandomProblems: dense
 * and residual layers, all activations, mse and softmax heads; 2..4 hidden layers), batch sizes
 * 1..32, Hessian (indefinite: checked) and GGN, damping 0 (where the Hessian is nonsingular),
 * 1e-3 and 0.05: direction, log|det|, inertia and the R-pass residual.
 *
 * <p>Tolerances. kappa = max|lambda| / min|lambda| of C + delta I (dense eigendecomposition).
 * The dense LU solve is backward stable and so is the Riccati recursion when its pivots are well
 * conditioned, so each has forward error <~ c n eps kappa; we require
 * {@code ||d - d_dense|| / ||d_dense|| <= max(1e-9, FACTOR n eps kappa)} with FACTOR = 10 (the
 * backward-error constant NewtonDirectionJobTest uses): 1e-9 in every case with n eps kappa < 1e-11,
 * the kappa term only for the few cases with kappa > ~1e5 where 1e-9 is not reachable by any
 * backward-stable solver.
 */
class RiccatiSolverTest {
    private static final double FACTOR = 10;
    private static final double TARGET = 1e-9;
    private static final int[] BATCHES = {1, 2, 3, 4, 5, 8, 12, 16, 24, 32};
    private static final int SEEDS = 20;
    /** Seeds whose batch makes H (no damping) nonsingular: B a >= p in every layer (checked by the test: kappa < 1e9). */
    private static final Set<Integer> UNDAMPED_HESSIAN = Set.of(3, 9, 19);

    record Case(int seed, Curvature curvature, double delta) {
        @Override public String toString() { return "seed " + seed + " " + curvature.specName() + " delta " + delta; }
    }

    static Stream<Case> cases() {
        List<Case> out = new ArrayList<>();
        for (int seed = 0; seed < SEEDS; seed++) {
            for (Curvature c : Curvature.values()) for (double delta : new double[] {1e-3, 0.05}) out.add(new Case(seed, c, delta));
            if (UNDAMPED_HESSIAN.contains(seed)) out.add(new Case(seed, Curvature.HESSIAN, 0.0));
        }
        return out.stream();
    }

    record Problem(Network net, double[] x, List<Example> examples) {}

    static Problem problem(int seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        Network net = RandomProblems.network(rng, 3, 2 + seed % 3, seed % 2 == 0);
        double[] x = RandomProblems.parameters(rng, net, 0.8);
        return new Problem(net, x, RandomProblems.examples(rng, net, BATCHES[seed % BATCHES.length]));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesTheDenseSolve(Case c) {
        Problem pb = problem(c.seed);
        ExampleBatch batch = new ExampleBatch(pb.net, pb.x, pb.examples, c.curvature);
        int n = pb.net.paramCount();
        double[] m = DenseSolver.assemble(batch, c.delta);
        double[] eig = DenseSolver.eigenvalues(m, n);
        double kappa = Dense.condition(eig);
        assertTrue(kappa < 1e9, c + ": the case must be nonsingular for this test, kappa " + kappa);
        double[] r = RandomProblems.vector(new SplittableRandom(c.seed + 99), n);

        RiccatiSolution sol = RiccatiSolver.solve(batch, c.delta, r, SweepProgress.NONE);
        double[] dense = DenseSolver.solve(m, n, r);
        double err = Dense.relativeError(sol.direction(), dense);
        double bound = Math.max(TARGET, FACTOR * n * Dense.EPS * kappa);
        double[] piv = DenseCurvature.pivotConditions(pb.net, m);
        String info = c + " " + pb.net.describe() + " B=" + pb.examples.size() + " kappa=" + kappa + " pivot kappas="
                + java.util.Arrays.toString(piv);
        assertTrue(err <= bound, info + ": relative error " + err + " > " + bound);

        // log|det| and inertia against the eigenvalues
        Dense.Spectrum spectrum = Dense.spectrum(eig);
        // each eigenvalue is known to ~n eps ||M||, i.e. relative n eps kappa: log|det| to n * that
        double ldTol = FACTOR * n * n * Dense.EPS * kappa;
        assertEquals(spectrum.logAbsDet(), sol.logAbsDet(), ldTol, info + " log|det|");
        // signs are exact: min |lambda| = ||M|| / kappa >= 1e-9 ||M|| is far above the eigensolver's n eps ||M||
        assertEquals(spectrum.inertia(), sol.inertia(), info + " inertia");
        if (c.curvature == Curvature.GGN) assertEquals(0, spectrum.inertia().negative(), info + ": G + delta I must be positive definite");

        // The R-pass residual. A backward-stable solve leaves ||(C + dI) d - r|| <= c n eps ||C + dI|| ||d||.
        // Block elimination without pivoting across layers is backward stable only up to the growth of
        // its pivots: the Schur update Qsd Qdd^-1 Qsd^T is as large as ||Qsd||^2 / sigma_min(Qdd), so the
        // backward error carries g = max(1, max_l kappa(Qdd_l) / kappa(C + dI)), computed here densely
        // (DenseCurvature.pivotConditions). Without g the bound fails only for seeds 5 and 13 (hessian,
        // delta 1e-3), whose layer pivots reach kappa 7e7 and 6e9 against kappa(C + dI) 1e4 and 4e6: the
        // residual is then 72x and ~30x the plain bound, inherent to the elimination order, not a bug.
        double normM = Math.max(Math.abs(eig[0]), Math.abs(eig[n - 1]));
        double growth = 1;
        for (double pk : piv) growth = Math.max(growth, pk / kappa);
        double res = batch.relativeResidual(sol.direction(), c.delta, r);
        double resBound = FACTOR * n * Dense.EPS * normM * Dense.norm(sol.direction()) / Dense.norm(r) * growth;
        assertTrue(res <= resBound, info + ": residual " + res + " > " + resBound + " (growth " + growth + ")");
    }

    /** The cases really cover every layer type, activation and head, every batch size, and indefinite Hessians. */
    @Test
    void casesCoverEveryLayerTypeActivationHeadAndIndefiniteHessians() {
        Set<Activation> acts = EnumSet.noneOf(Activation.class);
        Set<String> kinds = new TreeSet<>();
        int indefinite = 0;
        for (int seed = 0; seed < SEEDS; seed++) {
            Problem pb = problem(seed);
            for (AffineStage s : pb.net.stages()) {
                if (s instanceof HiddenLayer h) { acts.add(h.activation()); kinds.add(h.isResidual() ? "residual" : "dense"); }
                else kinds.add(s.describe().replaceAll("\\(.*", ""));
            }
            ExampleBatch b = new ExampleBatch(pb.net, pb.x, pb.examples, Curvature.HESSIAN);
            double[] eig = DenseSolver.eigenvalues(DenseSolver.assemble(b, 1e-3), pb.net.paramCount());
            if (eig[0] < -1e-6 * Math.abs(eig[eig.length - 1])) indefinite++;
        }
        assertEquals(EnumSet.allOf(Activation.class), acts);
        assertEquals(Set.of("dense", "residual", "mse", "softmax"), kinds);
        // damping 1e-3 leaves clearly negative eigenvalues in most of the 20 Hessians
        assertTrue(indefinite >= 10, "only " + indefinite + " indefinite Hessians");
    }
}
