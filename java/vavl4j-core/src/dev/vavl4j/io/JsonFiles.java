package dev.vavl4j.io;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.function.Function;

/**
 * Reads a JSON file that must hold one object; every failure is one line naming the file. The file comes
 * back as text (the values' own {@code fromJson(String, String)} parse and validate it), so the public API
 * does not tie callers to a JSON library.
 */
public final class JsonFiles {
    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private JsonFiles() {}

    /**
     * The text of {@code file}, checked to be exactly one JSON object (nothing after it). {@code error} turns a
     * message (starting with the file) into the caller's exception type: file not found, not valid JSON, not
     * an object.
     */
    public static String readObjectText(Path file, Function<String, ? extends RuntimeException> error) {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw error.apply(file + ": file not found");
        } catch (IOException e) {
            throw error.apply(file + ": not valid JSON (" + firstLine(e) + ")");
        }
        JsonNode node;
        try {
            node = JSON.readTree(text);
        } catch (IOException e) {
            throw error.apply(file + ": not valid JSON (" + firstLine(e) + ")");
        }
        if (node == null || !node.isObject()) throw error.apply(file + ": expected a JSON object");
        return text;
    }

    private static String firstLine(Exception e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst().orElse("");
    }
}
