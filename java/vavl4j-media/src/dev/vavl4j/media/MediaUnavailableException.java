package dev.vavl4j.media;

import dev.vavl4j.VavlException;

/**
 * A media file or extractor that needs an optional dependency this class path lacks (FFmpeg for anything
 * but WAV, ONNX Runtime for {@code onnx:FILE}); the message says which artifact to add.
 */
public class MediaUnavailableException extends VavlException {
    public MediaUnavailableException(String message) {
        super(message);
    }
}
