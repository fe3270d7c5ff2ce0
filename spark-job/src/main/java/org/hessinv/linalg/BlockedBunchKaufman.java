package org.hessinv.linalg;

import java.util.stream.IntStream;
import org.netlib.util.doubleW;
import org.netlib.util.intW;

/**
 * {@code P^T Q P = L D L^T} with L unit lower triangular, D block diagonal (1x1 and 2x2 pivots) and P a
 * permutation, for a large indefinite stage pivot: LAPACK's blocked dsytrf (lower) algorithm, its panels
 * of {@link #PANEL} columns factorized left-looking with Bunch-Kaufman pivoting (dlasyf) and the trailing
 * matrix updated by one {@link Blas#gemm} per column block, in parallel over the blocks. Unlike LAPACK the
 * row interchanges are applied to all earlier columns of L ("standard form"), so the solves are two
 * triangular solves by recursive gemm ({@link #solveInPlace}) instead of dsytrs' rank-1 updates.
 */
public final class BlockedBunchKaufman implements SymmetricFactorization {
    /** Panel width: the trailing update is a rank-{@code PANEL} gemm (LAPACK's dsytrf uses 64). */
    static final int PANEL = 64;
    /**
     * Order from which {@link #factor(double[], int, double)} takes this factorization instead of
     * LAPACK's unblocked F2J build ({@link BunchKaufmanFactorization}). Measured on 2 heavily shared cores
     * ({@code BunchKaufmanBenchmark}, warm JIT): at orders 48-64 the two are even (factorization with its
     * condition 0.05-0.14 ms, a solve with 1024 right-hand sides 1.2-2.1 ms); from 96 this one's solves are
     * faster: 2x at 96, 2.5x at 192, 3.6x at 272 (21.8 vs 79.6 ms), 4x at 600, 6x at 1200.
     */
    static final int CROSSOVER_ORDER = 64;
    /** Bunch-Kaufman's pivot threshold (1 + sqrt 17) / 8, which bounds the growth of L D L^T. */
    private static final double ALPHA = (1 + Math.sqrt(17)) / 8;
    /** Triangle order at or below which the triangular solves run as plain loops instead of recursing. */
    private static final int SOLVE_BASE = 32;

    private final int n;
    /** L, n x n (leading dimension n, plus one spare column, see {@link Blas}): only its strictly lower part is read, L(k+1,k) = 0 at 2x2 pivots. */
    private final double[] l;
    /** D's diagonal. */
    private final double[] diag;
    /** D(k+1, k) for a 2x2 pivot on rows k, k+1 (0 elsewhere). */
    private final double[] sub;
    /** True at the first row k of each 2x2 pivot. */
    private final boolean[] twoByTwo;
    /** (P^T b)_i = b_{perm[i]}. */
    private final int[] perm;
    private final double rcond;

    private BlockedBunchKaufman(int n, double[] l, double[] diag, double[] sub, boolean[] twoByTwo, int[] perm, double anorm) {
        this.n = n;
        this.l = l;
        this.diag = diag;
        this.sub = sub;
        this.twoByTwo = twoByTwo;
        this.perm = perm;
        this.rcond = conditionEstimate(anorm);
    }

    /**
     * The Bunch-Kaufman factorization of an indefinite pivot: this blocked one from {@link #CROSSOVER_ORDER},
     * LAPACK's unblocked dsytrf below. Throws {@link SingularMatrixException} when Q is singular.
     */
    static SymmetricFactorization factor(double[] q, int n, double anorm) {
        if (n < CROSSOVER_ORDER) return BunchKaufmanFactorization.factor(q, n, anorm);
        return factor(q, n, anorm, PANEL);
    }

    /** The blocked factorization with panels of {@code panel >= 2} columns (tests use small ones to cross panel boundaries). */
    static BlockedBunchKaufman factor(double[] q, int n, double anorm, int panel) {
        if (panel < 2) throw new IllegalArgumentException("panel must be >= 2 columns, got " + panel);
        double[] a = java.util.Arrays.copyOf(q, n * (n + 1));
        double[] w = new double[n * (panel + 1)];
        double[] diag = new double[n];
        double[] sub = new double[n];
        boolean[] two = new boolean[n];
        int[] perm = new int[n];
        for (int i = 0; i < n; i++) perm[i] = i;
        for (int k = 0; k < n; ) {
            int j0 = k;
            while (k < n && k - j0 + 1 < panel) {
                int step = pivotStep(a, w, n, j0, k, perm, two);
                if (step == 0) throw new SingularMatrixException(n, 0.0);
                k += step;
            }
            trailingUpdate(a, w, n, j0, k);
        }
        // L stays in a (its diagonal and upper part are never read); D moves out, L(k+1, k) = 0 at a 2x2 pivot
        for (int j = 0; j < n; j++) diag[j] = a[j * n + j];
        for (int k = 0; k + 1 < n; k++) {
            if (two[k]) {
                sub[k] = a[k * n + k + 1];
                a[k * n + k + 1] = 0;
                k++;
            }
        }
        return new BlockedBunchKaufman(n, a, diag, sub, two, perm, anorm);
    }

    /**
     * One pivot at column k of the panel starting at j0 (dlasyf, lower): forms the column(s) of the matrix
     * updated by the panel so far in w, chooses a 1x1 or 2x2 pivot (Bunch-Kaufman), interchanges rows and
     * columns, and stores D and L's column(s) in a (marking a 2x2 pivot in two). Returns the pivot's size, 0 when the column is zero (singular).
     */
    private static int pivotStep(double[] a, double[] w, int n, int j0, int k, int[] perm, boolean[] two) {
        int c = k - j0;
        updatedColumn(a, w, n, j0, k, k, c);
        double absakk = Math.abs(w[c * n + k]);
        int imax = k;
        double colmax = 0;
        for (int i = k + 1; i < n; i++) {
            double v = Math.abs(w[c * n + i]);
            if (v > colmax) { colmax = v; imax = i; }
        }
        if (Math.max(absakk, colmax) == 0 || Double.isNaN(absakk) || Double.isNaN(colmax)) return 0;
        int step = 1;
        int kp = k;
        if (absakk < ALPHA * colmax) {
            updatedColumn(a, w, n, j0, k, imax, c + 1);
            double rowmax = 0;
            for (int i = k; i < n; i++) if (i != imax) rowmax = Math.max(rowmax, Math.abs(w[(c + 1) * n + i]));
            if (absakk >= ALPHA * colmax * (colmax / rowmax)) {
                kp = k;
            } else if (Math.abs(w[(c + 1) * n + imax]) >= ALPHA * rowmax) {
                kp = imax;
                System.arraycopy(w, (c + 1) * n + k, w, c * n + k, n - k);
            } else {
                kp = imax;
                step = 2;
            }
        }
        int kk = k + step - 1;
        if (kp != kk) interchange(a, w, n, c + step, k, kk, kp, perm);
        if (step == 1) {
            double d = w[c * n + k];
            a[k * n + k] = d;
            double r1 = 1.0 / d;
            for (int i = k + 1; i < n; i++) a[k * n + i] = r1 * w[c * n + i];
        } else {
            double d21 = w[c * n + k + 1];
            double d11 = w[(c + 1) * n + k + 1] / d21;
            double d22 = w[c * n + k] / d21;
            double t = 1.0 / (d11 * d22 - 1.0);
            double s = t / d21;
            for (int i = k + 2; i < n; i++) {
                double wk = w[c * n + i], wk1 = w[(c + 1) * n + i];
                a[k * n + i] = s * (d11 * wk - wk1);
                a[(k + 1) * n + i] = s * (d22 * wk1 - wk);
            }
            a[k * n + k] = w[c * n + k];
            a[k * n + k + 1] = w[c * n + k + 1];
            a[(k + 1) * n + k + 1] = w[(c + 1) * n + k + 1];
            two[k] = true;
        }
        return step;
    }

    /**
     * w(k:n, col) = column j of the matrix updated by the panel's first k - j0 columns:
     * A(k:n, j) - W(k:n, 0:c) L(j, j0:k)^T, A read from its lower triangle (row j left of the diagonal).
     */
    private static void updatedColumn(double[] a, double[] w, int n, int j0, int k, int j, int col) {
        int wc = col * n;
        for (int i = k; i < j; i++) w[wc + i] = a[i * n + j];
        System.arraycopy(a, j * n + j, w, wc + j, n - j);
        for (int cc = 0; cc < k - j0; cc++) {
            double lj = a[(j0 + cc) * n + j];
            if (lj == 0) continue;
            int wo = cc * n;
            for (int i = k; i < n; i++) w[wc + i] -= w[wo + i] * lj;
        }
    }

    /**
     * Symmetric interchange of rows and columns kk and kp (kk < kp) of the trailing lower triangle (the
     * entries columns beyond kk still need), of rows kk and kp of L's columns 0..k-1 and of the panel's w
     * columns 0..wCols-1, and of the permutation.
     */
    private static void interchange(double[] a, double[] w, int n, int wCols, int k, int kk, int kp, int[] perm) {
        a[kp * n + kp] = a[kk * n + kk];
        for (int j = kk + 1; j < kp; j++) a[j * n + kp] = a[kk * n + j];
        for (int i = kp + 1; i < n; i++) a[kp * n + i] = a[kk * n + i];
        for (int j = 0; j < k; j++) swap(a, j * n + kk, j * n + kp);
        for (int cc = 0; cc < wCols; cc++) swap(w, cc * n + kk, cc * n + kp);
        int t = perm[kk];
        perm[kk] = perm[kp];
        perm[kp] = t;
    }

    private static void swap(double[] x, int i, int j) {
        double t = x[i];
        x[i] = x[j];
        x[j] = t;
    }

    /**
     * A(t:n, t) -= W(t:n, 0:kb) L(t, j0:k)^T for every trailing column t >= k (lower triangle), kb = k - j0:
     * one gemm per block of {@link #PANEL} columns (it also writes the block's upper part, never read),
     * the blocks in parallel when the update is large.
     */
    private static void trailingUpdate(double[] a, double[] w, int n, int j0, int k) {
        int kb = k - j0;
        if (kb == 0 || k >= n) return;
        int blocks = (n - k + PANEL - 1) / PANEL;
        double flops = (double) (n - k) * (n - k) * kb;
        IntStream range = IntStream.range(0, blocks);
        if (flops >= Blas.PARALLEL_FLOPS) range = range.parallel();
        range.forEach(b -> {
            int t0 = k + b * PANEL;
            int t1 = Math.min(n, t0 + PANEL);
            Blas.gemm(false, true, n - t0, t1 - t0, kb, -1.0, w, t0, n, a, j0 * n + t0, n, 1.0, a, t0 * n + t0, n);
        });
    }

    @Override public int dimension() { return n; }

    /**
     * B <- Q^-1 B = P L^-T D^-1 L^-1 P^T B, the triangular solves by recursive gemm, the right-hand sides
     * cut into column blocks solved on the cores (each column takes the same operations whatever the cut).
     */
    @Override public void solveInPlace(double[] b, int nrhs) {
        if (n == 0 || nrhs == 0) return;
        int parts = 2.0 * n * n * nrhs < Blas.PARALLEL_FLOPS ? 1 : Math.max(1, Math.min(Blas.THREADS, nrhs));
        IntStream.range(0, parts).parallel().forEach(t -> {
            int c0 = (int) ((long) nrhs * t / parts), c1 = (int) ((long) nrhs * (t + 1) / parts);
            int cols = c1 - c0;
            if (cols == 0) return;
            // one spare column: the gemm operands' bounds check (see Blas) then never forces a copy
            double[] y = new double[n * (cols + 1)];
            for (int j = 0; j < cols; j++) {
                int bo = (c0 + j) * n, yo = j * n;
                for (int i = 0; i < n; i++) y[yo + i] = b[bo + perm[i]];
            }
            unitLowerSolve(n, cols, l, 0, n, y, 0, n);
            blockDiagonalSolve(y, cols);
            unitLowerTransposedSolve(n, cols, l, 0, n, y, 0, n);
            for (int j = 0; j < cols; j++) {
                int bo = (c0 + j) * n, yo = j * n;
                for (int i = 0; i < n; i++) b[bo + perm[i]] = y[yo + i];
            }
        });
    }

    /** Y <- D^-1 Y, a 2x2 block [[a, b], [b, c]] solved as LAPACK's dsytrs does (scaled by b). */
    private void blockDiagonalSolve(double[] y, int cols) {
        for (int k = 0; k < n; ) {
            if (!twoByTwo[k]) {
                double r = 1.0 / diag[k];
                for (int j = 0; j < cols; j++) y[j * n + k] *= r;
                k++;
                continue;
            }
            double b = sub[k];
            double akm1 = diag[k] / b;
            double ak = diag[k + 1] / b;
            double denom = akm1 * ak - 1.0;
            for (int j = 0; j < cols; j++) {
                double bkm1 = y[j * n + k] / b;
                double bk = y[j * n + k + 1] / b;
                y[j * n + k] = (ak * bkm1 - bk) / denom;
                y[j * n + k + 1] = (akm1 * bk - bkm1) / denom;
            }
            k += 2;
        }
    }

    /** B <- L^-1 B, L unit lower triangular (its strictly lower part read): X1 = L11^-1 B1, B2 -= L21 X1, X2 = L22^-1 B2. */
    static void unitLowerSolve(int n, int cols, double[] l, int lOff, int ldl, double[] b, int bOff, int ldb) {
        if (n <= SOLVE_BASE) {
            for (int j = 0; j < cols; j++) {
                int bo = bOff + j * ldb;
                for (int k = 0; k < n; k++) {
                    double x = b[bo + k];
                    if (x == 0) continue;
                    int lo = lOff + k * ldl;
                    for (int i = k + 1; i < n; i++) b[bo + i] -= l[lo + i] * x;
                }
            }
            return;
        }
        int n1 = RecursiveCholesky.split(n);
        unitLowerSolve(n1, cols, l, lOff, ldl, b, bOff, ldb);
        Blas.gemm(false, false, n - n1, cols, n1, -1.0, l, lOff + n1, ldl, b, bOff, ldb, 1.0, b, bOff + n1, ldb);
        unitLowerSolve(n - n1, cols, l, lOff + n1 * ldl + n1, ldl, b, bOff + n1, ldb);
    }

    /** B <- L^-T B, L unit lower triangular: X2 = L22^-T B2, B1 -= L21^T X2, X1 = L11^-T B1. */
    static void unitLowerTransposedSolve(int n, int cols, double[] l, int lOff, int ldl, double[] b, int bOff, int ldb) {
        if (n <= SOLVE_BASE) {
            for (int j = 0; j < cols; j++) {
                int bo = bOff + j * ldb;
                for (int k = n - 1; k >= 0; k--) {
                    double s = b[bo + k];
                    int lo = lOff + k * ldl;
                    for (int i = k + 1; i < n; i++) s -= l[lo + i] * b[bo + i];
                    b[bo + k] = s;
                }
            }
            return;
        }
        int n1 = RecursiveCholesky.split(n);
        unitLowerTransposedSolve(n - n1, cols, l, lOff + n1 * ldl + n1, ldl, b, bOff + n1, ldb);
        Blas.gemm(true, false, n1, cols, n - n1, -1.0, l, lOff + n1, ldl, b, bOff + n1, ldb, 1.0, b, bOff, ldb);
        unitLowerTransposedSolve(n1, cols, l, lOff, ldl, b, bOff, ldb);
    }

    /**
     * B <- B P L^-T for B rows x n (column-major, leading dimension rows): with Qdd = P L D L^T P^T and
     * W = Qsd P L^-T, the Schur complement is Qsd Qdd^-1 Qsd^T = W D^-1 W^T (symmetric form, as
     * W W^T for a Cholesky pivot) and K^T = Qsd Qdd^-1 = (W D^-1) L^-1 P^T ({@link #rightSolveFactor}).
     */
    public void rightSolveTransposedFactor(double[] b, int rows) {
        if (n == 0 || rows == 0) return;
        double[] x = new double[rows * (n + 1)];
        for (int j = 0; j < n; j++) System.arraycopy(b, perm[j] * rows, x, j * rows, rows);
        rightUnitLowerTransposedSolve(rows, n, l, 0, n, x, 0, rows);
        System.arraycopy(x, 0, b, 0, rows * n);
    }

    /** B <- B D^-1 for B rows x n (D is symmetric: the same 2x2 solves as {@link #solveInPlace}'s, on rows). */
    public void rightSolveBlockDiagonal(double[] b, int rows) {
        for (int k = 0; k < n; ) {
            if (!twoByTwo[k]) {
                double r = 1.0 / diag[k];
                for (int i = 0; i < rows; i++) b[k * rows + i] *= r;
                k++;
                continue;
            }
            double s = sub[k];
            double akm1 = diag[k] / s;
            double ak = diag[k + 1] / s;
            double denom = akm1 * ak - 1.0;
            for (int i = 0; i < rows; i++) {
                double bkm1 = b[k * rows + i] / s;
                double bk = b[(k + 1) * rows + i] / s;
                b[k * rows + i] = (ak * bkm1 - bk) / denom;
                b[(k + 1) * rows + i] = (akm1 * bk - bkm1) / denom;
            }
            k += 2;
        }
    }

    /** B <- B L^-1 P^T for B rows x n (column-major, leading dimension rows). */
    public void rightSolveFactor(double[] b, int rows) {
        if (n == 0 || rows == 0) return;
        double[] x = java.util.Arrays.copyOf(b, rows * (n + 1));
        rightUnitLowerSolve(rows, n, l, 0, n, x, 0, rows);
        for (int j = 0; j < n; j++) System.arraycopy(x, j * rows, b, perm[j] * rows, rows);
    }

    /** Rows of B per parallel task of a base-case right solve. */
    private static final int ROWS_PER_TASK = 256;

    /** B <- B L^-T, L unit lower: X1 = B1 L11^-T, B2 -= X1 L21^T, X2 = B2 L22^-T. */
    static void rightUnitLowerTransposedSolve(int rows, int n, double[] l, int lOff, int ldl, double[] b, int bOff, int ldb) {
        if (n <= SOLVE_BASE) {
            overRowChunks(rows, n, (r0, r1) -> {
                for (int j = 0; j < n; j++) {
                    int bj = bOff + j * ldb;
                    for (int k = 0; k < j; k++) {
                        double ljk = l[lOff + k * ldl + j];
                        if (ljk == 0) continue;
                        int bk = bOff + k * ldb;
                        for (int i = r0; i < r1; i++) b[bj + i] -= b[bk + i] * ljk;
                    }
                }
            });
            return;
        }
        int n1 = RecursiveCholesky.split(n);
        rightUnitLowerTransposedSolve(rows, n1, l, lOff, ldl, b, bOff, ldb);
        Blas.gemm(false, true, rows, n - n1, n1, -1.0, b, bOff, ldb, l, lOff + n1, ldl, 1.0, b, bOff + n1 * ldb, ldb);
        rightUnitLowerTransposedSolve(rows, n - n1, l, lOff + n1 * ldl + n1, ldl, b, bOff + n1 * ldb, ldb);
    }

    /** B <- B L^-1, L unit lower: X2 = B2 L22^-1, B1 -= X2 L21, X1 = B1 L11^-1. */
    static void rightUnitLowerSolve(int rows, int n, double[] l, int lOff, int ldl, double[] b, int bOff, int ldb) {
        if (n <= SOLVE_BASE) {
            overRowChunks(rows, n, (r0, r1) -> {
                for (int j = n - 1; j >= 0; j--) {
                    int bj = bOff + j * ldb;
                    for (int k = j + 1; k < n; k++) {
                        double lkj = l[lOff + j * ldl + k];
                        if (lkj == 0) continue;
                        int bk = bOff + k * ldb;
                        for (int i = r0; i < r1; i++) b[bj + i] -= b[bk + i] * lkj;
                    }
                }
            });
            return;
        }
        int n1 = RecursiveCholesky.split(n);
        rightUnitLowerSolve(rows, n - n1, l, lOff + n1 * ldl + n1, ldl, b, bOff + n1 * ldb, ldb);
        Blas.gemm(false, false, rows, n1, n - n1, -1.0, b, bOff + n1 * ldb, ldb, l, lOff + n1, ldl, 1.0, b, bOff, ldb);
        rightUnitLowerSolve(rows, n1, l, lOff, ldl, b, bOff, ldb);
    }

    /** Runs task(r0, r1) over row ranges of a base-case solve, in parallel when the solve is large enough to pay for it. */
    private static void overRowChunks(int rows, int n, java.util.function.BiConsumer<Integer, Integer> task) {
        int parts = (double) rows * n * n < Blas.PARALLEL_FLOPS ? 1 : Math.max(1, Math.min(Blas.THREADS, rows / ROWS_PER_TASK));
        if (parts == 1) {
            task.accept(0, rows);
            return;
        }
        IntStream.range(0, parts).parallel().forEach(t -> task.accept((int) ((long) rows * t / parts), (int) ((long) rows * (t + 1) / parts)));
    }

    /** Q^-1 = P L^-T D^-1 L^-1 P^T, by the solve on the identity, symmetrized (the two halves are computed independently). */
    @Override public double[] inverse() {
        double[] inv = new double[n * n];
        for (int i = 0; i < n; i++) inv[i * n + i] = 1;
        solveInPlace(inv, n);
        Blas.symmetrize(inv, n);
        return inv;
    }

    /** log|det Q| = sum over D's blocks of log|d| (1x1) or log|a c - b^2| (2x2). */
    @Override public double logAbsDet() {
        double s = 0;
        for (int k = 0; k < n; k++) {
            if (twoByTwo[k]) {
                s += Math.log(Math.abs(diag[k] * diag[k + 1] - sub[k] * sub[k]));
                k++;
            } else {
                s += Math.log(Math.abs(diag[k]));
            }
        }
        return s;
    }

    /** Those of D (Sylvester): a 1x1 block has the sign of its value; a 2x2 block with det < 0 one eigenvalue of each sign. */
    @Override public Inertia inertia() {
        int neg = 0, zero = 0, pos = 0;
        for (int k = 0; k < n; k++) {
            if (twoByTwo[k]) {
                double det = diag[k] * diag[k + 1] - sub[k] * sub[k];
                double trace = diag[k] + diag[k + 1];
                if (det < 0) { neg++; pos++; }
                else if (det > 0) { if (trace > 0) pos += 2; else neg += 2; }
                else { zero++; if (trace > 0) pos++; else if (trace < 0) neg++; else zero++; }
                k++;
            } else if (diag[k] > 0) pos++;
            else if (diag[k] < 0) neg++;
            else zero++;
        }
        return new Inertia(neg, zero, pos);
    }

    @Override public double rcond() { return rcond; }

    /**
     * C <- C - X Q^-1 X^T and X <- X Q^-1 in symmetric form: with P^T Q P = L D L^T, W = X P L^-T gives
     * X Q^-1 X^T = W D^-1 W^T, so the update is the lower-triangle product lower(C) -= (W D^-1) W^T (half the
     * flops of the general product) and X Q^-1 = (W D^-1) L^-1 P^T.
     */
    @Override public void schurComplement(double[] x, int rows, double[] c) {
        rightSolveTransposedFactor(x, rows);                              // W = X P L^-T
        double[] y = java.util.Arrays.copyOf(x, rows * n);
        rightSolveBlockDiagonal(y, rows);                                 // Y = W D^-1
        SymmetricProduct.lowerUpdate(rows, n, -1.0, y, rows, x, rows, c, rows); // lower(C) -= Y W^T
        SymmetricFactorization.mirrorLower(c, rows);
        rightSolveFactor(y, rows);                                        // X Q^-1 = Y L^-1 P^T
        System.arraycopy(y, 0, x, 0, rows * n);
    }

    /** A Bunch-Kaufman pivot is one that Cholesky refused: not (numerically) positive definite. */
    @Override public boolean isPositiveDefinite() { return false; }

    /** L (n (n + 1) doubles), D's diagonal and subdiagonal, the 2x2 marks and the permutation. */
    @Override public long bytes() {
        return (long) Double.BYTES * (l.length + diag.length + sub.length) + twoByTwo.length + (long) Integer.BYTES * perm.length;
    }

    @Override public void applyInverseSquareRoot(double[] x) {
        throw new IllegalStateException("sampling needs a positive definite matrix, its inertia is " + inertia());
    }

    /**
     * 1 / (||Q||_1 est(||Q^-1||_1)) as LAPACK's dsycon: 0 for a zero 1x1 pivot, else Hager-Higham's
     * estimator (dlacn2) driven by {@link #solveInPlace} (Q^-1 is symmetric: both of its products are solves).
     */
    private double conditionEstimate(double anorm) {
        if (n == 0) return 1.0;
        if (!(anorm > 0)) return 0.0;
        for (int k = 0; k < n; k++) {
            if (twoByTwo[k]) k++;
            else if (diag[k] == 0) return 0.0;
        }
        double[] x = new double[n];
        double[] v = new double[n];
        int[] isgn = new int[n];
        int[] isave = new int[3];
        doubleW est = new doubleW(0);
        intW kase = new intW(0);
        do {
            Blas.lapack().dlacn2(n, v, 0, x, 0, isgn, 0, est, kase, isave, 0);
            if (kase.val != 0) solveInPlace(x, 1);
        } while (kase.val != 0);
        return est.val == 0 ? 0.0 : (1.0 / est.val) / anorm;
    }
}
