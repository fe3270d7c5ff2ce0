package org.hessinv.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A writer killed mid-way, in a JVM of its own: SIGTERM (what Ctrl-C and {@code kill} send) runs the shutdown hook,
 * which removes the temporary folder and the lock; SIGKILL leaves them, and the next writer of the same --out
 * removes the dead process's temporary folder and ends with nothing beside the output.
 */
class AtomicOutputDirKillTest {
    /** Opens an output, writes into it, says where, and waits to be killed. */
    public static void main(String[] args) throws Exception {
        AtomicOutputDir out = AtomicOutputDir.open(Path.of(args[0]), false);
        Npy.write(out.file("direction.npy"), new double[] {1, 2, 3});
        System.out.println("ready " + out.temporary());
        System.out.flush();
        Thread.sleep(120_000);
    }

    private static Process holder(Path target) throws IOException {
        String cp = Path.of("target", "test-classes").toAbsolutePath() + File.pathSeparator + Path.of("target", "classes").toAbsolutePath();
        return new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", cp,
                AtomicOutputDirKillTest.class.getName(), target.toString()).redirectErrorStream(true).start();
    }

    private static Path awaitReady(Process p) throws IOException {
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line;
        StringBuilder all = new StringBuilder();
        while ((line = r.readLine()) != null) {
            if (line.startsWith("ready ")) return Path.of(line.substring(6));
            all.append(line).append('\n');
        }
        throw new AssertionError("the holder ended without opening its output:\n" + all);
    }

    private static List<String> beside(Path target) throws IOException {
        try (Stream<Path> s = Files.list(target.getParent())) {
            return s.map(q -> q.getFileName().toString()).filter(n -> n.startsWith("." + target.getFileName() + ".")).sorted().toList();
        }
    }

    @Test
    void sigtermCleansUpAndSigkillIsCleanedByTheNextRun(@TempDir Path dir) throws Exception {
        Path target = dir.resolve("out");

        Process term = holder(target);
        Path temp = awaitReady(term);
        assertTrue(Files.isDirectory(temp) && temp.getFileName().toString().contains("-" + term.pid() + "-"), temp.toString());
        term.destroy();   // SIGTERM
        assertTrue(term.waitFor(30, TimeUnit.SECONDS));
        assertEquals(List.of(), beside(target), "SIGTERM left files beside the output");
        assertFalse(Files.exists(target));

        Process kill = holder(target);
        Path stale = awaitReady(kill);
        kill.destroyForcibly();   // SIGKILL: no hook runs
        assertTrue(kill.waitFor(30, TimeUnit.SECONDS));
        assertTrue(Files.isDirectory(stale), "SIGKILL should leave the temporary folder (nothing runs)");

        try (AtomicOutputDir next = AtomicOutputDir.open(target, false)) {
            assertFalse(Files.exists(stale), "the dead process's temporary folder was not removed");
            Npy.write(next.file("direction.npy"), new double[] {4});
            next.commit();
        }
        assertArrayEquals(new double[] {4}, Npy.read(target.resolve("direction.npy")));
        assertEquals(List.of(), beside(target));
    }

    @Test
    void aLiveWritersTemporaryFolderIsKept(@TempDir Path dir) throws Exception {
        Path target = dir.resolve("out");
        Process live = holder(target);
        try {
            Path temp = awaitReady(live);
            // another writer is refused, and the live one's folder stays
            org.hessinv.model.InvalidInputException e = org.junit.jupiter.api.Assertions.assertThrows(
                    org.hessinv.model.InvalidInputException.class, () -> AtomicOutputDir.open(target, true));
            assertTrue(e.getMessage().contains("another job is writing"), e.getMessage());
            assertTrue(Files.isDirectory(temp));
        } finally {
            live.destroy();
            live.waitFor(30, TimeUnit.SECONDS);
        }
        assertEquals(List.of(), beside(target));
    }
}
