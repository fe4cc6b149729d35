package dev.vavl4j.cli;

import static dev.vavl4j.cli.CliCorpusKit.assertNoStackTrace;
import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vavl4j.testutil.TinyRuns;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An audio-only and a visual-only corpus through train, evaluate, predict and info, which show only the head that
 * was trained; and crossval over two fold manifests, whose summary is the mean ± std of the folds it reports.
 */
class OneModalityAndCrossvalCliTest {
    @TempDir
    static Path tmp;
    static Path corpus, config;

    @BeforeAll
    static void corpus() throws Exception {
        TinyRuns.corpus(tmp.resolve("both"), 41);
        corpus = tmp.resolve("both");
        config = CliCorpusKit.tinyConfig(tmp.resolve("tiny.json"), 2);
    }

    private static Path without(String modality) throws Exception {
        Path c = CliCorpusKit.copyTree(corpus, tmp.resolve("no-" + modality));
        try (Stream<Path> s = Files.walk(c.resolve("features").resolve(modality))) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
        return c;
    }

    @Test
    void anAudioOnlyCorpusTrainsEvaluatesPredictsAndDescribesOnlyItsHead() throws Exception {
        oneModality("visual", "audio");
    }

    @Test
    void aVisualOnlyCorpusTrainsEvaluatesPredictsAndDescribesOnlyItsHead() throws Exception {
        oneModality("audio", "visual");
    }

    private void oneModality(String missing, String kept) throws Exception {
        Path c = without(missing), run = tmp.resolve("run-" + kept);
        CliHarness.Run train = CliCorpusKit.run(CliCorpusKit.trainArgs(c, config, run, 2));
        assertEquals(0, train.exit(), train.err());
        assertTrue(train.out().contains("heads: " + kept + " only"), train.out());
        assertTrue(Files.size(run.resolve(TrainProgress.CURVE)) > 0);

        Path metrics = tmp.resolve(kept + "-metrics.json");
        CliHarness.Run eval = CliHarness.run("evaluate", "--model", run.toString(), "--manifest", c.resolve("manifest.csv").toString(),
                "--features", c.resolve("features").toString(), "--json", metrics.toString(), "--device", "cpu");
        assertEquals(0, eval.exit(), eval.err());
        assertTrue(eval.out().contains("\n" + kept + " "), eval.out());
        assertFalse(eval.out().contains("\n" + missing + " ") || eval.out().contains("\nfusion "), "only the trained head: " + eval.out());
        JsonNode j = CliCorpusKit.JSON.readTree(metrics.toFile());
        assertTrue(j.has(kept) && j.get(kept).get("n").asInt() > 0);
        assertFalse(j.has(missing) || j.has("fusion"), j.toString());

        Path preds = tmp.resolve(kept + "-predictions.csv");
        CliHarness.Run predict = CliHarness.run("predict", "--model", run.toString(), "--manifest", c.resolve("manifest.csv").toString(),
                "--features", c.resolve("features").toString(), "--out", preds.toString(), "--device", "cpu");
        assertEquals(0, predict.exit(), predict.err());
        List<String> lines = Files.readAllLines(preds);
        assertTrue(lines.size() > 1);
        for (String line : lines.subList(1, lines.size())) assertEquals(kept, line.split(",")[1], line);

        CliHarness.Run info = CliHarness.run("info", "--model", run.toString());
        assertEquals(0, info.exit(), info.err());
        assertTrue(info.out().contains("heads:       " + kept + "\n"), info.out());
        assertTrue(info.out().contains("trained on " + kept + " only"), info.out());
        assertNoStackTrace(info);

        // the other modality's features given to this model: one clear line, no stack trace
        Path otherFeature;
        try (Stream<Path> s = Files.list(corpus.resolve("features").resolve(missing))) {
            otherFeature = s.sorted().findFirst().orElseThrow();
        }
        CliHarness.Run wrong = CliHarness.run("predict", "--model", run.toString(), "--" + missing, otherFeature.toString(), "--device", "cpu");
        CliCorpusKit.assertUserError(wrong, "predict", "trained on " + kept + " only");
    }

    @Test
    void crossvalTrainsEveryFoldAndSummarisesThem() throws Exception {
        // fold 2 swaps the Development and Test rows of fold 1
        Path fold1 = corpus.resolve("manifest.csv"), fold2 = tmp.resolve("fold2.csv");
        List<String> swapped = new ArrayList<>();
        for (String line : Files.readAllLines(fold1)) {
            swapped.add(line.endsWith(",Test") ? line.substring(0, line.length() - 4) + "Development"
                    : line.endsWith(",Development") ? line.substring(0, line.length() - 11) + "Test" : line);
        }
        Files.write(fold2, swapped);
        Path out = tmp.resolve("cv"), json = tmp.resolve("cv.json");
        CliHarness.Run r = CliHarness.run("crossval", "--manifests", fold1.toString(), fold2.toString(), "--features", corpus.resolve("features").toString(),
                "--task", "classification", "--labels", "angry,happy,neutral,sad", "--out", out.toString(), "--config", config.toString(),
                "--epochs", "2", "--json", json.toString(), "--device", "cpu");
        assertEquals(0, r.exit(), r.err());
        assertTrue(Files.isDirectory(out.resolve("fold-1/best")) && Files.isDirectory(out.resolve("fold-2/best")));
        JsonNode j = CliCorpusKit.JSON.readTree(json.toFile());
        assertEquals(2, j.get("folds").size());
        for (String source : List.of("audio", "visual", "fusion")) {
            for (String metric : List.of("accuracy", "f1_macro", "f1_micro")) {
                double a = j.get("folds").get(0).get("report").get(source).get(metric).asDouble(),
                        b = j.get("folds").get(1).get("report").get(source).get(metric).asDouble();
                JsonNode s = j.get("summary").get(source).get(metric);
                assertEquals((a + b) / 2, s.get("mean").asDouble(), 1e-12, source + " " + metric);
                assertEquals(Math.abs(a - b) / Math.sqrt(2), s.get("std").asDouble(), 1e-12, source + " " + metric + ": sample std");
            }
            assertEquals(2, j.get("summary").get(source).get("folds").asInt());
        }
        assertTrue(r.out().contains("mean ± std over 2 folds"), r.out());
        // run again: the finished folds are resumed (nothing to train) and evaluated to the same numbers
        CliHarness.Run again = CliHarness.run("crossval", "--manifests", fold1.toString(), fold2.toString(), "--features", corpus.resolve("features").toString(),
                "--task", "classification", "--labels", "angry,happy,neutral,sad", "--out", out.toString(), "--config", config.toString(),
                "--epochs", "2", "--json", json.toString(), "--overwrite", "--device", "cpu");
        assertEquals(0, again.exit(), again.err());
        assertEquals(j.get("summary"), CliCorpusKit.JSON.readTree(json.toFile()).get("summary"));
        // one manifest is no cross-validation
        CliHarness.Run one = CliHarness.run("crossval", "--manifests", fold1.toString(), "--features", corpus.resolve("features").toString(),
                "--task", "classification", "--labels", "angry,happy,neutral,sad", "--out", tmp.resolve("cv1").toString());
        assertEquals(2, one.exit());
        assertNoStackTrace(one);
    }
}
