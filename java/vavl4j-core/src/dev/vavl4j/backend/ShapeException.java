package dev.vavl4j.backend;

/**
 * A backend op called against its contract: tensors or masks of the wrong shape or of another backend, an
 * output of the wrong size, a parameter outside what the op defines. Layers and the trainer build every
 * op call from shapes they have already validated, so this is always a bug in vavl4j, never bad input:
 * user input that is wrong is reported as a {@link dev.vavl4j.VavlException} before any op runs, and the
 * CLI reports a {@code ShapeException} as an internal error (exit 3), not as a usage error.
 *
 * <p>Both backends throw it from the same checks ({@link OpChecks}), with the same message, before
 * anything runs (on a GPU a wrong shape would otherwise corrupt memory). It extends
 * {@link IllegalArgumentException}, which backend ops threw for this before it existed, so callers that
 * catch that still do.
 */
public class ShapeException extends IllegalArgumentException {
    public ShapeException(String message) {
        super(message);
    }
}
