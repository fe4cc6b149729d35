package dev.vavl4j.train;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.function.Function;

/** The Jackson plumbing the train package shares; its public types speak JSON text or maps only. */
final class JsonTrees {
    static final ObjectMapper JSON = dev.vavl4j.io.JsonFiles.strictMapper(ObjectMapper.class);

    private JsonTrees() {}

    /**
     * Parses {@code json} (exactly one JSON value). A syntax error is one line, {@code source: not valid JSON (...)},
     * in {@code error}'s exception type; null or blank text gives null.
     */
    static JsonNode parse(String json, String source, Function<String, ? extends RuntimeException> error) {
        if (json == null || json.isBlank()) return null;
        try {
            return JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw error.apply(source + ": not valid JSON (" + dev.vavl4j.io.JsonFiles.describe(e) + ")");
        }
    }

    /** Compact text of a tree, keys in insertion order. */
    static String write(JsonNode node) {
        try {
            return JSON.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);   // a tree of numbers and strings always serializes
        }
    }

    /** A fresh object holding {@code keys} (null: none), each value converted as Jackson converts a Java value. */
    static ObjectNode object(Map<String, Object> keys) {
        ObjectNode o = JSON.createObjectNode();
        if (keys != null) keys.forEach((k, v) -> o.set(k, JSON.valueToTree(v)));
        return o;
    }
}
