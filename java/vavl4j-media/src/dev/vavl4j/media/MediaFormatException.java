package dev.vavl4j.media;

import dev.vavl4j.InvalidInputException;

/** A media file that cannot be decoded: truncated, corrupt, an unsupported encoding, no usable stream. */
public class MediaFormatException extends InvalidInputException {
    public MediaFormatException(String message) {
        super(message);
    }

    public MediaFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
