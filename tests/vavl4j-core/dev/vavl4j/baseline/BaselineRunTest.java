package dev.vavl4j.baseline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vavl4j.InvalidInputException;
import dev.vavl4j.data.DataException;
import dev.vavl4j.data.Split;
import dev.vavl4j.demo.DemoCorpus;
import dev.vavl4j.metrics.ModalityReport;
import dev.vavl4j.model.VavlConfig.Task;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Baseline#run} on generated corpora: all sources, one modality only, regression, and bad input. */
class BaselineRunTest {
    @TempDir
    static Path tmp;

    static DemoCorpus.Summary corpus;
    static BaselineResult classification;

    @BeforeAll
    static void generate() throws IOException {
        corpus = DemoCorpus.generate(tmp.resolve("demo"), 11, 10);
        classification = Baseline.run(new BaselineRequest(corpus.manifest(), corpus.features(), Task.CLASSIFICATION, DemoCorpus.LABELS));
    }

    @Test
    void classifiesTheDemoCorpusWellAboveChanceOnTest() {
        var r = classification.report();
        assertEquals("Test", r.split());
        assertEquals(DemoCorpus.LABELS, r.labels());
        for (ModalityReport m : List.of(r.audio(), r.visual(), r.fusion())) assertEquals(corpus.test(), m.n(), m.source());
        // Four classes (chance 0.25); each modality alone separates one factor, fusion both.
        assertTrue(r.fusion().classification().accuracy() >= 0.7, r.toTable());
        assertTrue(r.audio().classification().accuracy() >= 0.4, r.toTable());
        assertTrue(r.visual().classification().accuracy() >= 0.4, r.toTable());
        for (SourceChoice c : classification.choices()) {
            assertTrue(c.fitted(), c.toString());
            assertTrue(Baseline.LAMBDA_GRID.contains(c.lambda()), c.toString());
            assertEquals(corpus.dev(), c.devN());
        }
        assertEquals(corpus.train() - corpus.trainUnimodal(), classification.fusion().trainN());
        assertTrue(classification.audio().trainN() > classification.fusion().trainN());
    }

    @Test
    void jsonIsTheEvaluateReportPlusTheSelection() throws IOException {
        JsonNode j = new ObjectMapper().readTree(classification.toJson());
        ObjectNode withoutSelection = (ObjectNode) j.deepCopy();
        withoutSelection.remove("baseline");
        assertEquals(new ObjectMapper().readTree(classification.report().toJson()), withoutSelection);
        JsonNode b = j.get("baseline");
        assertEquals("classification", b.get("task").asText());
        assertEquals("accuracy", b.get("selection_metric").asText());
        assertEquals(Baseline.LAMBDA_GRID.size(), b.get("lambda_grid").size());
        assertEquals(classification.fusion().lambda(), b.get("fusion").get("lambda").asDouble());
        assertEquals(classification.fusion().devScore(), b.get("fusion").get("dev_score").asDouble());
        assertEquals(new ObjectMapper().readTree(classification.toJson()), new ObjectMapper().readTree(classification.toPrettyJson()));
    }

    @Test
    void sameInputGivesTheSameResult() {
        BaselineResult again = Baseline.run(new BaselineRequest(corpus.manifest(), corpus.features(), Task.CLASSIFICATION, DemoCorpus.LABELS));
        assertEquals(classification.toJson(), again.toJson());
    }

    @Test
    void developmentSplitCanBeReported() {
        BaselineResult dev = Baseline.run(new BaselineRequest(corpus.manifest(), corpus.features(), Task.CLASSIFICATION,
                DemoCorpus.LABELS, Split.DEVELOPMENT));
        assertEquals("Development", dev.report().split());
        assertEquals(dev.fusion().devScore(), dev.report().fusion().classification().accuracy(), 1e-12);
    }

    @Test
    void audioOnlyCorpusFitsTheAudioSourceAlone() throws IOException {
        Path features = copyTree(corpus.features(), tmp.resolve("audio-only/features"));
        deleteTree(features.resolve("visual"));
        BaselineResult r = Baseline.run(new BaselineRequest(corpus.manifest(), features, Task.CLASSIFICATION, DemoCorpus.LABELS));
        assertTrue(r.audio().fitted());
        assertFalse(r.visual().fitted());
        assertFalse(r.fusion().fitted());
        assertEquals(0, r.visual().trainN());
        assertEquals(corpus.test(), r.report().audio().n());
        assertNull(r.report().visual(), "a source the corpus has no Train rows for is left out, as VAVL leaves out the head");
        assertNull(r.report().fusion());
        assertFalse(r.report().toTable().contains("\nvisual "), r.report().toTable());
        // The visual-only training rows now have no features: skipped, a warning each.
        assertFalse(r.warnings().isEmpty());
        // The audio source sees exactly the rows it saw with both modalities present.
        assertEquals(classification.audio(), r.audio());
        assertEquals(classification.report().audio().classification().accuracy(), r.report().audio().classification().accuracy());
        JsonNode j = new ObjectMapper().readTree(r.toJson());
        assertFalse(j.has("visual"));
        assertEquals(0, j.get("baseline").get("visual").get("train_n").asInt());
        assertFalse(j.get("baseline").get("visual").has("lambda"));
    }

    @Test
    void visualOnlyCorpusFitsTheVisualSourceAlone() throws IOException {
        Path features = copyTree(corpus.features(), tmp.resolve("visual-only/features"));
        deleteTree(features.resolve("audio"));
        BaselineResult r = Baseline.run(new BaselineRequest(corpus.manifest(), features, Task.CLASSIFICATION, DemoCorpus.LABELS));
        assertFalse(r.audio().fitted());
        assertTrue(r.visual().fitted());
        assertEquals(corpus.test(), r.report().visual().n());
    }

    @Test
    void regressionReportsCccOnTheManifestScale() throws IOException {
        // arousal on a 1–7 scale from the class (angry, happy high), plus noise; audio carries arousal.
        Path manifest = tmp.resolve("attributes.csv");
        List<String> lines = Files.readAllLines(corpus.manifest());
        List<String> out = new ArrayList<>(List.of("FileName,arousal,valence,Split_Set"));
        SplittableRandom rnd = new SplittableRandom(3);
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",");
            int label = 0;
            for (int k = 1; k < 4; k++) if (Double.parseDouble(f[1 + k]) > Double.parseDouble(f[1 + label])) label = k;
            double arousal = (label < 2 ? 5.5 : 2.5) + rnd.nextDouble(-1, 1);
            double valence = (label == 1 || label == 2 ? 5 : 3) + rnd.nextDouble(-1, 1);
            out.add(String.format(Locale.ROOT, "%s,%.3f,%.3f,%s", f[0], arousal, valence, f[f.length - 1]));
        }
        Files.write(manifest, out);
        BaselineResult r = Baseline.run(new BaselineRequest(manifest, corpus.features(), Task.REGRESSION, List.of("arousal", "valence")));
        assertEquals("ccc_mean", r.selectionMetric());
        var fusion = r.report().fusion().regression();
        assertTrue(fusion.cccMean() > 0.6, r.report().toTable());
        assertTrue(r.report().audio().regression().ccc()[0] > 0.6, "audio carries arousal: " + r.report().toTable());
        assertTrue(r.report().visual().regression().ccc()[1] > 0.4, "visual carries valence: " + r.report().toTable());
        for (SourceChoice c : r.choices()) assertTrue(c.fitted() && c.devScore() > 0, c.toString());
    }

    @Test
    void noTrainRowsIsAnErrorNamingTheManifestAndSplit() throws IOException {
        Path m = editedManifest("no-train.csv", l -> l.endsWith(",Train") ? l.replace(",Train", ",Development") : l);
        DataException e = assertThrows(DataException.class, () -> run(m, corpus.features(), DemoCorpus.LABELS));
        assertTrue(e.getMessage().contains(m.toString()) && e.getMessage().contains("Split_Set Train"), e.getMessage());
    }

    @Test
    void noDevelopmentRowsIsAnError() throws IOException {
        Path m = editedManifest("no-dev.csv", l -> l.endsWith(",Development") ? l.replace(",Development", ",Train") : l);
        DataException e = assertThrows(DataException.class, () -> run(m, corpus.features(), DemoCorpus.LABELS));
        assertTrue(e.getMessage().contains(m.toString()) && e.getMessage().contains("Development"), e.getMessage());
    }

    @Test
    void trainRowsWithoutFeaturesAreAnError() throws IOException {
        Path m = editedManifest("renamed.csv", l -> l.endsWith(",Train") ? "x" + l : l);
        DataException e = assertThrows(DataException.class, () -> run(m, corpus.features(), DemoCorpus.LABELS));
        assertTrue(e.getMessage().contains("Train rows has features under " + corpus.features()), e.getMessage());
    }

    @Test
    void missingLabelColumnIsAnErrorNamingIt() {
        DataException e = assertThrows(DataException.class, () -> run(corpus.manifest(), corpus.features(), List.of("angry", "joy")));
        assertTrue(e.getMessage().contains("joy") && e.getMessage().contains(corpus.manifest().toString()), e.getMessage());
    }

    @Test
    void otherBadRequestsAreInputErrors() {
        assertThrows(InvalidInputException.class, () -> run(corpus.manifest(), corpus.features(), List.of()));
        assertThrows(InvalidInputException.class, () -> run(corpus.manifest(), corpus.features(), List.of("angry", "angry")));
        assertThrows(DataException.class, () -> run(corpus.manifest(), corpus.features(), List.of("angry")), "one class");
        DataException e = assertThrows(DataException.class, () -> run(corpus.manifest(), tmp.resolve("nowhere"), DemoCorpus.LABELS));
        assertTrue(e.getMessage().contains("nowhere"), e.getMessage());
        assertThrows(DataException.class, () -> Baseline.run(new BaselineRequest(tmp.resolve("none.csv"), corpus.features(),
                Task.CLASSIFICATION, DemoCorpus.LABELS)));
    }

    private static BaselineResult run(Path manifest, Path features, List<String> labels) {
        return Baseline.run(new BaselineRequest(manifest, features, Task.CLASSIFICATION, labels));
    }

    private static Path editedManifest(String name, java.util.function.UnaryOperator<String> edit) throws IOException {
        Path m = tmp.resolve("demo").resolve(name);
        Files.write(m, Files.readAllLines(corpus.manifest()).stream().map(edit).toList());
        return m;
    }

    private static Path copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path q = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(q);
                else Files.copy(p, q);
            }
        }
        return to;
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }
}
