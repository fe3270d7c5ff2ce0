package org.hessinv.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.UUID;
import java.util.stream.Stream;
import org.hessinv.model.InvalidInputException;

/**
 * The output folder of a training run. It appears whole (created as a temporary sibling, renamed when the
 * run's start is written) and is recognized by its {@code run.json}; every file in it is then replaced
 * atomically (written to a temporary name, renamed over the old one), and the checkpoint is a folder
 * swapped in by renames, so a run killed at any point leaves the last complete checkpoint.
 */
public final class RunFolder {
    public static final String MARKER = "run.json";
    private static final String CHECKPOINT = "checkpoint";
    private final Path dir;

    private RunFolder(Path dir) { this.dir = dir; }

    /** Refuses up front an --out that exists and is not a run (or is one, without --overwrite or --resume). */
    public static void checkNew(Path target, boolean overwrite) {
        Path abs = target.toAbsolutePath().normalize();
        if (!Files.exists(abs, java.nio.file.LinkOption.NOFOLLOW_LINKS)) return;
        if (!isRun(abs)) {
            throw new InvalidInputException("--out " + target + " exists and is not a training run folder (no " + MARKER
                    + "); choose another --out (--overwrite replaces only an earlier run)");
        }
        if (!overwrite) {
            throw new InvalidInputException("--out " + target + " holds a training run; pass --resume to continue it, --overwrite to replace it, or choose another --out");
        }
    }

    public static boolean isRun(Path dir) { return Files.isDirectory(dir) && Files.isRegularFile(dir.resolve(MARKER)); }

    /** An existing run, for --resume. */
    public static RunFolder existing(Path target) {
        Path abs = target.toAbsolutePath().normalize();
        if (!isRun(abs)) {
            throw new InvalidInputException("--resume: " + target + " is not a training run folder (no " + MARKER + "); give the --out of an earlier train run");
        }
        return new RunFolder(abs);
    }

    /** What a new run's folder starts with, written into the temporary folder before it is renamed into place. */
    @FunctionalInterface
    public interface Start {
        void write(RunFolder temp) throws IOException;
    }

    /** Writes {@code start} into a temporary sibling and renames it to {@code target} (replacing an earlier run when overwriting). */
    public static RunFolder create(Path target, boolean overwrite, Start start) throws IOException {
        checkNew(target, overwrite);
        Path abs = target.toAbsolutePath().normalize();
        Files.createDirectories(abs.getParent());
        Path temp = abs.getParent().resolve("." + abs.getFileName() + ".tmp-" + UUID.randomUUID());
        Files.createDirectory(temp);
        try {
            start.write(new RunFolder(temp));
            if (Files.exists(abs)) {
                checkNew(target, overwrite);
                Path old = abs.getParent().resolve("." + abs.getFileName() + ".old-" + UUID.randomUUID());
                Files.move(abs, old, StandardCopyOption.ATOMIC_MOVE);
                Files.move(temp, abs, StandardCopyOption.ATOMIC_MOVE);
                deleteTree(old);
            } else {
                Files.move(temp, abs, StandardCopyOption.ATOMIC_MOVE);
            }
            return new RunFolder(abs);
        } catch (IOException | RuntimeException e) {
            deleteTree(temp);
            throw e;
        }
    }

    /**
     * Holds the OS lock of {@code .NAME.lock} beside the run folder for a whole run, so a second run (or a resume) on
     * the same --out is refused while one is writing it; the lock file is removed at the end (the lock itself dies
     * with the JVM). No lock when the parent does not exist yet (nothing can be writing there; it is not created here,
     * so a refused run leaves nothing).
     */
    public static AutoCloseable lock(Path target) {
        Path abs = target.toAbsolutePath().normalize();
        Path lockFile = abs.getParent().resolve("." + abs.getFileName() + ".lock");
        if (!Files.isDirectory(abs.getParent())) return () -> { };
        try {
            java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(lockFile, java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.WRITE);
            java.nio.channels.FileLock lock;
            try {
                lock = ch.tryLock();
            } catch (java.nio.channels.OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                ch.close();
                throw new InvalidInputException("another train run is writing --out " + target + " right now (it holds " + lockFile
                        + "); wait for it to finish or choose another --out");
            }
            java.nio.channels.FileLock held = lock;
            return () -> {
                Files.deleteIfExists(lockFile);
                held.release();
                ch.close();
            };
        } catch (IOException e) {
            throw new InvalidInputException("cannot lock --out " + target + ": " + e.getMessage() + "; check that its parent is a writable folder");
        }
    }

    public Path dir() { return dir; }

    public Path file(String name) { return dir.resolve(name); }

    /** Something that writes one file. */
    @FunctionalInterface
    public interface Writer {
        void write(Path file) throws IOException;
    }

    /** Writes {@code name} through a temporary file renamed over the old one. */
    public void replace(String name, Writer w) throws IOException {
        Path tmp = dir.resolve("." + name + ".tmp-" + UUID.randomUUID());
        try {
            w.write(tmp);
            Files.move(tmp, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** The checkpoint folder (the last complete one; a swap interrupted between its renames leaves the previous as checkpoint.old). */
    public Path checkpoint() {
        Path c = dir.resolve(CHECKPOINT);
        if (Files.isDirectory(c)) return c;
        Path old = dir.resolve(CHECKPOINT + ".old");
        if (Files.isDirectory(old)) return old;
        throw new InvalidInputException("--resume: " + dir + " has no checkpoint; the run cannot be continued, start it again with --overwrite");
    }

    /** Writes a new checkpoint folder and swaps it in: checkpoint -> checkpoint.old, new -> checkpoint, old deleted. */
    public void writeCheckpoint(Start contents) throws IOException {
        Path fresh = dir.resolve(".checkpoint.tmp-" + UUID.randomUUID());
        Files.createDirectory(fresh);
        try {
            contents.write(new RunFolder(fresh));
            Path current = dir.resolve(CHECKPOINT);
            Path old = dir.resolve(CHECKPOINT + ".old");
            deleteTree(old);
            if (Files.exists(current)) Files.move(current, old, StandardCopyOption.ATOMIC_MOVE);
            Files.move(fresh, current, StandardCopyOption.ATOMIC_MOVE);
            deleteTree(old);
        } catch (IOException | RuntimeException e) {
            deleteTree(fresh);
            throw e;
        }
    }

    static void deleteTree(Path p) {
        if (!Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) return;
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
