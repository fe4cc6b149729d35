package dev.vavl4j.cli;

import static dev.vavl4j.cli.CliCorpusKit.assertNoStackTrace;
import static dev.vavl4j.cli.CliCorpusKit.assertUserError;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vavl4j.backend.cpu.CpuBackend;
import dev.vavl4j.data.Corpus;
import dev.vavl4j.data.Manifest;
import dev.vavl4j.data.Split;
import dev.vavl4j.data.Utterance;
import dev.vavl4j.demo.DemoCorpus;
import dev.vavl4j.predict.Prediction;
import dev.vavl4j.predict.Predictor;
import dev.vavl4j.predict.Source;
import dev.vavl4j.predict.UtteranceInference;
import dev.vavl4j.testutil.TinyRuns;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code vavl export}: inference-only checkpoints in float32, float16 and bfloat16 that predict like the
 * trained one (float32 bit for bit), are written atomically, and never replace the input or a foreign directory.
 */
class ExportCliTest {
    /**
     * The largest difference allowed between a class probability (any head, any class) of a half-precision
     * export and the trained model's. Measured on this corpus and model (20 Test utterances, 2 epochs, d 16):
     * f16 4.3e-5, bf16 4.4e-4 (bf16 keeps 8 significant bits against f16's 11). The bounds leave about 4-5×
     * headroom and still catch a wrong rounding mode or a mixed-up tensor, which move probabilities by 1e-2 and more.
     */
    static final double F16_TOLERANCE = 2e-4, BF16_TOLERANCE = 2e-3;

    @TempDir
    static Path tmp;

    static Path corpus, run;
    static CpuBackend cpu;
    static final Map<String, CliHarness.Run> exports = new LinkedHashMap<>();
    static List<Utterance> test;
    static Map<String, byte[]> inputBefore;

    @BeforeAll
    static void trainAndExport() throws IOException {
        corpus = TinyRuns.corpus(tmp.resolve("corpus"), 31).manifest().getParent();
        run = tmp.resolve("run");
        CliHarness.Run train = CliCorpusKit.run(CliCorpusKit.trainArgs(corpus, CliCorpusKit.tinyConfig(tmp.resolve("tiny.json"), 7), run, 2));
        assertEquals(0, train.exit(), train.toString());
        inputBefore = contents(run.resolve("best"));
        for (String dtype : List.of("f32", "f16", "bf16")) {
            exports.put(dtype, CliHarness.run("export", "--model", run.toString(), "--out", tmp.resolve("export-" + dtype).toString(),
                    "--dtype", dtype));
        }
        cpu = new CpuBackend(2);
        try (Predictor p = Predictor.load(run, cpu)) {
            var rows = Manifest.read(corpus.resolve("manifest.csv"), DemoCorpus.LABELS).rows(Split.TEST);
            test = Corpus.load(rows, corpus.resolve("features"), p.config().audioDim(), p.config().visualDim(), p.maxFrames(), n -> {})
                    .utterances();
        }
    }

    @AfterAll
    static void closeBackend() {
        cpu.close();
    }

    static Path export(String dtype) {
        return tmp.resolve("export-" + dtype);
    }

    private static Map<String, byte[]> contents(Path dir) throws IOException {
        Map<String, byte[]> m = new LinkedHashMap<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.sorted().toList()) m.put(p.getFileName().toString(), Files.readAllBytes(p));
        }
        return m;
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static JsonNode meta(Path dir) throws IOException {
        return CliCorpusKit.JSON.readTree(dir.resolve("checkpoint.json").toFile());
    }

    @Test
    void eachExportIsAnInferenceOnlyCheckpointThatRecordsItsDtype() throws IOException {
        JsonNode original = meta(run.resolve("best"));
        for (var e : exports.entrySet()) {
            CliHarness.Run r = e.getValue();
            assertEquals(0, r.exit(), r.toString());
            assertNoStackTrace(r);
            assertTrue(r.out().startsWith("exported " + run.resolve("best").toAbsolutePath() + " to " + export(e.getKey()).toAbsolutePath()
                    + ": " + e.getKey() + " weights"), r.out());
            Path dir = export(e.getKey());
            assertEquals(List.of("checkpoint.json", "config.json", "model.safetensors", "normalization.safetensors"), names(dir));
            JsonNode m = meta(dir);
            assertEquals(e.getKey().toUpperCase(java.util.Locale.ROOT), m.path("weights_dtype").asText(), m.toString());
            assertFalse(m.has("training"), "no trainer state: " + m);
            assertEquals(original.get("labels"), m.get("labels"));
            assertEquals(original.get("max_frames"), m.get("max_frames"));
            assertArrayEquals(Files.readAllBytes(run.resolve("best/config.json")), Files.readAllBytes(dir.resolve("config.json")));
            assertArrayEquals(Files.readAllBytes(run.resolve("best/normalization.safetensors")), Files.readAllBytes(dir.resolve("normalization.safetensors")));
        }
        long f32 = Files.size(export("f32").resolve("model.safetensors"));
        assertArrayEquals(Files.readAllBytes(run.resolve("best/model.safetensors")), Files.readAllBytes(export("f32").resolve("model.safetensors")),
                "f32 weights are the trained bytes");
        assertTrue(Files.size(export("f16").resolve("model.safetensors")) < 0.6 * f32);
        assertTrue(Files.size(export("bf16").resolve("model.safetensors")) < 0.6 * f32);
        try (Stream<Path> s = Files.list(tmp)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().startsWith(".export-")), "no temporary directories left");
        }
    }

    @Test
    void float32PredictsBitForBitAndHalfPrecisionPredictsTheSameClasses() throws IOException {
        List<UtteranceInference.Outputs> want;
        List<Prediction> wantPred;
        try (Predictor p = Predictor.load(run, cpu)) {
            want = p.outputs(test, null);
            wantPred = p.predictUtterances(test, null);
        }
        try (Predictor p = Predictor.load(export("f32"), cpu)) {
            List<UtteranceInference.Outputs> got = p.outputs(test, null);
            for (int i = 0; i < test.size(); i++) {
                for (Source s : Source.values()) {
                    float[] a = want.get(i).of(s), b = got.get(i).of(s);
                    assertEquals(a == null, b == null);
                    if (a != null) for (int c = 0; c < a.length; c++) assertEquals(Float.floatToRawIntBits(a[c]), Float.floatToRawIntBits(b[c]), s + " " + i);
                }
            }
        }
        Map<String, Double> maxDiff = new LinkedHashMap<>();
        for (String dtype : List.of("f16", "bf16")) {
            double worst = 0;
            try (Predictor p = Predictor.load(export(dtype), cpu)) {
                List<Prediction> got = p.predictUtterances(test, null);
                for (int i = 0; i < test.size(); i++) {
                    Prediction a = wantPred.get(i), b = got.get(i);
                    assertEquals(a.used(), b.used());
                    assertEquals(a.answerIndex(), b.answerIndex(), dtype + ": class of utterance " + i);
                    for (Source s : a.bySource().keySet()) {
                        double[] x = a.bySource().get(s), y = b.bySource().get(s);
                        for (int c = 0; c < x.length; c++) worst = Math.max(worst, Math.abs(x[c] - y[c]));
                    }
                }
            }
            maxDiff.put(dtype, worst);
        }
        System.out.printf("ExportCliTest: %d Test utterances, max |probability difference| f16 %.3g, bf16 %.3g%n", test.size(),
                maxDiff.get("f16"), maxDiff.get("bf16"));
        assertTrue(maxDiff.get("f16") <= F16_TOLERANCE, "f16: " + maxDiff);
        assertTrue(maxDiff.get("bf16") <= BF16_TOLERANCE, "bf16: " + maxDiff);
        assertTrue(maxDiff.get("f16") > 0 && maxDiff.get("bf16") > 0, "the weights really were rounded: " + maxDiff);
    }

    @Test
    void predictEvaluateAndInfoTakeAnExport() throws IOException {
        String manifest = corpus.resolve("manifest.csv").toString(), features = corpus.resolve("features").toString();
        Path original = tmp.resolve("predict-original.csv");
        CliHarness.Run p0 = CliHarness.run("predict", "--model", run.toString(), "--manifest", manifest, "--features", features,
                "--out", original.toString(), "--device", "cpu");
        assertEquals(0, p0.exit(), p0.toString());
        for (String dtype : exports.keySet()) {
            Path csv = tmp.resolve("predict-" + dtype + ".csv");
            CliHarness.Run p = CliHarness.run("predict", "--model", export(dtype).toString(), "--manifest", manifest, "--features", features,
                    "--out", csv.toString(), "--device", "cpu");
            assertEquals(0, p.exit(), p.toString());
            if (dtype.equals("f32")) assertEquals(Files.readString(original), Files.readString(csv), "f32: the same CSV");
            CliHarness.Run ev = CliHarness.run("evaluate", "--model", export(dtype).toString(), "--manifest", manifest, "--features", features,
                    "--device", "cpu");
            assertEquals(0, ev.exit(), ev.toString());
            assertTrue(ev.out().contains("fusion"), ev.toString());
            CliHarness.Run info = CliHarness.run("info", "--model", export(dtype).toString());
            assertEquals(0, info.exit(), info.toString());
            assertNoStackTrace(info);
            assertTrue(info.out().contains("state absent"), "no optimizer state:\n" + info);
            assertFalse(info.out().contains("training:"), "no training history:\n" + info);
        }
    }

    @Test
    void anExportCannotBeResumed() throws IOException {
        // an export where train --resume looks for the run's state
        Path fake = tmp.resolve("fake-run");
        CliCorpusKit.copyTree(export("f32"), fake.resolve("last"));
        List<String> args = CliCorpusKit.trainArgs(corpus, CliCorpusKit.tinyConfig(tmp.resolve("tiny2.json"), 7), fake, 3);
        args.add("--resume");
        String msg = assertUserError(CliCorpusKit.run(args), "train", "inference-only", "cannot be resumed");
        assertTrue(msg.contains(fake.resolve("last").toString()), msg);
        // an export given as the run itself has nothing to resume
        List<String> direct = CliCorpusKit.trainArgs(corpus, CliCorpusKit.tinyConfig(tmp.resolve("tiny3.json"), 7), export("f16"), 3);
        direct.add("--resume");
        assertUserError(CliCorpusKit.run(direct), "train", "nothing to resume");
    }

    @Test
    void refusesToReplaceAnythingButAnEmptyDirectoryOrWithOverwriteACheckpoint() throws IOException {
        Path target = tmp.resolve("target");
        CliHarness.Run first = CliHarness.run("export", "--model", run.toString(), "--out", target.toString(), "--dtype", "bf16");
        assertEquals(0, first.exit(), first.toString());
        Map<String, byte[]> bf16 = contents(target);

        String msg = assertUserError(CliHarness.run("export", "--model", run.toString(), "--out", target.toString()), "export",
                target.toString(), "--overwrite");
        assertTrue(msg.contains("not empty"), msg);
        Map<String, byte[]> still = contents(target);
        assertEquals(bf16.keySet(), still.keySet());
        for (String k : bf16.keySet()) assertArrayEquals(bf16.get(k), still.get(k), k + " untouched");

        CliHarness.Run again = CliHarness.run("export", "--model", run.toString(), "--out", target.toString(), "--overwrite");
        assertEquals(0, again.exit(), again.toString());
        assertEquals("F32", meta(target).path("weights_dtype").asText());

        // an empty directory is fine; a foreign non-empty one is kept even with --overwrite; a file is refused
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        assertEquals(0, CliHarness.run("export", "--model", run.toString(), "--out", empty.toString()).exit());
        Path foreign = Files.createDirectories(tmp.resolve("foreign"));
        Files.writeString(foreign.resolve("notes.txt"), "mine");
        assertUserError(CliHarness.run("export", "--model", run.toString(), "--out", foreign.toString(), "--overwrite"), "export",
                foreign.toString(), "not a checkpoint");
        assertEquals("mine", Files.readString(foreign.resolve("notes.txt")));
        Path file = Files.writeString(tmp.resolve("a-file"), "x");
        assertUserError(CliHarness.run("export", "--model", run.toString(), "--out", file.toString()), "export", "is a file");
    }

    @Test
    void neverWritesOntoItsInput() throws IOException {
        Path best = run.resolve("best");
        for (Path out : List.of(best, run, best.resolve("inside"), tmp.resolve("run/./best"))) {
            assertUserError(CliHarness.run("export", "--model", run.toString(), "--out", out.toString(), "--overwrite"), "export",
                    "never writes onto its input");
        }
        // through a symbolic link to the checkpoint too
        Path link = Files.createSymbolicLink(tmp.resolve("link-to-best"), best);
        assertUserError(CliHarness.run("export", "--model", best.toString(), "--out", link.toString(), "--overwrite"), "export",
                "never writes onto its input");
        Map<String, byte[]> after = contents(best);
        assertEquals(inputBefore.keySet(), after.keySet());
        for (String k : inputBefore.keySet()) assertArrayEquals(inputBefore.get(k), after.get(k), k + " of the input is untouched");
        assertTrue(Files.exists(run.resolve("last/optimizer.safetensors")), "the run keeps its resume state");
    }

    @Test
    void badArgumentsAreOneLineUserErrors() {
        assertUserError(CliHarness.run("export", "--model", run.toString(), "--out", tmp.resolve("x8").toString(), "--dtype", "f8"),
                "export", "--dtype", "f8");
        assertFalse(Files.exists(tmp.resolve("x8")));
        assertUserError(CliHarness.run("export", "--model", tmp.resolve("nowhere").toString(), "--out", tmp.resolve("x9").toString()),
                "export", "nowhere");
        assertFalse(Files.exists(tmp.resolve("x9")));
        CliHarness.Run help = CliHarness.run("export", "--help");
        assertEquals(0, help.exit());
        assertTrue(help.out().contains("--dtype") && help.out().contains("--overwrite"), help.out());
    }

    @Test
    void theDtypeIsCaseInsensitiveAndTheExportLoadsAsFloat32() throws IOException {
        Path out = tmp.resolve("upper");
        assertEquals(0, CliHarness.run("export", "--model", run.toString(), "--out", out.toString(), "--dtype", "BF16").exit());
        var ck = dev.vavl4j.checkpoint.Checkpoint.loadForInference(out);
        assertNotNull(ck.weights());
        ck.weights().forEach((k, t) -> assertTrue(t.dtype().isFloat() && t.floats() != null, k));
        assertEquals("BF16", meta(out).path("weights_dtype").asText());
        List<String> none = new ArrayList<>(names(out));
        assertFalse(none.contains("optimizer.safetensors"));
    }
}
