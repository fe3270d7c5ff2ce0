package org.hessinv.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.stream.Stream;
import org.hessinv.model.InvalidInputException;

/**
 * An output folder written atomically: files go to a temporary sibling folder, which is renamed to
 * the target when {@link #commit()} is called; {@link #close()} without commit deletes it, so a
 * failed run leaves nothing half-written.
 *
 * <p>Safety rules:
 * <ul>
 *   <li>A committed folder holds a marker file {@value #MARKER}; {@code overwrite} replaces only such a folder (or a
 *       folder of an earlier version holding nothing but {@code direction.npy}, {@code report.json} and
 *       {@code initial-params.npy}). A regular file, a symbolic link, any other folder, the working folder or one of
 *       its parents is refused and left untouched.</li>
 *   <li>One writer per target: a lock file {@code .NAME.lock} beside the target is held (an OS file lock, released
 *       when the process dies) from {@code open} to {@code close}; a second writer is refused at {@code open}.</li>
 *   <li>The temporary folder {@code .NAME.tmp-HOST-PID-RANDOM} is deleted on close and by a shutdown hook (SIGTERM,
 *       Ctrl-C); one left by a killed process (SIGKILL) is deleted by the next {@code open} of the same target on the
 *       same host once its process is gone.</li>
 * </ul>
 */
public final class AtomicOutputDir implements AutoCloseable {
    /** The marker file of a committed output folder. */
    public static final String MARKER = ".hessinv-output";
    /** What an output folder of a version before the marker held. */
    private static final List<String> LEGACY_FILES = List.of("direction.npy", "report.json", "initial-params.npy");

    private final Path target;
    private final Path temp;
    private final boolean overwrite;
    private final Path lockFile;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final List<Path> createdParents;
    private final Thread hook;
    private boolean committed;
    private boolean closed;

    private AtomicOutputDir(Path target, Path temp, boolean overwrite, Path lockFile, FileChannel lockChannel, FileLock lock,
                            List<Path> createdParents) {
        this.target = target;
        this.temp = temp;
        this.overwrite = overwrite;
        this.lockFile = lockFile;
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.createdParents = createdParents;
        this.hook = new Thread(this::abandon, "hessinv-output-cleanup");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /**
     * Checks the target up front (exists without overwrite, or is not an earlier output: error), takes the target's
     * lock (another writer: error), removes stale temporary folders of dead processes and creates the temporary folder.
     */
    public static AtomicOutputDir open(Path target, boolean overwrite) {
        Path abs = target.toAbsolutePath().normalize();
        checkTarget(target, abs, overwrite);
        Path parent = abs.getParent();
        if (parent == null) throw new InvalidInputException("--out " + target + " is the root folder; give a folder to create");
        List<Path> created = new ArrayList<>();
        FileChannel channel = null;
        FileLock lock = null;
        Path lockFile = parent.resolve("." + abs.getFileName() + ".lock");
        try {
            createParents(parent, created);
            // the lock: retry when the file we locked was deleted (by the previous holder's close) meanwhile
            for (int attempt = 0; ; attempt++) {
                channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                try {
                    lock = channel.tryLock();
                } catch (OverlappingFileLockException e) {
                    lock = null;   // held by another writer in this JVM
                }
                if (lock == null) {
                    channel.close();
                    throw new InvalidInputException("another job is writing --out " + target + " right now (it holds " + lockFile
                            + "); wait for it to finish or choose another --out");
                }
                if (sameFile(channel, lockFile)) break;
                lock.release();
                channel.close();
                if (attempt > 10) throw new IOException("the lock file " + lockFile + " keeps disappearing");
            }
            // re-check under the lock: a writer that finished meanwhile may have created the target
            checkTarget(target, abs, overwrite);
            cleanStale(parent, abs.getFileName().toString());
            Path temp = parent.resolve(tempPrefix(abs) + host() + "-" + ProcessHandle.current().pid() + "-"
                    + UUID.randomUUID().toString().substring(0, 8));
            Files.createDirectory(temp);
            return new AtomicOutputDir(abs, temp, overwrite, lockFile, channel, lock, created);
        } catch (IOException | RuntimeException e) {
            if (lock != null) {
                deleteQuietly(lockFile);
                releaseQuietly(lock, channel);
            }
            removeCreatedParents(created);
            if (e instanceof InvalidInputException iie) throw iie;
            throw new InvalidInputException("cannot create output folder " + target + ": " + describe(e) + "; check that its parent is a writable folder");
        }
    }

    /** Where to write a file of the output. */
    public Path file(String name) { return temp.resolve(name); }

    /** Renames the temporary folder to the target (replacing an earlier output when overwriting). */
    public synchronized void commit() throws IOException {
        if (closed) throw new IllegalStateException("output " + target + " was abandoned (the JVM is shutting down)");
        Files.writeString(temp.resolve(MARKER), "hessinv output, committed " + Instant.now() + " by pid " + ProcessHandle.current().pid() + "\n");
        checkTarget(target, target, overwrite);
        Path old = null;
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            old = target.resolveSibling(tempPrefix(target).replace(".tmp-", ".old-") + host() + "-" + ProcessHandle.current().pid() + "-"
                    + UUID.randomUUID().toString().substring(0, 8));
            Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
        }
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            if (old != null) Files.move(old, target, StandardCopyOption.ATOMIC_MOVE);
            throw e;
        }
        committed = true;
        if (old != null) deleteTree(old);
    }

    public Path target() { return target; }

    /** The temporary folder files are written to before commit (for tests and diagnostics). */
    public Path temporary() { return temp; }

    @Override public void close() {
        abandon();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: the hook runs (or ran) abandon() itself
        }
    }

    /** Deletes the temporary folder (unless committed), the lock file and the parents this open created; idempotent. */
    private synchronized void abandon() {
        if (closed) return;
        closed = true;
        if (!committed) {
            try {
                deleteTree(temp);
            } catch (UncheckedIOException e) {
                System.err.println("warning: could not remove the temporary folder " + temp + ": " + e.getCause().getMessage());
            }
        }
        deleteQuietly(lockFile);
        releaseQuietly(lock, lockChannel);
        if (!committed) removeCreatedParents(createdParents);
    }

    private static void checkTarget(Path given, Path abs, boolean overwrite) {
        if (Files.isSymbolicLink(abs)) {
            String to;
            try {
                to = String.valueOf(Files.readSymbolicLink(abs));
            } catch (IOException e) {
                to = "?";
            }
            throw new InvalidInputException("--out " + given + " is a symbolic link (to " + to + (Files.exists(abs) ? "" : ", which does not exist")
                    + "); give the real folder path, or remove the link");
        }
        Path cwd = Path.of("").toAbsolutePath().normalize();
        if (cwd.startsWith(abs)) {
            throw new InvalidInputException("--out " + given + " is the working folder or one of its parents; give a new folder for the output");
        }
        if (!Files.exists(abs, LinkOption.NOFOLLOW_LINKS)) return;
        if (!Files.isDirectory(abs, LinkOption.NOFOLLOW_LINKS)) {
            throw new InvalidInputException("--out " + given + " is an existing file, not an output folder; "
                    + (overwrite ? "--overwrite replaces only an earlier output folder, so " : "") + "remove it yourself or choose another --out");
        }
        if (!overwrite) {
            throw new InvalidInputException("output folder " + given + " already exists; choose another --out or pass --overwrite");
        }
        if (!isEarlierOutput(abs)) {
            throw new InvalidInputException("--out " + given + " exists but is not an output of hessinv (no " + MARKER
                    + " marker); --overwrite replaces only earlier outputs, so remove it yourself or choose another --out");
        }
    }

    /** A folder holding the marker, or (written before the marker) nothing but the known output files. */
    static boolean isEarlierOutput(Path dir) {
        if (Files.isRegularFile(dir.resolve(MARKER), LinkOption.NOFOLLOW_LINKS)) return true;
        boolean any = false;
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            for (Path p : s) {
                if (!LEGACY_FILES.contains(p.getFileName().toString()) || !Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) return false;
                any = true;
            }
        } catch (IOException e) {
            return false;
        }
        return any;
    }

    private static String tempPrefix(Path abs) { return "." + abs.getFileName() + ".tmp-"; }

    /** Deletes {@code .NAME.tmp-HOST-PID-X} (and {@code .old-}) folders of this host whose process is gone. */
    private static void cleanStale(Path parent, String name) throws IOException {
        String host = host();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(parent, "." + name + ".{tmp,old}-*")) {
            for (Path p : s) {
                String rest = p.getFileName().toString().substring(name.length() + 6);
                int last = rest.lastIndexOf('-');
                int pidStart = last > 0 ? rest.lastIndexOf('-', last - 1) : -1;
                if (pidStart <= 0 || !rest.substring(0, pidStart).equals(host)) continue;
                long pid;
                try {
                    pid = Long.parseLong(rest.substring(pidStart + 1, last));
                } catch (NumberFormatException e) {
                    continue;
                }
                if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) continue;
                boolean old = p.getFileName().toString().startsWith("." + name + ".old-");
                Path target = parent.resolve(name);
                if (old && !Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                    Files.move(p, target, StandardCopyOption.ATOMIC_MOVE);   // a replace killed half-way: restore the earlier output
                } else {
                    deleteTree(p);
                }
            }
        }
    }

    private static String host() {
        String h;
        try {
            h = InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            h = "localhost";
        }
        return h.replaceAll("[^A-Za-z0-9_.]", "_");
    }

    private static boolean sameFile(FileChannel channel, Path file) {
        try {
            Object k = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
            // the channel's file: /proc/self/fd is Linux-only; compare sizes and keys through the path otherwise
            return k == null || Objects.equals(k, Files.readAttributes(Path.of("/proc/self/fd").resolve(fd(channel)),
                    BasicFileAttributes.class).fileKey());
        } catch (NoSuchFileException e) {
            return false;
        } catch (IOException | RuntimeException e) {
            return true;   // cannot tell: trust the lock
        }
    }

    private static String fd(FileChannel channel) {
        try {
            java.lang.reflect.Field f = channel.getClass().getDeclaredField("fd");
            f.setAccessible(true);
            java.io.FileDescriptor d = (java.io.FileDescriptor) f.get(channel);
            java.lang.reflect.Field n = java.io.FileDescriptor.class.getDeclaredField("fd");
            n.setAccessible(true);
            return String.valueOf(n.getInt(d));
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void createParents(Path parent, List<Path> created) throws IOException {
        List<Path> missing = new ArrayList<>();
        for (Path p = parent; p != null && !Files.exists(p); p = p.getParent()) missing.add(0, p);
        for (Path p : missing) {
            Files.createDirectory(p);
            created.add(p);
        }
        if (!Files.isDirectory(parent)) throw new IOException(parent + " is not a folder");
    }

    private static void removeCreatedParents(List<Path> created) {
        for (int i = created.size() - 1; i >= 0; i--) {
            try {
                Files.deleteIfExists(created.get(i));
            } catch (IOException e) {
                return;   // not empty (someone else wrote there): keep it and its parents
            }
        }
    }

    private static void releaseQuietly(FileLock lock, FileChannel channel) {
        try {
            if (lock != null && lock.isValid()) lock.release();
            if (channel != null) channel.close();
        } catch (IOException e) {
            // closing the channel releases the lock in any case
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            // a lock file left behind is harmless: the next writer reuses it
        }
    }

    private static String describe(Exception e) {
        String m = e.getMessage();
        return e instanceof java.nio.file.AccessDeniedException ? "permission denied (" + m + ")"
                : e instanceof java.nio.file.FileSystemException f && f.getReason() != null ? f.getReason() + " (" + f.getFile() + ")"
                : String.valueOf(m);
    }

    private static void deleteTree(Path p) {
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) return;
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
