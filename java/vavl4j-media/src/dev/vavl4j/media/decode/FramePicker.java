package dev.vavl4j.media.decode;

import dev.vavl4j.media.MediaFormatException;
import dev.vavl4j.media.RgbFrame;
import java.util.function.Consumer;

/**
 * Turns decoded frames, offered in presentation order, into the frames handed out. With {@code fps ≤ 0}
 * every frame goes out as it comes. With {@code fps > 0} there are ticks {@code t_k = t_0 + k / fps}
 * (k = 0, 1, ...; {@code t_0} the first frame's time) up to and including the last frame's time, and each
 * tick gets the decoded frame whose time is nearest to it (ties go to the earlier frame). A frame may thus
 * go out several times (fps above the stream's rate) or never (below it); each goes out with its own
 * presentation time, so repeats are visible. The pick needs only the previous and the current frame, so
 * decoding stays sequential and nothing is ever sought.
 *
 * <p>Pure Java (no FFmpeg), so the rule can be tested on its own.
 */
final class FramePicker {
    /** A gap above this between two frames is a broken timestamp, not a still picture. */
    static final double MAX_GAP_SECONDS = 3600;

    private final String file;
    private final double fps;
    private final Consumer<RgbFrame> out;
    private RgbFrame prev;
    private double t0;
    private long k;
    private int emitted;

    FramePicker(String file, double fps, Consumer<RgbFrame> out) {
        if (Double.isNaN(fps) || Double.isInfinite(fps)) throw new IllegalArgumentException("fps must be finite, got " + fps);
        this.file = file;
        this.fps = fps;
        this.out = out;
    }

    /** Offers the next decoded frame; its time must not be below the previous one's (callers clamp). */
    void offer(RgbFrame frame) {
        if (fps <= 0) {
            emit(frame);
            return;
        }
        double t = frame.timeSeconds();
        if (prev == null) {
            t0 = t;
        } else if (t - prev.timeSeconds() > MAX_GAP_SECONDS) {
            throw new MediaFormatException(file + ": video timestamps jump from " + prev.timeSeconds() + " s to " + t + " s");
        }
        for (double tick = tick(k); tick <= t; tick = tick(++k)) {
            boolean earlier = prev != null && tick - prev.timeSeconds() <= t - tick;
            emit(earlier ? prev : frame);
        }
        prev = frame;
    }

    int emitted() {
        return emitted;
    }

    private double tick(long i) {
        return t0 + i / fps; // not accumulated: no drift over long clips
    }

    private void emit(RgbFrame f) {
        out.accept(f);
        emitted++;
    }
}
