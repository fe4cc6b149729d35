package dev.vavl4j.cli;

import static dev.vavl4j.cli.CliCorpusKit.assertUserError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code demo}'s output directory rules and the help of the corpus commands (the full demo is too slow for a test). */
class InfoAndDemoCliTest {
    @TempDir
    Path tmp;

    @Test
    void demoRefusesANonEmptyDirectoryItDidNotMake() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("mine"));
        Path precious = Files.writeString(dir.resolve("thesis.tex"), "do not delete");
        CliHarness.Run r = CliHarness.run("demo", "--out", dir.toString(), "--epochs", "1");
        assertUserError(r, "demo", dir.toString(), "vavl demo");
        assertEquals("do not delete", Files.readString(precious), "the foreign file survives");
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of("thesis.tex"), s.map(p -> p.getFileName().toString()).toList(), "nothing added");
        }
    }

    @Test
    void demoPrepareClearsADirectoryCarryingItsMarker() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("old-demo/model/best"));
        dir = dir.getParent().getParent();
        Files.writeString(dir.resolve(DemoCommand.MARKER), "made by `vavl demo`");
        Files.writeString(dir.resolve("model/best/model.safetensors"), "old");
        Files.writeString(dir.resolve("test-metrics.json"), "{}");
        DemoCommand.prepare(dir);
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of(DemoCommand.MARKER), s.map(p -> p.getFileName().toString()).toList(), "only a fresh marker is left");
        }
    }

    /** The one full demo run of the suite (1 epoch, about 4 s): it replaces an earlier demo's directory. */
    @Test
    void demoWithOneEpochReplacesAnEarlierDemoDirectory() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("demo"));
        Files.writeString(dir.resolve(DemoCommand.MARKER), "made by `vavl demo`");
        Files.writeString(dir.resolve("left-over.txt"), "from the earlier run");
        CliHarness.Run r = CliHarness.run("demo", "--out", dir.toString(), "--epochs", "1", "--device", "cpu");
        assertEquals(0, r.exit(), r.toString());
        CliCorpusKit.assertNoStackTrace(r);
        assertFalse(Files.exists(dir.resolve("left-over.txt")), "the earlier demo's files are gone");
        assertTrue(Files.isRegularFile(dir.resolve(DemoCommand.MARKER)), "marker written again");
        assertTrue(Files.isRegularFile(dir.resolve("corpus/manifest.csv")), r.toString());
        for (String f : List.of("best/model.safetensors", "last/checkpoint.json", "learning-curve.png")) {
            assertTrue(Files.isRegularFile(dir.resolve("model").resolve(f)), f + "\n" + r);
        }
        var metrics = CliCorpusKit.JSON.readTree(dir.resolve("test-metrics.json").toFile());
        for (String src : List.of("audio", "visual", "fusion")) {
            assertTrue(metrics.path(src).path("n").asInt() > 0 && metrics.path(src).path("accuracy").isNumber(), src + " in " + metrics);
        }
        assertTrue(r.out().contains("GENERATED synthetic features"), r.toString());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("fusion accuracy")), r.toString());
    }

    @Test
    void demoPrepareCreatesAMissingOrEmptyDirectory() throws IOException {
        Path missing = tmp.resolve("a/b/demo");
        DemoCommand.prepare(missing);
        assertTrue(Files.isRegularFile(missing.resolve(DemoCommand.MARKER)));
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        DemoCommand.prepare(empty);
        assertTrue(Files.isRegularFile(empty.resolve(DemoCommand.MARKER)));
    }

    @Test
    void demoPrepareRefusesAPlainFile() throws IOException {
        Path file = Files.writeString(tmp.resolve("file"), "x");
        CliHarness.Run r = CliHarness.run("demo", "--out", file.toString(), "--epochs", "1");
        assertEquals(2, r.exit(), r.toString());
        CliCorpusKit.assertNoStackTrace(r);
        assertTrue(r.errLines().getLast().contains(file.toString()), r.toString());
        assertEquals("x", Files.readString(file));
    }

    /**
     * picocli reads descriptions as format strings. DemoCommand's description contains "~20% of", which is
     * not a valid format ("% o"), so every usage text that includes it (`vavl demo --help`, `vavl --help`)
     * prints "[picocli WARN] Could not format ..." to the process's stderr. It should read "~20%% of".
     */
    @Test
    void demoHelpPrintsNoPicocliWarning() {
        java.io.PrintStream saved = System.err;
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        CliHarness.Run r;
        try {
            System.setErr(new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
            r = CliHarness.run("demo", "--help");
        } finally {
            System.setErr(saved);
        }
        String stray = captured.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().contains("~20% of training utterances"), r.toString());
        assertFalse(stray.contains("picocli WARN"), "warning printed by `vavl demo --help`:\n" + stray);
    }

    @Test
    void infoWithoutModelIsAUsageError() {
        CliHarness.Run r = CliHarness.run("info");
        assertEquals(2, r.exit(), r.toString());
        assertTrue(r.err().contains("--model"), r.toString());
        CliCorpusKit.assertNoStackTrace(r);
    }

    @Test
    void helpOfEveryCorpusCommandListsItsOptions() {
        for (String[] c : new String[][] {
                {"train", "--manifest", "--features", "--task", "--labels", "--out", "--config", "--epochs", "--resume", "--device"},
                {"evaluate", "--model", "--manifest", "--features", "--split", "--json", "--device"},
                {"predict", "--model", "--manifest", "--features", "--split", "--out", "--device"},
                {"info", "--model"},
                {"demo", "--out", "--epochs", "--seed", "--device"}}) {
            CliHarness.Run r = CliHarness.run(c[0], "--help");
            assertEquals(0, r.exit(), r.toString());
            for (int i = 1; i < c.length; i++) assertTrue(r.out().contains(c[i]), c[0] + " --help lists " + c[i] + ":\n" + r);
            assertFalse(r.out().isBlank());
        }
    }
}
