package org.hessinv.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.hessinv.testing.Dense;
import org.hessinv.testing.FiniteDifferences;
import org.junit.jupiter.api.Test;

/**
 * One finite-difference suite every stage kind runs (EJML style: this generic contract, one concrete subclass
 * per kind giving its stages and an independent reference of its forward map {@code f(z; x)}, written from the
 * spec in the subclass). At random points {@code (z, x, y, lambda)} it checks the stage's own math against
 * differences of that reference: the forward map; {@code A = df/dz} and {@code B = df/dx}; the adjoints
 * {@code A^T lambda}, {@code B^T lambda}, {@code g = d(lambda f)/du}; {@code P, R, S} against the Hessian of
 * {@code phi = lambda . f} in {@code (z, x)}; the Gauss-Newton contractions against {@code Wz^T Lambda Wz} etc.
 * formed from differenced Jacobians of u and a differenced loss Hessian (zero for a hidden layer); the R-pass
 * against {@code d/dt grad phi(z + t Rz, x + t v, lambda + t Rlambda)}; and the block (column) methods against the
 * per-example ones. The reference's pre-activations stay within a few units, so the functions and derivatives are O(1).
 */
abstract class LayerContract {
    /** Forward map: the same sums in another order, a few ulp of O(1) terms. */
    static final double FORWARD_TOL = 1e-13;
    /** First derivatives by central differences with Richardson, h = 1e-3: truncation ~h^4 = 1e-12, roundoff ~1e-13. */
    static final double JACOBIAN_TOL = 1e-9;
    /** Second derivatives from values, h = 2e-3: truncation ~2e-11, roundoff ~eps / (h/2)^2 ~ 2e-10, so ~1e-9. */
    static final double SECOND_ORDER_TOL = 1e-6;
    /** Block (column) methods against per-example ones: another summation order, tanh within 4 ulp. */
    static final double BLOCK_TOL = 1e-13;

    /** The stages of this kind to test (every activation for a hidden layer). */
    abstract List<AffineStage> stages(SplittableRandom rng);

    /** u(z; x), written from the spec independently of the engine. */
    abstract double[] referenceU(AffineStage s, double[] z, double[] x);

    /** f from u: the layer's output, or the head's {loss(u, y)}. */
    abstract double[] referenceOutput(AffineStage s, double[] u, double[] z, double[] y);

    /** A valid response for a head (none for a hidden layer). */
    double[] response(AffineStage s, SplittableRandom rng) { return new double[0]; }

    /** Random parameters of stage s. */
    double[] parameters(AffineStage s, SplittableRandom rng) { return gaussians(rng, s.paramCount(), 0.5); }

    record Point(AffineStage s, double[] z, double[] x, double[] y, double[] lambda) {
        int in() { return s.inputSize(); }
        int p() { return s.paramCount(); }
        int out() { return s.outputSize(); }
    }

    private List<Point> points() {
        List<Point> out = new ArrayList<>();
        for (long seed = 1; seed <= 3; seed++) {
            SplittableRandom rng = new SplittableRandom(1000 * seed + getClass().getSimpleName().hashCode());
            for (AffineStage s : stages(rng)) {
                double[] lambda = s instanceof Head ? new double[] {0.25 + rng.nextDouble()} : gaussians(rng, s.outputSize(), 1.0);
                out.add(new Point(s, gaussians(rng, s.inputSize(), 0.7), parameters(s, rng), response(s, rng), lambda));
            }
        }
        return out;
    }

    static double[] gaussians(SplittableRandom rng, int n, double scale) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = scale * Network.gaussian(rng);
        return v;
    }

    /** f(z; x) of the reference. */
    private double[] f(Point q, double[] z, double[] x) { return referenceOutput(q.s, referenceU(q.s, z, x), z, q.y); }

    /** f over w = (z, x) stacked. */
    private Function<double[], double[]> fStacked(Point q) {
        return w -> f(q, Arrays.copyOfRange(w, 0, q.in()), Arrays.copyOfRange(w, q.in(), w.length));
    }

    private static double[] concat(double[] a, double[] b) {
        double[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    /** [A B] = df/d(z, x) by differences: out x (in + p). */
    private double[] jacobian(Point q) { return FiniteDifferences.jacobian(fStacked(q), concat(q.z, q.x)); }

    /** The Hessian of phi = lambda . f in (z, x) by differences of values. */
    private double[] hessian(Point q) {
        Function<double[], double[]> f = fStacked(q);
        return FiniteDifferences.hessian(w -> dot(q.lambda, f.apply(w)), concat(q.z, q.x));
    }

    /** The Gauss-Newton contraction in (z, x): Ju_w^T Lambda_u Ju_w with Lambda_u the loss's Hessian in u (a head), zero for a hidden layer. */
    private double[] gaussNewton(Point q) {
        int n = q.in() + q.p();
        if (!(q.s instanceof Head)) return new double[n * n];
        int k = q.s.units();
        double[] ju = FiniteDifferences.jacobian(w -> referenceU(q.s, Arrays.copyOfRange(w, 0, q.in()), Arrays.copyOfRange(w, q.in(), w.length)),
                concat(q.z, q.x));
        double[] u = referenceU(q.s, q.z, q.x);
        double[] lam = FiniteDifferences.hessian(v -> dot(q.lambda, referenceOutput(q.s, v, q.z, q.y)), u);
        return Dense.multiply(Dense.transpose(ju, k, n), Dense.multiply(lam, ju, k, k, n), n, k, n);
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }

    /** The engine's forward map: u, then the layer's output or the head's {loss}. */
    private static double[] engineOutput(Point q, double[] u) {
        if (q.s instanceof HiddenLayer h) {
            double[] out = new double[h.units()];
            h.output(q.z, u, out);
            return out;
        }
        return new double[] {((Head) q.s).loss(u, q.y)};
    }

    private static double[] engineU(Point q) {
        double[] u = new double[q.s.units()];
        q.s.affine(q.x, 0, q.z, u);
        return u;
    }

    static void assertClose(double[] expected, double[] actual, double tol, String what) {
        assertEquals(expected.length, actual.length, what + ": size");
        double err = Dense.maxAbs(Dense.minus(actual, expected));
        double scale = Math.max(1.0, Dense.maxAbs(expected));
        assertTrue(err <= tol * scale, what + ": max error " + err + " > " + tol + " x " + scale
                + "\n expected " + Arrays.toString(expected) + "\n actual   " + Arrays.toString(actual));
    }

    @Test
    void forwardMapMatchesReference() {
        for (Point q : points()) {
            double[] u = engineU(q);
            assertClose(referenceU(q.s, q.z, q.x), u, FORWARD_TOL, q.s.describe() + " u");
            assertClose(f(q, q.z, q.x), engineOutput(q, u), FORWARD_TOL, q.s.describe() + " f");
        }
    }

    @Test
    void jacobiansMatchCentralDifferences() {
        for (Point q : points()) {
            int in = q.in(), p = q.p(), out = q.out();
            double[] fd = jacobian(q);
            double[] u = engineU(q);
            double[] jac = new double[q.s.units()];
            q.s.outputJacobian(u, q.y, jac);
            double[] w = q.s.effectiveWeights(q.x, 0);
            double[] a = new double[out * in];
            q.s.writeA(jac, w, a, 0, out);
            double[] b = new double[out * p];
            q.s.writeB(jac, q.z, b, 0, out);
            assertClose(Dense.block(fd, out, 0, 0, out, in), a, JACOBIAN_TOL, q.s.describe() + " A");
            assertClose(Dense.block(fd, out, 0, in, out, p), b, JACOBIAN_TOL, q.s.describe() + " B");
        }
    }

    @Test
    void adjointsAreTransposedJacobians() {
        for (Point q : points()) {
            int in = q.in(), p = q.p(), out = q.out();
            double[] fd = jacobian(q);
            double[] u = engineU(q);
            double[] g = new double[q.s.units()];
            q.s.adjointOfU(u, q.lambda, q.y, g);
            double[] gFd = FiniteDifferences.gradient(v -> dot(q.lambda, referenceOutput(q.s, v, q.z, q.y)), u);
            assertClose(gFd, g, JACOBIAN_TOL, q.s.describe() + " g = d(lambda f)/du");
            double[] atLambda = Dense.times(Dense.transpose(Dense.block(fd, out, 0, 0, out, in), out, in), in, out, q.lambda);
            assertClose(atLambda, q.s.inputAdjoint(q.x, 0, g, q.lambda), JACOBIAN_TOL, q.s.describe() + " A^T lambda");
            double[] grad = new double[p];
            q.s.accumulateParamGradient(q.z, g, grad, 0);
            double[] btLambda = Dense.times(Dense.transpose(Dense.block(fd, out, 0, in, out, p), out, p), p, out, q.lambda);
            assertClose(btLambda, grad, JACOBIAN_TOL, q.s.describe() + " B^T lambda");
        }
    }

    /** P, R, S of the engine (second order, or Gauss-Newton), as one (in + p) square matrix [[P, R], [R^T, S]]. */
    private static double[] contractions(Point q, boolean secondOrder) {
        int in = q.in(), p = q.p(), n = in + p;
        double[] u = engineU(q);
        double[] g = new double[q.s.units()];
        q.s.adjointOfU(u, q.lambda, q.y, g);
        double[] lam = q.s.outputCurvature(u, q.lambda, q.y, secondOrder);
        double[] w = q.s.effectiveWeights(q.x, 0);
        double[] pm = new double[in * in];
        q.s.writeP(lam, w, pm, 0, in);
        double[] r = new double[in * p];
        q.s.writeR(lam, secondOrder ? g : null, q.z, w, r, 0, in);
        double[] s = new double[p * p];
        q.s.addS(lam, q.z, s, p);
        double[] h = new double[n * n];
        for (int j = 0; j < in; j++) for (int i = 0; i < in; i++) h[j * n + i] = pm[j * in + i];
        for (int j = 0; j < p; j++) {
            for (int i = 0; i < in; i++) {
                h[(in + j) * n + i] = r[j * in + i];
                h[i * n + in + j] = r[j * in + i];
            }
            for (int i = 0; i < p; i++) h[(in + j) * n + in + i] = s[j * p + i];
        }
        return h;
    }

    @Test
    void contractionsMatchTheHessianOfLambdaF() {
        for (Point q : points()) {
            int in = q.in(), p = q.p(), n = in + p;
            double[] fd = hessian(q);
            double[] got = contractions(q, true);
            assertClose(Dense.block(fd, n, 0, 0, in, in), Dense.block(got, n, 0, 0, in, in), SECOND_ORDER_TOL, q.s.describe() + " P");
            assertClose(Dense.block(fd, n, 0, in, in, p), Dense.block(got, n, 0, in, in, p), SECOND_ORDER_TOL, q.s.describe() + " R");
            assertClose(Dense.block(fd, n, in, in, p, p), Dense.block(got, n, in, in, p, p), SECOND_ORDER_TOL, q.s.describe() + " S");
        }
    }

    @Test
    void gaussNewtonContractionsKeepOnlyTheLossCurvature() {
        for (Point q : points()) {
            assertClose(gaussNewton(q), contractions(q, false), SECOND_ORDER_TOL, q.s.describe() + " Gauss-Newton P, R, S");
        }
    }

    @Test
    void rPassMatchesDirectionalDerivatives() {
        for (Point q : points()) {
            int in = q.in(), p = q.p(), out = q.out(), n = in + p;
            SplittableRandom rng = new SplittableRandom(q.z.length * 31L + p);
            double[] rz = gaussians(rng, in, 1.0);
            double[] v = gaussians(rng, p, 1.0);
            // the head's adjoint is the constant weight: R lambda_L = 0
            double[] rLambda = q.s instanceof Head ? new double[1] : gaussians(rng, out, 1.0);
            double[] dir = concat(rz, v);
            double[] u = engineU(q);
            double[] ru = new double[q.s.units()];
            q.s.rAffine(q.x, 0, v, q.z, rz, ru);
            double[] ruFd = FiniteDifferences.directional(
                    w -> referenceU(q.s, Arrays.copyOfRange(w, 0, in), Arrays.copyOfRange(w, in, n)), concat(q.z, q.x), dir);
            assertClose(ruFd, ru, JACOBIAN_TOL, q.s.describe() + " Ru");
            if (q.s instanceof HiddenLayer h) {
                double[] rzFd = FiniteDifferences.directional(fStacked(q), concat(q.z, q.x), dir);
                assertClose(rzFd, h.rOutput(u, ru, rz), JACOBIAN_TOL, q.s.describe() + " R f");
            }
            double[] g = new double[q.s.units()];
            q.s.adjointOfU(u, q.lambda, q.y, g);
            double[] jacT = Dense.transpose(jacobian(q), out, n);
            for (boolean secondOrder : new boolean[] {true, false}) {
                double[] curvature = secondOrder ? hessian(q) : gaussNewton(q);
                double[] expected = Dense.plus(Dense.times(curvature, n, n, dir), Dense.times(jacT, n, out, rLambda));
                double[] rg = new double[q.s.units()];
                q.s.rAdjointOfU(u, q.lambda, rLambda, ru, q.y, secondOrder, rg);
                double[] rIn = q.s.rInputAdjoint(q.x, 0, v, rg, g, rLambda, secondOrder);
                double[] rGrad = new double[p];
                q.s.accumulateParamGradient(q.z, rg, rGrad, 0);
                if (secondOrder) q.s.accumulateWeightGradient(rz, g, rGrad, 0);
                String what = q.s.describe() + (secondOrder ? " Hessian" : " Gauss-Newton");
                assertClose(Arrays.copyOfRange(expected, 0, in), rIn, SECOND_ORDER_TOL, what + " R-pass R lambda_in");
                assertClose(Arrays.copyOfRange(expected, in, n), rGrad, SECOND_ORDER_TOL, what + " R-pass parameter part");
            }
        }
    }

    @Test
    void blockMethodsMatchPerExample() {
        for (Point q : points()) {
            int in = q.in(), p = q.p(), units = q.s.units(), b = 3;
            SplittableRandom rng = new SplittableRandom(7L * in + p);
            double[] zb = gaussians(rng, in * b, 0.7);
            double[] ub = new double[units * b];
            double[] scratch = q.s.affineMap().newBlockScratch(b);
            q.s.affineMap().blockApply(q.x, 0, zb, ub, b, scratch);
            double[] gb = gaussians(rng, units * b, 1.0);
            double[] lambdaOut = gaussians(rng, units * b, 1.0);
            double[] grad = new double[p];
            double[] gradRef = new double[p];
            q.s.affineMap().blockParamGradient(zb, gb, b, grad, 0, scratch);
            double[] lambdaIn = new double[in * b];
            q.s.blockInputAdjoint(q.x, 0, gb.clone(), lambdaOut, b, lambdaIn);
            double[] activated = ub.clone();
            double[] deriv = new double[units * b];
            if (q.s instanceof HiddenLayer h) h.blockActivate(activated, zb, deriv, units * b);
            for (int e = 0; e < b; e++) {
                double[] z = Arrays.copyOfRange(zb, e * in, (e + 1) * in);
                double[] g = Arrays.copyOfRange(gb, e * units, (e + 1) * units);
                double[] u = new double[units];
                q.s.affine(q.x, 0, z, u);
                String what = q.s.describe() + " column " + e;
                assertClose(u, Arrays.copyOfRange(ub, e * units, (e + 1) * units), BLOCK_TOL, what + " U");
                q.s.accumulateParamGradient(z, g, gradRef, 0);
                double[] lo = Arrays.copyOfRange(lambdaOut, e * units, (e + 1) * units);
                assertClose(q.s.inputAdjoint(q.x, 0, g, lo), Arrays.copyOfRange(lambdaIn, e * in, (e + 1) * in), BLOCK_TOL, what + " Lambda_in");
                if (q.s instanceof HiddenLayer h) {
                    double[] fz = new double[units];
                    h.output(z, u, fz);
                    assertClose(fz, Arrays.copyOfRange(activated, e * units, (e + 1) * units), BLOCK_TOL, what + " f(U)");
                    double[] jac = new double[units];
                    h.outputJacobian(u, null, jac);
                    assertClose(jac, Arrays.copyOfRange(deriv, e * units, (e + 1) * units), BLOCK_TOL, what + " s'(U)");
                }
            }
            assertClose(gradRef, grad, BLOCK_TOL, q.s.describe() + " block parameter gradient");
        }
    }

    /** Every activation, for the hidden kinds. */
    static List<Activation> activations() { return List.of(Activation.values()); }

    /** s(u) elementwise. */
    static double[] activate(Activation s, double[] u) {
        double[] out = new double[u.length];
        for (int j = 0; j < u.length; j++) out[j] = s.value(u[j]);
        return out;
    }

    /** sum_k W_jk z_k for the frozen W of a square stage. */
    static double[] frozenTimes(AffineStage s, double[] z) {
        double[] w = s.frozenWeights();
        double[] out = new double[s.units()];
        for (int j = 0; j < out.length; j++) for (int k = 0; k < z.length; k++) out[j] += w[j * z.length + k] * z[k];
        return out;
    }

    /** W z + c with W row-major then c, read from the stage's own parameters. */
    static double[] fullAffine(int units, double[] z, double[] x) {
        int in = z.length;
        double[] u = new double[units];
        for (int j = 0; j < units; j++) {
            double acc = x[units * in + j];
            for (int k = 0; k < in; k++) acc += x[j * in + k] * z[k];
            u[j] = acc;
        }
        return u;
    }

    /** A frozen W of units x inputs, N(0, 1/inputs). */
    static double[] frozen(SplittableRandom rng, int units, int inputs) { return gaussians(rng, units * inputs, 1.0 / Math.sqrt(inputs)); }
}
