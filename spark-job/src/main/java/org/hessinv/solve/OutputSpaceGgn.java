package org.hessinv.solve;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.hessinv.linalg.Blas;
import org.hessinv.linalg.Inertia;
import org.hessinv.linalg.RecursiveCholesky;
import org.hessinv.model.AffineStage;
import org.hessinv.model.Example;
import org.hessinv.model.Head;
import org.hessinv.model.HiddenLayer;
import org.hessinv.model.InvalidInputException;
import org.hessinv.model.Network;
import org.netlib.util.intW;

/**
 * The damped Gauss-Newton system {@code (G + delta I) d = r}, {@code delta > 0}, solved exactly in the
 * space of the batch's outputs (docs/math.md, "The damped GGN in output space"): its size is
 * {@code m = B K} (B examples, K the head's outputs or classes), not the parameter count n, and it is
 * formed from per-layer Gram products without any n x n or p_l x p_l block.
 *
 * <p><b>Derivation.</b> Stack the output Jacobians {@code J_i = du_L/dx} (K x n) of the examples into
 * J (m x n, row {@code (i, k)} at index {@code i K + k}) and let {@code M = blockdiag(Lambda_i)},
 * {@code Lambda_i = d2 loss/du2} at the network output {@code u_L} (identity for mse,
 * {@code diag(p) - p p^T} for softmax), {@code R_i = Lambda_i^1/2} its symmetric square root (computed
 * from the K x K eigendecomposition; softmax's is singular, which is fine). With the mean weights
 * {@code 1/B}, {@code G = J^T M J / B = U U^T / B} with {@code U = J^T R} (n x m, R = blockdiag(R_i)). Woodbury:
 * <pre>
 *   (G + delta I)^-1 = (I - U C^-1 U^T) / delta,    C = B delta I + C0,   C0 = U^T U = R J J^T R
 *   log|det(G + delta I)| = (n - m) log delta + log det C - m log B      (Sylvester: det(I + U^T U / (B delta)))
 * </pre>
 * and {@code G + delta I} is positive definite (inertia (0, 0, n)); C is m x m positive definite.
 * {@code U^T r} is one forward-mode pass per example (all K outputs at once) and {@code U y} one reverse
 * pass; both are linear in depth.
 *
 * <p><b>The Gram.</b> {@code C0 = sum_l U_l^T U_l} over the stages. Row {@code (i, k)} of
 * {@code R J} restricted to stage l is {@code Ju_l^T gt_ik}, where {@code gt_ik} is the adjoint at stage l's
 * pre-activation {@code u_l} of the whitened output {@code sum_k' R_i[k', k] u_L,k'}: at the head
 * {@code gt_ik} is column k of R_i, and below it is back-propagated as usual,
 * {@code lambda_{l-1} = Weff_l^T gt_l (+ lambda_l for a residual layer)}, {@code gt_{l-1} = s'(u_{l-1}) o lambda_{l-1}}.
 * The stage's parameter Jacobian {@code Ju_l = du_l/dx_l} then gives the stage's Gram term, exactly:
 * <ul>
 *   <li>FULL (dense, residual, the ordinary heads): {@code Ju^T g = g (x) [z; 1]}, so
 *       {@code U_l^T U_l = (Gt_l Gt_l^T) o ((Zt_l^T Zt_l) (x) 1_K 1_K^T)} with {@code Gt_l} the m x a_l stack of
 *       the {@code gt_ik} and {@code Zt_l = [z_1; 1 .. z_B; 1]}: {@code m^2 (a_l + 1) + 2 B^2 (a_{l-1} + 1)} flops
 *       instead of {@code m^2 p_l};</li>
 *   <li>GAIN ({@code u = x o (W z)}): {@code Ju^T g = g o (W z)}; BIAS ({@code u = W z + x}): {@code Ju^T g = g}: both
 *       {@code U_l^T U_l = F_l F_l^T} with F_l the m x a_l stack of those rows.</li>
 * </ul>
 * Every stage kind of the model (the sealed {@link AffineStage} hierarchy: hidden layers and heads, each FULL, GAIN
 * or BIAS) is one of these; a stage of any other kind is refused ({@link IllegalArgumentException}), never
 * approximated. The per-stage terms are accumulated into the lower triangle of C0 by column panels
 * ({@link #PANEL}), a few stages at a time ({@link #TERM_BUDGET}), so that C0's panels stay in cache.
 *
 * <p><b>Factorizations.</b> The Gram does not depend on delta. {@link #solve} and {@link #logAbsDet} factorize
 * {@code C = B delta I + C0} by Cholesky ({@link RecursiveCholesky}, gemm-rich; m^3/3 flops; the last delta's
 * factor is kept). {@link #eigen} eigendecomposes {@code C0 = Q D Q^T} once (LAPACK dsyevr, about
 * 10 m^3 / 3 flops; in the pure-Java LAPACK 15-40x the Cholesky's time at m = 1280..5120, see docs/math.md);
 * afterwards every delta costs O(m^2): {@code C^-1 = Q (B delta + D)^-1 Q^T}. {@link #sampleMap} needs the
 * eigendecomposition and computes it when absent.
 *
 * <p><b>Accuracy.</b> {@code d = (r - U C^-1 U^T r) / delta} cancels when r lies mostly in the range of U (a
 * gradient does) and delta is small: the first solve's error is then about {@code eps kappa(C) ||r|| / (delta ||d||)}.
 * {@link #solve} therefore takes one step of iterative refinement, {@code d += solve(r - (G + delta I) d)} with the
 * residual formed by {@link #ggnTimes} (forward-mode and reverse passes, no Gram), which restores an error of
 * order {@code eps kappa(G + delta I)} whenever the first solve has at least a digit.
 *
 * <p>Thread-safe (the factor caches are guarded); the network, parameters and examples must not change.
 */
public final class OutputSpaceGgn {
    /** Column panel width of the Gram accumulation. */
    static final int PANEL = 64;
    /** Doubles of stage terms (m x a_l stacks) held before they are accumulated into the Gram (32 MB). */
    static final long TERM_BUDGET = 1L << 22;
    /** Fixed number of partial sums of the reverse passes, so sums do not depend on the machine's cores. */
    static final int REDUCTION_PARTS = 4;

    private final Network net;
    private final double[] x;
    private final int batch;
    private final int k;
    private final int m;
    private final int n;
    private final Point[] points;
    /** C0 = R J J^T R, m x m column-major, both triangles. */
    private final double[] gram;

    private double cholDelta = Double.NaN;
    private double[] cholFactor;
    private double[] eigenvalues;
    private double[] eigenvectors;

    /** One example's linearization at x: the stages' inputs, s'(u_l), and the head's Lambda and its root. */
    private record Point(double[][] zIn, double[][] d1, double[] lambda, double[] root) {}

    /** One stage's Gram term: {@code (F F^T) o (S (x) 1 1^T)} (S B x B) or {@code F F^T} (S null); F m x cols, padded. */
    private record Term(double[] f, int cols, double[] s) {}

    private OutputSpaceGgn(Network net, double[] x, Point[] points) {
        this.net = net;
        this.x = x;
        this.batch = points.length;
        this.k = net.head().units();
        this.m = batch * k;
        this.n = net.paramCount();
        this.points = points;
        this.gram = formGram();
    }

    /** Forms M^1/2 J J^T M^1/2 for the batch (weights 1/B) at x; factorizations follow on demand. */
    public static OutputSpaceGgn factor(Network net, double[] x, List<Example> batch) {
        if (batch.isEmpty()) throw new InvalidInputException("the batch has no examples; give at least one");
        net.validateParameters(x);
        for (int i = 0; i < batch.size(); i++) net.validateExample(batch.get(i), i);
        for (int l = 0; l < net.stageCount(); l++) requireSupported(net.stage(l), l);
        requireOutputs((long) batch.size() * net.head().units());
        double[] xs = x.clone();
        Point[] points = IntStream.range(0, batch.size()).parallel()
                .mapToObj(i -> linearize(net, xs, batch.get(i))).toArray(Point[]::new);
        return new OutputSpaceGgn(net, xs, points);
    }

    /** Refuses m = B K outputs whose m x m Gram does not fit one Java array. */
    public static void requireOutputs(long outputs) {
        if (outputs * outputs > Integer.MAX_VALUE - 8) {
            throw new InvalidInputException("the output-space GGN needs a (B K)^2 Gram; B K = " + outputs
                    + " is too large (at most 46340); use a smaller curvature batch or the Riccati solver");
        }
    }

    /** Refuses a stage whose parameter Jacobian has no exact term above. */
    private static void requireSupported(AffineStage s, int l) {
        boolean known = s instanceof HiddenLayer || s instanceof Head;
        if (!known) {
            throw new IllegalArgumentException("stage " + (l + 1) + " (" + s.describe() + ") has no exact output-space Gram form;"
                    + " use the Riccati solver");
        }
    }

    /** m = B K: the order of the capacitance C. */
    public int outputs() { return m; }

    /** n: the parameter count. */
    public int parameters() { return n; }

    /** G + delta I is positive definite for delta > 0: inertia (0, 0, n). */
    public Inertia inertia(double delta) {
        requireDelta(delta);
        return new Inertia(0, 0, n);
    }

    /** d = (G + delta I)^-1 r for delta > 0 (IllegalArgumentException otherwise), with one refinement step. */
    public double[] solve(double delta, double[] r) {
        return solve(delta, r, 1);
    }

    /** {@link #solve} with a given number of refinement steps (tests compare 0 and 1). */
    double[] solve(double delta, double[] r, int refinements) {
        requireDelta(delta);
        requireLength(r, "r");
        double[] d = solveOnce(delta, r);
        for (int step = 0; step < refinements; step++) {
            double[] gd = ggnTimes(d);
            double[] res = new double[n];
            for (int i = 0; i < n; i++) res[i] = r[i] - gd[i] - delta * d[i];
            double[] dd = solveOnce(delta, res);
            for (int i = 0; i < n; i++) d[i] += dd[i];
        }
        return d;
    }

    /** log|det(G + delta I)| = (n - m) log delta + log det C - m log B. */
    public double logAbsDet(double delta) {
        requireDelta(delta);
        double logDetC;
        double[][] eig = eigenIfPresent();
        if (eig != null) {
            logDetC = 0;
            for (double dk : eig[0]) logDetC += Math.log(batch * delta + Math.max(dk, 0.0));
        } else {
            double[] l = cholesky(delta);
            logDetC = 0;
            for (int i = 0; i < m; i++) logDetC += Math.log(l[i * m + i]);
            logDetC *= 2;
        }
        return (n - m) * Math.log(delta) + logDetC - m * Math.log(batch);
    }

    /** G v = J^T M J v / B (forward-mode then reverse pass per example), for model decreases and certificates. */
    public double[] ggnTimes(double[] v) {
        requireLength(v, "v");
        double[] out = reduceOverExamples(i -> {
            Point p = points[i];
            double[] ju = jacobianTimes(p, v);
            double[] y = new double[k];
            for (int b = 0; b < k; b++) for (int a = 0; a < k; a++) y[a] += p.lambda[b * k + a] * ju[b];
            return y;
        });
        for (int i = 0; i < n; i++) out[i] /= batch;
        return out;
    }

    /**
     * A draw of N(0, (G + delta I)^-1) from eps ~ N(0, I_n): {@code d = T eps} with the symmetric
     * {@code T = (G + delta I)^-1/2 = delta^-1/2 I + U Q diag(phi) Q^T U^T},
     * {@code phi_k = ((d_k / B + delta)^-1/2 - delta^-1/2) / d_k}, so {@code T T^T = (G + delta I)^-1}.
     * Uses (and if needed computes) the eigendecomposition {@link #eigen}.
     */
    public double[] sampleMap(double delta, double[] eps) {
        requireDelta(delta);
        requireLength(eps, "eps");
        double[][] eig = eigenArrays();
        double[] w = eig[0], q = eig[1];
        double sd = Math.sqrt(delta);
        double[] t = applyUt(eps);
        double[] s = new double[m];
        Blas.gemv(true, m, m, 1.0, q, 0, m, t, 0, 0.0, s, 0);
        for (int j = 0; j < m; j++) {
            double a = Math.sqrt(delta + Math.max(w[j], 0.0) / batch);
            s[j] *= -1.0 / (batch * (a + sd) * a * sd); // ((d/B + delta)^-1/2 - delta^-1/2) / d, without cancellation
        }
        double[] c = new double[m];
        Blas.gemv(false, m, m, 1.0, q, 0, m, s, 0, 0.0, c, 0);
        double[] out = applyU(c);
        for (int i = 0; i < n; i++) out[i] += eps[i] / sd;
        return out;
    }

    /**
     * Eigendecomposes the Gram {@code C0 = Q D Q^T} once (LAPACK dsyevr); afterwards {@link #solve},
     * {@link #logAbsDet} and {@link #sampleMap} cost O(m^2) per delta. Returns this.
     */
    public OutputSpaceGgn eigen() {
        eigenArrays();
        return this;
    }

    /** Whether {@link #eigen} has run. */
    public synchronized boolean hasEigen() { return eigenvalues != null; }

    /** The eigenvalues of C0 = M^1/2 J J^T M^1/2, ascending (computes the eigendecomposition if needed). */
    public double[] gramEigenvalues() { return eigenArrays()[0].clone(); }

    /** C0 (m x m, column-major, a copy), for tests. */
    double[] gram() { return gram.clone(); }

    // ------------------------------------------------------------------ solves

    /** (G + delta I)^-1 r = (r - U C^-1 U^T r) / delta, through the eigendecomposition if present, else Cholesky. */
    private double[] solveOnce(double delta, double[] r) {
        double[] w = applyUt(r);
        double[][] eig = eigenIfPresent();
        if (eig != null) {
            double[] ev = eig[0], q = eig[1];
            double[] t = new double[m];
            Blas.gemv(true, m, m, 1.0, q, 0, m, w, 0, 0.0, t, 0);
            for (int j = 0; j < m; j++) t[j] /= batch * delta + Math.max(ev[j], 0.0);
            Blas.gemv(false, m, m, 1.0, q, 0, m, t, 0, 0.0, w, 0);
        } else {
            double[] l = cholesky(delta);
            Blas.blas().dtrsv("L", "N", "N", m, l, 0, m, w, 0, 1);
            Blas.blas().dtrsv("L", "T", "N", m, l, 0, m, w, 0, 1);
        }
        double[] uw = applyU(w);
        double[] d = new double[n];
        for (int i = 0; i < n; i++) d[i] = (r[i] - uw[i]) / delta;
        return d;
    }

    /**
     * The Cholesky factor L of C = B delta I + C0 (lower; cached for the last delta). C is positive definite in exact
     * arithmetic; when B delta is below the rounding of C0's null directions (~ m eps ||C0||) the factorization can
     * fail, reported as a {@link SingularStageException} (the job's exit code 3) naming the damping.
     */
    private synchronized double[] cholesky(double delta) {
        if (cholFactor != null && cholDelta == delta) return cholFactor;
        double[] c = gram.clone();
        for (int i = 0; i < m; i++) c[i * m + i] += batch * delta;
        int info = RecursiveCholesky.factorLower(c, 0, m, m);
        if (info != 0) {
            throw new SingularStageException("the curvature system is numerically singular: the output-space capacitance"
                    + " B delta I + M^1/2 J J^T M^1/2 (order " + m + ") is not numerically positive definite at delta = " + delta
                    + " (leading minor " + info + " fails); use a larger damping (--damping)", 0, Double.NaN) {
                private static final long serialVersionUID = 1L;
            };
        }
        cholFactor = c;
        cholDelta = delta;
        return c;
    }

    private synchronized double[][] eigenIfPresent() {
        return eigenvalues == null ? null : new double[][] {eigenvalues, eigenvectors};
    }

    private synchronized double[][] eigenArrays() {
        if (eigenvalues == null) {
            double[] a = gram.clone();
            double[] w = new double[m];
            double[] z = new double[m * m];
            int[] support = new int[2 * m];
            intW found = new intW(0);
            intW info = new intW(0);
            double[] qw = new double[1];
            int[] qi = new int[1];
            Blas.lapack().dsyevr("V", "A", "L", m, a, 0, m, 0, 0, 0, 0, 0.0, found, w, 0, z, 0, m, support, 0, qw, 0, -1, qi, 0, -1, info);
            int lwork = Math.max(1, (int) qw[0]), liwork = Math.max(1, qi[0]);
            Blas.lapack().dsyevr("V", "A", "L", m, a, 0, m, 0, 0, 0, 0, 0.0, found, w, 0, z, 0, m, support, 0,
                    new double[lwork], 0, lwork, new int[liwork], 0, liwork, info);
            if (info.val != 0 || found.val != m) {
                throw new ArithmeticException("dsyevr failed on the output-space Gram (info " + info.val + ", " + found.val + " of " + m + " eigenvalues)");
            }
            eigenvalues = w;
            eigenvectors = z;
        }
        return new double[][] {eigenvalues, eigenvectors};
    }

    // ------------------------------------------------------------------ U^T v and U y

    /** U^T v = R J v: block i is R_i J_i v (m entries). */
    double[] applyUt(double[] v) {
        double[] out = new double[m];
        IntStream.range(0, batch).parallel().forEach(i -> {
            Point p = points[i];
            double[] ju = jacobianTimes(p, v);
            for (int b = 0; b < k; b++) {
                double s = 0;
                for (int a = 0; a < k; a++) s += p.root[b * k + a] * ju[a];
                out[i * k + b] = s;
            }
        });
        return out;
    }

    /** U y = J^T R y = sum_i J_i^T (R_i y_i) (n entries). */
    double[] applyU(double[] y) {
        return reduceOverExamples(i -> {
            Point p = points[i];
            double[] ry = new double[k];
            for (int b = 0; b < k; b++) for (int a = 0; a < k; a++) ry[a] += p.root[b * k + a] * y[i * k + b];
            return ry;
        });
    }

    /** sum_i J_i^T h(i) over the examples, in {@link #REDUCTION_PARTS} fixed partial sums added in order. */
    private double[] reduceOverExamples(java.util.function.IntFunction<double[]> adjointAtOutput) {
        int parts = Math.min(REDUCTION_PARTS, batch);
        double[][] partial = IntStream.range(0, parts).parallel().mapToObj(t -> {
            double[] acc = new double[n];
            for (int i = t; i < batch; i += parts) jacobianTransposeTimes(points[i], adjointAtOutput.apply(i), acc);
            return acc;
        }).toArray(double[][]::new);
        double[] out = partial[0];
        for (int t = 1; t < parts; t++) for (int i = 0; i < n; i++) out[i] += partial[t][i];
        return out;
    }

    /** J_i v = du_L/dx v: forward mode, Ru_l = Ju_l v_l + Weff_l Rz_{l-1}, Rz_l = s'(u_l) Ru_l (+ Rz_{l-1}). */
    private double[] jacobianTimes(Point p, double[] v) {
        double[] rz = null;
        double[] ru = null;
        for (int l = 0; l < net.stageCount(); l++) {
            AffineStage s = net.stage(l);
            int off = net.paramOffset(l);
            ru = new double[s.units()];
            s.paramDirection(v, off, p.zIn[l], ru);
            if (rz != null) s.addLinear(x, off, rz, ru);
            if (s instanceof HiddenLayer h) {
                double[] next = new double[h.units()];
                double[] d1 = p.d1[l];
                for (int j = 0; j < next.length; j++) next[j] = d1[j] * ru[j] + (h.isResidual() ? (rz == null ? 0.0 : rz[j]) : 0.0);
                rz = next;
            }
        }
        return ru;
    }

    /** out += J_i^T g: reverse mode from the adjoint g of u_L. */
    private void jacobianTransposeTimes(Point p, double[] g, double[] out) {
        double[] lambdaOut = null;
        for (int l = net.stageCount() - 1; l >= 0; l--) {
            AffineStage s = net.stage(l);
            int off = net.paramOffset(l);
            s.accumulateParamGradient(p.zIn[l], g, out, off);
            if (l == 0) break;
            double[] lambda = new double[s.inputSize()];
            s.affineTranspose(x, off, g, lambda, false);
            if (s instanceof HiddenLayer h && h.isResidual()) for (int j = 0; j < lambda.length; j++) lambda[j] += lambdaOut[j];
            double[] d1 = p.d1[l - 1];
            double[] next = new double[lambda.length];
            for (int j = 0; j < next.length; j++) next[j] = d1[j] * lambda[j];
            g = next;
            lambdaOut = lambda;
        }
    }

    // ------------------------------------------------------------------ linearization and Gram

    /** Forward pass of one example: stage inputs, s'(u_l), Lambda at u_L and its symmetric root. */
    private static Point linearize(Network net, double[] x, Example e) {
        int stages = net.stageCount();
        double[][] zIn = new double[stages][];
        double[][] d1 = new double[stages][];
        double[] z = e.features();
        double[] u = null;
        for (int l = 0; l < stages; l++) {
            AffineStage s = net.stage(l);
            zIn[l] = z;
            u = new double[s.units()];
            s.affine(x, net.paramOffset(l), z, u);
            if (s instanceof HiddenLayer h) {
                d1[l] = new double[h.units()];
                for (int j = 0; j < h.units(); j++) d1[l][j] = h.activation().d1(u[j]);
                double[] out = new double[h.units()];
                h.output(z, u, out);
                z = out;
            }
        }
        Head head = net.head();
        int k = head.units();
        double[] lambda = new double[k * k];
        head.hessian(u, e.response(), 1.0, lambda);
        return new Point(zIn, d1, lambda, symmetricRoot(lambda, k));
    }

    /**
     * The symmetric PSD square root of the symmetric PSD K x K matrix a: Q diag(sqrt(w)) Q^T, eigenvalues w at or
     * below K eps max|w| taken as zero (diagonal a: elementwise).
     */
    private static final Object SYMMETRIC_ROOT_LOCK = new Object();

    static double[] symmetricRoot(double[] a, int k) {
        boolean diagonal = true;
        for (int j = 0; j < k && diagonal; j++) for (int i = 0; i < k; i++) if (i != j && a[j * k + i] != 0.0) { diagonal = false; break; }
        double[] root = new double[k * k];
        if (diagonal) {
            for (int j = 0; j < k; j++) root[j * k + j] = Math.sqrt(Math.max(a[j * k + j], 0.0));
            return root;
        }
        double[] q = a.clone();
        double[] w = new double[k];
        intW info = new intW(0);
        double[] query = new double[1];
        // one call at a time: the examples are linearized in parallel, and F2J's LAPACK keeps Fortran SAVE variables in
        // static fields (a run once hung in dsyev called from several threads); K x K is tiny, so the lock costs nothing
        synchronized (SYMMETRIC_ROOT_LOCK) {
            Blas.lapack().dsyev("V", "L", k, q, 0, k, w, 0, query, 0, -1, info);
            int lwork = Math.max(1, (int) query[0]);
            Blas.lapack().dsyev("V", "L", k, q, 0, k, w, 0, new double[lwork], 0, lwork, info);
        }
        if (info.val != 0) throw new ArithmeticException("dsyev failed on the head's d2 loss/du2 (info " + info.val + ")");
        // eigenvalues within roundoff of zero (softmax's null vector 1) are zero: their square roots would be
        // ~sqrt(eps) noise, harmless for R R = Lambda but making R itself irreproducible
        double cut = k * Math.ulp(1.0) * Math.max(Math.abs(w[0]), Math.abs(w[k - 1]));
        for (int c = 0; c < k; c++) w[c] = w[c] <= cut ? 0.0 : Math.sqrt(w[c]);
        for (int j = 0; j < k; j++) {
            for (int i = 0; i <= j; i++) {
                double s = 0;
                for (int c = 0; c < k; c++) s += q[c * k + i] * w[c] * q[c * k + j];
                root[j * k + i] = s;
                root[i * k + j] = s;
            }
        }
        return root;
    }

    /**
     * C0 = sum_l U_l^T U_l: back-propagates the m whitened output adjoints stage by stage (Gt_l, m x a_l, by
     * gemm with Weff_l), turns each stage's into its Gram term and accumulates the terms panel by panel.
     */
    private double[] formGram() {
        double[] c0 = new double[m * m];
        List<Term> pending = new ArrayList<>();
        long pendingSize = 0;
        int last = net.stageCount() - 1;
        // Gt at the head's pre-activation u_L: row (i, k) = column k of R_i
        double[] gt = new double[m * k + m];
        for (int i = 0; i < batch; i++) {
            double[] root = points[i].root;
            for (int kk = 0; kk < k; kk++) for (int j = 0; j < k; j++) gt[j * m + i * k + kk] = root[kk * k + j];
        }
        double[] lambdaOut = null; // adjoint stack of stage l's output (m x a_l), for a residual stage
        for (int l = last; l >= 0; l--) {
            AffineStage s = net.stage(l);
            int units = s.units(), inputs = s.inputSize();
            pending.add(term(l, s, gt));
            pendingSize += (long) m * units;
            if (pendingSize >= TERM_BUDGET) {
                accumulate(c0, pending);
                pending.clear();
                pendingSize = 0;
            }
            if (l == 0) break;
            // lambda_{l-1} = Gt_l Weff_l (+ lambda_l), Gt_{l-1} = lambda_{l-1} o s'(u_{l-1}) per example row
            double[] wt = s.effectiveWeights(x, net.paramOffset(l)); // units x inputs row-major = inputs x units column-major
            double[] lambda = new double[m * inputs + m];
            Blas.gemm(false, true, m, inputs, units, 1.0, gt, 0, m, wt, 0, inputs, 0.0, lambda, 0, m);
            if (s instanceof HiddenLayer h && h.isResidual()) for (int i = 0; i < m * inputs; i++) lambda[i] += lambdaOut[i];
            double[] next = new double[m * inputs + m];
            for (int j = 0; j < inputs; j++) {
                for (int i = 0; i < batch; i++) {
                    double sp = points[i].d1[l - 1][j];
                    int col = j * m + i * k;
                    for (int kk = 0; kk < k; kk++) next[col + kk] = lambda[col + kk] * sp;
                }
            }
            gt = next;
            lambdaOut = lambda;
        }
        if (!pending.isEmpty()) accumulate(c0, pending);
        RecursiveCholesky.mirrorLower(c0, m);
        return c0;
    }

    /** Stage l's Gram term from its adjoint stack Gt (m x units). */
    private Term term(int l, AffineStage s, double[] gt) {
        int units = s.units(), inputs = s.inputSize();
        switch (s.parameterization()) {
            case FULL -> {
                // S = Zt^T Zt with zt_i = (z_i, 1)
                int ld = inputs + 1;
                double[] zt = new double[ld * batch];
                for (int i = 0; i < batch; i++) {
                    System.arraycopy(points[i].zIn[l], 0, zt, i * ld, inputs);
                    zt[i * ld + inputs] = 1.0;
                }
                double[] sMat = new double[batch * batch];
                Blas.gemm(true, false, batch, batch, ld, 1.0, zt, 0, ld, zt, 0, ld, 0.0, sMat, 0, batch);
                return new Term(gt, units, sMat);
            }
            case GAIN, BIAS -> {
                double[] f = new double[m * units + m];
                for (int i = 0; i < batch; i++) {
                    double[] dv = s.squareParamJacobian(points[i].zIn[l]); // (W z_i)_j for gain, 1 for bias
                    for (int j = 0; j < units; j++) {
                        int col = j * m + i * k;
                        for (int kk = 0; kk < k; kk++) f[col + kk] = gt[col + kk] * dv[j];
                    }
                }
                return new Term(f, units, null);
            }
            default -> throw new IllegalArgumentException("stage " + (l + 1) + " (" + s.describe() + ") has parameterization "
                    + s.parameterization() + ", which has no exact output-space Gram form; use the Riccati solver");
        }
    }

    /** lower(C0) += sum of the terms, panel of {@link #PANEL} columns by panel (panels in parallel). */
    private void accumulate(double[] c0, List<Term> terms) {
        int panels = (m + PANEL - 1) / PANEL;
        IntStream.range(0, panels).parallel().forEach(b -> {
            int j0 = b * PANEL, nb = Math.min(PANEL, m - j0), rows = m - j0;
            double[] t = new double[rows * nb];
            for (Term term : terms) {
                Blas.gemm(false, true, rows, nb, term.cols, 1.0, term.f, j0, m, term.f, j0, m, 0.0, t, 0, rows);
                for (int c = 0; c < nb; c++) {
                    int col = (j0 + c) * m + j0;
                    int tc = c * rows;
                    if (term.s == null) {
                        for (int r = c; r < rows; r++) c0[col + r] += t[tc + r];
                    } else {
                        int sCol = ((j0 + c) / k) * batch;
                        int r = c;
                        int ei = (j0 + r) / k, rem = (j0 + r) % k;
                        while (r < rows) {
                            double sv = term.s[sCol + ei];
                            int stop = Math.min(rows, r + (k - rem));
                            for (; r < stop; r++) c0[col + r] += t[tc + r] * sv;
                            ei++;
                            rem = 0;
                        }
                    }
                }
            }
        });
    }

    // ------------------------------------------------------------------ checks

    private static void requireDelta(double delta) {
        if (!(delta > 0) || !Double.isFinite(delta)) {
            throw new IllegalArgumentException("the output-space GGN solve needs a finite damping delta > 0, got " + delta
                    + "; with delta = 0 use the Riccati solver");
        }
    }

    private void requireLength(double[] v, String name) {
        if (v.length != n) throw new IllegalArgumentException(name + " has " + v.length + " entries, the model has " + n + " parameters");
    }

    @Override public String toString() {
        return "OutputSpaceGgn(B=" + batch + ", K=" + k + ", m=" + m + ", n=" + n + ")";
    }
}
