package dev.vavl4j.checkpoint;

import static org.junit.jupiter.api.Assertions.*;

import dev.vavl4j.CheckpointException;
import dev.vavl4j.io.FormatException;
import dev.vavl4j.testutil.TinyRuns;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointTest {
    @TempDir
    static Path tmp;
    static Path run;

    @BeforeAll
    static void train() throws Exception {
        run = tmp.resolve("run");
        TinyRuns.train(TinyRuns.corpus(tmp.resolve("corpus"), 2), run, 1);
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void saveAndLoadRoundTripEveryPart() throws Exception {
        Checkpoint a = Checkpoint.load(run);
        Path copy = tmp.resolve("copy");
        a.save(copy);
        assertEquals(List.of("checkpoint.json", "config.json", "model.safetensors", "normalization.safetensors", "optimizer.safetensors"), names(copy));
        Checkpoint b = Checkpoint.load(copy);
        assertEquals(a.config(), b.config());
        assertEquals(a.labels().columns(), b.labels().columns());
        assertArrayEquals(a.normalizer().audioMean(), b.normalizer().audioMean(), 0f);
        assertArrayEquals(a.normalizer().visualStd(), b.normalizer().visualStd(), 0f);
        assertEquals(a.weights().keySet(), b.weights().keySet());
        for (String k : a.weights().keySet()) assertArrayEquals(a.weights().get(k).asFloats(), b.weights().get(k).asFloats(), 0f, k);
        assertEquals(a.optimizer().keySet(), b.optimizer().keySet());
        assertEquals(a.trainingJson(), b.trainingJson());
        assertNotNull(a.trainingJson(), "a training checkpoint keeps the trainer state");
    }

    @Test
    void aFailedWriteLeavesTheOldCheckpointWholeAndNoTemporaryDirectory() throws Exception {
        Path target = tmp.resolve("atomic");
        Checkpoint.load(run).save(target);
        byte[] before = Files.readAllBytes(target.resolve("model.safetensors"));
        IOException boom = assertThrows(IOException.class, () -> CheckpointDirs.writeAtomically(target, dir -> {
            Files.writeString(dir.resolve("model.safetensors"), "half a model");
            throw new IOException("disk full");
        }));
        assertTrue(boom.getMessage().contains("disk full") && boom.getMessage().contains(target.toString())
                && boom.getMessage().contains("previous checkpoint there is unchanged"), boom.getMessage());
        assertArrayEquals(before, Files.readAllBytes(target.resolve("model.safetensors")));
        assertTrue(names(tmp).stream().noneMatch(n -> n.startsWith(".atomic")), "no temporary directory left: " + names(tmp));
        Checkpoint.load(target);   // still loads
    }

    @Test
    void replacingACheckpointSwapsTheWholeDirectory() throws Exception {
        Path target = tmp.resolve("swap");
        CheckpointDirs.writeAtomically(target, dir -> Files.writeString(dir.resolve("stale.txt"), "old"));
        Checkpoint.load(run).save(target);
        assertFalse(Files.exists(target.resolve("stale.txt")), "files of the old directory do not survive");
        assertTrue(names(tmp).stream().noneMatch(n -> n.startsWith(".swap")), names(tmp).toString());
    }

    @Test
    void corruptCheckpointsAreRejectedNamingTheFile() throws Exception {
        Path bad = tmp.resolve("bad");
        Checkpoint.load(run).save(bad);
        Files.writeString(bad.resolve("checkpoint.json"), "{\"format\": \"something-else\", \"format_version\": 1}");
        var e = assertThrows(FormatException.class, () -> Checkpoint.load(bad));
        assertTrue(e.getMessage().contains("checkpoint.json") && e.getMessage().contains("not a vavl4j checkpoint"), e.getMessage());

        Checkpoint.load(run).save(bad);
        Files.writeString(bad.resolve("checkpoint.json"), "{\"format\": \"vavl4j-checkpoint\", \"format_version\": 99}");
        var v = assertThrows(FormatException.class, () -> Checkpoint.load(bad));
        assertTrue(v.getMessage().contains("format_version 99"), v.getMessage());

        Checkpoint.load(run).save(bad);
        Files.delete(bad.resolve("normalization.safetensors"));
        var n = assertThrows(RuntimeException.class, () -> Checkpoint.load(bad));
        assertTrue(n.getMessage().contains("normalization.safetensors"), n.getMessage());

        var none = assertThrows(CheckpointException.class, () -> Checkpoint.load(tmp.resolve("corpus")));
        assertTrue(none.getMessage().contains("not a checkpoint"), none.getMessage());
        var missing = assertThrows(CheckpointException.class, () -> Checkpoint.load(tmp.resolve("nowhere")));
        assertTrue(missing.getMessage().contains("no such checkpoint directory"), missing.getMessage());
    }

    @Test
    void resolveFindsBestInsideARunDirectory() {
        assertEquals(run.resolve("best"), Checkpoint.resolve(run));
        assertEquals(run.resolve("last"), Checkpoint.resolve(run.resolve("last")));
    }

    @Test
    void leftoversOfAKilledSaveAreRemovedAndAnInterruptedSwapIsExplained() throws Exception {
        Path target = tmp.resolve("killed");
        Files.createDirectories(tmp.resolve(".killed.tmp-12345"));
        Files.writeString(tmp.resolve(".killed.tmp-12345").resolve("model.safetensors"), "half");
        Checkpoint.load(run).save(target);
        assertTrue(names(tmp).stream().noneMatch(n -> n.startsWith(".killed")), names(tmp).toString());

        // a crash between the two renames: the old checkpoint is whole under .NAME.old, the name is free
        Files.move(target, tmp.resolve(".killed.old"));
        var e = assertThrows(CheckpointException.class, () -> Checkpoint.load(target));
        assertTrue(e.getMessage().contains(".killed.old") && e.getMessage().contains("rename it"), e.getMessage());
    }
}
