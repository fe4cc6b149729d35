package dev.vavl4j.cli;

import static dev.vavl4j.cli.CliCorpusKit.assertNoStackTrace;
import static dev.vavl4j.cli.CliCorpusKit.assertUserError;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vavl4j.io.HostTensor;
import dev.vavl4j.io.SafeTensors;
import dev.vavl4j.testutil.TinyRuns;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** train --resume through the CLI: bit-identical to an uninterrupted run, and a used --out is never overwritten. */
class ResumeCliTest {
    @TempDir
    static Path tmp;

    static Path corpus, config, resumed, straight;
    static CliHarness.Run first, second, full;

    @BeforeAll
    static void trainTwice() throws IOException {
        corpus = TinyRuns.corpus(tmp.resolve("corpus"), 44).manifest().getParent();
        config = CliCorpusKit.tinyConfig(tmp.resolve("tiny.json"), 5);
        resumed = tmp.resolve("resumed");
        straight = tmp.resolve("straight");
        first = CliCorpusKit.run(CliCorpusKit.trainArgs(corpus, config, resumed, 1));
        List<String> again = CliCorpusKit.trainArgs(corpus, config, resumed, 2);
        again.add("--resume");
        second = CliCorpusKit.run(again);
        full = CliCorpusKit.run(CliCorpusKit.trainArgs(corpus, config, straight, 2));
    }

    @Test
    void resumedRunSaysWhereItResumesAndEndsBitIdenticalToAStraightRun() {
        assertEquals(0, first.exit(), first.toString());
        assertEquals(0, second.exit(), second.toString());
        assertEquals(0, full.exit(), full.toString());
        assertNoStackTrace(second);
        assertTrue(second.out().contains("resuming at epoch 2 of 2"), second.toString());
        assertTrue(second.out().lines().noneMatch(l -> l.matches("\\s+1\\s+\\d.*")), "epoch 1 is not trained again:\n" + second);
        assertTrue(second.out().lines().anyMatch(l -> l.matches("\\s+2\\s+\\d.*")), "epoch 2 is trained:\n" + second);
        for (String file : List.of("model.safetensors", "optimizer.safetensors")) {
            Map<String, HostTensor> a = SafeTensors.read(straight.resolve("last").resolve(file));
            Map<String, HostTensor> b = SafeTensors.read(resumed.resolve("last").resolve(file));
            assertEquals(a.keySet(), b.keySet(), file);
            for (String k : a.keySet()) {
                HostTensor x = a.get(k), y = b.get(k);
                assertArrayEquals(x.shape(), y.shape(), file + " " + k);
                if (x.dtype().isFloat()) assertArrayEquals(bits(x.asFloats()), bits(y.asFloats()), file + " " + k + " bit for bit");
                else assertArrayEquals(x.asInts(), y.asInts(), file + " " + k);
            }
        }
        // the epoch lines of the straight run's epoch 2 and the resumed run's epoch 2 agree too
        String e2a = full.out().lines().filter(l -> l.matches("\\s+2\\s+\\d.*")).findFirst().orElseThrow();
        String e2b = second.out().lines().filter(l -> l.matches("\\s+2\\s+\\d.*")).findFirst().orElseThrow();
        assertEquals(e2a.replaceAll("\\s+[\\d.]+s.*", ""), e2b.replaceAll("\\s+[\\d.]+s.*", ""), "epoch 2 losses");
    }

    @Test
    void trainingAgainIntoAUsedOutWithoutResumeFailsAndLeavesItUntouched() throws IOException {
        byte[] last = Files.readAllBytes(straight.resolve("last/model.safetensors"));
        byte[] best = Files.readAllBytes(straight.resolve("best/checkpoint.json"));
        CliHarness.Run r = CliCorpusKit.run(CliCorpusKit.trainArgs(corpus, config, straight, 1));
        assertUserError(r, "train", "--resume", straight.toString());
        assertArrayEquals(last, Files.readAllBytes(straight.resolve("last/model.safetensors")), "last/ untouched");
        assertArrayEquals(best, Files.readAllBytes(straight.resolve("best/checkpoint.json")), "best/ untouched");
    }

    @Test
    void resumeWithNothingToResumeFails() throws IOException {
        Path empty = tmp.resolve("nothing");
        List<String> args = CliCorpusKit.trainArgs(corpus, config, empty, 2);
        args.add("--resume");
        CliHarness.Run r = CliCorpusKit.run(args);
        assertUserError(r, "train", "nothing to resume", empty.toString());
        CliCorpusKit.assertNoCheckpoint(empty);
    }

    @Test
    void resumeWithAChangedSeedFailsNamingIt() throws IOException {
        byte[] last = Files.readAllBytes(resumed.resolve("last/model.safetensors"));
        List<String> args = new ArrayList<>(CliCorpusKit.trainArgs(corpus, config, resumed, 3));
        args.addAll(List.of("--resume", "--seed", "99"));
        CliHarness.Run r = CliCorpusKit.run(args);
        assertUserError(r, "train", "seed", "99");
        assertArrayEquals(last, Files.readAllBytes(resumed.resolve("last/model.safetensors")), "last/ untouched");
    }

    /**
     * Re-running the resume command of a run that already finished its epochs exits 0 and changes nothing.
     * It should not announce work it does not do: today it prints "resuming at epoch 3 of 2" (TrainProgress.onStart
     * prints the line whenever firstEpoch > 1, even when firstEpoch > epochs).
     */
    @Test
    void resumingAFinishedRunChangesNothing() throws IOException {
        byte[] last = Files.readAllBytes(straight.resolve("last/model.safetensors"));
        byte[] lastMeta = Files.readAllBytes(straight.resolve("last/checkpoint.json"));
        List<String> args = CliCorpusKit.trainArgs(corpus, config, straight, 2);
        args.add("--resume");
        CliHarness.Run r = CliCorpusKit.run(args);
        assertEquals(0, r.exit(), r.toString());
        assertNoStackTrace(r);
        assertArrayEquals(last, Files.readAllBytes(straight.resolve("last/model.safetensors")), "last/ untouched");
        assertArrayEquals(lastMeta, Files.readAllBytes(straight.resolve("last/checkpoint.json")), "last/ untouched");
        assertTrue(r.out().lines().noneMatch(l -> l.matches("\\s+\\d+\\s+\\d.*")), "no epoch trained:\n" + r);
        assertFalse(r.out().contains("resuming at epoch 3 of 2"), "announces an epoch beyond --epochs:\n" + r);
    }

    private static int[] bits(float[] v) {
        int[] b = new int[v.length];
        for (int i = 0; i < v.length; i++) b[i] = Float.floatToRawIntBits(v[i]);
        return b;
    }
}
