package dev.vavl4j.checkpoint;

import dev.vavl4j.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Whole-directory atomic replacement: the new directory is written beside the target under a hidden
 * temporary name and renamed into place. A previous directory is first renamed aside and deleted only
 * after the new one is in place, so at every instant either the old or the new complete directory exists
 * (under its own name or, for an instant, as {@code .NAME.old}). The directory and its files get the
 * default permissions (the umask's), like any directory and file the writer creates.
 */
public final class CheckpointDirs {
    private CheckpointDirs() {}

    @FunctionalInterface
    public interface DirWriter {
        void write(Path tmpDir) throws IOException;
    }

    public static void writeAtomically(Path target, DirWriter writer) throws IOException {
        Path abs = target.toAbsolutePath().normalize();
        Path parent = abs.getParent();
        Files.createDirectories(parent);
        removeLeftovers(parent, "." + abs.getFileName() + ".tmp-");
        // not Files.createTempDirectory: its 0700 would become the checkpoint's mode after the rename
        Path tmp = AtomicFiles.createSiblingDirectory(parent, "." + abs.getFileName() + ".tmp-");
        try {
            writer.write(tmp);
            Path old = parent.resolve("." + abs.getFileName() + ".old");
            deleteTree(old);
            if (Files.exists(abs)) move(abs, old);
            move(tmp, abs);
            deleteTree(old);
        } finally {
            deleteTree(tmp);
        }
    }

    /** Temporary directories of a write that was killed (a crash, Ctrl-C) before its rename. */
    private static void removeLeftovers(Path parent, String prefix) throws IOException {
        try (Stream<Path> s = Files.list(parent)) {
            for (Path p : s.filter(p -> p.getFileName().toString().startsWith(prefix)).toList()) deleteTree(p);
        }
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
        if (!Files.exists(dir)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
