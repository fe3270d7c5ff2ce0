package org.hessinv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.ToIntFunction;
import org.hessinv.io.Npy;
import org.hessinv.model.ModelSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The memory refusal of every command that solves exactly comes from the model's shapes and the curvature batch
 * before any data is read: the data paths here do not exist, no Spark session is given or started, and the
 * refusal (not "no such file") is what each command prints, in one line with exit 2, naming both settings with
 * the heap that works; nothing is written. (A batch of 8192 examples of width 16 needs hundreds of GB.)
 */
class MemoryRefusalTest {
    private static final String SPEC = "{\"input\": 16, \"layers\": [{\"type\": \"dense\", \"units\": 16, \"activation\": \"tanh\"},"
            + "{\"type\": \"residual\", \"activation\": \"tanh\", \"repeat\": 3}], \"head\": {\"type\": \"mse\", \"outputs\": 1}}";
    @TempDir Path dir;

    private Path model() throws IOException {
        Path m = dir.resolve("model.json");
        Files.writeString(m, SPEC);
        return m;
    }

    private Path params() throws IOException {
        Path p = dir.resolve("params.npy");
        Npy.write(p, ModelSpec.parse(SPEC).initialParameters(1));
        return p;
    }

    private static String refused(ToIntFunction<String[]> command, String launcher, String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = command.applyAsInt(args);
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
        String stderr = err.toString(StandardCharsets.UTF_8);
        assertEquals(NewtonDirectionJob.EXIT_BAD_INPUT, code, stderr);
        List<String> lines = stderr.strip().lines().toList();
        assertEquals(1, lines.size(), stderr);
        String line = lines.get(0);
        assertTrue(line.startsWith("error: the exact solve") && line.contains("curvature batch 8192") && line.contains("needs about"), line);
        assertTrue(line.matches(".*HESSINV_DRIVER_MEMORY=(\\d+)g submit-scripts/" + launcher + " .*spark-submit --driver-memory (\\d+)g.*"), line);
        assertTrue(line.contains("or use --curvature-batch "), line);
        return line;
    }

    @Test
    void newtonDirectionRefusesBeforeReadingData() throws IOException {
        Path out = dir.resolve("nd-out");
        refused(a -> NewtonDirectionJob.run(a, null), "newton-direction", "--model", model().toString(), "--init-seed", "1",
                "--data", dir.resolve("missing.csv").toString(), "--curvature-batch", "8192", "--master", "local[1]", "--out", out.toString());
        assertFalse(Files.exists(out), "nothing written");
    }

    @Test
    void trainRefusesBeforeReadingData() throws IOException {
        Path out = dir.resolve("train-out");
        refused(a -> TrainJob.run(a, null), "train", "--model", model().toString(), "--data", dir.resolve("missing.csv").toString(),
                "--curvature-batch", "8192", "--solver", "riccati", "--out", out.toString());
        assertFalse(Files.exists(out), "nothing written");
    }

    @Test
    void influenceAndEvidenceRefuseBeforeReadingData() throws IOException {
        Path out = dir.resolve("influence-out");
        refused(a -> InfluenceJob.run(a, null), "influence", "--model", model().toString(), "--params", params().toString(),
                "--data", dir.resolve("missing.csv").toString(), "--test", dir.resolve("missing-test.csv").toString(),
                "--curvature-batch", "8192", "--solver", "riccati", "--out", out.toString());
        assertFalse(Files.exists(out), "nothing written");
        Path out2 = dir.resolve("evidence-out");
        refused(a -> EvidenceJob.run(a, null), "evidence", "--model", model().toString(), "--params", params().toString(),
                "--data", dir.resolve("missing.csv").toString(), "--curvature-batch", "8192", "--solver", "riccati", "--out", out2.toString());
        assertFalse(Files.exists(out2), "nothing written");
    }
}
