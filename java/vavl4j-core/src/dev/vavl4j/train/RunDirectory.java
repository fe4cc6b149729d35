package dev.vavl4j.train;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vavl4j.CheckpointException;
import dev.vavl4j.InvalidInputException;
import dev.vavl4j.checkpoint.Checkpoint;
import dev.vavl4j.checkpoint.CheckpointDirs;
import dev.vavl4j.io.AtomicFiles;
import dev.vavl4j.io.JsonFiles;
import dev.vavl4j.io.RealPaths;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * A training run's output directory ({@code --out}) and the states it can be in. What the trainer writes
 * there: {@code best/} and {@code last/} (checkpoints, replaced whole by {@link CheckpointDirs}: while a save
 * runs, also {@code .best.tmp-*}, {@code .last.tmp-*} and, between its two renames, {@code .best.old} or
 * {@code .last.old}), and the CLI's {@code learning-curve.png} (through {@link AtomicFiles}: while it is
 * written, {@code .learning-curve.png.*.tmp}).
 *
 * <p>The states, with the rename window {@code .NAME.old} counted as {@code NAME} (it is the whole previous
 * checkpoint; see {@link CheckpointDirs}):
 * <ul>
 * <li>{@link State#NEW}: {@code --out} does not exist. {@code train} creates it; {@code --resume}: nothing
 *     to resume.</li>
 * <li>{@link State#EMPTY}: an empty directory (also what a run killed before its first save may leave).
 *     Both {@code train} and {@code train --resume} train from epoch 1.</li>
 * <li>{@link State#NO_EPOCH}: a run killed before its first epoch was saved whole: temporary directories
 *     of saves only, or also {@code best/} of epoch 1 but no {@code last/}. No epoch can be resumed, so both
 *     {@code train} and {@code train --resume} delete what the run left and train it again from epoch 1:
 *     the same bits as if it had never been killed. (A {@code best/} of a later epoch without {@code last/}
 *     is not a state a crash leaves, and is refused.)</li>
 * <li>{@link State#RESUMABLE}: {@code last/} is there (or {@code .last.old}): {@code --resume} first
 *     {@linkplain #recover recovers} an interrupted save and deletes leftovers, then continues from
 *     {@code last/}; plain {@code train} refuses it and changes nothing.</li>
 * </ul>
 * Any other existing directory — a non-empty directory without a run in it (a user's folder, the
 * {@code --features} folder, a checkpoint) — is refused before anything is written into it, and so is an
 * {@code --out} that is, contains or lies inside {@code --features}, contains the manifest, or lies inside a
 * checkpoint.
 */
final class RunDirectory {
    static final String BEST = Checkpoint.BEST, LAST = Checkpoint.LAST;

    enum State { NEW, EMPTY, NO_EPOCH, RESUMABLE }

    private RunDirectory() {}

    /**
     * Where {@code req.out()} stands; refuses (an {@link InvalidInputException} naming it) an {@code --out}
     * that training must not write into. Reads only: nothing is created, renamed or deleted.
     */
    static State inspect(TrainRequest req) {
        Path out = req.out();
        checkPlacement(out, req.features(), req.manifest());
        if (!Files.exists(out)) return State.NEW;
        if (!Files.isDirectory(out)) throw new InvalidInputException("--out " + out + " is a file, not a directory");
        List<String> names = names(out);
        if (names.isEmpty()) return State.EMPTY;
        Path best = out.resolve(BEST), last = out.resolve(LAST);
        if (Files.isDirectory(last) || Files.isDirectory(CheckpointDirs.asideOf(last))) return State.RESUMABLE;
        boolean temps = names.stream().anyMatch(n -> CheckpointDirs.isTemporary(best, n) || CheckpointDirs.isTemporary(last, n));
        Path bestCk = Files.exists(best, LinkOption.NOFOLLOW_LINKS) ? best : CheckpointDirs.asideOf(best);
        boolean hasBest = Files.exists(bestCk, LinkOption.NOFOLLOW_LINKS);
        if (Checkpoint.isCheckpointDirectory(out)) {
            throw new InvalidInputException("--out " + out + " is a checkpoint, not a training run"
                    + (req.resume() ? " (nothing to resume: a run keeps its state in RUN/last)" : "") + "; choose a new or empty directory");
        }
        if (!temps && !(hasBest && Checkpoint.isCheckpointDirectory(bestCk))) {
            throw new InvalidInputException("--out " + out + " is a non-empty directory that holds no training run (it has "
                    + shown(names) + "); train writes only into a new or empty directory, or continues a run with --resume");
        }
        if (hasBest) {
            int epoch = epochsDone(bestCk);
            if (epoch != 1) {
                throw new InvalidInputException("--out " + out + " has " + bestCk.getFileName() + "/ of epoch " + epoch + " but no " + LAST
                        + "/ to resume from (a crash never leaves that); move it away or choose another --out");
            }
        }
        return State.NO_EPOCH;
    }

    /**
     * Puts a run directory in order before it is read or trained on: an interrupted save of {@code best/} or
     * {@code last/} is rolled back or finished ({@link CheckpointDirs#recover}), and the temporary directories and
     * files of killed writes are deleted. Safe to kill at any instant, and idempotent.
     */
    static void recover(Path out) throws IOException {
        CheckpointDirs.recover(out.resolve(BEST));
        CheckpointDirs.recover(out.resolve(LAST));
        AtomicFiles.removeLeftovers(out);
    }

    /**
     * Deletes what a run killed in its first epoch left ({@link State#NO_EPOCH}): {@code best/} of epoch 1
     * and every leftover; other files in the directory are kept. Each step is a rename or the deletion of
     * garbage, so a kill here leaves a {@code NO_EPOCH} or {@code EMPTY} directory.
     */
    static void clearUnfinished(Path out) throws IOException {
        recover(out);
        Path best = out.resolve(BEST);
        CheckpointDirs.discard(best, best);
    }

    /** Refuses an --out that would write onto or among the run's inputs, or inside a checkpoint. */
    static void checkPlacement(Path out, Path features, Path manifest) {
        Path o = real(out);
        if (features != null) {
            Path f = real(features);
            if (o.equals(f)) throw new InvalidInputException("--out " + out + " is the --features directory; choose a directory outside it");
            if (o.startsWith(f)) throw new InvalidInputException("--out " + out + " lies inside --features " + features + "; choose a directory outside it");
            if (f.startsWith(o)) throw new InvalidInputException("--out " + out + " contains --features " + features + "; choose a directory of its own");
        }
        if (manifest != null && real(manifest).startsWith(o)) {
            throw new InvalidInputException("--out " + out + " contains the manifest " + manifest + "; choose a directory of its own");
        }
        for (Path a = o.getParent(); a != null; a = a.getParent()) {
            if (Checkpoint.isCheckpointDirectory(a)) {
                throw new InvalidInputException("--out " + out + " lies inside the checkpoint " + a + "; choose a directory outside it");
            }
        }
    }

    /** training.epochs_done of a checkpoint's checkpoint.json; an error naming it when it has none. */
    private static int epochsDone(Path checkpoint) {
        Path meta = Checkpoint.metaFile(checkpoint);
        JsonNode n = JsonTrees.parse(JsonFiles.readObjectText(meta, CheckpointException::new), meta.toString(), CheckpointException::new);
        JsonNode done = n == null ? null : n.path("training").get("epochs_done");
        if (done == null || !done.isIntegralNumber() || !done.canConvertToInt()) {
            throw new CheckpointException(meta + ": not a training checkpoint (no field 'training.epochs_done')");
        }
        return done.intValue();
    }

    /** {@link RealPaths#resolve}; a path that cannot be resolved (a link loop, say) is judged as written. */
    static Path real(Path p) {
        try {
            return RealPaths.resolve(p);
        } catch (IOException e) {
            return p.toAbsolutePath().normalize();
        }
    }

    private static List<String> names(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new InvalidInputException("--out " + dir + ": cannot list the directory (" + e.getMessage() + ")");
        }
    }

    private static String shown(List<String> names) {
        String first = String.join(", ", names.subList(0, Math.min(3, names.size())));
        return names.size() <= 3 ? first : first + " and " + (names.size() - 3) + " more";
    }
}
