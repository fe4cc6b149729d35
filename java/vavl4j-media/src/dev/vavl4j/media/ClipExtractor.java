package dev.vavl4j.media;

import dev.vavl4j.data.Features;
import dev.vavl4j.media.decode.DecodedMedia;
import dev.vavl4j.media.decode.MediaReaders;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Decodes one media file once and runs the audio and visual front ends on it: the audio stream (mixed to
 * mono) through the audio front end, the video frames (every frame, or {@code fps} a second) through the
 * visual one as they are decoded, so a long video is never held in memory. Thread-safe when its front ends
 * are (the built-in ones are).
 */
public final class ClipExtractor {
    private final AudioFrontEnd audio;
    private final VisualFrontEnd visual;
    private final double fps;

    /**
     * @param audio  the audio front end, or null for no audio features
     * @param visual the visual front end, or null for no visual features
     * @param fps    video frames per second to use, or ≤ 0 for the video's own rate
     */
    public ClipExtractor(AudioFrontEnd audio, VisualFrontEnd visual, double fps) {
        if (audio == null && visual == null) throw new IllegalArgumentException("no front end: nothing to extract");
        if (!(fps <= 0 || (fps >= 0.1 && fps <= 1000))) throw new IllegalArgumentException("fps must be in [0.1, 1000] or ≤ 0, got " + fps);
        this.audio = audio;
        this.visual = visual;
        this.fps = fps;
    }

    /** The audio front end's info, or null. */
    public FrontEndInfo audioInfo() {
        return audio == null ? null : audio.info();
    }

    /** The visual front end's info with the frame rate it is fed at ({@code fps}: {@code native} or the number), or null. */
    public FrontEndInfo visualInfo() {
        if (visual == null) return null;
        Map<String, String> s = new LinkedHashMap<>(visual.info().settings());
        s.put("fps", fps <= 0 ? "native" : fpsText(fps));
        return new FrontEndInfo(visual.info().name(), s);
    }

    static String fpsText(double fps) {
        return fps == Math.rint(fps) ? Long.toString((long) fps) : Double.toString(fps);
    }

    /**
     * Features of {@code file}; {@code name} is used in messages.
     *
     * @throws MediaFormatException      when the file cannot be decoded
     * @throws MediaUnavailableException when it needs FFmpeg and FFmpeg is not on the class path
     */
    public ClipFeatures extract(Path file, String name) {
        VisualFrontEnd.Clip clip = visual == null ? null : visual.startClip(name);
        DecodedMedia m = MediaReaders.read(file, audio != null, clip == null ? null : clip::accept, fps);
        Features a = null;
        if (audio != null && m.audio() != null) {
            a = audio.extract(m.audio());
            if (a.frames() == 0) a = null;
        }
        Features v = null;
        int seen = 0, detected = 0;
        if (clip != null) {
            VisualFrontEnd.VisualResult r = clip.finish();
            v = r.features() != null && r.features().frames() > 0 ? r.features() : null;
            seen = r.framesSeen();
            detected = r.framesDetected();
        }
        return new ClipFeatures(a, v, m.audio() != null, m.hasVideo(), seen, detected);
    }
}
