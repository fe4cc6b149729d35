package dev.vavl4j.cli;

import dev.vavl4j.InvalidInputException;

/**
 * A command line that cannot be carried out as given: options that contradict each other or miss a partner
 * (checks picocli's annotations cannot express), or an output path that cannot be used. Being an
 * {@link InvalidInputException}, it ends the command as a user error: its message as one line, exit 2.
 */
final class UsageException extends InvalidInputException {
    UsageException(String message) {
        super(message);
    }
}
