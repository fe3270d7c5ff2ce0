package org.hessinv.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.UUID;
import java.util.stream.Stream;
import org.hessinv.model.InvalidInputException;

/**
 * An output folder written atomically: files go to a temporary sibling folder, which is renamed to
 * the target when {@link #commit()} is called; {@link #close()} without commit deletes it, so a
 * failed run leaves nothing half-written.
 */
public final class AtomicOutputDir implements AutoCloseable {
    private final Path target;
    private final Path temp;
    private final boolean overwrite;
    private boolean committed;

    private AtomicOutputDir(Path target, Path temp, boolean overwrite) {
        this.target = target;
        this.temp = temp;
        this.overwrite = overwrite;
    }

    /** Checks the target up front (exists without overwrite: error) and creates the temporary folder. */
    public static AtomicOutputDir open(Path target, boolean overwrite) {
        Path abs = target.toAbsolutePath().normalize();
        if (Files.exists(abs) && !overwrite) {
            throw new InvalidInputException("output folder " + target + " already exists; choose another --out or pass --overwrite");
        }
        Path parent = abs.getParent();
        try {
            Files.createDirectories(parent);
            Path temp = parent.resolve("." + abs.getFileName() + ".tmp-" + UUID.randomUUID());
            Files.createDirectory(temp);
            return new AtomicOutputDir(abs, temp, overwrite);
        } catch (IOException e) {
            throw new InvalidInputException("cannot create output folder next to " + target + ": " + e + "; check permissions");
        }
    }

    /** Where to write a file of the output. */
    public Path file(String name) { return temp.resolve(name); }

    /** Renames the temporary folder to the target (replacing it when overwriting). */
    public void commit() throws IOException {
        if (overwrite && Files.exists(target)) deleteTree(target);
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException e) {
            throw new InvalidInputException("output folder " + target + " appeared while the job ran; choose another --out or pass --overwrite");
        }
        committed = true;
    }

    public Path target() { return target; }

    @Override public void close() {
        if (!committed) deleteTree(temp);
    }

    private static void deleteTree(Path p) {
        if (!Files.exists(p)) return;
        try (Stream<Path> s = Files.walk(p)) {
            s.sorted(Comparator.reverseOrder()).forEach(q -> {
                try {
                    Files.delete(q);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
