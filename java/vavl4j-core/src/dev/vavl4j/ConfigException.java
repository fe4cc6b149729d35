package dev.vavl4j;

/** An invalid configuration; the message names the key and the offending value. */
public class ConfigException extends VavlException {
    public ConfigException(String message) {
        super(message);
    }
}
