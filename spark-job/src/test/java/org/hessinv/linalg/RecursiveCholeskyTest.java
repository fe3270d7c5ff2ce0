package org.hessinv.linalg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.netlib.util.intW;

/**
 * {@link RecursiveCholesky} against independent references: F2J dpotrf / dtrsm called directly, the
 * residual ||L L^T - A||, and plain loops. Matrices sit at an offset inside a larger array with a
 * leading dimension above their order, and the padding is checked to be left alone.
 *
 * <p>Tolerances. Test matrices are A = M M^T / n + s I with M uniform in [-1/2, 1/2], so
 * lambda_min(A) >= s and lambda_max(A) <= ||M||_F^2 / n + s: kappa_2(A) has the computable bound
 * {@link #kappaBound}. Cholesky in any summation order (recursive, blocked or LAPACK's) is backward
 * stable, L L^T = A + dA with |dA| <= gamma_{n+1} |L| |L^T| (Higham, ASNA 2nd ed., Thm 10.3), and
 * || |L| |L^T| ||_F <= ||L||_F^2 = tr(A); evaluating the residual in floating point adds as much again,
 * so ||L L^T - A||_F <= 2 (n+1) eps tr(A): we allow c = {@link #C} times n eps tr(A) (c = 4 covers
 * the factor 2, the n+1 and gamma's 1/(1 - n eps)). The factor L itself is perturbed by ~kappa(A)
 * times the backward error (Sun's first-order bound), so L and F2J's L differ by at most
 * c n eps kappa(A) ||L||. A triangular solve is backward stable with |dL| <= gamma_n |L| (Thm 8.5), its
 * forward error is at most n eps kappa(L) with kappa_2(L) = sqrt(kappa_2(A)); two solves (ours and the
 * reference) differ by at most c n eps kappa(L) ||X||.
 */
class RecursiveCholeskyTest {
    static final double EPS = Math.ulp(1.0);
    /** The constant of the backward-error bounds above (2 for two rounding sources, 2 of slack). */
    static final double C = 4;
    /** Diagonal shift s of the test matrices: kappa(A) <~ 10^2, so forward comparisons are meaningful. */
    static final double SHIFT = 1e-2;
    /** Value of the untouched padding and upper triangle, checked bit for bit. */
    static final double SENTINEL = -12345.678;

    /** A column-major matrix of order n inside a larger array: offset, leading dimension, storage. */
    record Embedded(double[] data, int off, int ld, int n) {
        double get(int i, int j) { return data[off + j * ld + i]; }
    }

    /** lda = n + 3 and offset 5 (non-trivial), padding set to SENTINEL. */
    static Embedded embed(double[] dense, int rows, int cols) {
        int ld = rows + 3, off = 5;
        double[] data = new double[off + ld * cols + 7];
        java.util.Arrays.fill(data, SENTINEL);
        for (int j = 0; j < cols; j++) System.arraycopy(dense, j * rows, data, off + j * ld, rows);
        return new Embedded(data, off, ld, cols);
    }

    static double[] extract(Embedded e, int rows, int cols) {
        double[] out = new double[rows * cols];
        for (int j = 0; j < cols; j++) System.arraycopy(e.data, e.off + j * e.ld, out, j * rows, rows);
        return out;
    }

    /** Padding entries (outside the rows x cols block) still hold SENTINEL. */
    static void assertPaddingUntouched(Embedded e, int rows, int cols) {
        for (int p = 0; p < e.data.length; p++) {
            int rel = p - e.off;
            boolean inside = rel >= 0 && rel / e.ld < cols && rel % e.ld < rows;
            if (!inside) assertEquals(SENTINEL, e.data[p], "padding at " + p + " changed");
        }
    }

    static double[] random(SplittableRandom rng, int rows, int cols) {
        double[] m = new double[rows * cols];
        for (int i = 0; i < m.length; i++) m[i] = rng.nextDouble() - 0.5;
        return m;
    }

    /** A = M M^T / n + SHIFT I, both triangles. */
    static double[] spd(SplittableRandom rng, int n) {
        double[] m = random(rng, n, n);
        double[] a = new double[n * n];
        for (int j = 0; j < n; j++) {
            for (int i = 0; i < n; i++) {
                double s = 0;
                for (int p = 0; p < n; p++) s += m[p * n + i] * m[p * n + j];
                a[j * n + i] = s / n;
            }
            a[j * n + j] += SHIFT;
        }
        return a;
    }

    /** lambda_max / lambda_min <= (tr(A) - n SHIFT + SHIFT) / SHIFT, since tr(M M^T / n) bounds its top eigenvalue. */
    static double kappaBound(double[] a, int n) {
        return (trace(a, n) - n * SHIFT + SHIFT) / SHIFT;
    }

    static double trace(double[] a, int n) {
        double t = 0;
        for (int i = 0; i < n; i++) t += a[i * n + i];
        return t;
    }

    static double frobenius(double[] a) {
        double s = 0;
        for (double v : a) s += v * v;
        return Math.sqrt(s);
    }

    static double frobeniusDiff(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += (a[i] - b[i]) * (a[i] - b[i]);
        return Math.sqrt(s);
    }

    /** The lower triangle of the n x n dense matrix, zeros above. */
    static double[] lowerOf(double[] a, int n) {
        double[] l = new double[n * n];
        for (int j = 0; j < n; j++) for (int i = j; i < n; i++) l[j * n + i] = a[j * n + i];
        return l;
    }

    static double[] referenceCholesky(double[] a, int n) {
        double[] l = a.clone();
        intW info = new intW(0);
        Blas.lapack().dpotrf("L", n, l, 0, Math.max(1, n), info);
        assertEquals(0, info.val);
        return lowerOf(l, n);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 7, 63, 64, 65, 130, 300, 517})
    void factorIsBackwardStableAndMatchesLapack(int n) {
        SplittableRandom rng = new SplittableRandom(n);
        double[] a = spd(rng, n);
        Embedded e = embed(a, n, n);
        // the strict upper triangle must survive: mark it
        for (int j = 0; j < n; j++) for (int i = 0; i < j; i++) e.data[e.off + j * e.ld + i] = SENTINEL;
        assertEquals(0, RecursiveCholesky.factorLower(e.data, e.off, e.ld, n));
        for (int j = 0; j < n; j++) for (int i = 0; i < j; i++) assertEquals(SENTINEL, e.get(i, j), "upper touched");
        assertPaddingUntouched(e, n, n);

        double[] l = lowerOf(extract(e, n, n), n);
        double[] llt = new double[n * n];
        Blas.gemm(false, true, n, n, n, 1.0, l, 0, n, l, 0, n, 0.0, llt, 0, n);
        double residual = frobeniusDiff(llt, a);
        assertTrue(residual <= C * n * EPS * trace(a, n), "||L L^T - A||_F = " + residual);

        double[] ref = referenceCholesky(a, n);
        double diff = frobeniusDiff(l, ref);
        assertTrue(diff <= C * n * EPS * kappaBound(a, n) * frobenius(ref), "||L - L_lapack||_F = " + diff);
    }

    /** A = L0 L0^T with pivot k-1 of L0 replaced so that the k-th pivot of A is -1: info must be k, as LAPACK's. */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 64, 65, 129, 150, 256, 257, 300})
    void reportsTheFirstNonPositiveMinorLikeLapack(int k) {
        int n = 300;
        SplittableRandom rng = new SplittableRandom(k);
        double[] l0 = lowerOf(random(rng, n, n), n);
        for (int i = 0; i < n; i++) l0[i * n + i] = 1 + rng.nextDouble();
        double[] a = new double[n * n];
        Blas.gemm(false, true, n, n, n, 1.0, l0, 0, n, l0, 0, n, 0.0, a, 0, n);
        // a_kk - l_k,1:k-1 l_k,1:k-1^T = l0_kk^2: lowering a_kk by l0_kk^2 + 1 makes that pivot -1
        int d = (k - 1) * n + (k - 1);
        a[d] -= l0[d] * l0[d] + 1;
        double[] ref = a.clone();
        intW info = new intW(0);
        Blas.lapack().dpotrf("L", n, ref, 0, n, info);
        assertEquals(k, info.val, "LAPACK reference");
        Embedded e = embed(a, n, n);
        assertEquals(k, RecursiveCholesky.factorLower(e.data, e.off, e.ld, n));
    }

    /** A well conditioned lower-triangular factor of order n (the Cholesky factor of a test matrix) and kappa(L) bound. */
    record Factor(double[] l, double kappaL) {}

    static Factor factor(SplittableRandom rng, int n) {
        double[] a = spd(rng, n);
        return new Factor(referenceCholesky(a, n), Math.sqrt(kappaBound(a, n)));
    }

    /** Solves at sizes that take the F2J leaf only, the recursion, and the parallel split over rows. */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 7, 63, 64, 65, 130, 300, 517})
    void rightSolvesMatchDtrsm(int n) {
        SplittableRandom rng = new SplittableRandom(100 + n);
        Factor f = factor(rng, n);
        Embedded le = embed(f.l, n, n);
        for (int rows : new int[] {1, 37, 517}) {
            double[] b = random(rng, rows, n);
            for (String trans : new String[] {"T", "N"}) {
                double[] ref = b.clone();
                Blas.blas().dtrsm("R", "L", trans, "N", rows, n, 1.0, f.l, 0, n, ref, 0, rows);
                Embedded be = embed(b, rows, n);
                if (trans.equals("T")) RecursiveCholesky.solveRightLowerTransposed(rows, n, le.data, le.off, le.ld, be.data, be.off, be.ld);
                else RecursiveCholesky.solveRightLower(rows, n, le.data, le.off, le.ld, be.data, be.off, be.ld);
                assertPaddingUntouched(be, rows, n);
                double diff = frobeniusDiff(extract(be, rows, n), ref);
                assertTrue(diff <= C * n * EPS * f.kappaL * frobenius(ref),
                        "B L^-" + trans + " rows=" + rows + ": diff " + diff);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 64, 65, 300, 517})
    void leftSolvesMatchDtrsm(int n) {
        SplittableRandom rng = new SplittableRandom(200 + n);
        Factor f = factor(rng, n);
        Embedded le = embed(f.l, n, n);
        for (int cols : new int[] {1, 9, 400}) {
            double[] b = random(rng, n, cols);
            for (String trans : new String[] {"T", "N"}) {
                double[] ref = b.clone();
                Blas.blas().dtrsm("L", "L", trans, "N", n, cols, 1.0, f.l, 0, n, ref, 0, n);
                Embedded be = embed(b, n, cols);
                if (trans.equals("T")) RecursiveCholesky.solveLeftLowerTransposed(n, cols, le.data, le.off, le.ld, be.data, be.off, be.ld);
                else RecursiveCholesky.solveLeftLower(n, cols, le.data, le.off, le.ld, be.data, be.off, be.ld);
                assertPaddingUntouched(be, n, cols);
                double diff = frobeniusDiff(extract(be, n, cols), ref);
                assertTrue(diff <= C * n * EPS * f.kappaL * frobenius(ref),
                        "L^-" + trans + " B cols=" + cols + ": diff " + diff);
            }
        }
    }

    /**
     * lower(C) = alpha A A^T + beta C entry by entry within c k eps (|alpha| |A| |A|^T + |beta| |C|) (each entry
     * is an inner product of length k plus one update), the strict upper triangle bit for bit unchanged.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 7, 65, 130, 300, 517})
    void rankKUpdateWritesOnlyTheLowerTriangle(int n) {
        SplittableRandom rng = new SplittableRandom(300 + n);
        for (int k : new int[] {0, 1, 33, 260}) {
            for (double beta : new double[] {0.0, 0.5}) {
                double alpha = -1.3;
                double[] a = random(rng, n, k);
                double[] c = random(rng, n, n);
                if (beta == 0.0) for (int j = 0; j < n; j++) c[j * n + j] = Double.NaN; // beta = 0 ignores C
                Embedded ae = embed(a, n, k);
                Embedded ce = embed(c, n, n);
                RecursiveCholesky.rankKUpdateLower(n, k, alpha, ae.data, ae.off, ae.ld, beta, ce.data, ce.off, ce.ld);
                assertPaddingUntouched(ce, n, n);
                for (int j = 0; j < n; j++) {
                    for (int i = 0; i < n; i++) {
                        double got = ce.get(i, j);
                        if (i < j) {
                            assertEquals(Double.doubleToRawLongBits(c[j * n + i]), Double.doubleToRawLongBits(got), "upper touched");
                            continue;
                        }
                        double s = 0, abs = 0;
                        for (int p = 0; p < k; p++) {
                            s += a[p * n + i] * a[p * n + j];
                            abs += Math.abs(a[p * n + i] * a[p * n + j]);
                        }
                        double cij = beta == 0.0 ? 0.0 : c[j * n + i];
                        double want = alpha * s + beta * cij;
                        double bound = C * (k + 1) * EPS * (Math.abs(alpha) * abs + Math.abs(beta * cij));
                        assertTrue(Math.abs(got - want) <= bound, "C(" + i + "," + j + ") = " + got + ", want " + want);
                    }
                }
            }
        }
    }

    /** Sizes around and between tile multiples; both are plain copies / averages, so exact. */
    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 63, 64, 65, 130, 200})
    void mirrorLowerAndSymmetrizeMatchTheNaiveLoops(int n) {
        SplittableRandom rng = new SplittableRandom(400 + n);
        double[] a = random(rng, n, n);

        double[] mirrored = a.clone();
        RecursiveCholesky.mirrorLower(mirrored, n);
        double[] naive = a.clone();
        for (int j = 0; j < n; j++) for (int i = j + 1; i < n; i++) naive[i * n + j] = naive[j * n + i];
        assertArrayEquals(naive, mirrored, 0.0);

        double[] sym = a.clone();
        Blas.symmetrize(sym, n);
        double[] naiveSym = a.clone();
        for (int j = 0; j < n; j++) {
            for (int i = j + 1; i < n; i++) {
                double m = 0.5 * (a[j * n + i] + a[i * n + j]);
                naiveSym[j * n + i] = m;
                naiveSym[i * n + j] = m;
            }
        }
        assertArrayEquals(naiveSym, sym, 0.0);

        if (n > 0) {
            Embedded e = embed(a, n, n);
            RecursiveCholesky.mirrorLower(e.data, e.off, e.ld, n);
            assertArrayEquals(naive, extract(e, n, n), 0.0);
            assertPaddingUntouched(e, n, n);
        }
    }

    /** The factorization's right solves: (B L^-T) L^T = B and (B L^-1) L = B to the solve's accuracy. */
    @ParameterizedTest
    @ValueSource(ints = {5, 200})
    void choleskyFactorizationRightSolvesInvertTheFactor(int n) {
        SplittableRandom rng = new SplittableRandom(500 + n);
        double[] q = spd(rng, n);
        CholeskyFactorization f = CholeskyFactorization.tryFactor(q, n, 1.0);
        double[] l = referenceCholesky(q, n);
        double kappaL = Math.sqrt(kappaBound(q, n));
        int rows = 70;
        double[] b = random(rng, rows, n);
        double[] x = b.clone();
        f.rightSolveTransposedFactor(x, rows);
        double[] back = new double[rows * n];
        Blas.gemm(false, true, rows, n, n, 1.0, x, 0, rows, l, 0, n, 0.0, back, 0, rows);
        assertTrue(frobeniusDiff(back, b) <= C * n * EPS * kappaL * frobenius(b), "B L^-T L^T != B");
        x = b.clone();
        f.rightSolveFactor(x, rows);
        Blas.gemm(false, false, rows, n, n, 1.0, x, 0, rows, l, 0, n, 0.0, back, 0, rows);
        assertTrue(frobeniusDiff(back, b) <= C * n * EPS * kappaL * frobenius(b), "B L^-1 L != B");
    }

    /**
     * solveInPlace on both of its paths (dpotrs for few right-hand sides at small order, the recursive
     * solves otherwise): backward stable, so ||Q X - B||_F <= c n eps ||Q||_F ||X||_F (two triangular
     * solves, each |dL| <= gamma_n |L|, and || |L| |L^T| ||_F <= tr(Q) <= sqrt(n) ||Q||_F absorbed in c n).
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 20})
    void choleskyFactorizationSolvesOnBothPaths(int nrhs) {
        for (int n : new int[] {200, CholeskyFactorization.RECURSIVE_SOLVE_MIN_ORDER + 5}) {
            SplittableRandom rng = new SplittableRandom(600 + n + nrhs);
            double[] q = spd(rng, n);
            CholeskyFactorization f = CholeskyFactorization.tryFactor(q, n, 1.0);
            double[] b = random(rng, n, nrhs);
            double[] x = b.clone();
            f.solveInPlace(x, nrhs);
            double[] qx = new double[n * nrhs];
            Blas.gemm(false, false, n, nrhs, n, 1.0, q, 0, n, x, 0, n, 0.0, qx, 0, n);
            double residual = frobeniusDiff(qx, b);
            assertTrue(residual <= C * n * EPS * frobenius(q) * frobenius(x),
                    "n=" + n + " nrhs=" + nrhs + ": ||Q X - B|| = " + residual);
        }
    }

    /**
     * invertLower against F2J dtrtri: inverting a triangular matrix is forward stable up to
     * kappa(L) (Du Croz and Higham 1992), so two inverses differ by c n eps kappa(L) ||L^-1||.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 7, 129, 300})
    void invertLowerMatchesDtrtri(int n) {
        SplittableRandom rng = new SplittableRandom(700 + n);
        Factor f = factor(rng, n);
        double[] ref = f.l.clone();
        intW info = new intW(0);
        Blas.lapack().dtrtri("L", "N", n, ref, 0, n, info);
        assertEquals(0, info.val);
        Embedded e = embed(f.l, n, n);
        for (int j = 0; j < n; j++) for (int i = 0; i < j; i++) e.data[e.off + j * e.ld + i] = SENTINEL;
        RecursiveCholesky.invertLower(e.data, e.off, e.ld, n);
        for (int j = 0; j < n; j++) for (int i = 0; i < j; i++) assertEquals(SENTINEL, e.get(i, j), "upper touched");
        assertPaddingUntouched(e, n, n);
        double diff = frobeniusDiff(lowerOf(extract(e, n, n), n), ref);
        assertTrue(diff <= C * n * EPS * f.kappaL * frobenius(ref), "||X - dtrtri|| = " + diff);
    }

    /**
     * Bases far below the defaults (leaves of order <= 4, the recursive inverse from order 8) take every routine
     * through many levels of recursion at small orders; the results keep the bounds of the default bases:
     * ||L L^T - A||_F <= c n eps tr(A), the solves within c n eps kappa(L) ||X|| of F2J dtrsm, and the inverse's
     * ||Q Q^-1 - I||_F within c n eps kappa(Q) sqrt(n).
     */
    @ParameterizedTest
    @ValueSource(ints = {5, 37, 70})
    void smallBasesRecurseToTheSameAccuracy(int n) {
        CholeskyBases small = new CholeskyBases(4, 2, 3, 8);
        SplittableRandom rng = new SplittableRandom(900 + n);
        double[] a = spd(rng, n);
        Embedded e = embed(a, n, n);
        assertEquals(0, RecursiveCholesky.factorLower(e.data, e.off, e.ld, n, small));
        assertPaddingUntouched(e, n, n);
        double[] l = lowerOf(extract(e, n, n), n);
        double[] llt = new double[n * n];
        Blas.gemm(false, true, n, n, n, 1.0, l, 0, n, l, 0, n, 0.0, llt, 0, n);
        assertTrue(frobeniusDiff(llt, a) <= C * n * EPS * trace(a, n), "||L L^T - A||_F = " + frobeniusDiff(llt, a));

        double kappaL = Math.sqrt(kappaBound(a, n));
        int rows = 11;
        for (String side : new String[] {"R", "L"}) {
            boolean right = side.equals("R");
            int m = right ? rows : n, cols = right ? n : rows;
            double[] b = random(rng, m, cols);
            double[] ref = b.clone();
            Blas.blas().dtrsm(side, "L", right ? "T" : "N", "N", m, cols, 1.0, l, 0, n, ref, 0, m);
            if (right) RecursiveCholesky.solveRightLowerTransposed(rows, n, l, 0, n, b, 0, rows, small);
            else RecursiveCholesky.solveLeftLower(n, rows, l, 0, n, b, 0, n, small);
            assertTrue(frobeniusDiff(b, ref) <= C * n * EPS * kappaL * frobenius(ref), (right ? "B L^-T: " : "L^-1 B: ") + frobeniusDiff(b, ref));
        }

        double[] inv = CholeskyFactorization.tryFactor(a, n, 1.0, small).inverse();
        for (int j = 0; j < n; j++) for (int i = 0; i < j; i++) assertEquals(inv[j * n + i], inv[i * n + j], 0.0);
        double[] product = new double[n * n];
        Blas.gemm(false, false, n, n, n, 1.0, a, 0, n, inv, 0, n, 0.0, product, 0, n);
        for (int i = 0; i < n; i++) product[i * n + i] -= 1.0;
        assertTrue(frobenius(product) <= C * n * EPS * kappaBound(a, n) * Math.sqrt(n), "||Q Q^-1 - I||_F = " + frobenius(product));
    }

    @Test
    void basesMustBePositive() {
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> new CholeskyBases(0, 64, 128, 256));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> new GemmBlocking(512, 0, 1024));
    }

    /**
     * inverse() on its recursive path: symmetric bit for bit, and ||Q Q^-1 - I||_F within c n eps kappa(Q) sqrt(n)
     * (forward error of the inverse c n eps kappa relative to ||Q^-1||, times ||Q||, over the sqrt(n) of ||I||_F).
     */
    @Test
    void choleskyInverseOnTheRecursivePath() {
        for (int n : new int[] {CholeskyBases.DEFAULT.recursiveInverseMinOrder(), CholeskyBases.DEFAULT.recursiveInverseMinOrder() + 45}) {
            checkRecursiveInverse(n);
        }
    }

    private static void checkRecursiveInverse(int n) {
        SplittableRandom rng = new SplittableRandom(800 + n);
        double[] q = spd(rng, n);
        double[] inv = CholeskyFactorization.tryFactor(q, n, 1.0).inverse();
        for (int j = 0; j < n; j++) for (int i = 0; i < j; i++) assertEquals(inv[j * n + i], inv[i * n + j], 0.0);
        double[] product = new double[n * n];
        Blas.gemm(false, false, n, n, n, 1.0, q, 0, n, inv, 0, n, 0.0, product, 0, n);
        for (int i = 0; i < n; i++) product[i * n + i] -= 1.0;
        double residual = frobenius(product);
        assertTrue(residual <= C * n * EPS * kappaBound(q, n) * Math.sqrt(n), "||Q Q^-1 - I||_F = " + residual);
    }
}
