package org.hessinv.bench;

import java.util.function.UnaryOperator;

/**
 * Conjugate gradients (symmetric positive definite) and MINRES (symmetric, possibly indefinite; Paige and
 * Saunders 1975) for {@code M x = b} with M given only as a product {@code v -> M v} (here an R-pass
 * Hessian- or GGN-vector product). Baselines of the benchmark, run to a relative residual
 * {@code ||b - M x|| / ||b|| <= tol}, with honest outcomes: when the recurrence claims convergence the
 * true residual is recomputed (one more product) and, if it is not met, the method restarts from the
 * current iterate; the run stops at an iteration cap, a time budget, divergence, breakdown (CG on an
 * indefinite matrix) or stagnation (the best residual improved by less than 1% over a window).
 */
public final class Krylov {
    public enum Status {
        CONVERGED, MAX_ITERATIONS, TIME_BUDGET, STAGNATED, DIVERGED, BREAKDOWN;

        public String label() { return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'); }
    }

    /** Outcome: iterate, iterations, operator products (including residual checks), true relative residual, time. */
    public record Result(double[] x, Status status, int iterations, int products, double residual, double seconds) {}

    /** Limits of a run: relative residual target, iteration cap, wall-clock budget, stagnation window. */
    public record Limits(double tol, int maxIterations, double budgetSeconds, int stagnationWindow) {
        public Limits {
            if (!(tol > 0)) throw new IllegalArgumentException("tolerance must be > 0, got " + tol);
        }

        public static Limits of(double tol, int maxIterations, double budgetSeconds) {
            return new Limits(tol, maxIterations, budgetSeconds, Math.max(50, maxIterations / 10));
        }
    }

    private Krylov() {}

    /** Conjugate gradients from x = 0. */
    public static Result cg(UnaryOperator<double[]> op, double[] b, Limits lim) {
        long t0 = System.nanoTime();
        Run run = new Run(op, b, lim, t0);
        double[] x = new double[b.length];
        double[] r = b.clone();
        while (true) {
            double[] p = r.clone();
            double rr = dot(r, r);
            boolean restart = false;
            while (!restart) {
                Status stop = run.limitReached();
                if (stop != null) return run.result(x, stop);
                double[] q = run.apply(p);
                double pq = dot(p, q);
                if (!(pq > 0)) return run.result(x, Double.isFinite(pq) ? Status.BREAKDOWN : Status.DIVERGED);
                double alpha = rr / pq;
                axpy(alpha, p, x);
                axpy(-alpha, q, r);
                run.iterations++;
                double rrNew = dot(r, r);
                Status s = run.observe(Math.sqrt(rrNew) / run.bNorm);
                if (s == Status.CONVERGED) {
                    double[] trueR = run.trueResidual(x);
                    if (run.lastTrue <= lim.tol()) return run.result(x, Status.CONVERGED);
                    r = trueR;
                    restart = true;
                } else if (s != null) {
                    return run.result(x, s);
                } else {
                    double beta = rrNew / rr;
                    for (int i = 0; i < p.length; i++) p[i] = r[i] + beta * p[i];
                    rr = rrNew;
                }
            }
        }
    }

    /** MINRES from x = 0 (restarted from the current iterate when the true residual misses the target). */
    public static Result minres(UnaryOperator<double[]> op, double[] b, Limits lim) {
        long t0 = System.nanoTime();
        Run run = new Run(op, b, lim, t0);
        double[] x = new double[b.length];
        double[] rhs = b.clone();
        while (true) {
            Status s = minresCycle(run, rhs, x);
            if (s != Status.CONVERGED) return run.result(x, s);
            rhs = run.trueResidual(x);
            if (run.lastTrue <= lim.tol()) return run.result(x, Status.CONVERGED);
        }
    }

    /** One MINRES cycle for M dx = rhs, adding dx to x; returns CONVERGED when the recurrence residual meets tol. */
    private static Status minresCycle(Run run, double[] rhs, double[] x) {
        int n = rhs.length;
        double beta1 = norm(rhs);
        if (beta1 == 0) return Status.CONVERGED;
        double[] r1 = rhs.clone();
        double[] r2 = rhs.clone();
        double[] y = rhs.clone();
        double[] w = new double[n];
        double[] w1 = new double[n];
        double[] w2 = new double[n];
        double oldb = 0, beta = beta1, dbar = 0, epsln = 0, phibar = beta1, cs = -1, sn = 0;
        boolean first = true;
        while (true) {
            Status stop = run.limitReached();
            if (stop != null) return stop;
            double[] v = new double[n];
            double sc = 1.0 / beta;
            for (int i = 0; i < n; i++) v[i] = sc * y[i];
            y = run.apply(v);
            if (!first) axpy(-beta / oldb, r1, y);
            first = false;
            double alfa = dot(v, y);
            axpy(-alfa / beta, r2, y);
            r1 = r2;
            r2 = y.clone();
            oldb = beta;
            beta = norm(y);
            double oldeps = epsln;
            double delta = cs * dbar + sn * alfa;
            double gbar = sn * dbar - cs * alfa;
            epsln = sn * beta;
            dbar = -cs * beta;
            double gamma = Math.max(Math.hypot(gbar, beta), Double.MIN_NORMAL);
            cs = gbar / gamma;
            sn = beta / gamma;
            double phi = cs * phibar;
            phibar = sn * phibar;
            double[] tmp = w1;
            w1 = w2;
            w2 = w;
            w = tmp;
            for (int i = 0; i < n; i++) w[i] = (v[i] - oldeps * w1[i] - delta * w2[i]) / gamma;
            axpy(phi, w, x);
            run.iterations++;
            if (!Double.isFinite(phibar) || !Double.isFinite(beta)) return Status.DIVERGED;
            Status s = run.observe(phibar / run.bNorm);
            if (s != null) return s;
            if (beta == 0) return Status.CONVERGED; // invariant subspace: exact in exact arithmetic
        }
    }

    /** Book-keeping shared by both methods. */
    private static final class Run {
        final UnaryOperator<double[]> op;
        final double[] b;
        final Limits lim;
        final long t0;
        final double bNorm;
        int iterations;
        int products;
        double best = Double.POSITIVE_INFINITY;
        int bestAt;
        double lastTrue = Double.NaN;

        Run(UnaryOperator<double[]> op, double[] b, Limits lim, long t0) {
            this.op = op;
            this.b = b;
            this.lim = lim;
            this.t0 = t0;
            double nb = norm(b);
            this.bNorm = nb == 0 ? 1 : nb;
        }

        double[] apply(double[] v) {
            products++;
            return op.apply(v);
        }

        double seconds() { return (System.nanoTime() - t0) / 1e9; }

        Status limitReached() {
            if (iterations >= lim.maxIterations()) return Status.MAX_ITERATIONS;
            if (seconds() > lim.budgetSeconds()) return Status.TIME_BUDGET;
            return null;
        }

        /** Records a recurrence residual; CONVERGED at the target, DIVERGED/STAGNATED when detected, else null. */
        Status observe(double rel) {
            if (!Double.isFinite(rel) || rel > 1e8) return Status.DIVERGED;
            if (rel <= lim.tol()) return Status.CONVERGED;
            if (rel < 0.99 * best) {
                best = rel;
                bestAt = iterations;
            } else if (iterations - bestAt >= lim.stagnationWindow()) {
                return Status.STAGNATED;
            }
            return null;
        }

        double[] trueResidual(double[] x) {
            double[] mx = apply(x);
            double[] r = new double[b.length];
            for (int i = 0; i < r.length; i++) r[i] = b[i] - mx[i];
            lastTrue = norm(r) / bNorm;
            return r;
        }

        Result result(double[] x, Status s) {
            if (Double.isNaN(lastTrue) || s != Status.CONVERGED) trueResidual(x);
            return new Result(x, s, iterations, products, lastTrue, seconds());
        }
    }

    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }

    static double norm(double[] a) { return Math.sqrt(dot(a, a)); }

    static void axpy(double alpha, double[] x, double[] y) {
        for (int i = 0; i < y.length; i++) y[i] += alpha * x[i];
    }
}
