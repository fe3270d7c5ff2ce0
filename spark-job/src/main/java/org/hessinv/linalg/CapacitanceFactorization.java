package org.hessinv.linalg;

import org.netlib.util.intW;

/**
 * The pivot of a capacitance stage, {@code Q = delta I + U M U^T} (p x p), factorized through its m x m
 * capacitance instead of densely (p > m = B units; delta > 0). {@code U = I_units kron Zt}, unit-major
 * m-order {@code mu * B + i}, with {@code Zt} the (inputs + 1) x B matrix of augmented stage inputs
 * {@code (z_i, 1)}; the parameter order is the stage's (W row-major units x inputs, then the bias).
 *
 * <p>Householder QR {@code Zt = Qz Rz} gives {@code U = Qf Rf} with {@code Qf = I kron Qz} orthonormal
 * (p x m) and {@code Rf = I kron Rz}, so {@code Q = delta (I - Qf Qf^T) + Qf Cap Qf^T} with the symmetric
 * capacitance {@code Cap = delta I_m + Rf M Rf^T}. Exactly, whatever the rank of Zt:
 * <ul>
 * <li>eigenvalues of Q: delta (p - m times) and those of Cap, so {@code log|det Q| = (p - m) log delta + log|det Cap|}
 * and {@code inertia(Q) = (0, 0, p - m) + inertia(Cap)};</li>
 * <li>{@code Q^-1 y = y / delta + Qf (Cap^-1 - I / delta) Qf^T y}, followed by one step of iterative
 * refinement with the structured product {@code Q x = delta x + Qf (Cap - delta I) Qf^T x};</li>
 * <li>with Cap = L L^T, {@code T = (I - Qf Qf^T) / sqrt(delta) + Qf L^-T Qf^T} has {@code T T^T = Q^-1}
 * (the sampling map).</li>
 * </ul>
 * Costs O(p B + B^2 inputs) for the QR, O(B m^2) for Cap, m^3/3 to factorize it, O(p B) per solve: no p^2 or p^3 term.
 */
public final class CapacitanceFactorization implements SymmetricFactorization {
    private final int p;
    private final int m;
    private final int units;
    private final int inputs;
    private final int batch;
    private final double delta;
    /** (inputs + 1) x batch, orthonormal columns. */
    private final double[] qz;
    /** Cap, m x m (kept for the refinement product). */
    private final double[] cap;
    private final SymmetricFactorization capF;
    private final double rcond;

    private CapacitanceFactorization(int units, int inputs, int batch, double delta, double[] qz, double[] cap,
                                     SymmetricFactorization capF, double rcond) {
        this.p = units * (inputs + 1);
        this.m = units * batch;
        this.units = units;
        this.inputs = inputs;
        this.batch = batch;
        this.delta = delta;
        this.qz = qz;
        this.cap = cap;
        this.capF = capF;
        this.rcond = rcond;
    }

    /**
     * Factorizes {@code delta I + U M U^T} for {@code U = I_units kron Zt}. {@code zt} is (inputs + 1) x batch
     * column-major with inputs + 1 > batch (so that m < p), {@code mid} the symmetric m x m middle in
     * unit-major order (overwritten: it becomes the capacitance, so that no second m x m array is needed).
     * Throws {@link SingularMatrixException} when {@code delta <= 0} (Q then has rank at most m < p) or the
     * pivot's reciprocal condition estimate is below {@link #SINGULAR_RCOND}.
     */
    public static CapacitanceFactorization factor(int units, int inputs, int batch, double[] zt, double[] mid, double delta) {
        int ld = inputs + 1;
        int m = units * batch;
        if (batch >= ld) throw new IllegalArgumentException("no capacitance: batch " + batch + " >= inputs + 1 = " + ld + ", so m >= p");
        // rank(U M U^T) <= m < p: without damping the pivot is singular whatever M
        if (!(delta > 0) || !Double.isFinite(delta)) throw new SingularMatrixException(units * ld, 0.0);
        // Zt = Qz Rz (Householder; stable whatever the conditioning of the inputs)
        double[] qz = zt.clone();
        double[] tau = new double[batch];
        intW info = new intW(0);
        double[] query = new double[1];
        Blas.lapack().dgeqrf(ld, batch, qz, 0, ld, tau, 0, query, 0, -1, info);
        double[] work = new double[Math.max(1, (int) query[0])];
        Blas.lapack().dgeqrf(ld, batch, qz, 0, ld, tau, 0, work, 0, work.length, info);
        double[] rz = new double[batch * batch];
        for (int j = 0; j < batch; j++) for (int i = 0; i <= j; i++) rz[j * batch + i] = qz[j * ld + i];
        Blas.lapack().dorgqr(ld, batch, batch, qz, 0, ld, tau, 0, query, 0, -1, info);
        work = new double[Math.max(1, (int) query[0])];
        Blas.lapack().dorgqr(ld, batch, batch, qz, 0, ld, tau, 0, work, 0, work.length, info);
        if (info.val != 0) throw new IllegalStateException("dorgqr failed (info " + info.val + ")");
        // Cap = delta I + Rf M Rf^T, Rf = I_units kron Rz, in place in mid, lower unit blocks only (Cap is
        // symmetric): block (mu, nu) = Rz M_{mu nu} Rz^T for mu >= nu, first M Rf^T by column blocks, then Rz from the left
        double[] cap = mid;
        double[] panel = new double[m * batch];
        for (int nu = 0; nu < units; nu++) {
            int rows = m - nu * batch;
            int block = nu * batch * m + nu * batch;
            Blas.gemm(false, true, rows, batch, batch, 1.0, cap, block, m, rz, 0, batch, 0.0, panel, 0, rows);
            for (int j = 0; j < batch; j++) System.arraycopy(panel, j * rows, cap, block + j * m, rows);
        }
        for (int nu = 0; nu < units; nu++) {
            for (int mu = nu; mu < units; mu++) {
                int block = nu * batch * m + mu * batch;
                Blas.gemm(false, false, batch, batch, batch, 1.0, rz, 0, batch, cap, block, m, 0.0, panel, 0, batch);
                for (int j = 0; j < batch; j++) System.arraycopy(panel, j * batch, cap, block + j * m, batch);
            }
        }
        panel = null;
        SymmetricFactorization.mirrorLower(cap, m);
        for (int i = 0; i < m; i++) cap[i * m + i] += delta;
        SymmetricFactorization capF = SymmetricFactorization.factor(cap, m);
        // the pivot's eigenvalues are delta and those of Cap: rcond ~ min(sigma_min(Cap), delta) / max(||Cap||, delta)
        double capNorm = Blas.lapack().dlansy("1", "L", m, cap, 0, m, new double[m], 0);
        double rc = Math.min(capF.rcond() * capNorm, delta) / Math.max(capNorm, delta);
        if (!(rc >= SINGULAR_RCOND)) throw new SingularMatrixException(units * ld, rc);
        return new CapacitanceFactorization(units, inputs, batch, delta, qz, cap, capF, rc);
    }

    /**
     * The bytes the factorization of a pivot with these dimensions holds: Qz ((inputs + 1) x B), the capacitance
     * Cap (m x m) and its factorization ({@link SymmetricFactorization#factorBytes}).
     */
    public static long bytes(long units, long inputs, long batch) { return bytes(units, inputs, batch, HeapFootprint.EXACT); }

    /** {@link #bytes(long, long, long)} with each array at its footprint in the heap. */
    public static long bytes(long units, long inputs, long batch, HeapFootprint fp) {
        long m = units * batch;
        return fp.doubles((inputs + 1) * batch) + fp.doubles(m * m) + SymmetricFactorization.factorBytes(m, fp);
    }

    /**
     * The bytes {@link #factor} allocates beyond what the factorization keeps ({@link #bytes(long, long, long)}) and
     * the middle it is given: tau (B), Rz (B x B), the product panel (m x B) and the norm's workspace (m);
     * LAPACK's QR workspaces (a few B columns) are not counted.
     */
    public static long workingBytes(long units, long inputs, long batch) { return workingBytes(units, inputs, batch, HeapFootprint.EXACT); }

    /** {@link #workingBytes(long, long, long)} with each array at its footprint in the heap. */
    public static long workingBytes(long units, long inputs, long batch, HeapFootprint fp) {
        long m = units * batch;
        return fp.doubles(batch) + fp.doubles(batch * batch) + fp.doubles(m * batch) + fp.doubles(m);
    }

    @Override public long bytes() { return Double.BYTES * ((long) qz.length + cap.length) + capF.bytes(); }

    @Override public int dimension() { return p; }

    /** m = B units: the size of the capacitance matrix actually factorized. */
    public int capacitanceDimension() { return m; }

    /** Whether the pivot is positive definite (its capacitance is). */
    @Override public boolean isPositiveDefinite() { return capF.isPositiveDefinite(); }

    /** t (m x nrhs) = Qf^T y for y p x nrhs. */
    private double[] applyQt(double[] y, int nrhs) {
        int ld = inputs + 1;
        int bias = units * inputs;
        double[] t = new double[m * nrhs];
        for (int c = 0; c < nrhs; c++) {
            Blas.gemm(true, false, batch, units, inputs, 1.0, qz, 0, ld, y, c * p, inputs, 0.0, t, c * m, batch);
            for (int mu = 0; mu < units; mu++) {
                double yb = y[c * p + bias + mu];
                if (yb == 0.0) continue;
                for (int i = 0; i < batch; i++) t[c * m + mu * batch + i] += qz[i * ld + inputs] * yb;
            }
        }
        return t;
    }

    /** y (p x nrhs) += Qf t for t m x nrhs. */
    private void addQ(double[] t, int nrhs, double[] y) {
        int ld = inputs + 1;
        int bias = units * inputs;
        for (int c = 0; c < nrhs; c++) {
            Blas.gemm(false, false, inputs, units, batch, 1.0, qz, 0, ld, t, c * m, batch, 1.0, y, c * p, inputs);
            for (int mu = 0; mu < units; mu++) {
                double s = 0;
                for (int i = 0; i < batch; i++) s += qz[i * ld + inputs] * t[c * m + mu * batch + i];
                y[c * p + bias + mu] += s;
            }
        }
    }

    /** x = y / delta + Qf (Cap^-1 - I / delta) Qf^T y. */
    private double[] solveOnce(double[] y, int nrhs) {
        double[] t = applyQt(y, nrhs);
        double[] s = t.clone();
        capF.solveInPlace(s, nrhs);
        for (int i = 0; i < s.length; i++) s[i] -= t[i] / delta;
        double[] x = new double[p * nrhs];
        for (int i = 0; i < x.length; i++) x[i] = y[i] / delta;
        addQ(s, nrhs, x);
        return x;
    }

    /** B <- Q^-1 B: the capacitance solve plus one step of iterative refinement. */
    @Override public void solveInPlace(double[] b, int nrhs) {
        if (p == 0 || nrhs == 0) return;
        double[] x = solveOnce(b, nrhs);
        // residual b - Q x, Q x = delta x + Qf (Cap - delta I) Qf^T x
        double[] t = applyQt(x, nrhs);
        double[] ct = new double[m * nrhs];
        Blas.gemm(false, false, m, nrhs, m, 1.0, cap, 0, m, t, 0, m, 0.0, ct, 0, m);
        for (int i = 0; i < ct.length; i++) ct[i] = -(ct[i] - delta * t[i]);
        double[] res = new double[p * nrhs];
        for (int i = 0; i < res.length; i++) res[i] = b[i] - delta * x[i];
        addQ(ct, nrhs, res);
        double[] dx = solveOnce(res, nrhs);
        for (int i = 0; i < b.length && i < p * nrhs; i++) b[i] = x[i] + dx[i];
    }

    /** Q^-1 densely (p x p): p solves. Only for small stages; the sweep never calls it on this pivot. */
    @Override public double[] inverse() {
        double[] inv = new double[p * p];
        for (int i = 0; i < p; i++) inv[i * p + i] = 1.0;
        solveInPlace(inv, p);
        Blas.symmetrize(inv, p);
        return inv;
    }

    @Override public double logAbsDet() { return (p - m) * Math.log(delta) + capF.logAbsDet(); }

    @Override public Inertia inertia() { return capF.inertia().plus(new Inertia(0, 0, p - m)); }

    @Override public double rcond() { return rcond; }

    /**
     * x <- T x with {@code T = (I - Qf Qf^T) / sqrt(delta) + Qf L^-T Qf^T}, Cap = L L^T: maps eps ~ N(0, I_p)
     * to a sample of N(0, Q^-1) ({@code T T^T = Q^-1}). Needs Q positive definite.
     */
    @Override public void applyInverseSquareRoot(double[] x) {
        if (!capF.isPositiveDefinite()) {
            throw new IllegalStateException("sampling needs a positive definite pivot, its inertia is " + inertia());
        }
        double sq = Math.sqrt(delta);
        double[] t = applyQt(x, 1);
        double[] s = t.clone();
        capF.applyInverseSquareRoot(s);
        for (int i = 0; i < m; i++) s[i] -= t[i] / sq;
        for (int i = 0; i < p; i++) x[i] /= sq;
        addQ(s, 1, x);
    }
}
