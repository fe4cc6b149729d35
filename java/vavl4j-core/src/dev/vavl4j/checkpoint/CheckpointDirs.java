package dev.vavl4j.checkpoint;

import dev.vavl4j.io.AtomicFiles;
import dev.vavl4j.io.CrashPoints;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * Whole-directory atomic replacement of {@code DIR/NAME}. The names it uses beside the target:
 * <ul>
 * <li>{@code .NAME.tmp-<random>} — a directory being written, or being deleted. Always garbage once its
 *     writer is gone: {@link #recover} deletes it.</li>
 * <li>{@code .NAME.old} — the previous {@code NAME}, renamed aside for the instant between the two renames
 *     of a replacement. It is always a whole checkpoint: it was {@code NAME}.</li>
 * </ul>
 * A save ({@link #writeAtomically}) writes the new directory under a temporary name, fsyncs every file in it
 * and the directory itself, renames {@code NAME} to {@code .NAME.old}, renames the new directory to
 * {@code NAME}, fsyncs {@code DIR}, and then deletes {@code .NAME.old} (renamed to a temporary name first, so
 * that a half-deleted directory never carries a checkpoint's name). So at every instant a kill leaves one of:
 * <ol>
 * <li>the old {@code NAME} (or none, on a first save), perhaps with a temporary directory;</li>
 * <li>no {@code NAME} and a whole {@code .NAME.old} (between the renames);</li>
 * <li>the new {@code NAME} and {@code .NAME.old} (before the old one is deleted);</li>
 * <li>the new {@code NAME}, perhaps with a temporary directory (the old one, half deleted).</li>
 * </ol>
 * {@link #recover} turns each into "{@code NAME} and nothing else": state 2 is rolled back (the old
 * checkpoint gets its name again), state 3 finished (the old one deleted), temporary directories deleted.
 * Every save starts with it, and the trainer runs it on a run directory before reading it. The directory
 * and its files get the default permissions (the umask's), like any directory and file the writer creates.
 *
 * <p>Crash points ({@link CrashPoints}, kind {@code save:NAME}), in order: {@code begin} (after the recovery),
 * {@code after-FILE} for each file {@link #writeFile} writes (before any fsync), {@code synced} (all fsynced,
 * before the renames), {@code aside} (the old one renamed aside; only when replacing), {@code renamed} (the
 * new one in place, before the fsync of {@code DIR}), {@code replaced} (after it), {@code discarding}
 * (the old one renamed to a temporary name) and {@code deleting} (its first file deleted; both only when
 * replacing), {@code done}.
 */
public final class CheckpointDirs {
    private CheckpointDirs() {}

    private static final System.Logger LOG = System.getLogger(CheckpointDirs.class.getName());
    /** The save this thread is in, as its {@link CrashPoints} kind and number; null outside one. */
    private static final ThreadLocal<Object[]> SAVE = new ThreadLocal<>();

    @FunctionalInterface
    public interface DirWriter {
        void write(Path tmpDir) throws IOException;
    }

    @FunctionalInterface
    public interface FileWriter {
        void write(Path file) throws IOException;
    }

    /** What {@link #recover} found. */
    public enum Recovery {
        /** Nothing was interrupted (temporary directories aside, which are deleted in every case). */
        NONE,
        /** A save was killed between its two renames: the previous {@code NAME} got its name back from {@code .NAME.old}. */
        ROLLED_BACK,
        /** A save was killed after its renames: the new {@code NAME} stays, the leftover {@code .NAME.old} was deleted. */
        FINISHED
    }

    /** {@code .NAME.old} beside {@code target}: where the previous directory waits between the two renames. */
    public static Path asideOf(Path target) {
        Path abs = target.toAbsolutePath().normalize();
        return abs.resolveSibling("." + abs.getFileName() + ".old");
    }

    /** Whether {@code name} is a temporary directory of a save of {@code target} ({@code .NAME.tmp-...}). */
    public static boolean isTemporary(Path target, String name) {
        return name.startsWith(tmpPrefix(target.toAbsolutePath().normalize()));
    }

    /**
     * Writes a new {@code target} directory with {@code writer} and swaps it in, as the class comment says.
     * An IOException (a full disk, say) is one naming {@code target} and the file being written; the previous
     * directory is then unchanged and no temporary directory is left.
     */
    public static void writeAtomically(Path target, DirWriter writer) throws IOException {
        Path abs = target.toAbsolutePath().normalize();
        Path parent = abs.getParent();
        Files.createDirectories(parent);
        String kind = "save:" + abs.getFileName();
        int n = CrashPoints.begin(kind);
        recover(abs);
        CrashPoints.at(kind, n, "begin");
        // not Files.createTempDirectory: its 0700 would become the checkpoint's mode after the rename
        Path tmp = AtomicFiles.createSiblingDirectory(parent, tmpPrefix(abs));
        Object[] outer = SAVE.get();
        SAVE.set(new Object[] {kind, n});
        try {
            boolean replacing = Files.exists(abs, LinkOption.NOFOLLOW_LINKS);
            try {
                writer.write(tmp);
                syncTree(tmp);
            } catch (IOException e) {
                throw failed(abs, tmp, replacing, e);
            }
            CrashPoints.at(kind, n, "synced");
            Path old = asideOf(abs);
            if (replacing) {
                try {
                    move(abs, old);
                } catch (IOException e) {
                    throw failed(abs, tmp, true, e);
                }
                CrashPoints.at(kind, n, "aside");
            }
            try {
                move(tmp, abs);
            } catch (IOException e) {
                if (replacing) {
                    try {
                        move(old, abs);
                    } catch (IOException back) {
                        e.addSuppressed(back);   // the previous one stays whole in .NAME.old; recover() renames it back
                    }
                }
                throw failed(abs, tmp, replacing, e);
            }
            CrashPoints.at(kind, n, "renamed");
            AtomicFiles.syncDirectory(parent);
            CrashPoints.at(kind, n, "replaced");
            if (replacing) {
                try {
                    discard(old, abs, kind, n);
                } catch (IOException e) {
                    // the new checkpoint is in place; the old one is deleted by the next recover()
                    LOG.log(System.Logger.Level.WARNING, "could not delete " + old + ": " + e);
                }
            }
            CrashPoints.at(kind, n, "done");
        } finally {
            SAVE.set(outer);
            try {
                deleteTree(tmp);
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "could not delete " + tmp + ": " + e);
            }
        }
    }

    /**
     * Writes one file of a directory being saved: {@code writer} writes {@code tmpDir/name}. A plain IOException
     * (no space left on device) becomes one naming the file; then the save's crash point {@code after-NAME}.
     */
    public static void writeFile(Path tmpDir, String name, FileWriter writer) throws IOException {
        Path file = tmpDir.resolve(name);
        try {
            writer.write(file);
        } catch (FileSystemException e) {
            throw e;
        } catch (IOException e) {
            FileSystemException f = new FileSystemException(file.toString(), null, e.getMessage());
            f.initCause(e);
            throw f;
        }
        Object[] save = SAVE.get();
        if (save != null) CrashPoints.at((String) save[0], (Integer) save[1], "after-" + name);
    }

    /**
     * Brings {@code target}'s name back to one of its two clean states (there or not there, nothing beside it):
     * rolls back a replacement killed between its renames, finishes one killed after them, and deletes the
     * temporary directories of killed saves. Idempotent, and safe to kill at any instant: each step is one
     * rename or the deletion of garbage.
     */
    public static Recovery recover(Path target) throws IOException {
        Path abs = target.toAbsolutePath().normalize();
        Path parent = abs.getParent();
        if (!Files.isDirectory(parent)) return Recovery.NONE;
        Path old = asideOf(abs);
        Recovery r = Recovery.NONE;
        if (Files.exists(old, LinkOption.NOFOLLOW_LINKS)) {
            if (Files.exists(abs, LinkOption.NOFOLLOW_LINKS)) {
                discard(old, abs, null, 0);
                r = Recovery.FINISHED;
            } else {
                move(old, abs);
                AtomicFiles.syncDirectory(parent);
                r = Recovery.ROLLED_BACK;
            }
        }
        String prefix = tmpPrefix(abs);
        List<Path> leftovers;
        try (Stream<Path> s = Files.list(parent)) {
            leftovers = s.filter(p -> p.getFileName().toString().startsWith(prefix)).toList();
        }
        for (Path p : leftovers) deleteTree(p);
        return r;
    }

    /**
     * Deletes a checkpoint directory without ever leaving half of one under its name: renames it to a temporary
     * name of {@code target}'s first (one atomic step), then deletes that. Nothing when it does not exist.
     */
    public static void discard(Path dir, Path target) throws IOException {
        discard(dir, target.toAbsolutePath().normalize(), null, 0);
    }

    private static void discard(Path dir, Path abs, String kind, int save) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) return;
        Path gone;
        while (true) {
            gone = abs.resolveSibling(tmpPrefix(abs) + Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36));
            try {
                Files.move(dir, gone, StandardCopyOption.ATOMIC_MOVE);
                break;
            } catch (FileAlreadyExistsException e) {
                // drawn twice: draw again
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(dir, gone);
                break;
            }
        }
        if (kind != null) CrashPoints.at(kind, save, "discarding");
        try (Stream<Path> s = Files.walk(gone)) {
            boolean first = true;
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
                if (first && kind != null) CrashPoints.at(kind, save, "deleting");
                first = false;
            }
        }
    }

    private static String tmpPrefix(Path abs) {
        return "." + abs.getFileName() + ".tmp-";
    }

    /** fsyncs every file under {@code dir}, then every directory, deepest first. */
    private static void syncTree(Path dir) throws IOException {
        List<Path> all;
        try (Stream<Path> s = Files.walk(dir)) {
            all = s.sorted(Comparator.reverseOrder()).toList();
        }
        for (Path p : all) if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) AtomicFiles.syncFile(p);
        for (Path p : all) if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) AtomicFiles.syncDirectory(p);
    }

    /** The error of a failed save: names the target, the file (under its final name) and what is left. */
    private static IOException failed(Path abs, Path tmp, boolean hadOne, IOException e) {
        String why = e instanceof FileSystemException f && f.getReason() != null ? f.getReason()
                : e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
        String where = "";
        if (e instanceof FileSystemException f && f.getFile() != null) {
            Path file = Path.of(f.getFile()).toAbsolutePath().normalize();
            where = " (" + (file.startsWith(tmp) ? abs.resolve(tmp.relativize(file)) : file) + ")";
        }
        return new IOException(abs + ": checkpoint not saved: " + why + where + "; "
                + (hadOne ? "the previous checkpoint there is unchanged" : "nothing was written there"), e);
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to);
        }
    }

    /** Deletes a directory and everything in it; nothing when it does not exist. */
    public static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
