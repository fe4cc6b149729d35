package dev.vavl4j.media;

import dev.vavl4j.data.Features;

/**
 * Audio to a feature matrix (frames × dim). Implementations are safe to call from several threads at once.
 */
public interface AudioFrontEnd extends AutoCloseable {
    FrontEndInfo info();

    /** Features of {@code audio} (any sample rate: the front end resamples to the rate it needs). */
    Features extract(PcmAudio audio);

    /** Releases native resources (an ONNX session); the built-in front ends hold none. */
    @Override
    default void close() {}
}
