package dev.vavl4j.cli;

import static dev.vavl4j.cli.CliCorpusKit.assertNoStackTrace;
import static dev.vavl4j.cli.CliCorpusKit.assertUserError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vavl4j.baseline.Baseline;
import dev.vavl4j.baseline.BaselineRequest;
import dev.vavl4j.baseline.BaselineResult;
import dev.vavl4j.demo.DemoCorpus;
import dev.vavl4j.model.VavlConfig;
import dev.vavl4j.testutil.TinyRuns;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code vavl baseline} on a generated corpus: the table, the λ lines, the JSON, and the input checks. */
class BaselineCommandTest {
    @TempDir
    static Path tmp;

    static DemoCorpus.Summary corpus;
    static Path json;
    static CliHarness.Run run;

    @BeforeAll
    static void runOnDemoCorpus() throws IOException {
        corpus = TinyRuns.corpus(tmp.resolve("corpus"), 5);
        json = tmp.resolve("reports/baseline.json");
        run = CliHarness.run(args("--json", json.toString()));
    }

    static String[] args(String... extra) {
        List<String> a = new java.util.ArrayList<>(List.of("baseline", "--manifest", corpus.manifest().toString(),
                "--features", corpus.features().toString(), "--task", "classification", "--labels", String.join(",", DemoCorpus.LABELS)));
        a.addAll(List.of(extra));
        return a.toArray(String[]::new);
    }

    @Test
    void printsTheEvaluateTableThenOneLambdaLinePerSource() {
        assertEquals(0, run.exit(), run.toString());
        BaselineResult expected = Baseline.run(new BaselineRequest(corpus.manifest(), corpus.features(),
                VavlConfig.Task.CLASSIFICATION, DemoCorpus.LABELS));
        assertTrue(run.out().startsWith(expected.report().toTable()), "the evaluate table first:\n" + run);
        assertTrue(run.out().startsWith("split: Test\n"), run.out());
        for (String source : List.of("audio", "visual", "fusion")) {
            var c = expected.choices().stream().filter(x -> x.source().equals(source)).findFirst().orElseThrow();
            String line = String.format(Locale.ROOT, "baseline %s: lambda %s (Development accuracy %.4f over %d utterances; fitted on %d Train utterances)",
                    source, new java.math.BigDecimal(Double.toString(c.lambda())).stripTrailingZeros().toPlainString(), c.devScore(), c.devN(), c.trainN());
            assertTrue(run.out().lines().anyMatch(line::equals), "expected line '" + line + "':\n" + run);
        }
        assertTrue(run.out().contains("wrote " + json), run.out());
        assertNoStackTrace(run);
    }

    @Test
    void writesTheReportAndTheSelectionAsJson() throws IOException {
        assertEquals(0, run.exit(), run.toString());
        JsonNode j = CliCorpusKit.JSON.readTree(Files.readString(json));
        assertEquals("Test", j.get("split").asText());
        assertEquals(corpus.test(), j.get("fusion").get("n").asInt());
        assertTrue(j.get("fusion").get("accuracy").asDouble() > 0.25, "above chance: " + j);
        JsonNode fusion = j.get("baseline").get("fusion");
        assertTrue(Baseline.LAMBDA_GRID.contains(fusion.get("lambda").asDouble()), fusion.toString());
        assertEquals(corpus.dev(), fusion.get("dev_n").asInt());
        assertEquals("accuracy", j.get("baseline").get("selection_metric").asText());
        String accuracy = String.format(Locale.ROOT, "%.4f", j.get("fusion").get("accuracy").asDouble());
        assertTrue(run.out().lines().anyMatch(l -> l.startsWith("fusion ") && l.contains(accuracy)), "table and JSON agree:\n" + run.out());
    }

    @Test
    void audioOnlyFeaturesReportNoVisualOrFusionModel() throws IOException {
        Path features = CliCorpusKit.copyTree(corpus.features(), tmp.resolve("audio-only"));
        try (Stream<Path> s = Files.walk(features.resolve("visual"))) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
        CliHarness.Run r = CliHarness.run("baseline", "--manifest", corpus.manifest().toString(), "--features", features.toString(),
                "--task", "classification", "--labels", String.join(",", DemoCorpus.LABELS), "--split", "Development");
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().startsWith("split: Development\n"), r.out());
        assertTrue(r.out().contains("baseline audio: lambda "), r.out());
        assertTrue(r.out().contains("baseline visual: no model (0 Train, 0 Development utterances with visual)"), r.out());
        assertTrue(r.out().contains("baseline fusion: no model (0 Train, 0 Development utterances with both audio and visual)"), r.out());
        assertTrue(r.err().contains("warning: "), "the visual-only Train rows are reported as skipped:\n" + r);
    }

    @Test
    void neverWritesOntoAnInputOrOverAnExistingFile() throws IOException {
        byte[] before = Files.readAllBytes(corpus.manifest());
        assertUserError(CliHarness.run(args("--json", corpus.manifest().toString(), "--overwrite")), "baseline", "--manifest");
        assertEquals(new String(before), Files.readString(corpus.manifest()));
        assertUserError(CliHarness.run(args("--json", corpus.features().resolve("x.json").toString())), "baseline", "--features");
        Path existing = Files.writeString(tmp.resolve("existing.json"), "{}");
        assertUserError(CliHarness.run(args("--json", existing.toString())), "baseline", "--overwrite");
        assertEquals("{}", Files.readString(existing));
        CliHarness.Run r = CliHarness.run(args("--json", existing.toString(), "--overwrite"));
        assertEquals(0, r.exit(), r.toString());
        assertTrue(Files.readString(existing).contains("\"baseline\""));
        assertUserError(CliHarness.run(args("--overwrite")), "baseline", "--overwrite", "--json");
    }

    @Test
    void badInputIsOneLineNamingIt() {
        assertUserError(CliHarness.run(args("--split", "Validation")), "baseline", "--split", "Validation");
        String[] badTask = args();
        badTask[6] = "ranking";
        assertUserError(CliHarness.run(badTask), "baseline", "--task", "ranking");
        String[] badLabels = args();
        badLabels[8] = "angry,joy";
        assertUserError(CliHarness.run(badLabels), "baseline", "joy", corpus.manifest().toString());
        String[] noFeatures = args();
        noFeatures[4] = tmp.resolve("missing").toString();
        assertUserError(CliHarness.run(noFeatures), "baseline", "missing");
    }

    @Test
    void helpListsTheOptions() {
        CliHarness.Run r = CliHarness.run("baseline", "--help");
        assertEquals(0, r.exit(), r.toString());
        for (String o : List.of("--manifest", "--features", "--task", "--labels", "--split", "--json", "--overwrite")) {
            assertTrue(r.out().contains(o), o + ":\n" + r.out());
        }
        assertFalse(CliHarness.run("--help").out().isBlank());
        assertTrue(CliHarness.run("--help").out().contains("baseline"), "listed by vavl --help");
    }
}
