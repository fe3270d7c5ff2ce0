package org.hessinv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ludovic.netlib.lapack.LAPACK;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.hessinv.curvature.Curvature;
import org.hessinv.curvature.ExampleBatch;
import org.hessinv.curvature.StageForm;
import org.hessinv.io.Json;
import org.hessinv.linalg.Inertia;
import org.hessinv.io.Npy;
import org.hessinv.model.Example;
import org.hessinv.model.ModelSpec;
import org.hessinv.model.MseHead;
import org.hessinv.model.Network;
import org.hessinv.spark.CurvatureSample;
import org.hessinv.testing.JobRun;
import org.hessinv.testing.Dense;
import org.hessinv.testing.DenseCurvature;
import org.hessinv.testing.FiniteDifferences;
import org.hessinv.testing.RandomProblems;
import org.hessinv.testing.ReferenceNetwork;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.netlib.util.intW;

/**
 * The job (local[2], the entry the other job tests use) on networks whose first layer is wide: 40 inputs
 * and 4 units over a curvature batch of 8, so p_1 = 4 * 41 = 164 > 32 = B * units and the stage is stored
 * factored and pivoted through its capacitance ({@link StageForm#usesCapacitance}); the Spark pipeline then sees
 * {@code sumS == null} for that layer.
 *
 * <p><b>Reference.</b> C is assembled column by column from R-passes over the same curvature batch
 * ({@link DenseCurvature#byRPass}) and checked against curvature built without the engine's R-pass (Hessian:
 * differences of the analytic gradient; GGN: J^T Lambda J from differences of an independent forward pass
 * and loss); r is the gradient over all examples, checked against differences of the independent
 * {@link ReferenceNetwork} loss. Then {@code (C + delta I) d = r} is solved by LAPACK dgesv (LU with partial
 * pivoting: not the Bunch-Kaufman/Cholesky/capacitance route of the engine) and log|det| and inertia are
 * read off dsyev eigenvalues. LAPACK is called directly, not through the engine's facade.
 *
 * <p><b>Tolerances</b> (kappa = max|lambda| / min|lambda| of C + delta I from dsyev, n parameters, eps = 2^-52):
 * <ul>
 *   <li>direction: a backward-stable solve has relative forward error about n eps kappa; both the job's
 *       and the reference's solve carry it, so {@code 10 n eps kappa} ({@code BACKWARD_FACTOR} = 10, as the
 *       engine tests). The job's gradient is a tree sum in another order than the reference's sequential
 *       one: by the summation bound its relative error is at most {@code N eps sum_i |g_i| / |g|}, amplified
 *       by kappa, which is added.</li>
 *   <li>log|det|: a backward error E with |E| <= c n eps |A| moves log|det| by about tr(A^-1 E) <= n c n eps
 *       kappa: absolute tolerance {@code 10 n^2 eps kappa}.</li>
 *   <li>inertia: exact, after checking that no eigenvalue lies within the backward error of 0
 *       (min|lambda| > 10 n eps max|lambda|).</li>
 *   <li>certified residual: the backward-error bound {@code 10 n eps |A| |d| / |r|}.</li>
 *   <li>partition counts 1, 3, 7: the stage blocks do not depend on the partitioning (records keyed by example
 *       index, S summed in example order), so log|det| and inertia must be identical bit for bit. The
 *       directions come from the same factorization applied to right-hand sides that differ only by the
 *       gradient's summation order (and Spark's merge order of partial sums), each within
 *       {@code N eps sum_i |g_i| / |g|} of the exact gradient; so they may differ by at most
 *       {@code 2 kappa (N eps sum_i |g_i| / |g| + n eps)} relative (the n eps for the triangular solves' own
 *       rounding): 2e-12 (GGN) to 5e-11 (Hessian) here, tighter than the reference tolerance. (The README's
 *       "<= 1e-12" is not implied by this worst case for the Hessian problems, kappa ~ 1e3; the measured
 *       differences are printed.)</li>
 * </ul>
 */
@Tag("spark")
class WideLayerJobTest {
    private static final double EPS = Math.ulp(1.0);
    private static final double BACKWARD_FACTOR = 10;
    private static final int ROWS = 24;
    private static final int CURVATURE_BATCH = 8;
    private static final long SAMPLE_SEED = 11;
    private static final double DAMPING = 0.05;

    /** Softmax head: input 40, dense tanh 4 (wide), residual tanh, dense gelu 4, 3 classes. 219 parameters. */
    static final String SOFTMAX = "{\"input\": 40, \"layers\": [{\"type\": \"dense\", \"units\": 4, \"activation\": \"tanh\"},"
            + " {\"type\": \"residual\", \"activation\": \"tanh\"}, {\"type\": \"dense\", \"units\": 4, \"activation\": \"gelu\"}],"
            + " \"head\": {\"type\": \"softmax\", \"classes\": 3}}";
    /** Mse head: input 40, dense tanh 4 (wide), dense sigmoid 4, 2 outputs. 194 parameters. */
    static final String MSE = "{\"input\": 40, \"layers\": [{\"type\": \"dense\", \"units\": 4, \"activation\": \"tanh\"},"
            + " {\"type\": \"dense\", \"units\": 4, \"activation\": \"sigmoid\"}], \"head\": {\"type\": \"mse\", \"outputs\": 2}}";
    /** Input 40, dense tanh 4 (wide), mse head with 4 outputs: the head (20 parameters) has full-rank curvature over 8 examples. */
    static final String WIDE_ONLY = "{\"input\": 40, \"layers\": [{\"type\": \"dense\", \"units\": 4, \"activation\": \"tanh\"}],"
            + " \"head\": {\"type\": \"mse\", \"outputs\": 4}}";

    private static SparkSession spark;
    @TempDir static Path dir;

    /** One problem: the model, its parameters, all examples and the curvature batch the job will draw. */
    record Problem(String name, Path dir, Network net, double[] x, List<Example> examples, List<Example> curvatureBatch) {
        Path model() { return dir.resolve(name + ".json"); }
        Path params() { return dir.resolve(name + "-params.npy"); }
        Path data() { return dir.resolve(name + ".csv"); }
    }

    private static Problem softmax;
    private static Problem mse;
    private static Problem wideOnly;

    @BeforeAll
    static void start() throws IOException {
        spark = SparkSession.builder().master("local[2]").appName("hessinv-wide-test")
                .config("spark.ui.enabled", "false").getOrCreate();
        softmax = problem(dir, "softmax", SOFTMAX, 31);
        mse = problem(dir, "mse", MSE, 32);
        wideOnly = problem(dir, "wide-only", WIDE_ONLY, 33);
    }

    @AfterAll
    static void stop() { spark.stop(); }

    /** Writes the model, parameters (.npy) and data (CSV) of a seeded problem into {@code dir}. */
    static Problem problem(Path dir, String name, String spec, long seed) throws IOException {
        Problem p = problem(dir, name, spec, seed, ROWS, CURVATURE_BATCH);
        // the premise of this test class: the first stage is a capacitance stage for the curvature batch, the others are not
        Network net = p.net();
        assertTrue(StageForm.usesCapacitance(net.stage(0), CURVATURE_BATCH), "stage 1 must be a capacitance stage");
        for (int l = 1; l < net.stageCount(); l++) assertFalse(StageForm.usesCapacitance(net.stage(l), CURVATURE_BATCH), "stage " + (l + 1));
        return p;
    }

    /** As above with {@code rows} examples and a curvature batch of {@code batch} of them. */
    static Problem problem(Path dir, String name, String spec, long seed, int rows, int batch) throws IOException {
        Network net = ModelSpec.parse(spec);
        SplittableRandom rng = new SplittableRandom(seed);
        // a larger scale than the initializer, so the Hessian's second-order terms matter
        double[] x = RandomProblems.parameters(rng, net, 0.4);
        List<Example> examples = RandomProblems.examples(rng, net, rows);
        BitSet chosen = CurvatureSample.choose(rows, batch, SAMPLE_SEED);
        List<Example> curv = new ArrayList<>();
        for (int i = 0; i < rows; i++) if (chosen.get(i)) curv.add(examples.get(i));
        Problem p = new Problem(name, dir, net, x, examples, curv);
        Files.writeString(p.model(), spec);
        Npy.write(p.params(), x);
        writeCsv(p.data(), net, examples);
        return p;
    }

    private static void writeCsv(Path file, Network net, List<Example> rows) throws IOException {
        StringBuilder b = new StringBuilder();
        for (int k = 0; k < net.inputSize(); k++) b.append('f').append(k).append(',');
        boolean regression = net.head() instanceof MseHead;
        if (regression) {
            for (int k = 0; k < net.head().units(); k++) b.append(k == 0 ? "" : ",").append('y').append(k);
        } else {
            b.append("label");
        }
        b.append('\n');
        for (Example e : rows) {
            for (double f : e.features()) b.append(f).append(',');
            double[] y = e.response();
            if (regression) {
                for (int k = 0; k < y.length; k++) b.append(k == 0 ? "" : ",").append(y[k]);
            } else {
                b.append((int) y[0]);
            }
            b.append('\n');
        }
        Files.writeString(file, b.toString());
    }

    private static JobRun job(String... args) { return JobRun.of(spark, args); }

    static String[] args(Problem p, String curvature, double damping, Path out, String... extra) {
        List<String> a = new ArrayList<>(List.of("--model", p.model().toString(), "--params", p.params().toString(),
                "--data", p.data().toString(), "--curvature", curvature, "--damping", String.valueOf(damping),
                "--curvature-batch", String.valueOf(p.curvatureBatch().size()), "--seed", String.valueOf(SAMPLE_SEED), "--out", out.toString()));
        a.addAll(List.of(extra));
        return a.toArray(String[]::new);
    }

    // ---------------------------------------------------------------- the dense reference

    /** The dense reference of one (problem, curvature, damping). */
    record Reference(int n, double[] matrix, double[] gradient, double gradientRoundoff, double loss, double[] direction,
                     double[] eigenvalues, double logAbsDet, int negative, int zero, int positive) {
        double maxAbs() { return Math.max(Math.abs(eigenvalues[0]), Math.abs(eigenvalues[n - 1])); }

        double minAbs() {
            double m = Double.POSITIVE_INFINITY;
            for (double e : eigenvalues) m = Math.min(m, Math.abs(e));
            return m;
        }

        double kappa() { return maxAbs() / minAbs(); }
    }

    static Reference reference(Problem p, Curvature curvature, double delta) {
        Network net = p.net();
        int n = net.paramCount();
        ExampleBatch cb = new ExampleBatch(net, p.x(), p.curvatureBatch(), curvature);
        // C by R-passes, symmetrized by averaging (no engine routine)
        double[] c = DenseCurvature.byRPass(cb);
        double[] sym = new double[n * n];
        for (int j = 0; j < n; j++) for (int i = 0; i < n; i++) sym[j * n + i] = 0.5 * (c[j * n + i] + c[i * n + j]);
        // ... checked against curvature assembled without the R-pass
        double[] other = curvature == Curvature.HESSIAN
                ? DenseCurvature.hessianByGradientDifferences(net, p.x(), p.curvatureBatch())
                : DenseCurvature.ggn(net, p.x(), p.curvatureBatch());
        // finite-difference error: ~1e-11 (gradient differences), ~1e-9 (second differences of values); see FiniteDifferences
        double fdTol = curvature == Curvature.HESSIAN ? 1e-8 : 1e-7;
        double cDiff = Dense.maxAbs(Dense.minus(sym, other)) / Dense.maxAbs(sym);
        assertTrue(cDiff <= fdTol, p.name() + " " + curvature + ": R-pass curvature differs from finite differences by " + cDiff);
        for (int i = 0; i < n; i++) sym[i * n + i] += delta;

        // r: the gradient over all examples, checked against differences of the independent loss
        ExampleBatch all = new ExampleBatch(net, p.x(), p.examples(), curvature);
        double[] g = all.gradient();
        double[] gFd = FiniteDifferences.gradient(xx -> ReferenceNetwork.batchLoss(net, xx, p.examples()), p.x());
        double gDiff = Dense.relativeError(g, gFd);
        assertTrue(gDiff <= 1e-8, p.name() + ": analytic gradient differs from finite differences by " + gDiff);
        // summation bound of the gradient: |fl(sum) - sum| <= N eps sum_i |g_i| (per example terms g_i / N)
        double sumAbs = 0;
        for (Example e : p.examples()) sumAbs += Dense.norm(new ExampleBatch(net, p.x(), List.of(e), curvature).gradient()) / p.examples().size();
        double gradientRoundoff = p.examples().size() * EPS * sumAbs / Dense.norm(g);

        double[] d = dgesv(sym, n, g);
        double[] eig = dsyev(sym, n);
        Dense.Spectrum spectrum = Dense.spectrum(eig);
        return new Reference(n, sym, g, gradientRoundoff, ReferenceNetwork.batchLoss(net, p.x(), p.examples()), d, eig,
                spectrum.logAbsDet(), spectrum.inertia().negative(), spectrum.inertia().zero(), spectrum.inertia().positive());
    }

    /** LU with partial pivoting (LAPACK dgesv), called directly. */
    static double[] dgesv(double[] a, int n, double[] b) {
        double[] lu = a.clone();
        double[] x = b.clone();
        intW info = new intW(0);
        LAPACK.getInstance().dgesv(n, 1, lu, 0, n, new int[n], 0, x, 0, n, info);
        assertEquals(0, info.val, "dgesv: exactly singular reference matrix");
        return x;
    }

    /** Eigenvalues of a symmetric matrix, ascending (LAPACK dsyev), called directly. */
    static double[] dsyev(double[] a, int n) {
        double[] w = new double[n];
        intW info = new intW(0);
        double[] query = new double[1];
        LAPACK.getInstance().dsyev("N", "L", n, a.clone(), 0, n, w, 0, query, 0, -1, info);
        int lwork = Math.max(1, (int) query[0]);
        LAPACK.getInstance().dsyev("N", "L", n, a.clone(), 0, n, w, 0, new double[lwork], 0, lwork, info);
        assertEquals(0, info.val, "dsyev did not converge");
        return w;
    }

    // ---------------------------------------------------------------- tests

    /**
     * For partitions 1, 3 and 7 (softmax problem; 2 for the mse problem): the direction, log|det|, inertia, loss,
     * gradient norm and residual of the job against the dense reference; then the runs against each other.
     */
    @ParameterizedTest(name = "{0} head, {1}, partitions {2}")
    @CsvSource({"softmax, hessian, 1 3 7", "softmax, ggn, 1 3 7", "mse, hessian, 2", "mse, ggn, 2"})
    void jobMatchesDenseReferenceForEveryPartitionCount(String head, String curvatureName, String partitions) throws IOException {
        Problem p = head.equals("softmax") ? softmax : mse;
        Curvature curvature = Curvature.fromSpec(curvatureName);
        Reference ref = reference(p, curvature, DAMPING);
        int n = ref.n();
        double kappa = ref.kappa();
        double dirTol = BACKWARD_FACTOR * n * EPS * kappa + kappa * ref.gradientRoundoff();
        double logdetTol = BACKWARD_FACTOR * n * n * EPS * kappa;
        double sameTol = 2 * kappa * (ref.gradientRoundoff() + n * EPS);
        String what = p.name() + " " + curvatureName;
        System.out.printf(Locale.ROOT, "%s: n=%d kappa=%.3g inertia=(%d,%d,%d) logdet=%.6g gradRoundoff=%.2e dirTol=%.2e sameTol=%.2e%n",
                what, n, kappa, ref.negative(), ref.zero(), ref.positive(), ref.logAbsDet(), ref.gradientRoundoff(), dirTol, sameTol);
        if (curvature == Curvature.HESSIAN) assertTrue(ref.negative() > 0, what + ": the Hessian case should be indefinite");
        assertTrue(ref.minAbs() > BACKWARD_FACTOR * n * EPS * ref.maxAbs(), what + ": an eigenvalue is within rounding of 0; inertia undecidable");

        int[] partitionCounts = java.util.Arrays.stream(partitions.split(" ")).mapToInt(Integer::parseInt).toArray();
        double[][] directions = new double[partitionCounts.length][];
        double[] logdets = new double[partitionCounts.length];
        Inertia[] inertias = new Inertia[partitionCounts.length];
        for (int k = 0; k < partitionCounts.length; k++) {
            int parts = partitionCounts[k];
            Path out = dir.resolve("out-" + what.replace(' ', '-') + "-" + parts);
            JobRun r = job(args(p, curvatureName, DAMPING, out, "--partitions", String.valueOf(parts)));
            assertEquals(0, r.code(), r.stderr());
            double[] d = Npy.read(out.resolve("direction.npy"));
            DirectionReport report = Json.read(out.resolve("report.json"), DirectionReport.class);
            String at = what + ", " + parts + " partitions";

            assertEquals(n, d.length, at);
            double err = Dense.relativeError(d, ref.direction());
            System.out.printf(Locale.ROOT, "  %s: |d - d_ref|/|d_ref| = %.2e (tol %.2e), logdet diff %.2e (tol %.2e), residual %.2e%n", at, err, dirTol,
                    Math.abs(report.logAbsDet() - ref.logAbsDet()), logdetTol, report.residual());
            assertTrue(err <= dirTol, at + ": direction differs from the dense reference by " + err + " > " + dirTol);
            assertEquals(ref.logAbsDet(), report.logAbsDet(), logdetTol, at + ": log|det|");
            Inertia inertia = report.inertia().orElseThrow();
            assertEquals(ref.negative(), inertia.negative(), at + ": negative eigenvalues");
            assertEquals(ref.zero(), inertia.zero(), at + ": zero eigenvalues");
            assertEquals(ref.positive(), inertia.positive(), at + ": positive eigenvalues");

            assertEquals(ROWS, report.examples(), at);
            assertEquals(CURVATURE_BATCH, report.curvatureExamples(), at);
            assertEquals(parts, report.partitions(), at);
            assertEquals(curvatureName, report.curvature(), at);
            assertEquals(DAMPING, report.damping(), 0.0, at);
            // loss and |g| against the independent forward pass and the finite-difference-checked gradient
            assertEquals(ref.loss(), report.loss(), 1e-12 * Math.abs(ref.loss()), at + ": loss");
            assertEquals(Dense.norm(ref.gradient()), report.gradientNorm(), 1e-12 * Dense.norm(ref.gradient()), at + ": |g|");
            assertEquals(Dense.norm(ref.direction()), report.directionNorm(), dirTol * Dense.norm(ref.direction()), at);
            double residualBound = BACKWARD_FACTOR * n * EPS * ref.maxAbs() * Dense.norm(d) / Dense.norm(ref.gradient());
            assertTrue(report.residual() <= residualBound, at + ": residual " + report.residual() + " > " + residualBound);
            // the certificate is not vacuous: the reference's own residual on the same matrix is of the same order
            double[] res = Dense.minus(Dense.times(ref.matrix(), n, n, d), ref.gradient());
            assertTrue(Dense.norm(res) / Dense.norm(ref.gradient()) <= residualBound + ref.gradientRoundoff(),
                    at + ": dense residual of the written direction " + Dense.norm(res) / Dense.norm(ref.gradient()));

            directions[k] = d;
            logdets[k] = report.logAbsDet();
            inertias[k] = inertia;
        }
        for (int k = 1; k < partitionCounts.length; k++) {
            String at = what + ": " + partitionCounts[k] + " vs " + partitionCounts[0] + " partitions";
            double diff = Dense.relativeError(directions[k], directions[0]);
            System.out.printf(Locale.ROOT, "  %s: relative difference %.2e (tol %.2e)%n", at, diff, sameTol);
            assertTrue(diff <= sameTol, at + ": directions differ by " + diff + " > " + sameTol);
            assertEquals(logdets[0], logdets[k], 0.0, at + ": log|det| must not depend on the partitioning");
            assertEquals(inertias[0], inertias[k], at + ": inertia must not depend on the partitioning");
        }
    }

    /** A given right-hand side (--rhs R.npy) is solved exactly as the dense reference solves it: no gradient rounding in the way. */
    @Test
    void givenRightHandSideMatchesDenseReference() throws IOException {
        Problem p = softmax;
        Reference ref = reference(p, Curvature.HESSIAN, DAMPING);
        int n = ref.n();
        double[] rhs = RandomProblems.vector(new SplittableRandom(77), n);
        Path rhsFile = dir.resolve("rhs.npy");
        Npy.write(rhsFile, rhs);
        Path out = dir.resolve("out-rhs");
        JobRun r = job(args(p, "hessian", DAMPING, out, "--partitions", "3", "--rhs", rhsFile.toString()));
        assertEquals(0, r.code(), r.stderr());
        double[] d = Npy.read(out.resolve("direction.npy"));
        double tol = BACKWARD_FACTOR * n * EPS * ref.kappa();
        double err = Dense.relativeError(d, dgesv(ref.matrix(), n, rhs));
        assertTrue(err <= tol, "direction for --rhs differs from the dense reference by " + err + " > " + tol);
        DirectionReport report = Json.read(out.resolve("report.json"), DirectionReport.class);
        assertEquals(Dense.norm(rhs), report.rhsNorm(), 1e-14 * Dense.norm(rhs));
    }

    /**
     * At the switch between the two pivots (stage 1: p_1 = 4 * 41 = 164, a capacitance stage iff 41 > B): B = 40 is the
     * widest capacitance (m = 160, nearly p_1) and B = 41 the first dense pivot; both against the dense
     * reference with the tolerances of {@link #jobMatchesDenseReferenceForEveryPartitionCount}.
     */
    @ParameterizedTest(name = "curvature batch {0}, {1}")
    @CsvSource({"40, hessian, true", "41, ggn, false"})
    void batchAtTheCapacitanceThresholdMatchesDenseReference(int batch, String curvatureName, boolean capacitance, @TempDir Path t) throws IOException {
        Problem p = problem(t, "threshold", SOFTMAX, 34, 48, batch);
        assertEquals(capacitance, StageForm.usesCapacitance(p.net().stage(0), batch), "premise: is stage 1 a capacitance stage at B = " + batch);
        singleRunMatchesDenseReference(p, curvatureName, t.resolve("out"));
    }

    /**
     * A small curvature batch makes every stage a capacitance stage, not only a dense input layer: residual stages (p = 72 > 4 * 8)
     * and the softmax head (p = 27 > 4 * 3) then take the capacitance route too.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"hessian", "ggn"})
    void everyStageWideMatchesDenseReference(String curvatureName, @TempDir Path t) throws IOException {
        String spec = "{\"input\": 8, \"layers\": [{\"type\": \"dense\", \"units\": 8, \"activation\": \"tanh\"},"
                + " {\"type\": \"residual\", \"activation\": \"tanh\", \"repeat\": 2}], \"head\": {\"type\": \"softmax\", \"classes\": 3}}";
        Problem p = problem(t, "all-wide", spec, 35, 16, 4);
        for (int l = 0; l < p.net().stageCount(); l++) assertTrue(StageForm.usesCapacitance(p.net().stage(l), 4), "premise: stage " + (l + 1) + " a capacitance stage");
        singleRunMatchesDenseReference(p, curvatureName, t.resolve("out"));
    }

    /** One job run (3 partitions) against the dense reference: direction, log|det|, inertia, with the class's tolerances. */
    private static void singleRunMatchesDenseReference(Problem p, String curvatureName, Path out) throws IOException {
        int batch = p.curvatureBatch().size();
        Reference ref = reference(p, Curvature.fromSpec(curvatureName), DAMPING);
        int n = ref.n();
        double kappa = ref.kappa();
        double dirTol = BACKWARD_FACTOR * n * EPS * kappa + kappa * ref.gradientRoundoff();
        String what = p.name() + " B=" + batch + " " + curvatureName;
        assertTrue(ref.minAbs() > BACKWARD_FACTOR * n * EPS * ref.maxAbs(), what + ": an eigenvalue is within rounding of 0; inertia undecidable");
        JobRun r = job(args(p, curvatureName, DAMPING, out, "--partitions", "3"));
        assertEquals(0, r.code(), r.stderr());
        double[] d = Npy.read(out.resolve("direction.npy"));
        DirectionReport report = Json.read(out.resolve("report.json"), DirectionReport.class);
        double err = Dense.relativeError(d, ref.direction());
        System.out.printf(Locale.ROOT, "%s: n=%d kappa=%.3g inertia=(%d,%d,%d) |d - d_ref|/|d_ref| = %.2e (tol %.2e)%n", what, n, kappa,
                ref.negative(), ref.zero(), ref.positive(), err, dirTol);
        assertTrue(err <= dirTol, what + ": direction differs from the dense reference by " + err + " > " + dirTol);
        assertEquals(batch, report.curvatureExamples(), what);
        assertEquals(ref.logAbsDet(), report.logAbsDet(), BACKWARD_FACTOR * n * n * EPS * kappa, what + ": log|det|");
        assertEquals(ref.negative(), report.inertia().orElseThrow().negative(), what + ": negative eigenvalues");
        assertEquals(ref.positive(), report.inertia().orElseThrow().positive(), what + ": positive eigenvalues");
    }

    /**
     * Without damping the capacitance stage's curvature has rank at most B units = 32 < 164 = p_1, so the system is
     * singular: the job must refuse (exit 3) naming the first singular layer of the backward sweep (L..1) and
     * suggesting damping, and leave nothing behind (no output folder, no temporary folder).
     * <ul>
     *   <li>wide-only (wide layer + mse head of 20 parameters, full rank over 8 examples), Hessian and GGN; mse,
     *       Hessian: the wide layer 1 is the first singular pivot.</li>
     *   <li>mse, GGN: the whole GGN has rank at most B outputs = 16, less than the 30 parameters of layers 2-3,
     *       so the sweep meets a singular pivot already at layer 2.</li>
     * </ul>
     * (A softmax head is singular along the equal-logit shift, so it would be refused at the head first.)
     */
    @ParameterizedTest(name = "{0} {1}: layer {2}")
    @CsvSource({"wide-only, hessian, 1", "wide-only, ggn, 1", "mse, hessian, 1", "mse, ggn, 2"})
    void undampedWideLayerIsRefusedAndNothingIsWritten(String problem, String curvatureName, int layer, @TempDir Path t) throws IOException {
        Problem p = problem.equals("mse") ? mse : wideOnly;
        Path out = t.resolve("out");
        JobRun r = job(args(p, curvatureName, 0.0, out, "--partitions", "3"));
        assertEquals(NewtonDirectionJob.EXIT_SINGULAR, r.code(), r.stderr());
        String line = r.lastLine();
        assertTrue(line.startsWith("error: "), r.stderr());
        assertTrue(line.contains("layer " + layer + ":") || line.contains("layer " + layer + " "), "message does not name layer " + layer + ": " + line);
        assertTrue(line.contains("--damping"), "message does not suggest damping: " + line);
        assertFalse(Files.exists(out), "output folder was created");
        try (Stream<Path> s = Files.list(t)) {
            List<Path> left = s.toList();
            assertTrue(left.isEmpty(), "files left behind: " + left);
        }
    }
}
