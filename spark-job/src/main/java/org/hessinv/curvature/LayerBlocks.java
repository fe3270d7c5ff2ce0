package org.hessinv.curvature;

import org.hessinv.linalg.Blas;
import org.hessinv.model.AffineStage;
import org.hessinv.model.HiddenLayer;

/**
 * Expands one example's {@link StageRecord} into the dense blocks {@code A, B, P, R, S} of one stage
 * (MATH.md section 2), written into caller-provided column-major arrays at given offsets and leading
 * dimensions (so they land directly in the stacked per-layer matrices of {@link LayerStage}).
 * W is read from the flat parameter vector x at {@code off}: row-major units x inputs, i.e. W^T column-major;
 * for a square-parameterized stage (gain or bias, W frozen) Weff(x) is formed once and Ju = du/dx is diagonal.
 */
public final class LayerBlocks {
    private final AffineStage stage;
    private final double[] x;
    private final int off;
    private final int in;
    private final int units;
    private final int bias;
    /** Where Weff is read (W^T column-major): x at off (FULL) or a row-major copy of Weff(x) (square stages). */
    private final double[] w;
    private final int wOff;
    private final boolean square;

    public LayerBlocks(AffineStage stage, double[] x, int off) {
        this.stage = stage;
        this.x = x;
        this.off = off;
        this.in = stage.inputSize();
        this.units = stage.units();
        this.bias = stage.biasOffset();
        this.square = stage.isSquareParameterized();
        this.w = square ? stage.effectiveWeights(x, off) : x;
        this.wOff = square ? 0 : off;
    }

    private boolean residual() { return stage instanceof HiddenLayer h && h.isResidual(); }

    /** A = J W (+ I): a_l x a_{l-1}, at a[aOff], leading dimension lda. */
    public void writeA(StageRecord r, double[] a, int aOff, int lda) {
        if (!(stage instanceof HiddenLayer)) {
            for (int k = 0; k < in; k++) {
                double s = 0;
                for (int m = 0; m < units; m++) s += r.jac()[m] * w[wOff + m * in + k];
                a[aOff + k * lda] = s;
            }
            return;
        }
        for (int k = 0; k < in; k++) {
            for (int j = 0; j < units; j++) a[aOff + k * lda + j] = r.jac()[j] * w[wOff + j * in + k];
        }
        if (residual()) for (int j = 0; j < units; j++) a[aOff + j * lda + j] += 1.0;
    }

    /** B = J Ju: a_l x p_l, B[j, j*in+k] = J_j z_k, B[j, bias+j] = J_j (head: a single row). */
    public void writeB(StageRecord r, double[] b, int bOff, int ldb) {
        double[] z = r.z();
        boolean head = !(stage instanceof HiddenLayer);
        if (square) {
            // B = J Ju with Ju = diag(ju): B[j, j] = J_j ju_j (head: B[0, m] = J_m ju_m)
            double[] ju = stage.squareParamJacobian(z);
            for (int m = 0; m < units; m++) b[bOff + m * ldb + (head ? 0 : m)] = r.jac()[m] * ju[m];
            return;
        }
        for (int m = 0; m < units; m++) {
            double jm = r.jac()[m];
            int row = head ? 0 : m;
            for (int k = 0; k < in; k++) b[bOff + (m * in + k) * ldb + row] = jm * z[k];
            b[bOff + (bias + m) * ldb + row] = jm;
        }
    }

    /** W^T Lambda: in x units, column-major (zero when Lambda is null). */
    private double[] wtLambda(StageRecord r) {
        double[] wl = new double[in * units];
        if (r.lambda() == null) return wl;
        if (r.lambdaDense()) {
            Blas.gemm(false, false, in, units, units, 1.0, w, wOff, in, r.lambda(), 0, units, 0.0, wl, 0, in);
        } else {
            for (int m = 0; m < units; m++) {
                double mu = r.lambda()[m];
                for (int k = 0; k < in; k++) wl[m * in + k] = w[wOff + m * in + k] * mu;
            }
        }
        return wl;
    }

    /** P = W^T Lambda W: a_{l-1} x a_{l-1}. */
    public void writeP(StageRecord r, double[] p, int pOff, int ldp) {
        double[] wl = wtLambda(r);
        Blas.gemm(false, true, in, in, units, 1.0, wl, 0, in, w, wOff, in, 0.0, p, pOff, ldp);
    }

    /** R = W^T Lambda Ju + X(cross): R[k', m*in+k] = (W^T Lambda)_{k'm} z_k + g_m [k = k'], R[k', bias+m] = (W^T Lambda)_{k'm}. */
    public void writeR(StageRecord r, double[] rr, int rOff, int ldr) {
        double[] wl = wtLambda(r);
        double[] z = r.z();
        if (square) {
            // R = (W^T Lambda) Ju + X(g), Ju = diag(ju); X(g)[k', j] = g_j W_{jk'} for a gain (zero for a bias)
            double[] ju = stage.squareParamJacobian(z);
            boolean gain = stage.parameterization() == org.hessinv.model.Parameterization.GAIN;
            for (int m = 0; m < units; m++) {
                int col = rOff + m * ldr;
                double g = r.cross() != null && gain ? r.cross()[m] : 0.0;
                for (int kp = 0; kp < in; kp++) rr[col + kp] = wl[m * in + kp] * ju[m] + (g == 0.0 ? 0.0 : g * stage.frozenWeight(m, kp));
            }
            return;
        }
        for (int m = 0; m < units; m++) {
            for (int k = 0; k < in; k++) {
                int col = rOff + (m * in + k) * ldr;
                double zk = z[k];
                for (int kp = 0; kp < in; kp++) rr[col + kp] = wl[m * in + kp] * zk;
            }
            int col = rOff + (bias + m) * ldr;
            for (int kp = 0; kp < in; kp++) rr[col + kp] = wl[m * in + kp];
        }
        if (r.cross() != null) {
            for (int m = 0; m < units; m++) {
                double g = r.cross()[m];
                for (int k = 0; k < in; k++) rr[rOff + (m * in + k) * ldr + k] += g;
            }
        }
    }

    /** S += Ju^T Lambda Ju: S[(m,k),(m',k')] += Lambda_{mm'} zt_k zt_k' with zt = (z, 1) and (m, in) the bias of unit m. */
    public void addS(StageRecord r, double[] s, int lds) {
        if (r.lambda() == null) return;
        double[] z = r.z();
        if (square) {
            // S += Ju^T Lambda Ju, Ju = diag(ju)
            double[] ju = stage.squareParamJacobian(z);
            for (int m = 0; m < units; m++) {
                for (int mp = 0; mp < units; mp++) {
                    double lam = r.lambdaDense() ? r.lambda()[mp * units + m] : (m == mp ? r.lambda()[m] : 0.0);
                    s[mp * lds + m] += ju[m] * lam * ju[mp];
                }
            }
            return;
        }
        for (int m = 0; m < units; m++) {
            for (int mp = 0; mp < units; mp++) {
                double lam;
                if (r.lambdaDense()) lam = r.lambda()[mp * units + m];
                else if (m == mp) lam = r.lambda()[m];
                else continue;
                if (lam == 0.0) continue;
                for (int kp = 0; kp <= in; kp++) {
                    double ztkp = kp < in ? z[kp] : 1.0;
                    int col = (kp < in ? mp * in + kp : bias + mp) * lds;
                    double f = lam * ztkp;
                    for (int k = 0; k < in; k++) s[col + m * in + k] += f * z[k];
                    s[col + bias + m] += f;
                }
            }
        }
    }
}
