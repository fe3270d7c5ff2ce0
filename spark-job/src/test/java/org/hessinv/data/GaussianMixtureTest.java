package org.hessinv.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.hessinv.model.Example;
import org.hessinv.model.InvalidInputException;
import org.hessinv.model.SoftmaxHead;
import org.junit.jupiter.api.Test;

class GaussianMixtureTest {

    @Test
    void shapesAndLabels() {
        GaussianMixture gm = new GaussianMixture(12, 4, 3.0, 1.0, 5);
        assertEquals(12, gm.featureCount());
        assertEquals(4, gm.responseCount());
        assertTrue(gm.classification());
        SoftmaxHead head = new SoftmaxHead(3, 4);
        int[] counts = new int[4];
        for (long i = 0; i < 4000; i++) {
            Example e = gm.example(i);
            assertEquals(12, e.features().length);
            assertEquals(1, e.response().length);
            head.validateResponse(e.response(), i);
            counts[(int) e.response()[0]]++;
        }
        for (int c : counts) assertTrue(c > 850 && c < 1150, "class counts " + Arrays.toString(counts));
        for (int c = 0; c < 4; c++) {
            double n2 = 0;
            for (double v : gm.mean(c)) n2 += v * v;
            assertEquals(3.0, Math.sqrt(n2), 1e-12);
        }
    }

    @Test
    void exampleDependsOnlyOnSeedAndIndex() {
        GaussianMixture a = new GaussianMixture(5, 3, 2.0, 0.5, 123);
        GaussianMixture b = new GaussianMixture(5, 3, 2.0, 0.5, 123);
        for (long i : new long[] {9_999_999_999L, 5, 0, 4}) {
            Example eb = b.example(i);
            Example ea = a.example(i);
            assertArrayEquals(ea.features(), eb.features());
            assertArrayEquals(ea.response(), eb.response());
        }
        GaussianMixture c = new GaussianMixture(5, 3, 2.0, 0.5, 124);
        assertFalse(Arrays.equals(a.mean(0), c.mean(0)));
        assertFalse(Arrays.equals(a.example(0).features(), c.example(0).features()));
    }

    @Test
    void examplesClusterAroundTheirClassMean() {
        GaussianMixture gm = new GaussianMixture(20, 5, 6.0, 0.5, 77);
        int nearest = 0;
        for (long i = 0; i < 500; i++) {
            Example e = gm.example(i);
            int best = -1;
            double bestD = Double.POSITIVE_INFINITY;
            for (int c = 0; c < 5; c++) {
                double[] mu = gm.mean(c);
                double d = 0;
                for (int k = 0; k < 20; k++) d += (e.features()[k] - mu[k]) * (e.features()[k] - mu[k]);
                if (d < bestD) { bestD = d; best = c; }
            }
            if (best == (int) e.response()[0]) nearest++;
        }
        assertEquals(500, nearest);
        // No noise: every example is exactly its class mean.
        GaussianMixture exact = new GaussianMixture(3, 2, 1.0, 0.0, 1);
        Example e = exact.example(3);
        assertArrayEquals(exact.mean((int) e.response()[0]), e.features(), 0.0);
    }

    @Test
    void rejectsBadSettings() {
        assertThrows(InvalidInputException.class, () -> new GaussianMixture(0, 3, 1, 1, 1));
        assertThrows(InvalidInputException.class, () -> new GaussianMixture(3, 1, 1, 1, 1));
        assertThrows(InvalidInputException.class, () -> new GaussianMixture(3, 3, -1, 1, 1));
        assertThrows(InvalidInputException.class, () -> new GaussianMixture(3, 3, 1, Double.POSITIVE_INFINITY, 1));
    }
}
