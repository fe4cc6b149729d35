package dev.vavl4j.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vavl4j.InvalidInputException;
import dev.vavl4j.backend.cpu.CpuBackend;
import dev.vavl4j.data.Manifest;
import dev.vavl4j.data.ManifestRow;
import dev.vavl4j.data.Npy;
import dev.vavl4j.model.VavlConfig;
import dev.vavl4j.predict.Predictor;
import dev.vavl4j.predict.Source;
import dev.vavl4j.train.TrainRequest;
import dev.vavl4j.train.Trainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The whole path on the twelve real CREMA-D clips (six FLV with face video and MP3 audio, six MP3): features
 * of every clip with the default front ends, a re-run that skips them all, training on them, and predictions
 * from the media files themselves that give the training labels back (an overfit: twelve clips prove the
 * path, not accuracy).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CremaDEndToEndTest {
    static final Path CREMA = Path.of("tests/vavl4j-media/resources/crema-d");
    static final List<String> LABELS = List.of("angry", "sad", "disgust", "fear", "neutral", "happy");

    Path tmp;
    Path features, run;
    List<ManifestRow> rows;

    @BeforeAll
    void extract() throws Exception {
        tmp = Files.createTempDirectory("crema-e2e");   // one folder for the ordered tests (deleted by the OS's tmp cleaning)
        features = tmp.resolve("features");
        rows = Manifest.read(CREMA.resolve("manifest.csv"), List.of(), Manifest.Mode.PREDICTION).rows();
        try (FrontEnds.Opened fe = FrontEnds.open(FrontEndSpec.FBANK, FrontEndSpec.FACEEXPR)) {
            ClipExtractor ex = new ClipExtractor(fe.audio(), fe.visual(), 0);
            FeatureJob.Result r = new FeatureJob(ex, FrontEnds.record(FrontEndSpec.FBANK, FrontEndSpec.FACEEXPR, ex), 2)
                    .run(rows, CREMA.resolve("data"), features, new FeatureJob.Listener() {});
            assertEquals(12, r.extracted(), r.failures().toString());
            assertEquals(List.of(), r.failures());
            // the six MP3s have no video: listed, not failed
            assertEquals(6, r.missing().size(), r.missing().toString());
            assertTrue(r.missing().stream().allMatch(m -> m.modality().equals("visual") && m.reason().equals("no video stream")
                    && m.fileName().startsWith("1002_")), r.missing().toString());
        }
    }

    @Test
    @Order(1)
    void everyClipHasAudioAndEveryVideoAFaceTrack() {
        for (ManifestRow r : rows) {
            var a = Npy.read(features.resolve("audio/" + r.stem() + ".npy"));
            assertEquals(80, a.dim());
            assertTrue(a.frames() > 150 && a.frames() < 300, r.stem() + ": " + a.frames() + " audio frames");
            Path v = features.resolve("visual/" + r.stem() + ".npy");
            if (r.stem().startsWith("1001_")) {
                var vis = Npy.read(v);
                assertTrue(vis.frames() > 40 && vis.frames() < 90, r.stem() + ": " + vis.frames() + " video frames");
            } else {
                assertTrue(!Files.exists(v), v + " should not exist: an MP3 has no video");
            }
        }
        assertNotNull(FrontEndRecord.read(features).audio());
        assertEquals("native", FrontEndRecord.read(features).visual().info().settings().get("fps"));
    }

    @Test
    @Order(2)
    void aReRunSkipsEveryClipAndRewritesNothing() throws Exception {
        Path one = features.resolve("audio/1001_DFA_ANG_XX.npy");
        FileTime before = Files.getLastModifiedTime(one);
        try (FrontEnds.Opened fe = FrontEnds.open(FrontEndSpec.FBANK, FrontEndSpec.FACEEXPR)) {
            ClipExtractor ex = new ClipExtractor(fe.audio(), fe.visual(), 0);
            FeatureJob.Result r = new FeatureJob(ex, FrontEnds.record(FrontEndSpec.FBANK, FrontEndSpec.FACEEXPR, ex), 2)
                    .run(rows, CREMA.resolve("data"), features, new FeatureJob.Listener() {});
            assertEquals(0, r.extracted());
            assertEquals(12, r.skipped());
            assertEquals(6, r.missing().size(), "the summary of a re-run still lists the clips without video");
        }
        assertEquals(before, Files.getLastModifiedTime(one));
        // another front end may not write into the same folder
        try (FrontEnds.Opened fe = FrontEnds.open(FrontEndSpec.FBANK, FrontEndSpec.FACEEXPR)) {
            ClipExtractor ex = new ClipExtractor(fe.audio(), fe.visual(), 10);
            var e = assertThrows(InvalidInputException.class, () -> new FeatureJob(ex, FrontEnds.record(FrontEndSpec.FBANK, FrontEndSpec.FACEEXPR, ex), 1)
                    .run(rows, CREMA.resolve("data"), features, new FeatureJob.Listener() {}));
            assertTrue(e.getMessage().contains("another front end"), e.getMessage());
        }
    }

    @Test
    @Order(3)
    void trainsOnTheFeaturesAndPredictsTheMediaBack() throws Exception {
        run = tmp.resolve("run");
        Map<String, Object> model = new LinkedHashMap<>(Map.of("proj_dim", 32, "model_dim", 32, "heads", 2, "ff_expansion", 2,
                "conv_kernel", 7, "modality_layers", 1, "shared_layers", 1, "lr", 3e-3, "dropout", 0.0));
        model.put("head_hidden", List.of(32, 16));
        Map<String, Object> trainer = Map.of("epochs", 60, "batch_size", 4, "seed", 1, "patience", 0, "max_frames", 200);
        Trainer.run(new TrainRequest(CREMA.resolve("manifest.csv"), features, VavlConfig.Task.CLASSIFICATION, LABELS, run, model, trainer, false),
                new CpuBackend(2), null);
        var labelled = Manifest.read(CREMA.resolve("manifest.csv"), LABELS).rows();
        int right = 0, train = 0;
        try (Predictor p = Predictor.load(run.resolve("last"), new CpuBackend(2)); MediaPredictor mp = MediaPredictor.open(p)) {   // last: the overfit model (best is chosen on 2 clips)
            for (ManifestRow r : labelled) {
                if (r.split() != dev.vavl4j.data.Split.TRAIN) continue;
                Path media = MediaFiles.find(CREMA.resolve("data"), r);
                MediaPrediction pr = mp.predict(media);
                assertEquals(r.stem().startsWith("1001_") ? Source.FUSION : Source.AUDIO, pr.prediction().used(), media.toString());
                train++;
                if (pr.prediction().answerIndex() == argmax(r.labels())) right++;
            }
            // a WAV alone works without FFmpeg's video path and answers from audio
            MediaPrediction wav = mp.predict(CREMA.resolve("resampled/1001_DFA_ANG_XX.wav"));
            assertEquals(Source.AUDIO, wav.prediction().used());
        }
        assertEquals(10, train);
        assertTrue(right >= 9, "the training clips predicted back from their media: " + right + " of 10 right");
    }

    private static int argmax(double[] v) {
        int b = 0;
        for (int i = 1; i < v.length; i++) if (v[i] > v[b]) b = i;
        return b;
    }
}
