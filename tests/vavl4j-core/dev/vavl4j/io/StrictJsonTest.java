package dev.vavl4j.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vavl4j.CheckpointException;
import dev.vavl4j.ConfigException;
import dev.vavl4j.VavlException;
import dev.vavl4j.data.DataException;
import dev.vavl4j.data.LabelCodec;
import dev.vavl4j.model.VavlConfig;
import dev.vavl4j.train.TrainingState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every JSON reader of vavl4j takes its mapper from {@link JsonFiles#strictMapper}, so each refuses a key
 * given twice (Jackson keeps the last one silently by default), nesting beyond {@link JsonFiles#MAX_NESTING}
 * and absurdly long numbers, always as the reader's documented exception with a one-line message.
 */
class StrictJsonTest {
    @TempDir
    Path dir;

    /** Main code under java/ (tests run in the repository root); only JsonFiles may make a mapper itself. */
    @Test
    void everyMapperInCoreAndCliComesFromStrictMapper() throws IOException {
        Pattern made = Pattern.compile("new\\s+(ObjectMapper|JsonMapper|JsonFactory|MappingJsonFactory|JsonFactoryBuilder)\\b"
                + "|JsonMapper\\s*\\.\\s*builder|\\bnew\\s+ObjectReader\\b");
        Path root = Path.of("java");
        assertTrue(Files.isDirectory(root.resolve("vavl4j-core/src")), "run from the repository root: " + root.toAbsolutePath());
        List<String> offenders = new ArrayList<>();
        int files = 0;
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.filter(x -> x.toString().endsWith(".java")).toList()) {
                files++;
                if (p.endsWith(Path.of("dev/vavl4j/io/JsonFiles.java"))) continue;
                List<String> lines = Files.readAllLines(p);
                for (int i = 0; i < lines.size(); i++) {
                    if (made.matcher(lines.get(i)).find()) offenders.add(p + ":" + (i + 1) + ": " + lines.get(i).strip());
                }
            }
        }
        assertTrue(files > 100, "only " + files + " sources seen");
        if (!offenders.isEmpty()) fail("make JSON mappers with JsonFiles.strictMapper(ObjectMapper.class):\n  " + String.join("\n  ", offenders));
    }

    @Test
    void theStrictMapperRefusesDuplicatesTrailingTokensDeepNestingAndLongNumbers() {
        ObjectMapper m = JsonFiles.strictMapper(ObjectMapper.class);
        assertThrows(IOException.class, () -> m.readTree("{\"a\":1,\"a\":2}"));
        assertThrows(IOException.class, () -> m.readTree("{\"o\":{\"b\":1,\"b\":1}}"));
        assertThrows(IOException.class, () -> m.readTree("{} {}"));
        assertThrows(IOException.class, () -> m.readTree("[".repeat(JsonFiles.MAX_NESTING + 1) + "]".repeat(JsonFiles.MAX_NESTING + 1)));
        assertThrows(IOException.class, () -> m.readTree("[" + "1".repeat(JsonFiles.MAX_NUMBER_LENGTH + 1) + "]"));
        assertThrows(IOException.class, () -> m.readTree("[".repeat(1_000_000)));
        assertThrows(IllegalArgumentException.class, () -> JsonFiles.strictMapper(String.class));
    }

    private static <E extends VavlException> void refusesDuplicate(Class<E> type, Function<String, Object> reader, String json) {
        E e = assertThrows(type, () -> reader.apply(json), "accepted: " + json);
        assertTrue(e.getMessage().contains("Duplicate field"), e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
    }

    @Test
    void configJsonRefusesADuplicateKey() {
        refusesDuplicate(ConfigException.class, j -> VavlConfig.fromJson(j, "c.json"), "{\"heads\": 8, \"heads\": 4}");
    }

    @Test
    void labelCodecRefusesADuplicateKey() {
        refusesDuplicate(DataException.class, j -> LabelCodec.fromJson(j, "labels"),
                "{\"task\":\"classification\",\"columns\":[\"a\",\"b\"],\"columns\":[\"a\",\"b\",\"c\"]}");
    }

    @Test
    void trainingStateRefusesADuplicateKey() {
        refusesDuplicate(CheckpointException.class, j -> TrainingState.fromJson(j, "training"), "{\"epochs_done\":1,\"epochs_done\":2}");
    }

    @Test
    void readObjectTextRefusesADuplicateKeyNamingTheFile() throws IOException {
        Path f = Files.writeString(dir.resolve("checkpoint.json"), "{\"format\":\"x\",\n\"format\":\"y\"}");
        ConfigException e = assertThrows(ConfigException.class, () -> JsonFiles.readObjectText(f, ConfigException::new));
        assertTrue(e.getMessage().startsWith(f + ": not valid JSON (Duplicate field 'format'"), e.getMessage());
        assertThrows(ConfigException.class, () -> VavlConfig.load(f));
    }

    @Test
    void readObjectTextRefusesAHugeFileBeforeReadingIt() throws IOException {
        Path f = dir.resolve("huge.json");
        try (var ch = java.nio.channels.FileChannel.open(f, java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(new byte[] {'{'}), JsonFiles.MAX_FILE);   // sparse: no disk used
        }
        ConfigException e = assertThrows(ConfigException.class, () -> JsonFiles.readObjectText(f, ConfigException::new));
        assertTrue(e.getMessage().contains("too large"), e.getMessage());
    }

    @Test
    void readObjectTextNamesTheFileForOtherFailures() throws IOException {
        Path notUtf8 = Files.write(dir.resolve("latin.json"), new byte[] {'{', '"', (byte) 0xE9, '"', ':', '1', '}'});
        assertTrue(assertThrows(ConfigException.class, () -> JsonFiles.readObjectText(notUtf8, ConfigException::new))
                .getMessage().startsWith(notUtf8 + ": not a UTF-8 text file"));
        assertTrue(assertThrows(ConfigException.class, () -> JsonFiles.readObjectText(dir, ConfigException::new))
                .getMessage().startsWith(dir + ": cannot read"));
        Path deep = Files.writeString(dir.resolve("deep.json"), "{\"a\":" + "[".repeat(100_000) + "]".repeat(100_000) + "}");
        assertTrue(assertThrows(ConfigException.class, () -> JsonFiles.readObjectText(deep, ConfigException::new))
                .getMessage().startsWith(deep + ": not valid JSON"));
    }
}
