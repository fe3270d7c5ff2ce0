package org.hessinv.solve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.hessinv.curvature.Curvature;
import org.hessinv.curvature.ExampleBatch;
import org.hessinv.curvature.CapacitanceStage;
import org.hessinv.curvature.LayerStage;
import org.hessinv.curvature.StageForm;
import org.hessinv.linalg.CapacitanceFactorization;
import org.hessinv.linalg.Inertia;
import org.hessinv.linalg.SymmetricFactorization;
import org.hessinv.model.Activation;
import org.hessinv.model.Example;
import org.hessinv.model.HiddenLayer;
import org.hessinv.model.Network;
import org.hessinv.model.SoftmaxHead;
import org.hessinv.testing.Dense;
import org.hessinv.testing.RandomProblems;
import org.junit.jupiter.api.Test;

/**
 * Capacitance stages (p_l > B units) pivoted through their capacitance: direction, log|det| and inertia equal the
 * dense reference (R-pass assembly, LU, eigenvalues) and the forced dense-pivot sweep; the sampling map is a
 * square root of the inverse; no damping on a capacitance stage is refused clearly.
 *
 * <p>Tolerances: a backward-stable solve of an n x n system has relative forward error up to about
 * n eps cond; we allow {@code TOL_FACTOR n eps cond} (cond from the reference eigenvalues). log|det| is a sum
 * of n logs of eigenvalues each perturbed relatively by up to eps cond, so its absolute error is bounded by the
 * same quantity.
 */
class CapacitancePivotTest {
    private static final double EPS = Math.ulp(1.0);
    private static final double TOL_FACTOR = 10;
    private static final double[] DAMPINGS = {1e-3, 0.05, 0.7, 3.0};

    private record Reference(double[] direction, double logAbsDet, Inertia inertia, double cond, double[] matrix, int n) {}

    private static Reference reference(ExampleBatch b, double delta, double[] r) {
        int n = b.network().paramCount();
        double[] c = DenseSolver.assemble(b, delta);
        Dense.Spectrum s = Dense.spectrum(DenseSolver.eigenvalues(c, n));
        return new Reference(DenseSolver.solve(c, n, r), s.logAbsDet(), s.inertia(), s.condition(), c, n);
    }

    private static RiccatiFactorization sweep(ExampleBatch b, double delta, double[] r, boolean capacitance) {
        return RiccatiSolver.backwardSweep(b, delta, r, SweepProgress.NONE,
                capacitance ? SweepOptions.DEFAULT : SweepOptions.DEFAULT.withDensePivots());
    }

    @Test
    void capacitanceStagesMatchTheDenseReferenceAndTheDensePivot() {
        int cases = 0;
        for (int seed = 0; seed < 8; seed++) {
            SplittableRandom rng = new SplittableRandom(100 + seed);
            int input = 40 + rng.nextInt(81);
            Network net = RandomProblems.network(rng, input, 2 + seed % 2, seed % 2 == 0);
            double[] x = RandomProblems.parameters(rng, net, 0.7);
            int batch = 1 + seed % 6;
            List<Example> ex = RandomProblems.examples(rng, net, batch);
            assertTrue(StageForm.usesCapacitance(net.stage(0), batch), "the first stage must be a capacitance stage for this test");
            for (Curvature c : Curvature.values()) {
                ExampleBatch b = new ExampleBatch(net, x, ex, c);
                assertInstanceOf(CapacitanceStage.class, b.stage(0).form, "a capacitance stage keeps Bs and S factored");
                double[] r = RandomProblems.vector(rng, net.paramCount());
                for (double delta : DAMPINGS) {
                    Reference ref = reference(b, delta, r);
                    double tol = TOL_FACTOR * ref.n() * EPS * ref.cond();
                    RiccatiFactorization low = sweep(b, delta, r, true);
                    RiccatiFactorization dense = sweep(b, delta, r, false);
                    assertInstanceOf(CapacitanceFactorization.class, low.pivot(0));
                    assertFalse(dense.pivot(0) instanceof CapacitanceFactorization);
                    double[] dLow = low.forwardSweep(b, SweepProgress.NONE);
                    double[] dDense = dense.forwardSweep(b, SweepProgress.NONE);
                    String what = "seed " + seed + " " + c + " " + net.describe() + " B=" + batch + " delta=" + delta
                            + " cond=" + String.format("%.2g", ref.cond());
                    double errRef = RandomProblems.relativeError(dLow, ref.direction());
                    double errDense = RandomProblems.relativeError(dLow, dDense);
                    System.out.printf("%s errRef=%.2e errDense=%.2e tol=%.2e%n", what, errRef, errDense, tol);
                    assertTrue(errRef <= tol, what + ": error vs reference " + errRef + " > " + tol);
                    assertTrue(errDense <= tol, what + ": error vs dense pivot " + errDense + " > " + tol);
                    assertEquals(ref.logAbsDet(), low.logAbsDet(), tol * Math.max(1, Math.abs(ref.logAbsDet())), what + ": log|det|");
                    assertEquals(dense.logAbsDet(), low.logAbsDet(), tol * Math.max(1, Math.abs(ref.logAbsDet())), what + ": log|det| vs dense pivot");
                    assertEquals(ref.inertia(), low.inertia(), what + ": inertia");
                    assertEquals(dense.inertia(), low.inertia(), what + ": inertia vs dense pivot");
                    assertTrue(Double.isFinite(low.logAbsDet()));
                    cases++;
                }
            }
        }
        assertEquals(8 * 2 * DAMPINGS.length, cases);
    }

    /** The anchor's shape in miniature: a wide input layer (a capacitance stage), narrow tanh layers, a softmax head; indefinite Hessians included. */
    @Test
    void anchorShapeInMiniatureIncludingIndefiniteHessians() {
        Network net = new Network(60, List.of(HiddenLayer.dense(60, 4, Activation.TANH), HiddenLayer.dense(4, 4, Activation.TANH),
                HiddenLayer.dense(4, 4, Activation.TANH)), new SoftmaxHead(4, 3));
        SplittableRandom rng = new SplittableRandom(7);
        double[] x = RandomProblems.parameters(rng, net, 1.5);
        int indefinite = 0;
        for (int batch = 1; batch <= 6; batch++) {
            List<Example> ex = RandomProblems.examples(rng, net, batch);
            ExampleBatch b = new ExampleBatch(net, x, ex, Curvature.HESSIAN);
            double[] r = RandomProblems.vector(rng, net.paramCount());
            for (double delta : new double[] {1e-2, 0.2}) {
                Reference ref = reference(b, delta, r);
                RiccatiFactorization low = sweep(b, delta, r, true);
                double tol = TOL_FACTOR * ref.n() * EPS * ref.cond();
                double err = RandomProblems.relativeError(low.forwardSweep(b, SweepProgress.NONE), ref.direction());
                assertTrue(err <= tol, "B=" + batch + " delta=" + delta + ": " + err + " > " + tol);
                assertEquals(ref.inertia(), low.inertia(), "B=" + batch + " delta=" + delta);
                assertEquals(ref.logAbsDet(), low.logAbsDet(), tol * Math.abs(ref.logAbsDet()));
                if (ref.inertia().negative() > 0) indefinite++;
            }
        }
        assertTrue(indefinite > 0, "no indefinite case was exercised");
    }

    @Test
    void sampleMapIsASquareRootOfTheInverse() {
        for (int seed = 0; seed < 4; seed++) {
            SplittableRandom rng = new SplittableRandom(300 + seed);
            Network net = RandomProblems.network(rng, 45 + 10 * seed, 2, seed % 2 == 1);
            double[] x = RandomProblems.parameters(rng, net, 0.7);
            int batch = 1 + 2 * seed % 5;
            ExampleBatch b = new ExampleBatch(net, x, RandomProblems.examples(rng, net, batch), Curvature.GGN);
            int n = net.paramCount();
            for (double delta : new double[] {1e-2, 1.0}) {
                Reference ref = reference(b, delta, new double[n]);
                RiccatiFactorization f = sweep(b, delta, new double[n], true);
                assertInstanceOf(CapacitanceFactorization.class, f.pivot(0));
                double[] t = new double[n * n];
                for (int j = 0; j < n; j++) {
                    double[] e = new double[n];
                    e[j] = 1.0;
                    System.arraycopy(f.sampleMap(b, e), 0, t, j * n, n);
                }
                // (C + delta I) T T^T = I
                double[] ct = new double[n * n];
                org.hessinv.linalg.Blas.gemm(false, false, n, n, n, 1.0, ref.matrix(), 0, n, t, 0, n, 0.0, ct, 0, n);
                double[] prod = new double[n * n];
                org.hessinv.linalg.Blas.gemm(false, true, n, n, n, 1.0, ct, 0, n, t, 0, n, 0.0, prod, 0, n);
                double err = 0;
                for (int j = 0; j < n; j++) for (int i = 0; i < n; i++) err = Math.max(err, Math.abs(prod[j * n + i] - (i == j ? 1 : 0)));
                double tol = TOL_FACTOR * n * EPS * ref.cond();
                assertTrue(err <= tol, "seed " + seed + " delta " + delta + ": |(C + delta I) T T^T - I| = " + err + " > " + tol);
                double[] s = f.sample(b, new SplittableRandom(seed));
                for (double v : s) assertTrue(Double.isFinite(v));
            }
        }
    }

    @Test
    void noDampingOnACapacitanceStageIsRefusedClearly() {
        SplittableRandom rng = new SplittableRandom(11);
        Network net = RandomProblems.network(rng, 50, 2, true);
        double[] x = RandomProblems.parameters(rng, net, 0.7);
        ExampleBatch b = new ExampleBatch(net, x, RandomProblems.examples(rng, net, 3), Curvature.GGN);
        double[] r = RandomProblems.vector(rng, net.paramCount());
        SingularStageException e = assertThrows(SingularStageException.class,
                () -> RiccatiSolver.solve(b, 0.0, r, SweepProgress.NONE));
        assertTrue(StageForm.usesCapacitance(net.stage(e.layer() - 1), 3), "refused at layer " + e.layer() + ", not a capacitance stage");
        assertTrue(e.getMessage().contains("without damping") && e.getMessage().contains("--damping"), e.getMessage());
        // full rank needs B units >= p_l = units (inputs + 1): a batch of inputs + 1 examples of the refused stage
        int fullRank = net.stage(e.layer() - 1).inputSize() + 1;
        assertTrue(e.getMessage().contains("at least " + fullRank + " examples (--curvature-batch)"), e.getMessage());
        // the dense pivot is exactly singular too (rank <= B units < p): it must refuse, not return NaN
        assertThrows(SingularStageException.class,
                () -> RiccatiSolver.solve(b, 0.0, r, SweepProgress.NONE, SweepOptions.DEFAULT.withDensePivots()));
    }

    /**
     * The factorization alone, on delta I + U M U^T with U = I kron Zt formed explicitly: indefinite M, and
     * Zt of full rank, with repeated columns (duplicate examples) and with a zero-weight example.
     */
    @Test
    void capacitanceFactorizationEqualsDenseWhateverTheRankOfTheInputs() {
        SplittableRandom rng = new SplittableRandom(5);
        int units = 3, inputs = 17;
        for (int variant = 0; variant < 3; variant++) {
            for (int batch : new int[] {1, 4, 7}) {
                int ld = inputs + 1, p = units * ld, m = units * batch;
                double[] zt = new double[ld * batch];
                for (int i = 0; i < batch; i++) {
                    for (int k = 0; k < inputs; k++) zt[i * ld + k] = Network.gaussian(rng);
                    zt[i * ld + inputs] = 1.0;
                }
                if (variant == 1 && batch > 1) System.arraycopy(zt, 0, zt, (batch - 1) * ld, ld); // duplicate example
                double[] mid = new double[m * m];
                for (int j = 0; j < m; j++) for (int i = 0; i <= j; i++) {
                    double v = Network.gaussian(rng);
                    mid[j * m + i] = v;
                    mid[i * m + j] = v;
                }
                if (variant == 2) for (int i = 0; i < m; i++) for (int j = 0; j < m; j++) if (i % batch == 0 || j % batch == 0) mid[j * m + i] = 0;
                // U column (mu, i) (unit-major) = e_mu kron zt_i in the stage's parameter order
                double[] u = new double[p * m];
                for (int mu = 0; mu < units; mu++) for (int i = 0; i < batch; i++) {
                    int col = (mu * batch + i) * p;
                    for (int k = 0; k < inputs; k++) u[col + mu * inputs + k] = zt[i * ld + k];
                    u[col + units * inputs + mu] = 1.0;
                }
                for (double delta : new double[] {1e-3, 0.5, 4.0}) {
                    double[] um = new double[p * m];
                    org.hessinv.linalg.Blas.gemm(false, false, p, m, m, 1.0, u, 0, p, mid, 0, m, 0.0, um, 0, p);
                    double[] q = new double[p * p];
                    org.hessinv.linalg.Blas.gemm(false, true, p, p, m, 1.0, um, 0, p, u, 0, p, 0.0, q, 0, p);
                    for (int i = 0; i < p; i++) q[i * p + i] += delta;
                    org.hessinv.linalg.Blas.symmetrize(q, p);
                    Dense.Spectrum spectrum = Dense.spectrum(DenseSolver.eigenvalues(q, p));
                    String what = "variant " + variant + " B=" + batch + " delta=" + delta;
                    SymmetricFactorization dense = SymmetricFactorization.factor(q, p);
                    CapacitanceFactorization cf = CapacitanceFactorization.factor(units, inputs, batch, zt, mid, delta);
                    double tol = TOL_FACTOR * p * EPS * spectrum.condition();
                    double[] rhs = RandomProblems.vector(rng, 2 * p);
                    double[] ref = rhs.clone();
                    dense.solveInPlace(ref, 2);
                    double[] got = rhs.clone();
                    cf.solveInPlace(got, 2);
                    double err = RandomProblems.relativeError(got, ref);
                    assertTrue(err <= tol, what + ": solve " + err + " > " + tol);
                    assertEquals(spectrum.logAbsDet(), cf.logAbsDet(), tol * Math.max(1, Math.abs(spectrum.logAbsDet())), what);
                    assertEquals(spectrum.inertia(), cf.inertia(), what);
                    assertEquals(dense.inertia(), cf.inertia(), what);
                    assertEquals(p, cf.dimension());
                    assertTrue(cf.rcond() > 0 && cf.rcond() <= 1.0000001, what + " rcond " + cf.rcond());
                }
            }
        }
    }

    /**
     * The Spark job's stage path: per-layer records with {@link LayerStage#sumS} (null for a capacitance stage),
     * shipped by Java serialization as {@link org.hessinv.spark.LayerBatch}, assembled on the driver: the same
     * solve as in process.
     */
    @Test
    void sparkShapedStagesWithoutSummedSGiveTheSameSolve() throws Exception {
        SplittableRandom rng = new SplittableRandom(21);
        Network net = RandomProblems.network(rng, 70, 3, true);
        double[] x = RandomProblems.parameters(rng, net, 0.7);
        ExampleBatch b = new ExampleBatch(net, x, RandomProblems.examples(rng, net, 4), Curvature.HESSIAN);
        java.util.Map<Integer, org.hessinv.spark.LayerBatch> shipped = new java.util.HashMap<>();
        for (int l = 0; l < net.stageCount(); l++) {
            var records = b.records(l);
            double[] summed = LayerStage.sumS(net, x, l, records);
            assertEquals(StageForm.usesCapacitance(net.stage(l), 4), summed == null, "stage " + l);
            var bytes = new java.io.ByteArrayOutputStream();
            try (var out = new java.io.ObjectOutputStream(bytes)) { out.writeObject(new org.hessinv.spark.LayerBatch(l, records, summed)); }
            try (var in = new java.io.ObjectInputStream(new java.io.ByteArrayInputStream(bytes.toByteArray()))) {
                shipped.put(l, (org.hessinv.spark.LayerBatch) in.readObject());
            }
        }
        assertNull(shipped.get(0).summedS());
        org.hessinv.curvature.StageSource source = new org.hessinv.curvature.StageSource() {
            @Override public int stageCount() { return net.stageCount(); }
            @Override public int paramCount(int l) { return net.stage(l).paramCount(); }
            @Override public LayerStage stage(int l) {
                var lb = shipped.get(l);
                return LayerStage.assemble(net, x, l, lb.records(), lb.summedS());
            }
        };
        double[] r = RandomProblems.vector(rng, net.paramCount());
        RiccatiSolution inProcess = RiccatiSolver.solve(b, 0.05, r, SweepProgress.NONE);
        RiccatiSolution viaRecords = RiccatiSolver.solve(source, 0.05, r, SweepProgress.NONE);
        assertEquals(0.0, RandomProblems.relativeError(viaRecords.direction(), inProcess.direction()), 1e-15);
        assertEquals(inProcess.logAbsDet(), viaRecords.logAbsDet(), 0.0);
        assertEquals(inProcess.inertia(), viaRecords.inertia());
    }
}
