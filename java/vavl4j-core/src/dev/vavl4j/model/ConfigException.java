package dev.vavl4j.model;

/** An invalid configuration; the message names the key and the offending value. */
public class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }
}
