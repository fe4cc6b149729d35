package dev.vavl4j;

/**
 * The root of every exception vavl4j throws for a reason its caller can act on. The subclasses say whose
 * problem it is:
 * <ul>
 * <li>{@link InvalidInputException}: a file, feature matrix, manifest or request that is malformed or
 *     inconsistent ({@link dev.vavl4j.io.FormatException}, {@link dev.vavl4j.data.DataException},
 *     {@link CheckpointException});</li>
 * <li>{@link dev.vavl4j.ConfigException}: a configuration key with a bad or impossible value;</li>
 * <li>{@link DeviceException}: a GPU that cannot be opened or failed, a native library that cannot be used;</li>
 * <li>{@link dev.vavl4j.train.TrainingDivergedException}: training produced a non-finite loss.</li>
 * </ul>
 * The message is one line that names the file, field or value. A bug inside vavl4j (for example an op
 * handed tensors of the wrong shape by a layer) is not a {@code VavlException}: it surfaces as an
 * {@link IllegalArgumentException} or {@link IllegalStateException}, so it is never mistaken for bad input.
 */
public class VavlException extends RuntimeException {
    public VavlException(String message) {
        super(message);
    }

    public VavlException(String message, Throwable cause) {
        super(message, cause);
    }
}
