package dev.vavl4j.io;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.function.Function;

/** Reads a JSON file that must hold one object; every failure is one line naming the file. */
public final class JsonFiles {
    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private JsonFiles() {}

    /** {@code error} turns a message (starting with the file) into the caller's exception type. */
    public static ObjectNode readObject(Path file, Function<String, ? extends RuntimeException> error) {
        JsonNode node;
        try {
            node = JSON.readTree(Files.readString(file));
        } catch (NoSuchFileException e) {
            throw error.apply(file + ": file not found");
        } catch (IOException e) {
            throw error.apply(file + ": not valid JSON (" + e.getMessage().lines().findFirst().orElse("") + ")");
        }
        if (node == null || !node.isObject()) throw error.apply(file + ": expected a JSON object");
        return (ObjectNode) node;
    }
}
