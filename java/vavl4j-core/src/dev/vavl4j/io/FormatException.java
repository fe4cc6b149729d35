package dev.vavl4j.io;

/** A file that is not what it should be; the message names the file and what is wrong with it. */
public class FormatException extends dev.vavl4j.InvalidInputException {
    public FormatException(String message) {
        super(message);
    }

    public FormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
