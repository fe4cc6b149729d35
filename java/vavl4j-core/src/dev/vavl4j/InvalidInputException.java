package dev.vavl4j;

/** Input that vavl4j cannot use: a malformed or inconsistent file, feature matrix, manifest or request. */
public class InvalidInputException extends VavlException {
    public InvalidInputException(String message) {
        super(message);
    }

    public InvalidInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
