package dev.vavl4j.media;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vavl4j.InvalidInputException;
import dev.vavl4j.data.Corpus;
import dev.vavl4j.io.AtomicFiles;
import dev.vavl4j.io.JsonFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What made a features directory: {@code FEATURES/frontend.json} ({@link Corpus#FRONT_END_RECORD}), written by
 * the features job, copied by training into the checkpoint, read back by {@link MediaPredictor}.
 * <pre>{@code
 * {"format": "vavl4j-frontend", "format_version": 1,
 *  "audio":  {"spec": "fbank",    "name": "fbank",    "settings": {"num_mel_bins": "80", ...}},
 *  "visual": {"spec": "faceexpr", "name": "faceexpr", "settings": {"fps": "native", ...}}}
 * }</pre>
 * A modality the features do not have is absent (or null). {@code spec} is how to build the front end again
 * ({@link FrontEndSpec}: an ONNX model by the absolute path it had); {@code name} and {@code settings} are its
 * {@link FrontEndInfo}, which decides whether two feature sets are interchangeable (an ONNX model is identified
 * by its SHA-256 there, not by its path).
 */
public record FrontEndRecord(Entry audio, Entry visual) {
    public static final String FORMAT = "vavl4j-frontend";
    public static final int FORMAT_VERSION = 1;
    private static final ObjectMapper JSON = JsonFiles.strictMapper(ObjectMapper.class).enable(SerializationFeature.INDENT_OUTPUT);

    /** One modality's front end: how to rebuild it and what it is. */
    public record Entry(FrontEndSpec spec, FrontEndInfo info) {}

    /** The record of features directory {@code dir}, or null when it has none. */
    public static FrontEndRecord read(Path dir) {
        Path file = dir.resolve(Corpus.FRONT_END_RECORD);
        if (!Files.exists(file)) return null;
        return fromJson(JsonFiles.readObjectText(file, InvalidInputException::new), file.toString());
    }

    /** Writes {@code dir/frontend.json} atomically. */
    public void write(Path dir) throws IOException {
        byte[] bytes = toJson().getBytes(StandardCharsets.UTF_8);
        AtomicFiles.write(dir.resolve(Corpus.FRONT_END_RECORD), out -> out.write(bytes));
    }

    public String toJson() {
        ObjectNode o = JSON.createObjectNode();
        o.put("format", FORMAT);
        o.put("format_version", FORMAT_VERSION);
        if (audio != null) o.set("audio", entry(audio));
        if (visual != null) o.set("visual", entry(visual));
        try {
            return JSON.writeValueAsString(o) + "\n";
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);   // strings only: always serialises
        }
    }

    private static ObjectNode entry(Entry e) {
        ObjectNode n = JSON.createObjectNode();
        n.put("spec", e.spec().toString());
        n.put("name", e.info().name());
        ObjectNode s = n.putObject("settings");
        e.info().settings().forEach(s::put);
        return n;
    }

    /** Parses a record; errors are one line naming {@code source} and the field. */
    public static FrontEndRecord fromJson(String json, String source) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new InvalidInputException(source + ": not valid JSON (" + JsonFiles.describe(e) + ")");
        }
        if (root == null || !root.isObject()) throw new InvalidInputException(source + ": a front-end record must be a JSON object");
        if (!FORMAT.equals(root.path("format").asText()) || root.path("format_version").asInt(-1) != FORMAT_VERSION) {
            throw new InvalidInputException(source + ": not a vavl4j front-end record (format " + root.get("format")
                    + ", format_version " + root.get("format_version") + "; expected " + FORMAT + " " + FORMAT_VERSION + ")");
        }
        for (var it = root.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!Map.of("format", 0, "format_version", 0, "audio", 0, "visual", 0).containsKey(k)) {
                throw new InvalidInputException(source + ": unknown field '" + k + "' (known: format, format_version, audio, visual)");
            }
        }
        return new FrontEndRecord(entry(root.get("audio"), source, "audio"), entry(root.get("visual"), source, "visual"));
    }

    private static Entry entry(JsonNode n, String source, String field) {
        if (n == null || n.isNull()) return null;
        if (!n.isObject() || !n.path("spec").isTextual() || !n.path("name").isTextual() || !n.path("settings").isObject()) {
            throw new InvalidInputException(source + ": field '" + field + "' must be {\"spec\": text, \"name\": text, \"settings\": {key: text}}");
        }
        FrontEndSpec spec = field.equals("audio") ? FrontEndSpec.parseAudio(n.get("spec").asText(), source + " field 'audio.spec'")
                : FrontEndSpec.parseVisual(n.get("spec").asText(), source + " field 'visual.spec'");
        Map<String, String> settings = new LinkedHashMap<>();
        for (var it = n.get("settings").properties().iterator(); it.hasNext(); ) {
            var e = it.next();
            if (!e.getValue().isTextual()) {
                throw new InvalidInputException(source + ": field '" + field + ".settings." + e.getKey() + "' must be text, got " + e.getValue());
            }
            settings.put(e.getKey(), e.getValue().asText());
        }
        return new Entry(spec, new FrontEndInfo(n.get("name").asText(), settings));
    }
}
