package dev.vavl4j.cli;

import static dev.vavl4j.cli.CliCorpusKit.assertUserError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vavl4j.backend.cpu.CpuBackend;
import dev.vavl4j.data.Features;
import dev.vavl4j.data.Npy;
import dev.vavl4j.demo.DemoCorpus;
import dev.vavl4j.predict.Prediction;
import dev.vavl4j.predict.Predictor;
import dev.vavl4j.testutil.TinyRuns;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code predict}'s two forms: one utterance from {@code --audio}/{@code --visual} (one JSON object on stdout),
 * and a corpus from a manifest that needs only FileName. One 1-epoch tiny model is shared by every test.
 */
class PredictCliTest {
    @TempDir
    static Path shared;
    @TempDir
    Path tmp;

    static Path corpus, features, model;
    static List<CSVRecord> rows;
    /** A Test utterance with both modalities. */
    static Path audio, visual;

    @BeforeAll
    static void corpusAndModel() throws IOException {
        DemoCorpus.Summary c = TinyRuns.corpus(shared.resolve("corpus"), 61);
        corpus = c.manifest().getParent();
        features = c.features();
        rows = CliCorpusKit.rows(c.manifest());
        model = shared.resolve("model");
        CliHarness.Run r = CliCorpusKit.run(CliCorpusKit.trainArgs(corpus, CliCorpusKit.tinyConfig(shared.resolve("tiny.json"), 2), model, 1));
        assertEquals(0, r.exit(), r.toString());
        String stem = rows.stream().filter(x -> x.get("Split_Set").equals("Test")).map(CliCorpusKit::stem)
                .filter(s -> Files.exists(features.resolve("audio/" + s + ".npy")) && Files.exists(features.resolve("visual/" + s + ".npy")))
                .findFirst().orElseThrow();
        audio = features.resolve("audio/" + stem + ".npy");
        visual = features.resolve("visual/" + stem + ".npy");
    }

    private static CliHarness.Run predict(String... args) {
        List<String> a = new ArrayList<>(List.of("predict", "--model", model.toString(), "--device", "cpu"));
        a.addAll(List.of(args));
        return CliCorpusKit.run(a);
    }

    /** The one JSON object a successful one-utterance predict prints, checked for shape. */
    private static JsonNode json(CliHarness.Run r) throws IOException {
        assertEquals(0, r.exit(), r.toString());
        CliCorpusKit.assertNoStackTrace(r);
        List<String> lines = r.out().lines().toList();
        assertEquals(1, lines.size(), "exactly one line on stdout:\n" + r);
        JsonNode j = CliCorpusKit.JSON.readTree(lines.getFirst());
        assertTrue(j.isObject(), lines.getFirst());
        List<String> keys = new ArrayList<>();
        j.fieldNames().forEachRemaining(keys::add);
        assertEquals(List.of("modality", "prediction", "scores", "by_source"), keys, j.toString());
        List<String> labels = new ArrayList<>();
        j.get("scores").fieldNames().forEachRemaining(labels::add);
        assertEquals(DemoCorpus.LABELS, labels, "scores by label, in the model's order: " + j);
        assertEquals(j.get("scores"), j.get("by_source").get(j.get("modality").asText()), "scores are those of the head that answered: " + j);
        return j;
    }

    private static Prediction direct(Features a, Features v) {
        try (CpuBackend be = new CpuBackend()) {
            return Predictor.load(model, be).predict(a, v);
        }
    }

    // ---- one utterance ----

    @Test
    void bothModalitiesAreAnsweredByFusionWithEveryHeadsScores() throws IOException {
        JsonNode j = json(predict("--audio", audio.toString(), "--visual", visual.toString()));
        assertEquals("fusion", j.get("modality").asText(), j.toString());
        List<String> sources = new ArrayList<>();
        j.get("by_source").fieldNames().forEachRemaining(sources::add);
        assertEquals(List.of("audio", "visual", "fusion"), sources, j.toString());

        Prediction expected = direct(Npy.read(audio), Npy.read(visual));
        assertEquals(expected.answer(), j.get("prediction").asText(), j.toString());
        double sum = 0;
        for (int k = 0; k < DemoCorpus.LABELS.size(); k++) {
            double p = j.get("scores").get(DemoCorpus.LABELS.get(k)).asDouble();
            assertEquals(expected.scores()[k], p, 1e-6, "the Predictor's own answer for " + DemoCorpus.LABELS.get(k));
            sum += p;
        }
        assertEquals(1.0, sum, 1e-9, "class probabilities");
    }

    @Test
    void oneModalityAloneIsAnsweredByItsHead() throws IOException {
        JsonNode a = json(predict("--audio", audio.toString()));
        assertEquals("audio", a.get("modality").asText(), a.toString());
        assertEquals(1, a.get("by_source").size(), a.toString());
        assertEquals(direct(Npy.read(audio), null).answer(), a.get("prediction").asText());

        JsonNode v = json(predict("--visual", visual.toString()));
        assertEquals("visual", v.get("modality").asText(), v.toString());
        assertEquals(1, v.get("by_source").size(), v.toString());
    }

    @Test
    void mixingTheFormsOrGivingNeitherIsOneClearLine() {
        String m = corpus.resolve("manifest.csv").toString(), f = features.toString(), out = tmp.resolve("p.csv").toString();
        List<String[]> cases = List.of(
                new String[] {},
                new String[] {"--audio", audio.toString(), "--manifest", m, "--features", f, "--out", out},
                new String[] {"--visual", visual.toString(), "--out", out},
                new String[] {"--audio", audio.toString(), "--split", "Test"});
        for (String[] args : cases) {
            CliHarness.Run r = predict(args);
            assertUserError(r, "predict", "--audio", "--manifest");
            CliHarness.assertOneErrorLine(r);
            assertEquals("", r.out(), r.toString());
        }
        assertTrue(predict().err().contains("nothing to predict"));
        assertTrue(predict("--audio", audio.toString(), "--manifest", m).err().contains("not both"));
        assertFalse(Files.exists(tmp.resolve("p.csv")));
    }

    @Test
    void aCorpusNeedsManifestFeaturesAndOut() {
        CliHarness.Run r = predict("--manifest", corpus.resolve("manifest.csv").toString(), "--features", features.toString());
        assertUserError(r, "predict", "--out");
        CliHarness.assertOneErrorLine(r);
        CliHarness.Run s = predict("--features", features.toString(), "--split", "Test");
        assertUserError(s, "predict", "missing --manifest and --out");
    }

    @Test
    void aMissingFileIsOneLineNamingIt() {
        Path none = tmp.resolve("none.npy");
        CliHarness.Run r = predict("--audio", none.toString(), "--visual", visual.toString());
        assertUserError(r, "predict", none.toString(), "not found");
        CliHarness.assertOneErrorLine(r);
        assertEquals("", r.out());
    }

    @Test
    void aFileThatIsNotNpyIsOneLineNamingIt() throws IOException {
        Path text = Files.writeString(tmp.resolve("features.npy"), "frame,d0\n0,0.5\n");
        CliHarness.Run r = predict("--visual", text.toString());
        assertUserError(r, "predict", text.toString(), "not an NPY file");
        CliHarness.assertOneErrorLine(r);
    }

    @Test
    void aNanIsOneLineNamingTheFileFrameAndDim() throws IOException {
        Path f = Files.copy(audio, tmp.resolve("nan.npy"));
        CliCorpusKit.poke(f, 3 * DemoCorpus.AUDIO_DIM + 4, Float.NaN);
        CliHarness.Run r = predict("--audio", f.toString(), "--visual", visual.toString());
        assertUserError(r, "predict", f.toString(), "NaN", "frame 3", "dim 4");
        CliHarness.assertOneErrorLine(r);
    }

    @Test
    void aWrongDimensionNamesTheFileAndBothDims() {
        // visual features given as audio: 12 per frame where the model expects 20
        CliHarness.Run r = predict("--audio", visual.toString());
        assertUserError(r, "predict", visual.toString(), "audio", String.valueOf(DemoCorpus.VISUAL_DIM), String.valueOf(DemoCorpus.AUDIO_DIM));
        assertEquals("", r.out());
    }

    // ---- a corpus from a manifest with FileName only ----

    /** The generated manifest reduced to its FileName column. */
    private Path fileNamesOnly() throws IOException {
        List<String> lines = new ArrayList<>(List.of("FileName"));
        rows.forEach(x -> lines.add(x.get("FileName")));
        return Files.write(tmp.resolve("names.csv"), lines);
    }

    @Test
    void aManifestWithOnlyFileNamePredictsEveryRow() throws IOException {
        Path names = fileNamesOnly(), csv = tmp.resolve("all.csv");
        CliHarness.Run r = predict("--manifest", names.toString(), "--features", features.toString(), "--out", csv.toString());
        assertEquals(0, r.exit(), r.toString());
        List<CSVRecord> preds = CliCorpusKit.rows(csv);
        List<String> withFeatures = rows.stream().map(x -> x.get("FileName")).filter(n -> {
            String s = n.substring(0, n.lastIndexOf('.'));
            return Files.exists(features.resolve("audio/" + s + ".npy")) || Files.exists(features.resolve("visual/" + s + ".npy"));
        }).toList();
        assertTrue(withFeatures.size() > 20, "more than one split's rows: " + withFeatures.size());
        assertEquals(withFeatures, preds.stream().map(x -> x.get("FileName")).toList(), "every row, in manifest order");
        assertTrue(r.out().contains("wrote " + withFeatures.size() + " predictions"), r.toString());
    }

    @Test
    void splitWithAManifestWithoutSplitSetIsAClearError() throws IOException {
        Path names = fileNamesOnly(), csv = tmp.resolve("test.csv");
        CliHarness.Run r = predict("--manifest", names.toString(), "--features", features.toString(), "--split", "Test",
                "--out", csv.toString());
        assertUserError(r, "predict", "--split", names.toString(), "Split_Set");
        CliHarness.assertOneErrorLine(r);
        assertFalse(Files.exists(csv));
    }

    @Test
    void aManifestWithSplitSetStillPredictsOneSplitTestByDefault() throws IOException {
        Path csv = tmp.resolve("p.csv");
        String m = corpus.resolve("manifest.csv").toString();
        assertEquals(0, predict("--manifest", m, "--features", features.toString(), "--out", csv.toString()).exit());
        long test = rows.stream().filter(x -> x.get("Split_Set").equals("Test")).count();
        assertEquals(test, CliCorpusKit.rows(csv).size());
        CliHarness.Run dev = predict("--manifest", m, "--features", features.toString(), "--split", "Development", "--out", csv.toString(),
                "--overwrite");
        assertEquals(0, dev.exit(), dev.toString());
        assertEquals(rows.stream().filter(x -> x.get("Split_Set").equals("Development")).map(x -> x.get("FileName")).toList(),
                CliCorpusKit.rows(csv).stream().map(x -> x.get("FileName")).toList());
    }

    @Test
    void trainAndEvaluateStillNeedSplitSet() throws IOException {
        Path names = fileNamesOnly();
        CliHarness.Run e = CliHarness.run("evaluate", "--model", model.toString(), "--manifest", names.toString(),
                "--features", features.toString(), "--device", "cpu");
        assertUserError(e, "evaluate", names.toString(), "missing column 'Split_Set'");

        // the labels without Split_Set
        Path noSplit = tmp.resolve("no-split.csv");
        List<String> lines = new ArrayList<>(List.of("FileName," + String.join(",", DemoCorpus.LABELS)));
        for (CSVRecord x : rows) lines.add(x.get("FileName") + "," + String.join(",", DemoCorpus.LABELS.stream().map(x::get).toList()));
        Files.write(noSplit, lines);
        Path c = Files.createDirectories(tmp.resolve("c"));
        Files.copy(noSplit, c.resolve("manifest.csv"));
        Files.createSymbolicLink(c.resolve("features"), features);
        Path out = tmp.resolve("run");
        CliHarness.Run t = CliCorpusKit.run(CliCorpusKit.trainArgs(c, CliCorpusKit.tinyConfig(tmp.resolve("tiny.json"), 1), out, 1));
        assertUserError(t, "train", c.resolve("manifest.csv").toString(), "missing column 'Split_Set'");
        CliCorpusKit.assertNoCheckpoint(out);
    }
}
