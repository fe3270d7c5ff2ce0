package org.hessinv.curvature;

import java.util.List;
import org.hessinv.linalg.Blas;

/**
 * The Kronecker form of a fully parameterized stage's control blocks over a batch of B examples
 * ({@link KroneckerStage}, {@link CapacitanceStage}): the sweep multiplies by Bs through it ({@link #vTimesBs},
 * {@link #addBsTransposeProduct}), and a capacitance stage's pivot is factorized from it through its capacitance. With
 * {@code Ju_i = I_units kron zt_i^T} (units x p, {@code zt_i = (z_i, 1)}) and
 * {@code U = [Ju_1^T .. Ju_B^T]} (p x m, m = B units):
 * {@code S = sum_i Ju_i^T Lambda_i Ju_i = U Lam U^T} and {@code Bs = vstack(D_i Ju_i) = D U^T}, where
 * {@code Lam = blockdiag(Lambda_i)} and {@code D = blockdiag(D_i)}, {@code D_i = diag(J_i)} for a hidden
 * layer ({@code a_l = units}) and the row {@code J_i} for the head ({@code a_l = 1}). Hence
 * {@code S + Bs^T V Bs = U M U^T} with the small middle {@code M_ij = delta_ij Lambda_i + D_i^T V_ij D_j}.
 *
 * <p>The m-space is ordered unit-major here, index {@code mu * B + i} (unit mu, example i), so that
 * {@code U = I_units kron Zt} with {@code Zt = [zt_1 .. zt_B]} ((inputs + 1) x B): the structured pivot
 * ({@link org.hessinv.linalg.CapacitanceFactorization}) only ever factorizes {@code Zt} and an m x m matrix.
 */
public final class StageFactors {
    public final int batch;
    public final int inputs;
    public final int units;
    /** a_l: units for a hidden layer, 1 for the head. */
    public final int aOut;
    /** (inputs + 1) x batch, column-major: column i = (z_i, 1). */
    public final double[] zt;
    /** batch x units, row i at i * units: J_i (the diagonal of D_i, or the head's row). */
    public final double[] jac;
    /** batch blocks units x units, column-major, block i at i * units^2: Lambda_i; null when every Lambda_i is zero (GGN hidden layers). */
    public final double[] lambda;

    StageFactors(int batch, int inputs, int units, int aOut, List<StageRecord> records) {
        this.batch = batch;
        this.inputs = inputs;
        this.units = units;
        this.aOut = aOut;
        int ld = inputs + 1;
        this.zt = new double[ld * batch];
        this.jac = new double[batch * units];
        boolean anyLambda = false;
        for (StageRecord r : records) anyLambda |= r.lambda() != null;
        this.lambda = anyLambda ? new double[batch * units * units] : null;
        for (int i = 0; i < batch; i++) {
            StageRecord r = records.get(i);
            System.arraycopy(r.z(), 0, zt, i * ld, inputs);
            zt[i * ld + inputs] = 1.0;
            System.arraycopy(r.jac(), 0, jac, i * units, units);
            if (r.lambda() == null) continue;
            int off = i * units * units;
            if (r.lambdaDense()) {
                System.arraycopy(r.lambda(), 0, lambda, off, units * units);
            } else {
                for (int m = 0; m < units; m++) lambda[off + m * units + m] = r.lambda()[m];
            }
        }
    }

    /** The bytes of Zt, J and Lambda. */
    public long bytes() { return (long) Double.BYTES * ((long) zt.length + jac.length + (lambda == null ? 0 : lambda.length)); }

    /** The bytes of the factors of a stage with these dimensions, Lambda included (the Hessian's; the GGN's hidden layers have none). */
    public static long bytes(long batch, long inputs, long units) { return bytes(batch, inputs, units, org.hessinv.linalg.HeapFootprint.EXACT); }

    /** {@link #bytes(long, long, long)} with each array at its footprint in the heap. */
    public static long bytes(long batch, long inputs, long units, org.hessinv.linalg.HeapFootprint fp) {
        return fp.doubles((inputs + 1) * batch) + fp.doubles(batch * units) + fp.doubles(batch * units * units);
    }

    /** m = B units: the rank bound of S + Bs^T V Bs. */
    public int rank() { return batch * units; }

    /** p = units (inputs + 1). */
    public int paramCount() { return units * (inputs + 1); }

    /**
     * M = Lam + D^T V D, m x m column-major in unit-major order ({@code mu * B + i}), for the stacked
     * output-state Hessian V ((B a_l) x (B a_l), example-major {@code i * a_l + a}); V may be null (zero).
     */
    public double[] middle(double[] v) {
        int m = rank();
        int nOut = batch * aOut;
        double[] mid = new double[m * m];
        if (v != null) {
            boolean head = aOut == 1; // D_i is a row (head; a width-1 layer's diagonal is the same thing)
            for (int j = 0; j < batch; j++) {
                for (int nu = 0; nu < units; nu++) {
                    double jj = jac[j * units + nu];
                    int vCol = (j * aOut + (head ? 0 : nu)) * nOut;
                    int col = (nu * batch + j) * m;
                    if (jj == 0.0) continue;
                    for (int mu = 0; mu < units; mu++) {
                        for (int i = 0; i < batch; i++) {
                            mid[col + mu * batch + i] = jac[i * units + mu] * v[vCol + i * aOut + (head ? 0 : mu)] * jj;
                        }
                    }
                }
            }
        }
        if (lambda != null) {
            for (int i = 0; i < batch; i++) {
                int off = i * units * units;
                for (int nu = 0; nu < units; nu++) {
                    for (int mu = 0; mu < units; mu++) mid[(nu * batch + i) * m + mu * batch + i] += lambda[off + nu * units + mu];
                }
            }
        }
        return mid;
    }

    /** S = U Lam U^T added into the p x p column-major s (only for small stages and tests: p^2 memory). */
    public void addDenseS(double[] s) {
        if (lambda == null) return;
        int p = paramCount();
        int ld = inputs + 1;
        for (int i = 0; i < batch; i++) {
            int off = i * units * units;
            for (int m = 0; m < units; m++) {
                for (int mp = 0; mp < units; mp++) {
                    double lam = lambda[off + mp * units + m];
                    if (lam == 0.0) continue;
                    for (int kp = 0; kp <= inputs; kp++) {
                        int col = (kp < inputs ? mp * inputs + kp : units * inputs + mp) * p;
                        double f = lam * zt[i * ld + kp];
                        for (int k = 0; k < inputs; k++) s[col + m * inputs + k] += f * zt[i * ld + k];
                        s[col + units * inputs + m] += f;
                    }
                }
            }
        }
    }

    /** Bs = D U^T, (B a_l) x p column-major (leading dimension B a_l). */
    public double[] denseBs() {
        int nOut = batch * aOut;
        double[] bs = new double[nOut * paramCount()];
        int ld = inputs + 1;
        int bias = units * inputs;
        for (int i = 0; i < batch; i++) {
            for (int mu = 0; mu < units; mu++) {
                double jm = jac[i * units + mu];
                int row = i * aOut + (aOut == 1 ? 0 : mu);
                for (int k = 0; k < inputs; k++) bs[(mu * inputs + k) * nOut + row] = jm * zt[i * ld + k];
                bs[(bias + mu) * nOut + row] = jm;
            }
        }
        return bs;
    }

    /** The state row of D_i's unit mu: i a_l + mu for a hidden layer, i for the head (a_l = 1). */
    private int stateRow(int i, int mu) { return i * aOut + (aOut == 1 ? 0 : mu); }

    /**
     * V Bs = (V D) U^T ((B a_l) x p) for V (B a_l) x (B a_l): per unit mu, G = V[:, rows (i, mu)] diag(J_{i mu})
     * ((B a_l) x B) times Zt^T: 2 (B a_l) B p flops instead of the dense 2 (B a_l)^2 p (Bs has one unit's
     * inputs + 1 nonzeros per row).
     */
    public double[] vTimesBs(double[] v) {
        int nOut = batch * aOut;
        int ld = inputs + 1;
        int bias = units * inputs;
        double[] out = new double[nOut * paramCount()];
        double[] ones = new double[batch];
        java.util.Arrays.fill(ones, 1.0);
        java.util.stream.IntStream.range(0, units).parallel().forEach(mu -> {
            double[] g = new double[nOut * batch];
            for (int i = 0; i < batch; i++) {
                double j = jac[i * units + mu];
                int src = stateRow(i, mu) * nOut;
                for (int r = 0; r < nOut; r++) g[i * nOut + r] = v[src + r] * j;
            }
            // W columns mu * inputs + k: G Z^T (Z = the first `inputs` rows of Zt); bias column: G 1
            Blas.gemm(false, true, nOut, inputs, batch, 1.0, g, 0, nOut, zt, 0, ld, 0.0, out, mu * inputs * nOut, nOut);
            Blas.gemv(false, nOut, batch, 1.0, g, 0, nOut, ones, 0, 0.0, out, (bias + mu) * nOut);
        });
        return out;
    }

    /**
     * q (p x p) += Bs^T Y = U (D^T Y) for Y (B a_l) x p: per unit mu, T = diag(J_{i mu}) Y[rows (i, mu), :]
     * (B x p), then rows (mu, k) += Zt T: 2 B p^2 flops instead of the dense 2 (B a_l) p^2.
     */
    public void addBsTransposeProduct(double[] y, double[] q) {
        int nOut = batch * aOut;
        int p = paramCount();
        int ld = inputs + 1;
        int bias = units * inputs;
        java.util.stream.IntStream.range(0, units).parallel().forEach(mu -> {
            double[] t = new double[batch * p];
            for (int c = 0; c < p; c++) {
                for (int i = 0; i < batch; i++) t[c * batch + i] = jac[i * units + mu] * y[c * nOut + stateRow(i, mu)];
            }
            // rows mu * inputs + k of q: disjoint per unit, so the units run in parallel
            Blas.gemm(false, false, inputs, p, batch, 1.0, zt, 0, ld, t, 0, batch, 1.0, q, mu * inputs, p);
            for (int c = 0; c < p; c++) {
                double s = 0;
                for (int i = 0; i < batch; i++) s += t[c * batch + i];
                q[c * p + bias + mu] += s;
            }
        });
    }

    /** out (B a_l) = Bs d = D (U^T d), for d of length p. */
    public void bsTimes(double[] d, double[] out) {
        int ld = inputs + 1;
        int bias = units * inputs;
        double[] t = new double[batch * units]; // t[mu * B + i] = zt_i . (W-row mu of d, bias mu)
        Blas.gemm(true, false, batch, units, inputs, 1.0, zt, 0, ld, d, 0, inputs, 0.0, t, 0, batch);
        java.util.Arrays.fill(out, 0, batch * aOut, 0.0);
        for (int i = 0; i < batch; i++) {
            for (int mu = 0; mu < units; mu++) {
                out[i * aOut + (aOut == 1 ? 0 : mu)] += jac[i * units + mu] * (t[mu * batch + i] + d[bias + mu]);
            }
        }
    }

    /** out (p) += Bs^T v = U (D^T v), for v of length B a_l. */
    public void addBsTransposeTimes(double[] v, double[] out) {
        int ld = inputs + 1;
        int bias = units * inputs;
        double[] w = new double[batch * units]; // w[mu * B + i] = (D_i^T v_i)[mu]
        for (int i = 0; i < batch; i++) {
            for (int mu = 0; mu < units; mu++) w[mu * batch + i] = jac[i * units + mu] * v[i * aOut + (aOut == 1 ? 0 : mu)];
        }
        Blas.gemm(false, false, inputs, units, batch, 1.0, zt, 0, ld, w, 0, batch, 1.0, out, 0, inputs);
        for (int mu = 0; mu < units; mu++) {
            double s = 0;
            for (int i = 0; i < batch; i++) s += w[mu * batch + i];
            out[bias + mu] += s;
        }
    }
}
