package dev.vavl4j.media.visual;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vavl4j.media.RgbFrame;
import dev.vavl4j.media.VisualFrontEnd;
import dev.vavl4j.media.VisualFrontEnd.VisualResult;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class FaceExprFrontEndTest {
    private static final FaceExprFrontEnd FRONT_END = new FaceExprFrontEnd();
    private static final RgbFrame FACE_A = TinyFaceDetectorTest.committedFrame(0), FACE_B = TinyFaceDetectorTest.committedFrame(1);
    /** No face: a colour ramp (so a crop shows where it was cut) and flat grey. */
    private static final RgbFrame RAMP = FaceCropTest.ramp(480, 360), GREY = TinyFaceDetectorTest.uniform(480, 360, 128);

    private record Run(VisualResult result, Map<Integer, byte[]> crops) {}

    private static Run run(FaceExprFrontEnd fe, RgbFrame... frames) {
        Map<Integer, byte[]> crops = new TreeMap<>();
        VisualFrontEnd.Clip clip = fe.startClip("test", crops::put);
        for (RgbFrame f : frames) clip.accept(f);
        return new Run(clip.finish(), crops);
    }

    private static FaceTracker.Square firstSquare(RgbFrame face) {
        FaceExprFrontEnd.Options o = FRONT_END.options();
        List<FaceBox> d = TinyFaceDetector.builtIn().detect(face, o.detectorInputSize(), o.scoreThreshold());
        return new FaceTracker(o.margin(), o.smoothing()).update(d);
    }

    @Test
    void infoNamesEverySettingAndTheWeights() {
        var info = FRONT_END.info();
        assertEquals("faceexpr", info.name());
        Map<String, String> s = info.settings();
        assertEquals("416", s.get("detector.inputSize"));
        assertEquals("0.5", s.get("detector.scoreThreshold"));
        assertEquals("0.0", s.get("crop.margin"));
        assertEquals("0.5", s.get("crop.smoothing"));
        assertEquals("112", s.get("crop.size"));
        assertEquals("256", s.get("feature.dim"));
        assertEquals("b7503ce7df31039b1c43316a9b865cab6a70dd748cc602d3fa28b551503c3871", s.get("weights.sha256.tiny_face_detector_model.bin"));
        assertEquals("9a9840f2cf1f4c7eab95f197512569345c00d2426754d4608b92af30e0300f3d", s.get("weights.sha256.face_expression_model.bin"));
        assertEquals(info, new FaceExprFrontEnd().info());
        var other = new FaceExprFrontEnd(new FaceExprFrontEnd.Options(320, 0.5, 0.2, 0.5, 150)).info();
        assertTrue(!other.equals(info), "other settings, other info");
    }

    @Test
    void aClipWithoutAFaceHasNoFeatures() {
        Run r = run(FRONT_END, GREY, RAMP, GREY);
        assertNull(r.result().features());
        assertEquals(3, r.result().framesSeen());
        assertEquals(0, r.result().framesDetected());
        assertTrue(r.crops().isEmpty());
    }

    @Test
    void everyFrameFromTheFirstFaceOnGivesARow() {
        Run r = run(FRONT_END, FACE_A, RAMP, FACE_B, GREY);
        assertEquals(4, r.result().features().frames());
        assertEquals(FaceExpressionNet.FEATURE_DIM, r.result().features().dim());
        assertEquals(2, r.result().framesDetected());
        // each row is the network's features of the crop the clip handed out
        float[] row2 = Arrays.copyOfRange(r.result().features().values(), 2 * 256, 3 * 256);
        assertArrayEquals(FaceExpressionNet.builtIn().features(r.crops().get(2), new FaceExpressionNet.Scratch()), row2);
    }

    @Test
    void framesBeforeTheFirstFaceUseItsSquare() {
        Run r = run(FRONT_END, RAMP, RAMP, FACE_A);
        assertEquals(3, r.result().features().frames());
        byte[] expected = FaceCrop.crop(RAMP, firstSquare(FACE_A), 112);
        assertArrayEquals(expected, r.crops().get(0));
        assertArrayEquals(expected, r.crops().get(1));
    }

    @Test
    void framesWithoutAFaceKeepTheLastSquare() {
        Run r = run(FRONT_END, FACE_A, RAMP, GREY);
        assertArrayEquals(FaceCrop.crop(RAMP, firstSquare(FACE_A), 112), r.crops().get(1));
    }

    @Test
    void onlyTheLastLeadingFramesAreHeld() {
        FaceExprFrontEnd fe = new FaceExprFrontEnd(new FaceExprFrontEnd.Options(416, 0.5, 0.0, 0.5, 1));
        Run r = run(fe, GREY, RAMP, FACE_A);
        assertEquals(2, r.result().features().frames(), "the oldest leading frame is dropped");
        assertEquals(3, r.result().framesSeen());
        assertEquals(List.of(1, 2), List.copyOf(r.crops().keySet()));
    }

    @Test
    void heldFramesAreCopied() {
        byte[] reused = RAMP.rgb().clone();
        VisualFrontEnd.Clip clip = FRONT_END.startClip("reuse");
        clip.accept(new RgbFrame(480, 360, reused, 0));
        Arrays.fill(reused, (byte) 0); // a decoder reusing its buffer
        clip.accept(FACE_A);
        Run fresh = run(FRONT_END, RAMP, FACE_A);
        assertArrayEquals(fresh.result().features().values(), clip.finish().features().values());
    }

    @Test
    void finishedClipsRefuseFrames() {
        VisualFrontEnd.Clip clip = FRONT_END.startClip("done");
        clip.finish();
        assertThrows(IllegalStateException.class, () -> clip.accept(GREY));
        assertThrows(IllegalStateException.class, clip::finish);
    }

    /** Clips on several threads at once, sharing the networks, give exactly the single-thread features. */
    @Test
    void deterministicAcrossThreads() throws Exception {
        RgbFrame[] frames = {RAMP, FACE_A, FACE_B, GREY, FACE_B, FACE_A, RAMP, FACE_A};
        float[] single = run(FRONT_END, frames).result().features().values();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<float[]>> runs = new ArrayList<>();
            for (int i = 0; i < 8; i++) runs.add(pool.submit(() -> run(FRONT_END, frames).result().features().values()));
            for (Future<float[]> f : runs) assertArrayEquals(single, f.get());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void optionsAreChecked() {
        assertThrows(IllegalArgumentException.class, () -> new FaceExprFrontEnd.Options(400, 0.5, 0, 0.5, 1));
        assertThrows(IllegalArgumentException.class, () -> new FaceExprFrontEnd.Options(416, 0, 0, 0.5, 1));
        assertThrows(IllegalArgumentException.class, () -> new FaceExprFrontEnd.Options(416, 0.5, 0, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new FaceExprFrontEnd.Options(416, 0.5, 0, 0.5, -1));
    }
}
