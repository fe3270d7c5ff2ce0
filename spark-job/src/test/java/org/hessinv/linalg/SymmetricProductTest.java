package org.hessinv.linalg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.hessinv.testing.Dense;
import org.hessinv.testing.RandomProblems;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link SymmetricProduct#lowerUpdate} against the dense triple loop: lower(C) = C0 + alpha A B^T within
 * 2 k eps max|terms| per entry (the summation order differs), the strictly upper part of C untouched
 * outside the diagonal blocks; orders below, at and across the block size.
 */
class SymmetricProductTest {
    @ParameterizedTest(name = "n={0}")
    @ValueSource(ints = {1, 7, 128, 129, 300})
    void lowerTriangleMatchesTheDenseProduct(int n) {
        int k = 37;
        SplittableRandom rng = new SplittableRandom(n);
        double[] a = RandomProblems.vector(rng, n * k), b = RandomProblems.vector(rng, n * k), c0 = RandomProblems.vector(rng, n * n);
        double[] c = c0.clone();
        SymmetricProduct.lowerUpdate(n, k, -0.5, a, n, b, n, c, n);
        for (int j = 0; j < n; j++) {
            for (int i = 0; i < n; i++) {
                if (i < j) {
                    if (j / SymmetricProduct.BLOCK != i / SymmetricProduct.BLOCK) assertEquals(c0[j * n + i], c[j * n + i], 0.0, "upper entry touched");
                    continue;
                }
                double exact = c0[j * n + i], scale = Math.abs(exact);
                for (int t = 0; t < k; t++) { exact += -0.5 * a[t * n + i] * b[t * n + j]; scale += Math.abs(0.5 * a[t * n + i] * b[t * n + j]); }
                assertTrue(Math.abs(c[j * n + i] - exact) <= 2 * k * Dense.EPS * scale, "(" + i + "," + j + ")");
            }
        }
    }
}
