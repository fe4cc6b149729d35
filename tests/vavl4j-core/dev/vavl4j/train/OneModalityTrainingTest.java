package dev.vavl4j.train;

import static org.junit.jupiter.api.Assertions.*;

import dev.vavl4j.backend.cpu.CpuBackend;
import dev.vavl4j.checkpoint.Checkpoint;
import dev.vavl4j.checkpoint.TrainedHeads;
import dev.vavl4j.data.Corpus;
import dev.vavl4j.data.Manifest;
import dev.vavl4j.data.Split;
import dev.vavl4j.demo.DemoCorpus;
import dev.vavl4j.model.VavlConfig;
import dev.vavl4j.predict.Prediction;
import dev.vavl4j.predict.Predictor;
import dev.vavl4j.predict.Source;
import dev.vavl4j.testutil.TinyRuns;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Corpora with one modality train that modality's head, record it, and answer with it only. */
class OneModalityTrainingTest {
    @TempDir
    static Path tmp;
    static DemoCorpus.Summary both, audioOnly, visualOnly;

    @BeforeAll
    static void makeCorpora() throws Exception {
        both = TinyRuns.corpus(tmp.resolve("both"), 23);
        audioOnly = without(both, "visual", tmp.resolve("audio-only"));
        visualOnly = without(both, "audio", tmp.resolve("visual-only"));
    }

    /** A copy of the corpus with one modality's feature directory removed. */
    static DemoCorpus.Summary without(DemoCorpus.Summary c, String modality, Path dir) throws Exception {
        Path root = c.manifest().getParent();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted().toList()) {
                Path to = dir.resolve(root.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(to);
                else Files.copy(p, to);
            }
        }
        Path gone = dir.resolve(root.relativize(c.features()).toString()).resolve(modality);
        try (Stream<Path> s = Files.walk(gone)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
        return new DemoCorpus.Summary(dir.resolve(root.relativize(c.manifest()).toString()), dir.resolve(root.relativize(c.features()).toString()),
                c.train(), c.trainUnimodal(), c.dev(), c.test());
    }

    @Test
    void anAudioOnlyCorpusTrainsTheAudioHeadAndAnswersWithIt() throws Exception {
        Path out = tmp.resolve("run-audio");
        Trainer.Result r = TinyRuns.train(audioOnly, out, 2);
        Checkpoint ck = Checkpoint.load(out);
        assertEquals(new TrainedHeads(true, false, false), ck.heads());
        assertEquals(Trainer.ABSENT_INPUT_DIM, ck.config().visualDim(), "no visual files: the smallest placeholder input");
        assertEquals(DemoCorpus.AUDIO_DIM, ck.config().audioDim());
        for (EpochSummary e : r.history()) {
            assertTrue(Double.isNaN(e.visualLoss()) && Double.isNaN(e.fusionLoss()), "no visual or fusion step ran");
            assertTrue(Double.isFinite(e.trainTaskLoss()) && e.trainTaskLoss() < e.audioLoss(), "the audio task loss, without reconstruction");
        }
        // predictions and evaluation come from the audio head, even where visual features are given
        List<dev.vavl4j.data.ManifestRow> testRows = Manifest.read(both.manifest(), DemoCorpus.LABELS).rows(Split.TEST);
        Corpus withVisual = Corpus.load(testRows, both.features(), 0, 0, 0, null);
        try (Predictor p = Predictor.load(out, new CpuBackend())) {
            assertEquals(ck.heads(), p.heads());
            var withAudio = withVisual.utterances().stream().filter(u -> u.hasAudio()).toList();
            var audioFeaturesOnly = withAudio.stream().map(u -> new dev.vavl4j.data.Utterance(u.row(), u.audio(), null)).toList();
            List<Prediction> a = p.predictUtterances(withAudio.stream().map(u -> new dev.vavl4j.data.Utterance(u.row(), u.audio(),
                    u.hasVisual() ? new dev.vavl4j.data.Features(new float[u.visual().frames()], u.visual().frames(), 1) : null)).toList(), null);
            List<Prediction> b = p.predictUtterances(audioFeaturesOnly, null);
            for (int i = 0; i < a.size(); i++) {
                assertEquals(Source.AUDIO, a.get(i).used());
                // visual input changes nothing beyond the batch tolerance (it changes how utterances are batched by length)
                double[] x = b.get(i).scores(), y = a.get(i).scores();
                for (int k = 0; k < x.length; k++) assertEquals(x[k], y[k], Predictor.BATCH_TOLERANCE, "visual input changes nothing");
            }
            var visualOnlyUtt = new dev.vavl4j.data.Utterance(testRows.getFirst(), null, new dev.vavl4j.data.Features(new float[3], 3, 1));
            var e = assertThrows(dev.vavl4j.InvalidInputException.class, () -> p.predictUtterances(List.of(visualOnlyUtt), null));
            assertTrue(e.getMessage().contains("trained on audio only"), e.getMessage());
            var report = dev.vavl4j.predict.Evaluation.report("Test", audioFeaturesOnly, p.outputs(audioFeaturesOnly, null), p.labelCodec(), p.heads());
            assertNull(report.visual());
            assertNull(report.fusion());
            assertFalse(report.toJson().contains("\"fusion\""));
            assertFalse(report.toTable().contains("\nfusion "), report.toTable());
        }
    }

    @Test
    void aVisualOnlyCorpusTrainsTheVisualHead() throws Exception {
        Path out = tmp.resolve("run-visual");
        Trainer.Result r = TinyRuns.train(visualOnly, out, 2);
        assertEquals(new TrainedHeads(false, true, false), Checkpoint.load(out).heads());
        assertTrue(r.history().stream().allMatch(e -> Double.isNaN(e.audioLoss()) && Double.isFinite(e.visualLoss())));
    }

    @Test
    void theConfigNamesTheAbsentInputSizeAndMustAgreeWithFilesItHas() throws Exception {
        var cfg = TinyRuns.tinyModel().put("visual_dim", 7);
        TrainRequest req = new TrainRequest(audioOnly.manifest(), audioOnly.features(), VavlConfig.Task.CLASSIFICATION, DemoCorpus.LABELS,
                tmp.resolve("dim"), TinyRuns.keys(cfg), TinyRuns.keys(TinyRuns.settings(1, 3)), false);
        Trainer.run(req, new CpuBackend(), null);
        assertEquals(7, Checkpoint.load(tmp.resolve("dim")).config().visualDim());
        var wrong = TinyRuns.tinyModel().put("audio_dim", 7);
        TrainRequest bad = new TrainRequest(audioOnly.manifest(), audioOnly.features(), VavlConfig.Task.CLASSIFICATION, DemoCorpus.LABELS,
                tmp.resolve("dim-bad"), TinyRuns.keys(wrong), TinyRuns.keys(TinyRuns.settings(1, 3)), false);
        var e = assertThrows(dev.vavl4j.ConfigException.class, () -> Trainer.run(bad, new CpuBackend(), null));
        assertTrue(e.getMessage().contains("audio_dim"), e.getMessage());
    }

    @Test
    void aBothModalityRunRecordsAllHeadsAndWritesNoHeadsField() throws Exception {
        Path out = tmp.resolve("run-both");
        TinyRuns.train(both, out, 1);
        assertEquals(TrainedHeads.ALL, Checkpoint.load(out).heads());
        assertFalse(Files.readString(out.resolve("best").resolve("checkpoint.json")).contains("\"heads\""),
                "checkpoints of both modalities stay as before");
    }

    @Test
    void aResumeOnFeaturesThatTrainOtherHeadsIsRefused() throws Exception {
        Path out = tmp.resolve("run-switch");
        TinyRuns.train(audioOnly, out, 1);
        var keys = TinyRuns.settings(2, 3);
        TrainRequest req = new TrainRequest(both.manifest(), both.features(), VavlConfig.Task.CLASSIFICATION, DemoCorpus.LABELS, out,
                TinyRuns.keys(TinyRuns.tinyModel()), TinyRuns.keys(keys), true);
        var e = assertThrows(RuntimeException.class, () -> Trainer.run(req, new CpuBackend(), null));
        assertTrue(e.getMessage().contains("heads") || e.getMessage().contains("visual_dim"), e.getMessage());
    }

    @Test
    void checkpointHeadsFieldIsValidated() throws Exception {
        Path out = tmp.resolve("run-tamper");
        TinyRuns.train(audioOnly, out, 1);
        Path meta = out.resolve("best").resolve("checkpoint.json");
        String text = Files.readString(meta);
        Files.writeString(meta, text.replace("\"heads\" : [ \"audio\" ]", "\"heads\" : [ \"audio\", \"fusion\" ]"));
        var e = assertThrows(dev.vavl4j.InvalidInputException.class, () -> Checkpoint.load(out));
        assertTrue(e.getMessage().contains("heads"), e.getMessage());
        Files.writeString(meta, text.replace("\"heads\" : [ \"audio\" ]", "\"heads\" : [ \"sound\" ]"));
        var e2 = assertThrows(dev.vavl4j.InvalidInputException.class, () -> Checkpoint.load(out));
        assertTrue(e2.getMessage().contains("'sound' is not a head"), e2.getMessage());
    }
}
