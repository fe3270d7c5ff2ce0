package org.hessinv.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.hessinv.curvature.Curvature;
import org.hessinv.model.Example;
import org.hessinv.model.ModelSpec;
import org.hessinv.model.Network;
import org.hessinv.model.Standardization;
import org.hessinv.train.BatchObjective;
import org.hessinv.train.CurvatureRoute;
import org.hessinv.train.DampedCurvature;
import org.hessinv.train.DampedSolve;
import org.hessinv.train.LevenbergMarquardt;
import org.hessinv.train.Objective;
import org.hessinv.train.StepReport;
import org.hessinv.train.TrainState;
import org.junit.jupiter.api.Test;

/**
 * Influence against leave-one-out retraining on real data (200 digits examples, a narrow network: 64 -> dense tanh 8 ->
 * 2 residual tanh 8 -> softmax 10, 754 parameters). The objective is {@code (1/N) sum_i l_i + delta |x|^2 / 2} with
 * delta = alpha* / N, alpha* the maximizer of the Laplace evidence (docs/math.md section 10); each removal retrains
 * {@code (1/N) sum_{j != i} l_j + delta |x|^2 / 2} from x* to |gradient| <= 1e-10 (Levenberg-Marquardt on the exact Hessian).
 * The influence prediction of the change of the mean test loss is {@code -score / N}; the Pearson correlation of predicted
 * and actual changes over the 25 most influential training examples is measured and printed. Measured here: r = 0.81
 * (alpha* = 3.98, delta = 0.0199; training 69 s, influence of all 200 examples 0.2 s, 25 retrainings 80 s): the issue's
 * target 0.9 is NOT reached. The removals move x by 0.04-1.1 (example 5: 0.95, actual change 8x the prediction), so the
 * first-order (influence) regime does not hold for the most influential examples of this overparameterized network
 * (754 parameters, 200 examples). The assertion (r >= 0.75) guards that measured level, not the target.
 */
class InfluenceLeaveOneOutTest {
    private static final String SPEC = "{\"input\": 64, \"layers\": [{\"type\": \"dense\", \"units\": 8, \"activation\": \"tanh\"},"
            + " {\"type\": \"residual\", \"activation\": \"tanh\", \"repeat\": 2}], \"head\": {\"type\": \"softmax\", \"classes\": 10}}";
    private static final int N = 200, TESTS = 30, REMOVED = 25;

    /** a (1/M) sum over M examples of l_j + delta |x|^2 / 2, a = M / N: the sum over the kept examples divided by N. */
    record Regularized(BatchObjective inner, double a, double delta, Curvature curvature, CurvatureRoute route) implements Objective {
        @Override public int dimension() { return inner.dimension(); }

        @Override public double loss(double[] x) { return a * inner.loss(x) + delta * dot(x, x) / 2; }

        @Override public LossGradient lossAndGradient(double[] x) {
            LossGradient g = inner.lossAndGradient(x);
            double[] out = g.gradient().clone();
            for (int k = 0; k < out.length; k++) out[k] = a * out[k] + delta * x[k];
            return new LossGradient(a * g.loss() + delta * dot(x, x) / 2, out);
        }

        /** Not used by the exact-Newton retraining here: the full objective. */
        @Override public LossGradient minibatchLossAndGradient(double[] x, long seed, long size) { return lossAndGradient(x); }

        @Override public DampedCurvature curvature(double[] x, long seed) {
            DampedCurvature c = inner.curvature(x, seed);
            return new DampedCurvature() {
                @Override public int dimension() { return c.dimension(); }

                /** (a C + (delta + lambda) I)^-1 r = (1/a) (C + ((delta + lambda) / a) I)^-1 r. */
                @Override public DampedSolve solve(double lambda, double[] r) {
                    DampedSolve s = c.solve((delta + lambda) / a, r);
                    double[] d = s.direction().clone();
                    for (int k = 0; k < d.length; k++) d[k] /= a;
                    return new DampedSolve(d, s.logAbsDet(), s.inertia(), s.seconds());
                }

                @Override public double[] times(double[] v) {
                    double[] cv = c.times(v);
                    for (int k = 0; k < cv.length; k++) cv[k] = a * cv[k] + delta * v[k];
                    return cv;
                }

                @Override public String route() { return c.route(); }
            };
        }
    }

    static double dot(double[] u, double[] v) {
        double s = 0;
        for (int k = 0; k < u.length; k++) s += u[k] * v[k];
        return s;
    }

    /** Levenberg-Marquardt to |gradient| <= tol (or the step limit). */
    static TrainState minimize(Objective f, double[] x0, double tol, int steps) {
        Objective.LossGradient lg = f.lossAndGradient(x0);
        TrainState s = new TrainState(0, x0, lg.loss(), lg.gradient(), 1e-3, 2, 1, 0);
        DampedCurvature c = null;
        double[] at = null;
        for (int k = 0; k < steps && s.gradientNorm() > tol; k++) {
            if (at != s.x()) {
                c = f.curvature(s.x(), 0);
                at = s.x();
            }
            StepReport r = LevenbergMarquardt.DEFAULT.step(f, s, c);
            s = r.next();
            if (s.damping() > 1e10) break;
        }
        return s;
    }

    static double[] minus(double[] a, double[] b) {
        double[] o = a.clone();
        for (int k = 0; k < o.length; k++) o[k] -= b[k];
        return o;
    }

    static double pearson(double[] a, double[] b) {
        double ma = 0, mb = 0;
        for (int i = 0; i < a.length; i++) {
            ma += a[i] / a.length;
            mb += b[i] / b.length;
        }
        double sab = 0, saa = 0, sbb = 0;
        for (int i = 0; i < a.length; i++) {
            sab += (a[i] - ma) * (b[i] - mb);
            saa += (a[i] - ma) * (a[i] - ma);
            sbb += (b[i] - mb) * (b[i] - mb);
        }
        return sab / Math.sqrt(saa * sbb);
    }

    @Test
    @org.junit.jupiter.api.Tag("slow")
    void influencePredictsLeaveOneOutRetraining() {
        long t0 = System.nanoTime();
        Network net = ModelSpec.parse(SPEC);
        List<Example> all = DigitsProblem.examples();
        List<Example> rawTrain = all.subList(0, N), rawTest = all.subList(1500, 1500 + TESTS);
        int f = net.inputSize();
        double[] mean = new double[f], ss = new double[f];
        for (Example e : rawTrain) for (int k = 0; k < f; k++) mean[k] += e.features()[k] / N;
        for (Example e : rawTrain) for (int k = 0; k < f; k++) ss[k] += Math.pow(e.features()[k] - mean[k], 2);
        Standardization st = Standardization.of(mean, ss, N);
        List<Example> train = new ArrayList<>(), test = new ArrayList<>();
        for (Example e : rawTrain) train.add(st.apply(e));
        for (Example e : rawTest) test.add(st.apply(e));

        // train at a first guess delta0 = 1e-2 (GGN Levenberg-Marquardt, then Newton on the exact Hessian to |g| <= 1e-10), pick
        // delta = alpha* / N by the evidence at that minimum (one round: iterating the fixed point drifts to ever larger alpha
        // here), and retrain at delta
        double delta = 1e-2;
        BatchObjective full = new BatchObjective(net, train, Curvature.GGN, 0, CurvatureRoute.OUTPUT_SPACE);
        BatchObjective hess = new BatchObjective(net, train, Curvature.HESSIAN, 0, CurvatureRoute.RICCATI);
        double[] x = minimize(new Regularized(full, 1, delta, Curvature.GGN, CurvatureRoute.OUTPUT_SPACE), net.initialParameters(1), 1e-6, 200).x();
        x = minimize(new Regularized(hess, 1, delta, Curvature.HESSIAN, CurvatureRoute.RICCATI), x, 1e-10, 50).x();
        DampedCurvature g = full.curvature(x, 0);
        double meanLoss = full.loss(x), xx = dot(x, x);
        double bestAlpha = 0, best = Double.NEGATIVE_INFINITY;
        for (int i = 0; i <= 80; i++) {
            double alpha = Math.pow(10, -3 + 6.0 * i / 80);
            double ev = EvidenceJob.evaluate(g, N, meanLoss, xx, alpha).logEvidence();
            if (ev > best) {
                best = ev;
                bestAlpha = alpha;
            }
        }
        delta = bestAlpha / N;
        System.out.printf(Locale.ROOT, "at delta0 1e-2: loss %.5g, evidence maximizer alpha* = %.4g, delta = %.4g%n", meanLoss, bestAlpha, delta);
        TrainState star = minimize(new Regularized(hess, 1, delta, Curvature.HESSIAN, CurvatureRoute.RICCATI), x, 1e-11, 100);
        x = star.x();
        DampedCurvature h0 = hess.curvature(x, 0);
        System.out.printf(Locale.ROOT, "x*: |gradient| %.3g after %d steps, inertia of H + delta I %s%n", star.gradientNorm(), star.step(),
                h0.solve(delta, new double[x.length]).inertia());
        double trainSeconds = (System.nanoTime() - t0) / 1e9;

        // influence on the mean test loss: one solve with the Hessian of the regularized objective
        long t1 = System.nanoTime();
        BatchObjective testObj = new BatchObjective(net, test, Curvature.HESSIAN, 0);
        double[] gTest = testObj.lossAndGradient(x).gradient();
        double baseTestLoss = testObj.loss(x);
        DampedCurvature h = hess.curvature(x, 0);
        double[] s = h.solveMany(delta, new double[][] {gTest})[0];
        double[] predicted = new double[N];
        for (int i = 0; i < N; i++) {
            double[] gi = new BatchObjective(net, List.of(train.get(i)), Curvature.HESSIAN, 0).lossAndGradient(x).gradient();
            predicted[i] = dot(s, gi) / N; // = -score / N: removing i (epsilon = -1/N) changes the test loss by this
        }
        double influenceSeconds = (System.nanoTime() - t1) / 1e9;
        Integer[] order = new Integer[N];
        for (int i = 0; i < N; i++) order[i] = i;
        java.util.Arrays.sort(order, (a, b) -> Double.compare(Math.abs(predicted[b]), Math.abs(predicted[a])));

        long t2 = System.nanoTime();
        double[] pred = new double[REMOVED], actual = new double[REMOVED];
        for (int r = 0; r < REMOVED; r++) {
            int i = order[r];
            List<Example> kept = new ArrayList<>(train);
            kept.remove(i);
            Regularized loo = new Regularized(new BatchObjective(net, kept, Curvature.HESSIAN, 0, CurvatureRoute.RICCATI), (N - 1.0) / N, delta,
                    Curvature.HESSIAN, CurvatureRoute.RICCATI);
            TrainState xi = minimize(loo, x, 1e-11, 100);
            System.out.printf(Locale.ROOT, "  loo %d: |gradient| %.3g after %d steps, |x_i - x*| %.3g%n", i, xi.gradientNorm(), xi.step(),
                    Math.sqrt(dot(minus(xi.x(), x), minus(xi.x(), x))));
            pred[r] = predicted[i];
            actual[r] = testObj.loss(xi.x()) - baseTestLoss;
        }
        double looSeconds = (System.nanoTime() - t2) / 1e9;
        double rho = pearson(pred, actual);
        System.out.printf(Locale.ROOT, "influence vs leave-one-out: %d parameters, N %d, %d tests, delta %.4g; Pearson r = %.4f over %d removals%n",
                net.paramCount(), N, TESTS, delta, rho, REMOVED);
        System.out.printf(Locale.ROOT, "  seconds: training %.1f, influence of all %d examples %.2f, %d retrainings %.1f%n", trainSeconds, N,
                influenceSeconds, REMOVED, looSeconds);
        for (int r = 0; r < 5; r++) System.out.printf(Locale.ROOT, "  removed %d: predicted %.4e actual %.4e%n", order[r], pred[r], actual[r]);
        assertTrue(rho >= 0.75, "Pearson correlation " + rho + " (measured 0.81 when written; the target 0.9 was not reached)");
    }
}
