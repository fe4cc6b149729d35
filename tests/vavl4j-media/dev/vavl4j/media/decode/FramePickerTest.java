package dev.vavl4j.media.decode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.vavl4j.media.MediaFormatException;
import dev.vavl4j.media.RgbFrame;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The frame pick rule on synthetic timestamps (no FFmpeg). */
class FramePickerTest {
    private static List<Double> pick(double fps, double... times) {
        List<Double> out = new ArrayList<>();
        FramePicker p = new FramePicker("x.mp4", fps, f -> out.add(f.timeSeconds()));
        for (double t : times) p.offer(new RgbFrame(1, 1, new byte[3], t));
        assertEquals(out.size(), p.emitted());
        return out;
    }

    private static double[] uniform(int n, double start, double fps) {
        double[] t = new double[n];
        for (int i = 0; i < n; i++) t[i] = start + i / fps;
        return t;
    }

    @Test
    void everyFrameWhenFpsIsNotPositive() {
        assertEquals(List.of(0.1, 0.2, 0.3), pick(0, 0.1, 0.2, 0.3));
        assertEquals(List.of(0.1, 0.2, 0.3), pick(-5, 0.1, 0.2, 0.3));
    }

    @Test
    void thirtyToTenTakesEveryThirdFrame() {
        double[] t = uniform(30, 0.027, 30);
        List<Double> got = pick(10, t);
        assertEquals(10, got.size());
        for (int k = 0; k < 10; k++) assertEquals(t[3 * k], got.get(k), 1e-12);
    }

    @Test
    void ticksRunFromTheFirstFrameUpToTheLast() {
        // frames at 0.5 .. 1.4 (10 fps), picked at 4 fps: ticks 0.5, 0.75, 1.0, 1.25 (1.5 is past the last frame)
        List<Double> got = pick(4, uniform(10, 0.5, 10));
        assertEquals(4, got.size());
        assertEquals(0.5, got.get(0), 1e-12);
        assertEquals(0.7, got.get(1), 1e-12); // 0.75: 0.7 and 0.8 are equally near, the earlier wins
        assertEquals(1.0, got.get(2), 1e-12);
        assertEquals(1.2, got.get(3), 1e-12); // 1.25: tie again
    }

    @Test
    void aboveTheStreamRateFramesRepeat() {
        List<Double> got = pick(4, 0.0, 1.0);
        assertEquals(List.of(0.0, 0.0, 0.0, 1.0, 1.0), got); // ticks 0, .25, .5 (tie: earlier), .75, 1
    }

    @Test
    void irregularTimesGetTheNearestFrame() {
        List<Double> got = pick(10, 0.0, 0.04, 0.26, 0.31);
        // ticks 0 → 0.0, 0.1 → 0.04, 0.2 → 0.26, 0.3 → 0.31
        assertEquals(List.of(0.0, 0.04, 0.26, 0.31), got);
    }

    @Test
    void absurdTimestampJumpIsAFormatErrorNotAHang() {
        MediaFormatException e = assertThrows(MediaFormatException.class, () -> pick(10, 0.0, 1e9));
        assertEquals(true, e.getMessage().startsWith("x.mp4: video timestamps jump"), e.getMessage());
    }

    @Test
    void nonFiniteFpsIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new FramePicker("x", Double.NaN, f -> {}));
    }
}
