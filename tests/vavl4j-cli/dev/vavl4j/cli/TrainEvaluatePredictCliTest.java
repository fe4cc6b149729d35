package dev.vavl4j.cli;

import static dev.vavl4j.cli.CliCorpusKit.assertNoStackTrace;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vavl4j.demo.DemoCorpus;
import dev.vavl4j.testutil.TinyRuns;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * train → evaluate → predict → info through the CLI on a corpus where utterances miss a modality: Train has
 * unimodal utterances by construction and one row with no features at all; in Test some audio files, some
 * visual files and both files of one row are deleted. One 2-epoch training is shared by every test.
 */
class TrainEvaluatePredictCliTest {
    @TempDir
    static Path tmp;

    static Path corpus, out, metricsJson, predictionsCsv;
    static CliHarness.Run train, evaluate, predict, info;
    /** Test rows in manifest order: stem → {has audio, has visual}. */
    static final Map<String, boolean[]> testRows = new LinkedHashMap<>();
    static String skippedTestStem, skippedTrainStem;
    static int trainWithFeatures, trainUnimodal;

    @BeforeAll
    static void trainEvaluatePredictInfo() throws IOException {
        CliCorpusKit.copyTree(TinyRuns.corpus(tmp.resolve("generated"), 21).manifest().getParent(), corpus = tmp.resolve("corpus"));
        Path audio = corpus.resolve("features/audio"), visual = corpus.resolve("features/visual");
        List<CSVRecord> rows = CliCorpusKit.rows(corpus.resolve("manifest.csv"));
        List<CSVRecord> test = rows.stream().filter(r -> r.get("Split_Set").equals("Test")).toList();
        // Test: rows 0-2 lose audio, 3-4 lose visual, 5 loses both
        for (int i = 0; i < 6; i++) {
            String s = CliCorpusKit.stem(test.get(i));
            if (i < 3 || i == 5) Files.delete(audio.resolve(s + ".npy"));
            if (i >= 3) Files.delete(visual.resolve(s + ".npy"));
        }
        skippedTestStem = CliCorpusKit.stem(test.get(5));
        // Train: one row with both modalities loses both files
        CSVRecord victim = rows.stream().filter(r -> r.get("Split_Set").equals("Train")
                && Files.exists(audio.resolve(CliCorpusKit.stem(r) + ".npy"))
                && Files.exists(visual.resolve(CliCorpusKit.stem(r) + ".npy"))).skip(3).findFirst().orElseThrow();
        skippedTrainStem = CliCorpusKit.stem(victim);
        Files.delete(audio.resolve(skippedTrainStem + ".npy"));
        Files.delete(visual.resolve(skippedTrainStem + ".npy"));
        for (CSVRecord r : rows) {
            String s = CliCorpusKit.stem(r);
            boolean a = Files.exists(audio.resolve(s + ".npy")), v = Files.exists(visual.resolve(s + ".npy"));
            if (r.get("Split_Set").equals("Test")) testRows.put(s, new boolean[] {a, v});
            if (r.get("Split_Set").equals("Train") && (a || v)) {
                trainWithFeatures++;
                if (!(a && v)) trainUnimodal++;
            }
        }
        assertTrue(trainUnimodal > 0, "the generated Train split has unimodal utterances");

        out = tmp.resolve("run");
        Path config = CliCorpusKit.tinyConfig(tmp.resolve("tiny.json"), 3);
        train = CliCorpusKit.run(CliCorpusKit.trainArgs(corpus, config, out, 2));
        metricsJson = tmp.resolve("reports/metrics.json");
        predictionsCsv = tmp.resolve("reports/predictions.csv");
        String manifest = corpus.resolve("manifest.csv").toString(), features = corpus.resolve("features").toString();
        // evaluate with the default device (auto), predict with it named
        evaluate = CliHarness.run("evaluate", "--model", out.toString(), "--manifest", manifest, "--features", features,
                "--json", metricsJson.toString());
        predict = CliHarness.run("predict", "--model", out.toString(), "--manifest", manifest, "--features", features,
                "--split", "Test", "--out", predictionsCsv.toString(), "--device", "auto");
        info = CliHarness.run("info", "--model", out.toString());
    }

    @Test
    void trainSucceedsCountingUnimodalUtterancesAndReportingTheRowWithoutFeatures() {
        assertEquals(0, train.exit(), train.toString());
        assertNoStackTrace(train);
        assertTrue(train.out().contains("data: " + trainWithFeatures + " training utterances (" + trainUnimodal
                + " with one modality only), 20 development"), train.toString());
        // the Train row without features is reported and skipped (the Test split is not needed for training)
        assertTrue(train.out().lines().anyMatch(l -> l.matches("skipped \\d manifest rows without features:")), train.toString());
        assertTrue(train.out().lines().anyMatch(l -> l.contains(skippedTrainStem) && l.contains("skipped")), train.toString());
        assertTrue(train.out().contains("finished 2 epochs"), train.toString());
        assertTrue(train.err().contains("device: cpu"), "stderr says which device:\n" + train);
    }

    @Test
    void trainWritesBestLastAndTheLearningCurve() throws IOException {
        for (String dir : List.of("best", "last")) {
            for (String f : List.of("model.safetensors", "config.json", "normalization.safetensors", "optimizer.safetensors",
                    "checkpoint.json")) {
                Path p = out.resolve(dir).resolve(f);
                assertTrue(Files.isRegularFile(p) && Files.size(p) > 0, p + " written\n" + train);
            }
        }
        Path png = out.resolve("learning-curve.png");
        assertTrue(Files.isRegularFile(png), "learning curve written");
        byte[] head = java.util.Arrays.copyOf(Files.readAllBytes(png), 8);
        assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}, head, "a PNG file");
        try (Stream<Path> s = Files.list(out)) {
            assertEquals(List.of("best", "last", "learning-curve.png"), s.map(p -> p.getFileName().toString()).sorted().toList(),
                    "nothing else (no temporary directories) in --out");
        }
        JsonNode last = CliCorpusKit.JSON.readTree(out.resolve("last/checkpoint.json").toFile());
        assertEquals(2, last.path("training").path("epochs_done").asInt(), last.toString());
    }

    @Test
    void evaluateJsonHasEveryModalityWithCountsOfTheTestUtterancesHavingIt() throws IOException {
        assertEquals(0, evaluate.exit(), evaluate.toString());
        assertNoStackTrace(evaluate);
        assertTrue(evaluate.err().contains("auto chose cpu"), "--device auto says it chose the CPU:\n" + evaluate);
        assertTrue(evaluate.err().lines().anyMatch(l -> l.startsWith("warning:") && l.contains(skippedTestStem) && l.contains("skipped")),
                "the Test row without features is reported as skipped:\n" + evaluate);
        assertTrue(Files.isRegularFile(metricsJson), "--json written\n" + evaluate);
        JsonNode j = CliCorpusKit.JSON.readTree(metricsJson.toFile());
        int nAudio = 0, nVisual = 0, nFusion = 0;
        for (boolean[] av : testRows.values()) {
            if (av[0]) nAudio++;
            if (av[1]) nVisual++;
            if (av[0] && av[1]) nFusion++;
        }
        assertEquals(16, nAudio);
        assertEquals(17, nVisual);
        assertEquals(14, nFusion);
        Map<String, Integer> expected = Map.of("audio", nAudio, "visual", nVisual, "fusion", nFusion);
        for (var e : expected.entrySet()) {
            JsonNode m = j.get(e.getKey());
            assertNotNull(m, "key " + e.getKey() + " in " + j);
            assertEquals(e.getValue().intValue(), m.path("n").asInt(-1), e.getKey() + ".n in " + j);
            for (String k : List.of("accuracy", "f1_macro", "f1_micro")) {
                assertTrue(m.path(k).isNumber(), e.getKey() + "." + k + " in " + m);
                double v = m.path(k).asDouble();
                assertTrue(v >= 0 && v <= 1, e.getKey() + "." + k + " = " + v);
            }
        }
    }

    @Test
    void predictWritesOneRowPerTestUtteranceWithFeatures() throws IOException {
        assertEquals(0, predict.exit(), predict.toString());
        assertNoStackTrace(predict);
        assertTrue(predict.err().contains("auto chose cpu"), predict.toString());
        assertTrue(predict.err().lines().anyMatch(l -> l.startsWith("warning:") && l.contains(skippedTestStem)), predict.toString());
        List<String> lines = Files.readAllLines(predictionsCsv);
        assertEquals("FileName,modality,prediction," + String.join(",", DemoCorpus.LABELS), lines.getFirst());
        List<CSVRecord> recs;
        try (var p = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get().parse(Files.newBufferedReader(predictionsCsv))) {
            recs = p.getRecords();
        }
        List<String> expectedStems = new ArrayList<>();
        testRows.forEach((s, av) -> {
            if (av[0] || av[1]) expectedStems.add(s);
        });
        assertEquals(expectedStems.size(), recs.size(), "one row per Test utterance with features");
        Map<String, Integer> modalities = new HashMap<>();
        for (int i = 0; i < recs.size(); i++) {
            CSVRecord r = recs.get(i);
            String stem = r.get("FileName").substring(0, r.get("FileName").lastIndexOf('.'));
            assertEquals(expectedStems.get(i), stem, "rows in manifest order");
            boolean[] av = testRows.get(stem);
            String modality = av[0] && av[1] ? "fusion" : av[0] ? "audio" : "visual";
            assertEquals(modality, r.get("modality"), stem);
            modalities.merge(modality, 1, Integer::sum);
            double sum = 0, best = -1;
            String argmax = null;
            for (String l : DemoCorpus.LABELS) {
                double p = Double.parseDouble(r.get(l));
                assertTrue(p >= 0 && p <= 1, stem + " " + l + " = " + p);
                sum += p;
                if (p > best) {
                    best = p;
                    argmax = l;
                }
            }
            assertEquals(1.0, sum, 1e-4, stem + ": probabilities sum to 1");
            assertEquals(argmax, r.get("prediction"), stem + ": prediction is the most probable class");
        }
        assertEquals(Map.of("fusion", 14, "audio", 2, "visual", 3), modalities);
        assertTrue(predict.out().contains("wrote 19 predictions"), predict.toString());
    }

    @Test
    void infoPrintsTaskLabelsAndEpochs() {
        assertEquals(0, info.exit(), info.toString());
        assertEquals("", info.err(), info.toString());
        String o = info.out();
        assertTrue(o.contains("task:        classification [angry, happy, neutral, sad]"), o);
        assertTrue(o.contains("inputs:      audio " + DemoCorpus.AUDIO_DIM + ", visual " + DemoCorpus.VISUAL_DIM), o);
        assertTrue(o.contains("model:       d 16, 2 heads"), o);
        // --model out resolves to out/best; 2 epochs were run, so best is epoch 1 or 2
        assertTrue(o.contains(out.resolve("best").toAbsolutePath().toString()), o);
        assertTrue(o.matches("(?s).*training:\\s+[12] epochs done, best epoch [12] .*"), o);
        assertTrue(o.lines().anyMatch(l -> l.matches("\\s*epoch\\s+1\\s+fusion loss.*")), o);
        assertTrue(o.contains("state saved"), o);
    }

    @Test
    void infoOnLastShowsBothEpochs() {
        CliHarness.Run r = CliHarness.run("info", "--model", out.resolve("last").toString());
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().contains("training:    2 epochs done"), r.toString());
        for (int e = 1; e <= 2; e++) {
            int epoch = e;
            assertTrue(r.out().lines().anyMatch(l -> l.matches("\\s*epoch\\s+" + epoch + "\\s+fusion loss\\s+\\d.*")), r.toString());
        }
    }

    @Test
    void evaluateOnTrainAndDevelopmentSplitsWorks() throws IOException {
        String manifest = corpus.resolve("manifest.csv").toString(), features = corpus.resolve("features").toString();
        Path json = tmp.resolve("reports/dev.json");
        CliHarness.Run r = CliHarness.run("evaluate", "--model", out.resolve("last").toString(), "--manifest", manifest,
                "--features", features, "--split", "Development", "--json", json.toString(), "--device", "cpu");
        assertEquals(0, r.exit(), r.toString());
        JsonNode j = CliCorpusKit.JSON.readTree(json.toFile());
        assertEquals("Development", j.path("split").asText(), j.toString());
        assertEquals(20, j.path("fusion").path("n").asInt(), j.toString());
        assertFalse(r.err().contains("warning"), "nothing skipped in Development:\n" + r);
    }
}
