package dev.vavl4j.media;

import dev.vavl4j.data.Features;

/**
 * Video frames to a feature matrix (one row per frame used). Frames of one clip go through one {@link Clip}
 * in presentation order; several clips may be open at once on different threads.
 */
public interface VisualFrontEnd extends AutoCloseable {
    FrontEndInfo info();

    /** Starts a clip; {@code name} is used only in messages. */
    Clip startClip(String name);

    interface Clip {
        void accept(RgbFrame frame);

        /** The clip's features, or {@link VisualResult#features()} null when it has no visual modality (no face in any frame). */
        VisualResult finish();
    }

    /**
     * @param features       frames × dim, or null when no frame gave a feature
     * @param framesSeen     frames handed to the clip
     * @param framesDetected frames where the detector itself found the face (the others reused the last box)
     */
    record VisualResult(Features features, int framesSeen, int framesDetected) {}

    @Override
    default void close() {}
}
