package dev.vavl4j.cli;

import static dev.vavl4j.cli.CliHarness.assertNoStackTrace;
import static dev.vavl4j.cli.CliHarness.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's three commands on the CREMA-D sample: {@code features}, {@code train}, {@code predict --media}
 * on an FLV and an MP3; a damaged media file is one line and the others still run.
 */
class MediaCliTest {
    static final Path CREMA = Path.of("tests/vavl4j-media/resources/crema-d");
    static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void featuresTrainPredictMedia(@TempDir Path tmp) throws Exception {
        Path media = Files.createDirectories(tmp.resolve("media"));
        for (Path f : Files.list(CREMA.resolve("data")).toList()) Files.copy(f, media.resolve(f.getFileName()));
        Files.write(media.resolve("1002_DFA_SAD_XX.mp3"), new byte[] {1, 2, 3, 4});   // damaged: one failure, the run goes on
        Path features = tmp.resolve("features");
        var f = run("features", "--manifest", CREMA.resolve("manifest.csv").toString(), "--media", media.toString(), "--out", features.toString(),
                "--fps", "10");
        assertEquals(1, f.exit(), f.toString());
        assertNoStackTrace(f.err());
        assertTrue(f.err().lines().anyMatch(l -> l.startsWith("failed: ") && l.contains("1002_DFA_SAD_XX.mp3")), f.toString());
        assertTrue(f.out().contains("11 extracted") && f.out().contains("1 failed"), f.toString());
        JsonNode summary = JSON.readTree(features.resolve("features-summary.json").toFile());
        assertEquals("1002_DFA_SAD_XX.wav", summary.get("failed").get(0).get("FileName").asText());

        Files.copy(CREMA.resolve("data/1002_DFA_SAD_XX.mp3"), media.resolve("1002_DFA_SAD_XX.mp3"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        var again = run("features", "--manifest", CREMA.resolve("manifest.csv").toString(), "--media", media.toString(), "--out", features.toString(),
                "--fps", "10");
        assertEquals(0, again.exit(), again.toString());
        assertTrue(again.out().contains("1 extracted, 11 already done"), again.toString());

        Path config = Files.writeString(tmp.resolve("config.json"), "{\"proj_dim\": 16, \"model_dim\": 16, \"heads\": 2, \"ff_expansion\": 2,"
                + " \"conv_kernel\": 3, \"modality_layers\": 1, \"shared_layers\": 1, \"head_hidden\": [16, 8], \"patience\": 0}");
        Path out = tmp.resolve("run");
        var t = run("train", "--manifest", CREMA.resolve("manifest.csv").toString(), "--features", features.toString(), "--task", "classification",
                "--labels", "angry,sad,disgust,fear,neutral,happy", "--out", out.toString(), "--config", config.toString(), "--epochs", "3",
                "--device", "cpu");
        assertEquals(0, t.exit(), t.toString());

        var p = run("predict", "--model", out.toString(), "--media", CREMA.resolve("data/1001_DFA_HAP_XX.flv").toString(),
                CREMA.resolve("data/1002_DFA_HAP_XX.mp3").toString(), "--device", "cpu");
        assertEquals(0, p.exit(), p.toString());
        List<String> lines = p.out().lines().toList();
        assertEquals(2, lines.size(), p.toString());
        JsonNode flv = JSON.readTree(lines.get(0)), mp3 = JSON.readTree(lines.get(1));
        assertEquals("fusion", flv.get("modality").asText());
        assertTrue(flv.get("visual_frames").asInt() >= 15 && flv.get("visual_frames").asInt() <= 25, lines.get(0));   // ~1.9 s at --fps 10
        assertEquals("audio", mp3.get("modality").asText());
        assertEquals("no video stream", mp3.get("no_visual").asText());
        assertEquals(6, flv.get("scores").size());

        var bad = run("predict", "--model", out.toString(), "--media", media.resolve("nope.mp4").toString(),
                CREMA.resolve("data/1002_DFA_HAP_XX.mp3").toString(), "--device", "cpu");
        assertEquals(1, bad.exit(), bad.toString());
        assertNoStackTrace(bad.err());
        assertEquals(1, bad.out().lines().count(), bad.toString());
        assertTrue(bad.err().lines().anyMatch(l -> l.startsWith("failed: ") && l.contains("nope.mp4")), bad.toString());
    }

    @Test
    void predictMediaRefusesAModelWithoutAFrontEndRecord(@TempDir Path tmp) throws Exception {
        Path runDir = tmp.resolve("run");
        dev.vavl4j.testutil.TinyRuns.train(dev.vavl4j.testutil.TinyRuns.corpus(tmp.resolve("corpus"), 3), runDir, 1);   // .npy features made elsewhere
        var p = run("predict", "--model", runDir.toString(), "--media", CREMA.resolve("data/1002_DFA_HAP_XX.mp3").toString(),
                "--device", "cpu");
        assertEquals(2, p.exit(), p.toString());
        assertNoStackTrace(p.err());
        assertTrue(p.err().contains("without a front-end record"), p.toString());
    }
}
