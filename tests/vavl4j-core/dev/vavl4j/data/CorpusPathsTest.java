package dev.vavl4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Feature paths stay inside {@code --features} (issue 11 items 4 and 5): after following links every feature
 * file must lie inside the features directory's real path, a link that cannot be resolved is an error naming
 * it (not a missing modality), and a refused row names the manifest and line.
 */
class CorpusPathsTest {
    @TempDir
    Path tmp;

    private Path features, outside, manifest;

    @BeforeEach
    void dirs() throws IOException {
        features = Files.createDirectories(tmp.resolve("features"));
        outside = Files.createDirectories(tmp.resolve("outside"));
        manifest = tmp.resolve("labels.csv");
        Npy.write(features.resolve("visual/a.npy"), TestData.features(3, 2, 0));
        Npy.write(outside.resolve("secret.npy"), TestData.features(4, 5, 9));
        Npy.write(outside.resolve("a.npy"), TestData.features(4, 5, 9));
    }

    private ManifestRow row(String fileName) {
        return new ManifestRow(7, fileName, Manifest.stem(fileName), Split.TRAIN, null, new double[0], manifest);
    }

    private Corpus load(ManifestRow... rows) {
        return Corpus.load(List.of(rows), features, 0, 0, 0, null);
    }

    private String fails(ManifestRow row, String... parts) {
        DataException e = assertThrows(DataException.class, () -> load(row), "row " + row.fileName() + " was accepted");
        String m = e.getMessage();
        for (String p : parts) assertTrue(m.contains(p), "expected '" + p + "' in: " + m);
        assertEquals(1, m.lines().count(), "one line: " + m);
        return m;
    }

    // ---- links that cannot be resolved are errors, not missing modalities ----

    @Test
    void aLinkToItselfIsAnErrorNamingIt() throws IOException {
        Path loop = Files.createSymbolicLink(Files.createDirectories(features.resolve("audio")).resolve("a.npy"), Path.of("a.npy"));
        fails(row("a.wav"), manifest + ": line 7: ", loop + " is a link that cannot be resolved");
    }

    @Test
    void aTwoLinkLoopIsAnErrorNamingIt() throws IOException {
        Path audio = Files.createDirectories(features.resolve("audio"));
        Files.createSymbolicLink(audio.resolve("b.npy"), Path.of("a.npy"));
        Path a = Files.createSymbolicLink(audio.resolve("a.npy"), Path.of("b.npy"));
        fails(row("a.wav"), a + " is a link that cannot be resolved");
    }

    @Test
    void aDanglingLinkIsAnErrorNamingIt() throws IOException {
        Path a = Files.createSymbolicLink(Files.createDirectories(features.resolve("audio")).resolve("a.npy"), Path.of("gone.npy"));
        fails(row("a.wav"), a + " is a link that cannot be resolved (its target does not exist)");
    }

    @Test
    void aDanglingModalityDirectoryLinkIsAnError() throws IOException {
        Path audio = Files.createSymbolicLink(features.resolve("audio"), tmp.resolve("not-there"));
        fails(row("a.wav"), audio + " is a link that cannot be resolved");
    }

    @Test
    void aLoopInADirectoryOnTheWayIsAnError() throws IOException {
        Path audio = Files.createDirectories(features.resolve("audio"));
        Files.createSymbolicLink(audio.resolve("sub"), Path.of("sub"));
        fails(row("sub/a.wav"), manifest + ": line 7: ", audio.resolve("sub") + "");
    }

    @Test
    void aMissingFileIsStillAMissingModality() throws IOException {
        Files.createDirectories(features.resolve("audio"));
        Corpus c = load(row("a.wav"), row("nothing/here.wav"));
        assertEquals(1, c.utterances().size());
        assertEquals(null, c.utterances().get(0).audio());
        assertEquals(1, c.skipped().size());
    }

    // ---- links inside the features directory ----

    @Test
    void aLinkThatStaysInsideIsFollowed() throws IOException {
        Features f = TestData.features(5, 3, 1);
        Npy.write(features.resolve("store/a-audio.npy"), f);
        Files.createSymbolicLink(Files.createDirectories(features.resolve("audio")).resolve("a.npy"), Path.of("../store/a-audio.npy"));
        assertArrayEquals(f.values(), load(row("a.wav")).utterances().get(0).audio().values());
    }

    @Test
    void aFeaturesDirectoryThatIsItselfALinkWorks() throws IOException {
        Path link = Files.createSymbolicLink(tmp.resolve("features-link"), features);
        Npy.write(features.resolve("audio/a.npy"), TestData.features(2, 2, 0));
        Corpus c = Corpus.load(List.of(row("a.wav")), link, 0, 0, 0, null);
        assertEquals(2, c.audioDim());
    }

    // ---- nothing outside is read ----

    @Test
    void aFileLinkPointingOutsideIsRefused() throws IOException {
        Path a = Files.createSymbolicLink(Files.createDirectories(features.resolve("audio")).resolve("a.npy"), outside.resolve("secret.npy"));
        fails(row("a.wav"), manifest + ": line 7: " + a + " resolves to " + outside.toRealPath().resolve("secret.npy"),
                "outside the features directory " + features.toRealPath());
    }

    @Test
    void aModalityDirectoryLinkPointingOutsideIsRefused() throws IOException {
        Path audio = Files.createSymbolicLink(features.resolve("audio"), outside);
        fails(row("a.wav"), manifest + ": line 7: " + audio + " resolves to " + outside.toRealPath(), "outside the features directory");
    }

    /** Even a file that is not there is not probed for outside: the directory is checked first. */
    @Test
    void aSubdirectoryLinkPointingOutsideIsRefusedBeforeTheFileIsLookedUp() throws IOException {
        Path audio = Files.createDirectories(features.resolve("audio"));
        Files.createSymbolicLink(audio.resolve("sub"), outside);
        fails(row("sub/no-such-file.wav"), "resolves to " + outside.toRealPath(), "outside the features directory");
    }

    /** Rows that do not come through {@link Manifest} (which refuses these already) are checked here too. */
    @Test
    void dotDotAndAbsoluteStemsAreRefused() throws IOException {
        Files.createDirectories(features.resolve("audio"));
        fails(row("../../outside/secret.wav"), manifest + ": line 7: FileName '../../outside/secret.wav' leads outside");
        fails(row(outside.resolve("secret.wav").toString()), "leads outside");
        fails(row("sub/../../../outside/a.wav"), "leads outside");
    }

    @Test
    void aNulInAStemIsADataExceptionNotAnInternalError() {
        fails(row("a\u0000b.wav"), manifest + ": line 7: FileName 'a\\u0000b.wav' is not a valid path");
    }

    @Test
    void rowsWithoutAManifestAreNamedByLine() throws IOException {
        Path a = Files.createSymbolicLink(Files.createDirectories(features.resolve("audio")).resolve("a.npy"), outside.resolve("a.npy"));
        DataException e = assertThrows(DataException.class, () -> Corpus.load(List.of(TestData.row(3, "a", Split.TRAIN)), features, 0, 0, 0, null));
        assertTrue(e.getMessage().startsWith("line 3: " + a + " resolves to"), e.getMessage());
    }

    @Test
    void throughTheManifestTheMessageNamesTheManifestAndLine() throws IOException {
        Files.createSymbolicLink(Files.createDirectories(features.resolve("audio")).resolve("a.npy"), outside.resolve("a.npy"));
        Path m = TestData.write(manifest, "FileName,Split_Set\nz.wav,Train\na.wav,Train\n");
        List<ManifestRow> rows = Manifest.read(m, List.of()).rows();
        DataException e = assertThrows(DataException.class, () -> Corpus.load(rows, features, 0, 0, 0, null));
        assertTrue(e.getMessage().startsWith(m + ": line 3: "), e.getMessage());
    }
}
