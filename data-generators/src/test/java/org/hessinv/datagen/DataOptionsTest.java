package org.hessinv.datagen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** generate-data's command line without Spark: defaults per kind, the checks, one-line messages, the help. */
class DataOptionsTest {
    private static String refused(String... args) {
        String m = assertThrows(UsageException.class, () -> DataOptions.parse(args), String.join(" ", args)).getMessage();
        assertEquals(1, m.lines().count(), m);
        return m;
    }

    @Test
    void defaultsDependOnTheKind() {
        DataOptions t = DataOptions.parse(new String[] {"--kind", "teacher", "--rows", "1_000", "--features", "3", "--out", "o"});
        assertEquals(new DataOptions("teacher", 1000, 3, 1, 0, 4, 16, 0.1, 0.0, 1, "parquet", "o", null, null, false), t);
        DataOptions m = DataOptions.parse(new String[] {"--kind=mixture", "--rows=20", "--features=2", "--classes=3", "--out=o",
            "--format", "CSV", "--partitions", "4", "--overwrite", "--seed", "-5"});
        assertEquals(new DataOptions("mixture", 20, 2, 0, 3, 0, 0, 1.0, 3.0, -5, "csv", "o", 4, null, true), m);
    }

    @Test
    void badCommandLinesAreOneLineUsageErrors() {
        assertTrue(refused("--kind", "teacher", "--rows", "5", "--features", "2", "--out", "o", "--rows=6").contains("--rows"));
        assertTrue(refused("--kind", "teacher", "--rows", "5", "--features", "2", "--out", "--overwrite").contains("--out"));
        assertTrue(refused("--kind", "teacher", "--rows", "5", "--features", "2", "--out", "--bogus").contains("--out"));
        assertTrue(refused("--kind", "teacher", "--rows", "5", "--features", "2", "--out", "o", "--bogus").contains("--bogus"));
        assertTrue(refused("--kind", "teacher", "--rows", "five", "--features", "2", "--out", "o").contains("five"));
        assertTrue(refused("--kind", "teacher", "--rows", "5", "--features", "2", "--noise", "-1", "--out", "o").contains("--noise must be a finite number >= 0"));
        assertTrue(refused("--kind", "teacher", "--rows", "5", "--features", "2").contains("missing --out"));
        assertTrue(refused("--kind", "teacher", "--rows", "5", "--features", "2", "--out", "o", "--separation", "2").contains("--separation is for --kind mixture"));
        assertTrue(refused("--kind", "mixture", "--rows", "5", "--features", "2", "--classes", "2", "--out", "o", "--width", "4").contains("--width is for --kind teacher"));
        assertTrue(refused("--kind", "teacher", "--rows", "0", "--features", "2", "--out", "o").contains("--rows must be a positive integer"));
        for (String m : List.of(refused("--bogus"), refused("--rows", "x"))) assertTrue(m.endsWith("; see --help"), m);
    }

    @Test
    void theHelpListsEveryOption() {
        String usage = DataOptions.usage();
        assertTrue(usage.contains("generate-data --kind teacher|mixture --rows N --features D --out PATH [options]"), usage);
        for (String o : List.of("--kind", "--rows", "--features", "--outputs", "--classes", "--depth", "--width", "--noise", "--separation",
                "--seed", "--format", "--out", "--partitions", "--master", "--overwrite", "--help")) {
            assertTrue(usage.contains(o), o + " missing from\n" + usage);
        }
        assertTrue(DataOptions.wantsHelp(new String[] {"--kind", "teacher", "-h"}));
        assertNull(DataOptions.parse(new String[] {"--kind", "teacher", "--rows", "5", "--features", "2", "--out", "o"}).master());
    }
}
