package dev.vavl4j.data;

/**
 * Bad input data (a manifest, a feature file, a label). The message names the file and, where it applies,
 * the row, column, field and offending value; the CLI prints it as one line without a stack trace.
 */
public class DataException extends dev.vavl4j.InvalidInputException {
    public DataException(String message) {
        super(message);
    }

    public DataException(String message, Throwable cause) {
        super(message, cause);
    }
}
