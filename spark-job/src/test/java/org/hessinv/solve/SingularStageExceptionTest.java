package org.hessinv.solve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.hessinv.linalg.SingularMatrixException;
import org.hessinv.linalg.SymmetricFactorization;
import org.junit.jupiter.api.Test;

/** A refused pivot reaches the user as a {@link SingularStageException} naming the layer and the hint. */
class SingularStageExceptionTest {
    @Test
    void exactlySingularIsRefusedNamingTheLayerAndTheHint() {
        double[] q = {1, 1, 1, 1}; // rank 1
        SingularMatrixException m = assertThrows(SingularMatrixException.class, () -> SymmetricFactorization.factor(q, 2));
        SingularStageException e = SingularStageException.at(7, m, "add damping");
        assertEquals(7, e.layer());
        assertEquals(m.rcond(), e.rcond(), 0.0);
        assertSame(m, e.getCause());
        assertTrue(e.getMessage().contains("layer 7") && e.getMessage().contains("add damping"), e.getMessage());
    }

    @Test
    void nonFiniteEntriesAreRefusedNamingTheLayer() {
        double[] q = {1, Double.NaN, Double.NaN, 1};
        SingularMatrixException m = assertThrows(SingularMatrixException.class, () -> SymmetricFactorization.factor(q, 2));
        SingularStageException e = SingularStageException.at(4, m, "h");
        assertTrue(e.getMessage().contains("non-finite") && e.getMessage().contains("layer 4"), e.getMessage());
    }
}
