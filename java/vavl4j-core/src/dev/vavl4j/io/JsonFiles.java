package dev.vavl4j.io;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.MalformedInputException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.function.Function;

/**
 * Reads a JSON file that must hold one object; every failure is one line naming the file. The file comes
 * back as text (the values' own {@code fromJson(String, String)} parse and validate it), so the public API
 * does not tie callers to a JSON library.
 *
 * <p>Every JSON reader in vavl4j (core and CLI) gets its Jackson mapper from {@link #strictMapper(Class)}, so
 * all of them refuse the same things: an object with a key twice (Jackson would otherwise keep the last
 * one silently), anything after the first value, nesting deeper than {@link #MAX_NESTING} levels, and numbers
 * longer than {@link #MAX_NUMBER_LENGTH} characters. Jackson's tree reader is iterative, so a deeply nested
 * file is an error, not a {@code StackOverflowError}.
 */
public final class JsonFiles {
    /** Deepest nesting of arrays and objects any vavl4j JSON file needs is 3 or 4; 64 leaves room for metadata. */
    public static final int MAX_NESTING = 64;
    /** A float64 needs at most 24 characters; a longer number is corrupt (and slow to parse as BigDecimal). */
    public static final int MAX_NUMBER_LENGTH = 100;
    /** config.json and checkpoint.json are a few kilobytes; a larger file is refused before it is read. */
    public static final long MAX_FILE = 16L << 20;

    private static final ObjectMapper JSON = strictMapper(ObjectMapper.class);

    private JsonFiles() {}

    /**
     * A new Jackson {@code ObjectMapper}, configured as every vavl4j JSON reader must be (see the class
     * comment); the caller may configure it further (e.g. indented output). {@code type} must be
     * {@code ObjectMapper.class}: the class token keeps Jackson out of this public signature, since vavl4j's
     * public API must not tie embedders to its JSON library.
     */
    public static <M> M strictMapper(Class<M> type) {
        if (type != ObjectMapper.class) throw new IllegalArgumentException("strictMapper makes an ObjectMapper, not a " + type.getName());
        ObjectMapper m = new ObjectMapper()
                .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        m.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(MAX_NESTING)
                .maxNumberLength(MAX_NUMBER_LENGTH)
                .build());
        return type.cast(m);
    }

    /**
     * The text of {@code file}, checked to be exactly one JSON object (nothing after it, no key twice, see
     * the class comment). {@code error} turns a message (starting with the file) into the caller's exception
     * type: file not found, unreadable, larger than {@link #MAX_FILE}, not UTF-8, not valid JSON, not an object.
     */
    public static String readObjectText(Path file, Function<String, ? extends RuntimeException> error) {
        String text;
        try {
            long size;
            try (FileChannel ch = FileChannel.open(file)) {
                size = ch.size();
            }
            if (size > MAX_FILE) throw error.apply(file + ": " + size + " bytes is too large for a JSON file (at most " + MAX_FILE + ")");
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw error.apply(file + ": file not found");
        } catch (MalformedInputException e) {
            throw error.apply(file + ": not a UTF-8 text file");
        } catch (IOException e) {
            throw error.apply(file + ": cannot read (" + firstLine(e) + ")");
        }
        if (text.length() > MAX_FILE) throw error.apply(file + ": too large for a JSON file (at most " + MAX_FILE + " bytes)");
        JsonNode node;
        try {
            node = JSON.readTree(text);
        } catch (IOException e) {
            throw error.apply(file + ": not valid JSON (" + firstLine(e) + ")");
        }
        if (node == null || !node.isObject()) throw error.apply(file + ": expected a JSON object");
        return text;
    }

    /**
     * {@code s} for a one-line message: control characters (and Unicode line separators) escaped as
     * a backslash, 'u' and four hex digits, cut to about 60 characters. A key or value read from a file may hold anything; the
     * message naming it must stay one readable line.
     */
    public static String abbreviated(String s) {
        StringBuilder sb = new StringBuilder();
        int i = 0;
        for (; i < s.length() && sb.length() < 57; i++) {
            char c = s.charAt(i);
            if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') sb.append(String.format("\\u%04x", (int) c));
            else sb.append(c);
        }
        return i < s.length() ? sb + "..." : sb.toString();
    }

    /**
     * What a JSON reader's exception says, for a one-line message: the first line of its message without
     * the source excerpt Jackson adds, control characters escaped (Jackson quotes the offending token
     * verbatim, NUL bytes and all) and at most about 200 characters. The parameter is a plain
     * {@code Exception} so that callers outside io need not name Jackson types in a signature.
     */
    public static String describe(Exception e) {
        String m = e instanceof com.fasterxml.jackson.core.JacksonException j && j.getOriginalMessage() != null
                ? j.getOriginalMessage() : e.getMessage();
        if (m == null) return e.getClass().getSimpleName();
        String first = m.lines().findFirst().orElse("");
        StringBuilder sb = new StringBuilder();
        int i = 0;
        for (; i < first.length() && sb.length() < 200; i++) {
            char c = first.charAt(i);
            if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') sb.append(String.format("\\u%04x", (int) c));
            else sb.append(c);
        }
        return i < first.length() ? sb + "…" : sb.toString();
    }

    static String firstLine(Exception e) {
        return describe(e);
    }
}
