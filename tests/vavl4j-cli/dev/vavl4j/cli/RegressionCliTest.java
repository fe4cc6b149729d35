package dev.vavl4j.cli;

import static dev.vavl4j.cli.CliCorpusKit.assertNoStackTrace;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vavl4j.backend.cpu.CpuBackend;
import dev.vavl4j.data.Corpus;
import dev.vavl4j.data.Manifest;
import dev.vavl4j.data.ManifestRow;
import dev.vavl4j.data.Split;
import dev.vavl4j.demo.DemoCorpus;
import dev.vavl4j.predict.Predictor;
import dev.vavl4j.predict.Source;
import dev.vavl4j.predict.UtteranceInference;
import dev.vavl4j.testutil.TinyRuns;
import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regression through the CLI: arousal and valence on a 1–7 scale derived from the generated corpus' classes
 * (plus noise), trained for 4 epochs with --task regression --labels arousal,valence, evaluated (CCC) and predicted in the
 * manifest's units.
 */
class RegressionCliTest {
    @TempDir
    static Path tmp;

    static Path manifest, features, out, metricsJson, predictionsCsv;
    static CliHarness.Run train, evaluate, predict, info;
    static final double[] trainMin = {Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY},
            trainMax = {Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY};
    static int testRows;

    @BeforeAll
    static void trainRegression() throws IOException {
        DemoCorpus.Summary c = TinyRuns.corpus(tmp.resolve("corpus"), 33);
        features = c.features();
        manifest = tmp.resolve("corpus/attributes.csv");
        SplittableRandom rnd = new SplittableRandom(4);
        try (Writer w = Files.newBufferedWriter(manifest);
             CSVPrinter csv = new CSVPrinter(w, CSVFormat.DEFAULT.builder().setHeader("FileName", "arousal", "valence", "SpkrID", "Split_Set").get())) {
            for (CSVRecord r : CliCorpusKit.rows(c.manifest())) {
                int label = 0;
                for (int k = 1; k < 4; k++) if (Double.parseDouble(r.get(DemoCorpus.LABELS.get(k))) > Double.parseDouble(r.get(DemoCorpus.LABELS.get(label)))) label = k;
                String name = DemoCorpus.LABELS.get(label);
                double arousal = (name.equals("angry") || name.equals("happy") ? 5.5 : 2.5) + rnd.nextDouble(-1.4, 1.4);
                double valence = (name.equals("happy") || name.equals("neutral") ? 5.5 : 2.5) + rnd.nextDouble(-1.4, 1.4);
                String a = String.format(Locale.ROOT, "%.3f", arousal), v = String.format(Locale.ROOT, "%.3f", valence);
                csv.printRecord(r.get("FileName"), a, v, r.get("SpkrID"), r.get("Split_Set"));
                if (r.get("Split_Set").equals("Train")) {
                    double[] x = {Double.parseDouble(a), Double.parseDouble(v)};
                    for (int j = 0; j < 2; j++) {
                        trainMin[j] = Math.min(trainMin[j], x[j]);
                        trainMax[j] = Math.max(trainMax[j], x[j]);
                    }
                }
                if (r.get("Split_Set").equals("Test")) testRows++;
            }
        }
        out = tmp.resolve("run");
        Path config = CliCorpusKit.tinyConfig(tmp.resolve("tiny.json"), 9);
        // a faster learning rate, so that 4 epochs bring the predictions' level near the labels'
        Files.writeString(config, CliCorpusKit.JSON.writeValueAsString(
                ((com.fasterxml.jackson.databind.node.ObjectNode) CliCorpusKit.JSON.readTree(config.toFile())).put("lr", 1e-2)));
        train = CliHarness.run("train", "--manifest", manifest.toString(), "--features", features.toString(), "--task", "regression",
                "--labels", "arousal,valence", "--out", out.toString(), "--config", config.toString(), "--epochs", "4");
        metricsJson = tmp.resolve("metrics.json");
        predictionsCsv = tmp.resolve("predictions.csv");
        evaluate = CliHarness.run("evaluate", "--model", out.toString(), "--manifest", manifest.toString(), "--features",
                features.toString(), "--json", metricsJson.toString(), "--device", "cpu");
        predict = CliHarness.run("predict", "--model", out.toString(), "--manifest", manifest.toString(), "--features",
                features.toString(), "--out", predictionsCsv.toString(), "--device", "cpu");
        info = CliHarness.run("info", "--model", out.toString());
    }

    @Test
    void trainsAndWritesCheckpoints() {
        assertEquals(0, train.exit(), train.toString());
        assertNoStackTrace(train);
        assertTrue(train.out().contains("model: regression, 2 outputs"), train.toString());
        assertTrue(Files.isRegularFile(out.resolve("best/model.safetensors")), train.toString());
        assertTrue(Files.isRegularFile(out.resolve("last/optimizer.safetensors")), train.toString());
    }

    @Test
    void evaluateJsonHasCccPerAttributeForEveryModality() throws IOException {
        assertEquals(0, evaluate.exit(), evaluate.toString());
        JsonNode j = CliCorpusKit.JSON.readTree(metricsJson.toFile());
        for (String src : List.of("audio", "visual", "fusion")) {
            JsonNode m = j.path(src);
            assertEquals(testRows, m.path("n").asInt(-1), src + ".n (every Test utterance has both modalities) in " + j);
            JsonNode ccc = m.path("ccc");
            assertTrue(ccc.isObject(), src + ".ccc in " + j);
            assertEquals(List.of("arousal", "valence"), iterate(ccc.fieldNames()), src + ".ccc keys");
            for (String k : List.of("arousal", "valence")) {
                double v = ccc.path(k).asDouble(Double.NaN);
                assertTrue(v >= -1 && v <= 1, src + ".ccc." + k + " = " + ccc.get(k));
            }
            assertTrue(m.path("ccc_mean").isNumber(), src + ".ccc_mean in " + m);
        }
    }

    @Test
    void predictWritesAttributeValuesInTheManifestUnits() throws IOException {
        assertEquals(0, predict.exit(), predict.toString());
        List<String> lines = Files.readAllLines(predictionsCsv);
        assertEquals("FileName,modality,prediction,arousal,valence", lines.getFirst());
        List<CSVRecord> recs = CliCorpusKit.rows(predictionsCsv);
        assertEquals(testRows, recs.size());
        double[] mean = new double[2];
        for (CSVRecord r : recs) {
            assertEquals("fusion", r.get("modality"), r.toString());
            double a = Double.parseDouble(r.get("arousal")), v = Double.parseDouble(r.get("valence"));
            mean[0] += a / recs.size();
            mean[1] += v / recs.size();
            String[] pairs = r.get("prediction").split(";");
            assertEquals(2, pairs.length, r.toString());
            assertTrue(pairs[0].startsWith("arousal=") && pairs[1].startsWith("valence="), r.toString());
            assertEquals(a, Double.parseDouble(pairs[0].substring("arousal=".length())), 1e-4, r.toString());
            assertEquals(v, Double.parseDouble(pairs[1].substring("valence=".length())), 1e-4, r.toString());
            double[] x = {a, v};
            for (int j = 0; j < 2; j++) {
                double range = trainMax[j] - trainMin[j];
                assertTrue(x[j] > trainMin[j] - 0.5 * range && x[j] < trainMax[j] + 0.5 * range,
                        String.join("\n", lines) + "\n" + r.get("FileName") + ": " + x[j] + " far outside the training range [" + trainMin[j] + ", " + trainMax[j] + "]");
            }
        }
        for (int j = 0; j < 2; j++) {
            // values scaled to [0, 1] would average about 0.5, below every label (≥ 1.1)
            assertTrue(mean[j] >= trainMin[j] && mean[j] <= trainMax[j],
                    String.join("\n", lines) + "\nmean prediction " + mean[j] + " in the label units [" + trainMin[j] + ", " + trainMax[j] + "]");
        }
    }

    /** Each CSV value is the model's [0, 1]-scaled output mapped back with the training split's min and max. */
    @Test
    void predictedValuesAreTheScaledOutputsMappedBackToLabelUnits() throws IOException {
        assertEquals(0, predict.exit(), predict.toString());
        Predictor p = Predictor.load(out, new CpuBackend());
        List<ManifestRow> test = Manifest.read(manifest, List.of()).rows(Split.TEST);
        Corpus c = Corpus.load(test, features, p.config().audioDim(), p.config().visualDim(), 0, null);
        List<UtteranceInference.Outputs> raw = p.outputs(c.utterances(), null);
        List<CSVRecord> recs = CliCorpusKit.rows(predictionsCsv);
        assertEquals(raw.size(), recs.size());
        for (int i = 0; i < recs.size(); i++) {
            float[] y = raw.get(i).of(Source.FUSION);
            String[] cols = {"arousal", "valence"};
            for (int j = 0; j < 2; j++) {
                double expected = y[j] * (trainMax[j] - trainMin[j]) + trainMin[j];
                double got = Double.parseDouble(recs.get(i).get(cols[j]));
                assertEquals(expected, got, 1e-4 * Math.max(1, Math.abs(expected)), recs.get(i) + ": raw output " + y[j]);
            }
        }
    }

    @Test
    void infoShowsTheScalingRanges() {
        assertEquals(0, info.exit(), info.toString());
        String o = info.out();
        assertTrue(o.contains("task:        regression [arousal, valence]"), o);
        assertTrue(o.contains(String.format("arousal scaled from [%g, %g]", trainMin[0], trainMax[0])), o);
        assertTrue(o.contains(String.format("valence scaled from [%g, %g]", trainMin[1], trainMax[1])), o);
    }

    private static List<String> iterate(java.util.Iterator<String> it) {
        List<String> l = new ArrayList<>();
        it.forEachRemaining(l::add);
        return l;
    }
}
