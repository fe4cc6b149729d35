package dev.vavl4j.cli;

import dev.vavl4j.checkpoint.Checkpoint;
import dev.vavl4j.io.RealPaths;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * The one check every command makes before it writes a file the user named ({@code predict --out},
 * {@code evaluate --json}, {@code parity --out}): an output never lands on one of the command's inputs, never
 * inside a checkpoint or run directory, never replaces an existing file without {@code --overwrite}, and is
 * never a directory. The path is judged as the file system will see it: {@code ..} and the links of its
 * existing part are resolved first, and an existing output that is itself a link is judged by both the
 * entry that the rename replaces and the file it points to. Each refusal is a {@link UsageException}
 * naming the option, the path and why, raised before any work is done.
 *
 * <p>{@code export --out} (a directory) keeps its own rules in {@code CheckpointExport}: it never writes
 * onto or inside the checkpoint it reads, never into a file, and replaces a non-empty directory only with
 * {@code --overwrite} and only when that directory is itself a checkpoint (an earlier export).
 */
final class OutputGuard {
    private OutputGuard() {}

    /** An input of the command: the option that named it and the path given (null when not given). */
    record Input(String option, Path path) {}

    static Input input(String option, Path path) {
        return new Input(option, path);
    }

    /**
     * Checks the output file {@code out} of {@code option} against the command's {@code inputs} and returns
     * the resolved path to write (links of the existing parent and {@code ..} resolved), so what is
     * written is exactly what was checked.
     */
    static Path check(String option, Path out, boolean overwrite, Input... inputs) {
        String name = option + " " + out;
        try {
            Path target = resolveFile(name, out);
            // An existing link is judged by its target too: refusing "--out link-to-manifest" even with --overwrite.
            Path through = Files.exists(target) ? target.toRealPath() : target;
            if (Files.isDirectory(target)) throw new UsageException(name + ": is a directory; give a file name");
            for (Input in : inputs) {
                if (in.path() == null) continue;
                Path real = RealPaths.resolve(in.path());
                boolean dir = Files.isDirectory(real);
                boolean hit = dir ? target.startsWith(real) || through.startsWith(real)
                        : target.equals(real) || through.equals(real)
                                || Files.exists(target) && Files.exists(real) && Files.isSameFile(target, real);
                if (hit) {
                    throw new UsageException(name + ": " + (dir ? "is inside the " + in.option() + " directory "
                            : "is the " + in.option() + " file ") + in.path() + " being read; a command never writes onto its "
                            + "input, choose another path");
                }
            }
            refuseInsideCheckpoint(name, target.getParent());
            if (!through.equals(target)) refuseInsideCheckpoint(name, through.getParent());
            if (!overwrite && Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                throw new UsageException(name + ": exists; pass --overwrite to replace it, or choose another file");
            }
            return target;
        } catch (IOException e) {
            throw new UsageException("cannot check " + name + ": " + IoErrors.describe(e));
        }
    }

    /**
     * Refuses a directory output (such as {@code demo --out}) that would lie inside a checkpoint or run
     * directory; whether the directory itself may be replaced is the command's own rule.
     */
    static void refuseDirectoryInsideCheckpoint(String option, Path dir) {
        String name = option + " " + dir;
        try {
            Path abs = dir.toAbsolutePath();
            if (abs.getParent() == null) return;
            refuseInsideCheckpoint(name, RealPaths.resolve(abs.getParent()));
        } catch (IOException e) {
            throw new UsageException("cannot check " + name + ": " + IoErrors.describe(e));
        }
    }

    /** Refuses a path in {@code dir} when {@code dir} or any directory above it is a checkpoint or a training run. */
    private static void refuseInsideCheckpoint(String name, Path dir) {
        for (Path d = dir; d != null; d = d.getParent()) {
            if (Checkpoint.isCheckpointDirectory(d)) {
                throw new UsageException(name + ": is inside the checkpoint directory " + d + "; nothing is ever written into "
                        + "a checkpoint, choose another directory");
            }
            Path run = Checkpoint.runCheckpoint(d);
            if (run != null) {
                throw new UsageException(name + ": is inside the training run " + d + " (it holds " + run.getFileName()
                        + "/); nothing is ever written into a run, choose another directory");
            }
        }
    }

    /**
     * {@code out} as the file system will see it: its parent's existing part with links and {@code ..}
     * resolved, then the parts that do not exist yet (created by the write), then the file name.
     */
    private static Path resolveFile(String name, Path out) throws IOException {
        Path abs = out.toAbsolutePath();
        Path file = abs.getFileName();
        if (file == null || file.toString().equals(".") || file.toString().equals("..")) {
            throw new UsageException(name + ": is a directory; give a file name");
        }
        Path parent = abs.getParent();
        Path existing = parent;
        while (existing != null && !Files.exists(existing)) existing = existing.getParent();
        if (existing != null && !Files.isDirectory(existing)) {
            throw new UsageException(name + ": cannot be written, " + existing + " is not a directory");
        }
        return RealPaths.resolve(parent).resolve(file);
    }
}
