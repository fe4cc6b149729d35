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

    // ---- a crash in the first epoch's save, and the rename window (issue 11) ----

    /** Copies best/ of a run into a new run directory, beside a half-written temporary last/: a kill during epoch 1's save of last/. */
    private static Path killedInFirstSave(String name) throws IOException {
        Path run = tmp.resolve(name);
        CliCorpusKit.copyTree(oneEpochBest(), run.resolve("best"));
        Files.createDirectories(run.resolve(".last.tmp-9zq1"));
        Files.writeString(run.resolve(".last.tmp-9zq1/model.safetensors"), "half a model");
        return run;
    }

    /** best/ of a 1-epoch run with the straight run's settings (trainTwice's 1-epoch run was resumed since). */
    private static Path oneEpochBest() throws IOException {
        Path one = tmp.resolve("one-epoch");
        if (!Files.exists(one)) assertEquals(0, CliCorpusKit.run(CliCorpusKit.trainArgs(corpus, config, one, 1)).exit());
        return one.resolve("best");
    }

    @Test
    void aRunKilledWhileSavingItsFirstLastIsTrainedAgainByResumeToTheSameBits() throws IOException {
        Path run = killedInFirstSave("killed-resume");
        List<String> args = CliCorpusKit.trainArgs(corpus, config, run, 2);
        args.add("--resume");
        CliHarness.Run r = CliCorpusKit.run(args);
        assertEquals(0, r.exit(), r.toString());
        assertNoStackTrace(r);
        assertSameRun(straight, run);
    }

    @Test
    void aRunKilledWhileSavingItsFirstLastIsTrainedAgainByPlainTrainToTheSameBits() throws IOException {
        Path run = killedInFirstSave("killed-plain");
        CliHarness.Run r = CliCorpusKit.run(CliCorpusKit.trainArgs(corpus, config, run, 2));
        assertEquals(0, r.exit(), r.toString());
        assertSameRun(straight, run);
    }

    /** A kill between the two renames of a save of last/: --resume renames the whole previous last/ back and goes on. */
    @Test
    void resumeRecoversTheRenameWindowOfLast() throws IOException {
        Path run = CliCorpusKit.copyTree(straight, tmp.resolve("window"));
        Files.move(run.resolve("last"), run.resolve(".last.old"));
        List<String> args = CliCorpusKit.trainArgs(corpus, config, run, 2);
        args.add("--resume");
        CliHarness.Run r = CliCorpusKit.run(args);
        assertEquals(0, r.exit(), r.toString());
        assertSameRun(straight, run);
    }

    // ---- --out: a new or empty directory, or a run with --resume ----

    private static void assertOutRefused(Path out, String... words) throws IOException {
        Map<String, Long> before = sizes(out.getParent());
        for (boolean resume : new boolean[] {false, true}) {
            List<String> args = CliCorpusKit.trainArgs(corpus, config, out, 1);
            if (resume) args.add("--resume");
            CliHarness.Run r = CliCorpusKit.run(args);
            String msg = assertUserError(r, "train", "--out", out.toString());
            for (String w : words) assertTrue(msg.contains(w), "'" + w + "' in " + msg);
        }
        assertEquals(before, sizes(out.getParent()), "nothing written under " + out.getParent());
    }

    @Test
    void trainRefusesAUsersFolderTheFeaturesAndTheManifestsFolder() throws IOException {
        Path mine = Files.createDirectories(tmp.resolve("user/documents"));
        Files.writeString(mine.resolve("thesis.tex"), "mine");
        assertOutRefused(mine, "holds no training run");
        assertOutRefused(corpus.resolve("features"), "--features");
        assertOutRefused(corpus.resolve("features").resolve("new-run"), "inside --features");
        assertOutRefused(corpus, "contains");
    }

    private static Map<String, Long> sizes(Path dir) throws IOException {
        Map<String, Long> m = new java.util.TreeMap<>();
        try (var s = Files.walk(dir)) {
            for (Path p : s.toList()) m.put(dir.relativize(p).toString(), Files.isRegularFile(p) ? Files.size(p) : -1L);
        }
        return m;
    }

    /** best/ and last/ of both runs, every file byte for byte (checkpoint.json without the epochs' wall-clock seconds); nothing else left. */
    private static void assertSameRun(Path expected, Path actual) throws IOException {
        for (String ck : List.of("best", "last")) {
            List<String> names;
            try (var s = Files.list(expected.resolve(ck))) {
                names = s.map(p -> p.getFileName().toString()).sorted().toList();
            }
            try (var s = Files.list(actual.resolve(ck))) {
                assertEquals(names, s.map(p -> p.getFileName().toString()).sorted().toList(), actual + "/" + ck);
            }
            for (String f : names) {
                byte[] a = Files.readAllBytes(expected.resolve(ck).resolve(f)), b = Files.readAllBytes(actual.resolve(ck).resolve(f));
                if (f.equals("checkpoint.json")) {
                    a = withoutSeconds(a);
                    b = withoutSeconds(b);
                }
                assertArrayEquals(a, b, actual + "/" + ck + "/" + f + " bit for bit");
            }
        }
        try (var s = Files.list(actual)) {
            assertEquals(List.of(), s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".")).toList(), "no leftovers in " + actual);
        }
    }

    private static byte[] withoutSeconds(byte[] json) throws IOException {
        var n = CliCorpusKit.JSON.readTree(json);
        for (var e : n.path("training").path("history")) if (e instanceof com.fasterxml.jackson.databind.node.ObjectNode o) o.put("seconds", 0);
        return CliCorpusKit.JSON.writeValueAsBytes(n);
    }

    private static int[] bits(float[] v) {
        int[] b = new int[v.length];
        for (int i = 0; i < v.length; i++) b[i] = Float.floatToRawIntBits(v[i]);
        return b;
    }
}
