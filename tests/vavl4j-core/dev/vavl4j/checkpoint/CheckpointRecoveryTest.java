package dev.vavl4j.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vavl4j.CheckpointException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link CheckpointDirs#recover} on each state a killed save leaves, and saves that start in one of them. */
class CheckpointRecoveryTest {
    @TempDir
    Path dir;

    private List<String> names() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private Path checkpointDir(String name, String content) throws IOException {
        Path d = Files.createDirectories(dir.resolve(name));
        Files.writeString(d.resolve("checkpoint.json"), content);
        Files.writeString(d.resolve("model.safetensors"), content + " weights");
        return d;
    }

    @Test
    void betweenTheRenamesTheOldOneGetsItsNameBack() throws IOException {
        checkpointDir(".ck.old", "old");
        checkpointDir(".ck.tmp-1a", "new, whole or not");
        assertEquals(CheckpointDirs.Recovery.ROLLED_BACK, CheckpointDirs.recover(dir.resolve("ck")));
        assertEquals(List.of("ck"), names());
        assertEquals("old", Files.readString(dir.resolve("ck/checkpoint.json")));
        assertEquals(CheckpointDirs.Recovery.NONE, CheckpointDirs.recover(dir.resolve("ck")), "idempotent");
    }

    @Test
    void afterTheRenamesTheOldOneIsDeleted() throws IOException {
        checkpointDir("ck", "new");
        checkpointDir(".ck.old", "old");
        assertEquals(CheckpointDirs.Recovery.FINISHED, CheckpointDirs.recover(dir.resolve("ck")));
        assertEquals(List.of("ck"), names());
        assertEquals("new", Files.readString(dir.resolve("ck/checkpoint.json")));
    }

    @Test
    void temporaryDirectoriesAreDeletedAndNothingElse() throws IOException {
        checkpointDir("ck", "new");
        checkpointDir(".ck.tmp-x", "half");
        checkpointDir(".other.tmp-x", "someone else's");
        checkpointDir("ck2", "a neighbour");
        assertEquals(CheckpointDirs.Recovery.NONE, CheckpointDirs.recover(dir.resolve("ck")));
        assertEquals(List.of(".other.tmp-x", "ck", "ck2"), names());
    }

    /**
     * A save that starts in the rename window of an earlier, killed one: the whole previous checkpoint in .ck.old
     * is renamed back first, so when this save fails too (a full disk) it is still there. (Before, each save began
     * by deleting .ck.old, the only whole copy.)
     */
    @Test
    void aFailingSaveInTheRenameWindowKeepsThePreviousCheckpoint() throws IOException {
        checkpointDir(".ck.old", "old");
        IOException e = assertThrows(IOException.class, () -> CheckpointDirs.writeAtomically(dir.resolve("ck"), tmp -> {
            Files.writeString(tmp.resolve("model.safetensors"), "half");
            throw new IOException("No space left on device");
        }));
        assertTrue(e.getMessage().contains(dir.resolve("ck").toString()) && e.getMessage().contains("No space left on device")
                && e.getMessage().contains("previous checkpoint there is unchanged"), e.getMessage());
        assertEquals(List.of("ck"), names());
        assertEquals("old", Files.readString(dir.resolve("ck/checkpoint.json")));
    }

    /** A plain IOException of a file write (ENOSPC has no path) comes out naming the file, under its final name. */
    @Test
    void aFailedFileWriteNamesTheFile() throws IOException {
        checkpointDir("ck", "old");
        IOException e = assertThrows(IOException.class, () -> CheckpointDirs.writeAtomically(dir.resolve("ck"),
                tmp -> CheckpointDirs.writeFile(tmp, "optimizer.safetensors", f -> {
                    throw new IOException("No space left on device");
                })));
        assertTrue(e.getMessage().contains(dir.resolve("ck/optimizer.safetensors").toString()), e.getMessage());
        assertEquals(List.of("ck"), names());
        assertEquals("old", Files.readString(dir.resolve("ck/checkpoint.json")));
    }

    @Test
    void discardNeverLeavesHalfADirectoryUnderItsName() throws IOException {
        checkpointDir("ck", "x");
        CheckpointDirs.discard(dir.resolve("ck"), dir.resolve("ck"));
        assertEquals(List.of(), names());
        CheckpointDirs.discard(dir.resolve("ck"), dir.resolve("ck"));   // nothing there: nothing to do
    }

    /** info on a run whose best/ is in its rename window says where the whole checkpoint is and how to get it back. */
    @Test
    void resolveExplainsTheRenameWindowOfARunsBest() throws IOException {
        Path run = Files.createDirectories(dir.resolve("run"));
        Files.createDirectories(run.resolve(".best.old"));
        Files.writeString(run.resolve(".best.old/checkpoint.json"), "{}");
        var e = assertThrows(CheckpointException.class, () -> Checkpoint.resolve(run));
        assertTrue(e.getMessage().contains(".best.old") && e.getMessage().contains("--resume"), e.getMessage());
    }
}
