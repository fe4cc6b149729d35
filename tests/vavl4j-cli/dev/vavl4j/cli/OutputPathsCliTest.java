package dev.vavl4j.cli;

import static dev.vavl4j.cli.CliCorpusKit.assertUserError;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vavl4j.demo.DemoCorpus;
import dev.vavl4j.testutil.TinyRuns;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Output paths never destroy inputs (issue 11, item 1): {@code predict --out}, {@code evaluate --json} and
 * {@code parity --out} refuse an output that is one of the command's inputs (directly, through a link or
 * {@code ..}), lies inside an input directory or a checkpoint or run directory, is a directory, or exists
 * without {@code --overwrite}. Every refusal is one line, exit 2, before any work; after each one, every
 * file of the corpus, the run and the test folder is byte-identical to before (checked after every test).
 */
class OutputPathsCliTest {
    @TempDir
    static Path shared;
    @TempDir
    Path tmp;

    static Path manifest, features, run;
    /** Every file under {@link #shared} and {@link #tmp} with its bytes, taken before each test's commands. */
    private Map<String, byte[]> before;
    /** Set by a test whose command is meant to write (or replace) exactly this file. */
    private Path written;

    @BeforeAll
    static void corpusAndRun() throws IOException {
        DemoCorpus.Summary c = TinyRuns.corpus(shared.resolve("corpus"), 71);
        manifest = c.manifest();
        features = c.features();
        run = shared.resolve("run");
        TinyRuns.train(c, run, 1);
        assertTrue(Files.isRegularFile(run.resolve("best/checkpoint.json")) && Files.isRegularFile(run.resolve("last/checkpoint.json")));
    }

    /** Taken before each test, and again by a test once it has made its own files. */
    @BeforeEach
    void snapshot() throws IOException {
        before = files();
    }

    /** Nothing but the one intended output changed, byte for byte, and no temporary file was left anywhere. */
    @AfterEach
    void inputsAreByteIdentical() throws IOException {
        Map<String, byte[]> after = files();
        if (written != null) after.remove(written.toAbsolutePath().toString());
        if (written != null) before.remove(written.toAbsolutePath().toString());
        assertEquals(before.keySet(), after.keySet(), "no file appeared or vanished");
        before.forEach((k, v) -> assertArrayEquals(v, after.get(k), k + " is byte-identical"));
    }

    private Map<String, byte[]> files() throws IOException {
        Map<String, byte[]> m = new TreeMap<>();
        for (Path root : new Path[] {shared, tmp}) {
            try (Stream<Path> s = Files.walk(root)) {
                for (Path p : s.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).toList()) {
                    m.put(p.toAbsolutePath().toString(), Files.readAllBytes(p));
                }
            }
        }
        return m;
    }

    private static CliHarness.Run predict(Path model, Path out, String... extra) {
        List<String> a = new ArrayList<>(List.of("predict", "--model", model.toString(), "--manifest", manifest.toString(),
                "--features", features.toString(), "--out", out.toString(), "--device", "cpu"));
        a.addAll(Arrays.asList(extra));
        return CliCorpusKit.run(a);
    }

    private static CliHarness.Run evaluate(Path model, Path json, String... extra) {
        List<String> a = new ArrayList<>(List.of("evaluate", "--model", model.toString(), "--manifest", manifest.toString(),
                "--features", features.toString(), "--json", json.toString(), "--device", "cpu"));
        a.addAll(Arrays.asList(extra));
        return CliCorpusKit.run(a);
    }

    /** A refusal: one error line naming the path given and every word, and no work done (nothing on stdout). */
    private static void refused(CliHarness.Run r, String cmd, Path given, String... words) {
        String[] must = Stream.concat(Stream.of(given.toString()), Arrays.stream(words)).toArray(String[]::new);
        assertUserError(r, cmd, must);
        CliHarness.assertOneErrorLine(r);
        assertEquals("", r.out(), "refused before any work:\n" + r);
    }

    // ---- onto an input

    @Test
    void predictOntoItsManifestIsRefusedEvenWithOverwrite() {
        refused(predict(run, manifest), "predict", manifest, "--manifest", "input");
        refused(predict(run, manifest, "--overwrite"), "predict", manifest, "--manifest", "input");
    }

    @Test
    void predictOntoTheModelsWeightsIsRefusedEvenWithOverwrite() {
        Path weights = run.resolve("best/model.safetensors");
        refused(predict(run, weights, "--overwrite"), "predict", weights, "--model");
        refused(predict(run.resolve("best"), weights, "--overwrite"), "predict", weights, "--model");
    }

    @Test
    void predictIntoTheRunDirectoryOrTheFeaturesIsRefused() {
        Path inRun = run.resolve("predictions.csv"), inFeatures = features.resolve("audio/predictions.csv");
        refused(predict(run, inRun), "predict", inRun, "--model");
        refused(predict(run, inFeatures, "--overwrite"), "predict", inFeatures, "--features");
        assertFalse(Files.exists(inRun) || Files.exists(inFeatures));
    }

    // ---- into a checkpoint that is not an input

    @Test
    void predictIntoAnotherCheckpointOrRunIsRefused() throws IOException {
        // --model is best/: last/ is no input, but it is a checkpoint, and both lie in the run
        Path inLast = run.resolve("last/p.csv"), deep = run.resolve("last/new/dir/p.csv");
        refused(predict(run.resolve("best"), inLast, "--overwrite"), "predict", inLast, "checkpoint");
        refused(predict(run.resolve("best"), deep), "predict", deep, "checkpoint");
        Path inRun = run.resolve("p.csv");
        refused(predict(run.resolve("best"), inRun), "predict", inRun, "training run");
        assertFalse(Files.exists(run.resolve("last/new")), "no directory created inside the checkpoint");
    }

    // ---- an existing file

    @Test
    void anExistingUnrelatedFileIsReplacedOnlyWithOverwrite() throws IOException {
        Path out = Files.writeString(tmp.resolve("old.csv"), "my notes\n");
        refused(predict(run, out), "predict", out, "exists", "--overwrite");
        assertEquals("my notes\n", Files.readString(out));
        CliHarness.Run r = predict(run, out, "--overwrite");
        written = out;
        assertEquals(0, r.exit(), r.toString());
        assertTrue(Files.readString(out).startsWith("FileName,modality,prediction,"), "replaced by the predictions");
        refused(predict(run, out), "predict", out, "exists");
    }

    @Test
    void aNewFileInANewFolderIsWrittenThenNotReplacedWithoutOverwrite() throws IOException {
        Path out = tmp.resolve("reports/new/p.csv");
        CliHarness.Run r = predict(run, out);
        written = out;
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().contains("to " + out), "names the path given:\n" + r);
        byte[] first = Files.readAllBytes(out);
        refused(predict(run, out), "predict", out, "exists");
        assertArrayEquals(first, Files.readAllBytes(out));
    }

    // ---- links and ..

    @Test
    void aLinkToTheManifestIsRefusedAndLeftALink() throws IOException {
        Path link = Files.createSymbolicLink(tmp.resolve("link.csv"), manifest);
        refused(predict(run, link, "--overwrite"), "predict", link, "--manifest");
        assertTrue(Files.isSymbolicLink(link));
        Path hard = Files.createLink(tmp.resolve("hard.csv"), manifest);
        snapshot();
        refused(predict(run, hard, "--overwrite"), "predict", hard, "--manifest");
    }

    @Test
    void aLinkedParentIsSeenThrough() throws IOException {
        Path corpusLink = Files.createSymbolicLink(tmp.resolve("corpus-link"), manifest.getParent());
        Path out = corpusLink.resolve(manifest.getFileName());
        refused(predict(run, out, "--overwrite"), "predict", out, "--manifest");
        Path runLink = Files.createSymbolicLink(tmp.resolve("run-link"), run.resolve("last"));
        Path inCheckpoint = runLink.resolve("p.csv");
        refused(predict(run.resolve("best"), inCheckpoint), "predict", inCheckpoint, "checkpoint");
    }

    @Test
    void dotDotIsResolvedAsTheFileSystemDoes() throws IOException {
        Path up = features.resolve("audio/../../" + manifest.getFileName());
        refused(predict(run, up, "--overwrite"), "predict", up, "--manifest");
        // tmp/into-best -> run/best, so tmp/into-best/../p.csv is run/p.csv (not tmp/p.csv, as the text reads)
        Path intoBest = Files.createSymbolicLink(tmp.resolve("into-best"), run.resolve("best"));
        Path viaLink = intoBest.resolve("../p.csv");
        refused(predict(run.resolve("last"), viaLink), "predict", viaLink, "training run");
        assertFalse(Files.exists(run.resolve("p.csv")) || Files.exists(tmp.resolve("p.csv")));
        Path dot = tmp.resolve("sub/..");
        refused(predict(run, dot), "predict", dot, "directory");
    }

    @Test
    void aDirectoryOrAPathUnderAFileIsRefused() throws IOException {
        refused(predict(run, tmp, "--overwrite"), "predict", tmp, "is a directory");
        Path file = Files.writeString(tmp.resolve("plain"), "x");
        Path under = file.resolve("p.csv");
        snapshot();
        refused(predict(run, under), "predict", under, "not a directory");
    }

    // ---- evaluate --json

    @Test
    void evaluateJsonOntoACheckpointsConfigIsRefused() {
        Path config = run.resolve("best/config.json");
        refused(evaluate(run, config), "evaluate", config, "--model");
        refused(evaluate(run.resolve("last"), config, "--overwrite"), "evaluate", config, "checkpoint");
        Path m = manifest;
        refused(evaluate(run, m, "--overwrite"), "evaluate", m, "--manifest");
    }

    @Test
    void evaluateJsonReplacesAnExistingFileOnlyWithOverwrite() throws IOException {
        Path json = Files.writeString(tmp.resolve("m.json"), "{}");
        refused(evaluate(run, json), "evaluate", json, "exists", "--overwrite");
        CliHarness.Run r = evaluate(run, json, "--overwrite");
        written = json;
        assertEquals(0, r.exit(), r.toString());
        assertTrue(Files.readString(json).contains("\"fusion\""), "replaced by the metrics");
    }

    @Test
    void overwriteWithoutAnOutputIsAUsageError() {
        CliHarness.Run e = CliCorpusKit.run(List.of("evaluate", "--model", run.toString(), "--manifest", manifest.toString(),
                "--features", features.toString(), "--overwrite", "--device", "cpu"));
        assertUserError(e, "evaluate", "--overwrite", "--json");
        CliHarness.Run p = CliHarness.run("parity", "--fixture", tmp.toString(), "--overwrite");
        assertUserError(p, "parity", "--overwrite", "--out");
        Path audio = firstNpy(features.resolve("audio"));
        CliHarness.Run q = CliHarness.run("predict", "--model", run.toString(), "--audio", audio.toString(), "--overwrite");
        assertUserError(q, "predict", "--audio", "--overwrite");
    }

    private static Path firstNpy(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().findFirst().orElseThrow();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    // ---- parity --out

    @Test
    void parityOutOntoAFixtureFileIsRefusedEvenWithOverwrite() throws IOException {
        Path fx = CliHarness.copyBundled("tiny-regression", tmp);
        snapshot();
        Path expected = fx.resolve("expected.safetensors");
        refused(CliHarness.run("parity", "--fixture", fx.toString(), "--out", expected.toString(), "--overwrite", "--device", "cpu"),
                "parity", expected, "--fixture");
        Path fresh = fx.resolve("actual.safetensors");
        refused(CliHarness.run("parity", "--fixture", fx.toString(), "--out", fresh.toString(), "--device", "cpu"),
                "parity", fresh, "--fixture");
        assertFalse(Files.exists(fresh));
    }

    @Test
    void parityOutReplacesAnExistingFileOnlyWithOverwrite() throws IOException {
        Path fx = CliHarness.copyBundled("tiny-regression", tmp);
        Path out = Files.writeString(tmp.resolve("actual.safetensors"), "previous");
        snapshot();
        refused(CliHarness.run("parity", "--fixture", fx.toString(), "--out", out.toString(), "--device", "cpu"),
                "parity", out, "exists", "--overwrite");
        CliHarness.Run r = CliHarness.run("parity", "--fixture", fx.toString(), "--out", out.toString(), "--overwrite", "--device", "cpu");
        written = out;
        assertEquals(0, r.exit(), r.toString());
        assertTrue(Files.size(out) > "previous".length());
    }

    // ---- directory outputs: demo and export

    @Test
    void demoOutInsideACheckpointIsRefusedBeforeAnything() {
        Path inside = run.resolve("best/demo");
        CliHarness.Run r = CliHarness.run("demo", "--out", inside.toString(), "--epochs", "1", "--device", "cpu");
        refused(r, "demo", inside, "checkpoint");
        assertFalse(Files.exists(inside));
    }

    /** export keeps its own rules (CheckpointExport); they agree with the guard on inputs, files and non-empty directories. */
    @Test
    void exportAgreesOnInputsFilesAndExistingDirectories() throws IOException {
        Path best = run.resolve("best");
        assertUserError(CliHarness.run("export", "--model", run.toString(), "--out", best.toString(), "--overwrite"), "export", best.toString());
        Path inside = best.resolve("export");
        assertUserError(CliHarness.run("export", "--model", best.toString(), "--out", inside.toString()), "export", inside.toString());
        assertFalse(Files.exists(inside));
        Path file = Files.writeString(tmp.resolve("a-file"), "x");
        assertUserError(CliHarness.run("export", "--model", run.toString(), "--out", file.toString(), "--overwrite"), "export", file.toString());
        Path mine = Files.createDirectories(tmp.resolve("mine"));
        Files.writeString(mine.resolve("notes.txt"), "keep");
        snapshot();
        assertUserError(CliHarness.run("export", "--model", run.toString(), "--out", mine.toString()), "export", mine.toString(), "--overwrite");
        assertUserError(CliHarness.run("export", "--model", run.toString(), "--out", mine.toString(), "--overwrite"), "export", mine.toString());
    }
}
