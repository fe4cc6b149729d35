package dev.vavl4j.media.visual;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vavl4j.media.RgbFrame;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class TinyFaceDetectorTest {
    static final int W = 480, H = 360;

    /** The committed CREMA-D frames (1001_DFA_ANG_XX frame 30, 1001_DFA_HAP_XX frame 0). */
    static RgbFrame committedFrame(int i) {
        byte[] all = FaceApiFixtures.resource(FaceApiFixtures.DIR + "frames-2.rgb.gz");
        return new RgbFrame(W, H, Arrays.copyOfRange(all, i * W * H * 3, (i + 1) * W * H * 3), 0);
    }

    static RgbFrame uniform(int w, int h, int value) {
        byte[] rgb = new byte[w * h * 3];
        Arrays.fill(rgb, (byte) value);
        return new RgbFrame(w, h, rgb, 0);
    }

    @Test
    void findsTheFaceOfACremaFrame() {
        List<FaceBox> faces = TinyFaceDetector.builtIn().detect(committedFrame(1), 416, 0.5);
        assertEquals(1, faces.size());
        FaceBox f = faces.get(0);
        assertTrue(f.score() > 0.8 && f.x() > 100 && f.right() < 330 && f.y() > 50 && f.bottom() < 280, f.toString());
    }

    @Test
    void aGreyOrBlackFrameHasNoFace() {
        TinyFaceDetector d = TinyFaceDetector.builtIn();
        for (int size : new int[] {224, 320, 416}) {
            assertEquals(List.of(), d.detect(uniform(W, H, 128), size, 0.5), "grey at " + size);
            assertEquals(List.of(), d.detect(uniform(W, H, 0), size, 0.5), "black at " + size);
        }
    }

    /**
     * A portrait frame (padded on the right instead of below) holding the same face: the correction for
     * the padding puts the box back on it.
     */
    @Test
    void portraitFramesAreCorrectedForTheirPadding() {
        RgbFrame land = committedFrame(1);
        int pw = 360, ph = 480, shift = 60;
        byte[] rgb = new byte[pw * ph * 3];
        for (int y = 0; y < H; y++) System.arraycopy(land.rgb(), (y * W + shift) * 3, rgb, y * pw * 3, pw * 3);
        RgbFrame portrait = new RgbFrame(pw, ph, rgb, 0);
        TinyFaceDetector d = TinyFaceDetector.builtIn();
        FaceBox a = d.detect(land, 416, 0.5).get(0);
        FaceBox b = d.detect(portrait, 416, 0.5).get(0);
        FaceBox moved = new FaceBox(b.x() + shift, b.y(), b.width(), b.height(), b.score());
        // the content around the face differs (other padding), so the boxes differ a little; a wrong
        // correction factor would move the centre by a third of its coordinate
        double dx = (a.x() + a.width() / 2) - (moved.x() + moved.width() / 2), dy = (a.y() + a.height() / 2) - (moved.y() + moved.height() / 2);
        assertTrue(Math.hypot(dx, dy) < 6 && a.iou(moved) > 0.7, a + " vs " + moved);
    }

    @Test
    void nonMaxSuppressionKeepsTheBestOfEachOverlap() {
        List<FaceBox> boxes = List.of(
                new FaceBox(0, 0, 10, 10, 0.6),
                new FaceBox(1, 1, 10, 10, 0.9), // overlaps the first by IoU 0.68
                new FaceBox(50, 50, 10, 10, 0.7),
                new FaceBox(52, 50, 10, 10, 0.7)); // same score as the one before: the later index goes first
        assertEquals(List.of(1, 3), TinyFaceDetector.nonMaxSuppression(boxes, 0.4));
    }

    @Test
    void inputSizeAndThresholdAreChecked() {
        TinyFaceDetector d = TinyFaceDetector.builtIn();
        assertThrows(IllegalArgumentException.class, () -> d.detect(uniform(64, 64, 0), 100, 0.5));
        assertThrows(IllegalArgumentException.class, () -> d.detect(uniform(64, 64, 0), 416, 1.0));
    }

    /** The scratch grows and shrinks between sizes without changing the answers. */
    @Test
    void scratchIsReusableAcrossSizes() {
        TinyFaceDetector d = TinyFaceDetector.builtIn();
        TinyFaceDetector.Scratch s = new TinyFaceDetector.Scratch();
        RgbFrame f = committedFrame(0);
        List<FaceBox> at416 = d.detect(f, 416, 0.5, s);
        d.detect(f, 224, 0.5, s);
        d.detect(f, 608, 0.5, s);
        assertEquals(at416, d.detect(f, 416, 0.5, s));
        assertEquals(at416, d.detect(f, 416, 0.5));
    }
}
