package dev.vavl4j;

/**
 * A checkpoint or run directory that is missing, incomplete, tampered with or does not fit the request
 * (for example resuming a run whose configuration differs, or an inference-only export).
 */
public class CheckpointException extends InvalidInputException {
    public CheckpointException(String message) {
        super(message);
    }

    public CheckpointException(String message, Throwable cause) {
        super(message, cause);
    }
}
