package org.hessinv.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.Arrays;
import org.hessinv.curvature.ExampleSweep;
import org.hessinv.model.Example;
import org.hessinv.model.InvalidInputException;
import org.junit.jupiter.api.Test;

class TeacherStudentTest {

    @Test
    void shapesAndTeacherNetwork() {
        TeacherStudent ts = new TeacherStudent(7, 5, 9, 3, 0.1, 42);
        assertEquals(7, ts.featureCount());
        assertEquals(3, ts.responseCount());
        assertFalse(ts.classification());
        assertEquals(6, ts.teacher().stageCount());
        assertEquals(7, ts.teacher().inputSize());
        for (long i = 0; i < 20; i++) {
            Example e = ts.example(i);
            assertEquals(7, e.features().length);
            assertEquals(3, e.response().length);
            ts.teacher().validateExample(e, i);
        }
    }

    @Test
    void exampleDependsOnlyOnSeedAndIndex() {
        TeacherStudent a = new TeacherStudent(6, 4, 8, 2, 0.5, 7);
        TeacherStudent b = new TeacherStudent(6, 4, 8, 2, 0.5, 7);
        // b visits indices in another order, with gaps: same examples.
        for (long i : new long[] {1_000_000_007L, 3, 0, 2, 1}) {
            Example eb = b.example(i);
            Example ea = a.example(i);
            assertArrayEquals(ea.features(), eb.features());
            assertArrayEquals(ea.response(), eb.response());
        }
        assertArrayEquals(a.teacherParameters(), b.teacherParameters());
        assertFalse(Arrays.equals(a.example(0).features(), a.example(1).features()));
        TeacherStudent c = new TeacherStudent(6, 4, 8, 2, 0.5, 8);
        assertFalse(Arrays.equals(a.example(0).features(), c.example(0).features()));
        assertFalse(Arrays.equals(a.teacherParameters(), c.teacherParameters()));
    }

    @Test
    void noiselessTargetsAreTheTeacherOutputAndMatchTheEngineLoss() {
        TeacherStudent ts = new TeacherStudent(5, 3, 6, 2, 0.0, 3);
        double[] x = ts.teacherParameters();
        for (long i = 0; i < 10; i++) {
            Example e = ts.example(i);
            assertArrayEquals(ts.teacherOutput(e.features()), e.response(), 0.0);
            // The engine's forward sweep of the teacher reproduces the targets: zero loss.
            assertEquals(0.0, new ExampleSweep(ts.teacher(), x, e, 1.0).loss(), 1e-24);
        }
        TeacherStudent noisy = new TeacherStudent(5, 3, 6, 2, 0.3, 3);
        double sum = 0;
        int n = 2000;
        for (long i = 0; i < n; i++) {
            Example e = noisy.example(i);
            double[] clean = noisy.teacherOutput(e.features());
            for (int k = 0; k < 2; k++) sum += (e.response()[k] - clean[k]) * (e.response()[k] - clean[k]);
        }
        double sd = Math.sqrt(sum / (2.0 * n));
        assertEquals(0.3, sd, 0.03);
    }

    @Test
    void deepTeacherStaysOrderOne() {
        TeacherStudent ts = new TeacherStudent(16, 64, 16, 1, 0.0, 11);
        double s = 0;
        for (long i = 0; i < 200; i++) {
            double y = ts.example(i).response()[0];
            assertTrue(Double.isFinite(y));
            s += y * y;
        }
        double rms = Math.sqrt(s / 200);
        assertTrue(rms > 0.05 && rms < 20, "rms target " + rms);
    }

    @Test
    void linearTeacherWithDepthZero() {
        TeacherStudent ts = new TeacherStudent(4, 0, 0, 1, 0.0, 1);
        assertEquals(1, ts.teacher().stageCount());
        assertEquals(1, ts.example(0).response().length);
    }

    @Test
    void survivesSerialization() throws Exception {
        TeacherStudent ts = new TeacherStudent(4, 3, 5, 2, 0.2, 99);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) { out.writeObject(ts); }
        TeacherStudent copy;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            copy = (TeacherStudent) in.readObject();
        }
        assertArrayEquals(ts.example(17).features(), copy.example(17).features());
        assertArrayEquals(ts.example(17).response(), copy.example(17).response());
    }

    @Test
    void rejectsBadSettings() {
        assertThrows(InvalidInputException.class, () -> new TeacherStudent(0, 2, 4, 1, 0.1, 1));
        assertThrows(InvalidInputException.class, () -> new TeacherStudent(3, -1, 4, 1, 0.1, 1));
        assertThrows(InvalidInputException.class, () -> new TeacherStudent(3, 2, 0, 1, 0.1, 1));
        assertThrows(InvalidInputException.class, () -> new TeacherStudent(3, 2, 4, 0, 0.1, 1));
        assertThrows(InvalidInputException.class, () -> new TeacherStudent(3, 2, 4, 1, -0.1, 1));
        assertThrows(InvalidInputException.class, () -> new TeacherStudent(3, 2, 4, 1, Double.NaN, 1));
    }
}
