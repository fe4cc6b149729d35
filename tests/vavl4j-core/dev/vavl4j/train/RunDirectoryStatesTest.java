package dev.vavl4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vavl4j.InvalidInputException;
import dev.vavl4j.backend.cpu.CpuBackend;
import dev.vavl4j.demo.DemoCorpus;
import dev.vavl4j.testutil.TinyRuns;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every state a crash can leave a run directory in (see {@link RunDirectory}), made by hand from a real run, and
 * what {@code train} and {@code train --resume} do with it: continue or restart to the bits of an uninterrupted
 * run, or refuse without touching it. Then the {@code --out} directories training must never write into.
 */
class RunDirectoryStatesTest {
    @TempDir
    static Path tmp;
    static DemoCorpus.Summary corpus;
    /** 1 epoch, and 2 epochs straight. */
    static Path one, two;

    @BeforeAll
    static void train() throws Exception {
        corpus = TinyRuns.corpus(tmp.resolve("corpus"), 8);
        one = tmp.resolve("one");
        two = tmp.resolve("two");
        TinyRuns.train(corpus, one, 1);
        TinyRuns.train(corpus, two, 2);
    }

    private static Trainer.Result train(Path out, boolean resume) throws IOException {
        return Trainer.run(TinyRuns.request(corpus, out, TinyRuns.settings(2, 3), resume), new CpuBackend(), null);
    }

    private static Path copy(Path from, String to) throws IOException {
        Path dest = tmp.resolve(to);
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path q = dest.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(q);
                else Files.copy(p, q, StandardCopyOption.REPLACE_EXISTING);
            }
        }
        return dest;
    }

    private static void halfWritten(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("model.safetensors"), "half a model");
    }

    /** Names and bytes of everything under dir: to show a refused --out was not touched. */
    private static Map<String, String> snapshot(Path dir) throws IOException {
        Map<String, String> m = new TreeMap<>();
        if (!Files.exists(dir)) return m;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.toList()) {
                m.put(dir.relativize(p).toString(), Files.isRegularFile(p) ? java.util.HexFormat.of().formatHex(
                        java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p))) : "dir");
            }
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
        return m;
    }

    private static void assertFinishedLikeTwo(Path run) throws IOException {
        CrashResumeTest.assertSameCheckpoints(two, run);
        try (Stream<Path> s = Files.list(run)) {
            assertEquals(java.util.List.of("best", "last"), s.map(p -> p.getFileName().toString()).sorted().toList(), "only the run is left");
        }
    }

    // ---- no whole epoch yet: trained again from epoch 1, by --resume and by plain train ----

    /** The case: a kill while epoch 1's last/ is written leaves best/ and a temporary directory. */
    @Test
    void bestWithoutLastIsTrainedAgainByResume() throws Exception {
        Path run = tmp.resolve("best-only-resume");
        copy(one.resolve("best"), "best-only-resume/best");
        halfWritten(run.resolve(".last.tmp-3k2j9"));
        train(run, true);
        assertFinishedLikeTwo(run);
    }

    @Test
    void bestWithoutLastIsTrainedAgainByPlainTrain() throws Exception {
        Path run = tmp.resolve("best-only-plain");
        copy(one.resolve("best"), "best-only-plain/best");
        halfWritten(run.resolve(".last.tmp-3k2j9"));
        train(run, false);
        assertFinishedLikeTwo(run);
    }

    @Test
    void temporaryDirectoriesOnlyAreTrainedAgain() throws Exception {
        Path run = tmp.resolve("temps-only");
        halfWritten(run.resolve(".best.tmp-a1"));
        train(run, true);
        assertFinishedLikeTwo(run);
    }

    @Test
    void anEmptyDirectoryWithResumeTrainsFromEpochOne() throws Exception {
        Path run = Files.createDirectories(tmp.resolve("empty-resume"));
        train(run, true);
        assertFinishedLikeTwo(run);
    }

    // ---- a whole epoch: --resume repairs the run and continues ----

    @Test
    void theRenameWindowOfLastIsRolledBackOnResume() throws Exception {
        Path run = copy(one, "last-window");
        Files.move(run.resolve("last"), run.resolve(".last.old"));
        halfWritten(run.resolve(".last.tmp-zz"));
        train(run, true);
        assertFinishedLikeTwo(run);
    }

    @Test
    void aFinishedSwapOfLastHasItsOldCopyDeletedOnResume() throws Exception {
        Path run = copy(one, "last-swapped");
        copy(run.resolve("last"), "last-swapped/.last.old");
        train(run, true);
        assertFinishedLikeTwo(run);
    }

    @Test
    void theRenameWindowOfBestIsRolledBackOnResume() throws Exception {
        Path run = copy(one, "best-window");
        Files.move(run.resolve("best"), run.resolve(".best.old"));
        halfWritten(run.resolve(".best.tmp-q"));
        train(run, true);
        assertFinishedLikeTwo(run);
    }

    @Test
    void leftoverTemporaryFilesInTheRunAreDeletedOnResume() throws Exception {
        Path run = copy(one, "temp-files");
        Files.writeString(run.resolve(".learning-curve.png.1x9ab.tmp"), "half a png");
        train(run, true);
        assertFinishedLikeTwo(run);
    }

    @Test
    void plainTrainRefusesARunWithAWholeEpochAndLeavesItAsItWas() throws Exception {
        for (String variant : new String[] {"last", ".last.old"}) {
            Path run = copy(one, "refused-" + variant);
            if (!variant.equals("last")) Files.move(run.resolve("last"), run.resolve(variant));
            halfWritten(run.resolve(".best.tmp-x"));
            Map<String, String> before = snapshot(run);
            var e = assertThrows(InvalidInputException.class, () -> train(run, false));
            assertTrue(e.getMessage().contains("--resume") && e.getMessage().contains(run.toString()), e.getMessage());
            assertEquals(before, snapshot(run), "untouched");
        }
    }

    @Test
    void aBestOfALaterEpochWithoutLastIsNotACrashStateAndIsRefused() throws Exception {
        Path run = tmp.resolve("late-best");
        copy(two.resolve("last"), "late-best/best");   // a checkpoint of epoch 2 under best/, and no last/
        Map<String, String> before = snapshot(run);
        for (boolean resume : new boolean[] {false, true}) {
            var e = assertThrows(InvalidInputException.class, () -> train(run, resume));
            assertTrue(e.getMessage().contains("epoch 2") && e.getMessage().contains("no last/"), e.getMessage());
        }
        assertEquals(before, snapshot(run));
    }

    // ---- --out directories that are never written into ----

    private static void assertRefused(Path out, String... words) throws Exception {
        Path watch = Files.exists(out) ? out : out.getParent();
        Map<String, String> before = snapshot(watch), corpusBefore = snapshot(corpus.manifest().getParent());
        for (boolean resume : new boolean[] {false, true}) {
            var e = assertThrows(InvalidInputException.class, () -> train(out, resume), out.toString());
            assertTrue(e.getMessage().startsWith("--out " + out), e.getMessage());
            for (String w : words) assertTrue(e.getMessage().contains(w), "'" + w + "' in: " + e.getMessage());
        }
        assertEquals(before, snapshot(watch), "nothing written into " + watch);
        assertEquals(corpusBefore, snapshot(corpus.manifest().getParent()), "the corpus is untouched");
    }

    @Test
    void aUsersNonEmptyFolderIsRefused() throws Exception {
        Path folder = Files.createDirectories(tmp.resolve("my-folder"));
        Files.writeString(folder.resolve("notes.txt"), "mine");
        Files.createDirectories(folder.resolve("photos"));
        assertRefused(folder, "holds no training run", "notes.txt");
    }

    @Test
    void theFeaturesFolderAndAnythingInsideItAreRefused() throws Exception {
        assertRefused(corpus.features(), "is the --features directory");
        assertRefused(corpus.features().resolve("run"), "lies inside --features");
        assertRefused(corpus.features().resolve("audio"), "lies inside --features");
    }

    @Test
    void aFolderHoldingTheManifestOrTheFeaturesIsRefused() throws Exception {
        assertRefused(corpus.manifest().getParent(), "contains");
        assertRefused(corpus.manifest().getParent().getParent(), "contains");
    }

    @Test
    void aLinkToTheFeaturesIsRefused() throws Exception {
        Path link = tmp.resolve("features-link");
        Files.createSymbolicLink(link, corpus.features());
        assertRefused(link, "is the --features directory");
    }

    @Test
    void aCheckpointOrAFolderInsideOneIsRefused() throws Exception {
        assertRefused(one.resolve("best"), "is a checkpoint");
        assertRefused(one.resolve("best").resolve("run"), "lies inside the checkpoint");
        assertFalse(Files.exists(one.resolve("best").resolve("run")));
    }

    @Test
    void aFileIsRefused() throws Exception {
        Path file = Files.writeString(tmp.resolve("a-file"), "x");
        assertRefused(file, "is a file");
    }
}
