package dev.vavl4j.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vavl4j.InvalidInputException;
import dev.vavl4j.data.Corpus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** frontend.json round trips, and each malformed record or front-end name is one error naming the field. */
class FrontEndRecordTest {
    private static final FrontEndRecord RECORD = new FrontEndRecord(
            new FrontEndRecord.Entry(FrontEndSpec.FBANK, new FrontEndInfo("fbank", Map.of("num_mel_bins", "80", "dither", "0"))),
            new FrontEndRecord.Entry(new FrontEndSpec(FrontEndSpec.Kind.ONNX, Path.of("/models/effnet.onnx")),
                    new FrontEndInfo("onnx", Map.of("sha256", "ab12", "fps", "native"))));

    @Test
    void roundTripsThroughTheFeaturesFolder(@TempDir Path dir) throws Exception {
        RECORD.write(dir);
        assertEquals(RECORD, FrontEndRecord.read(dir));
        assertEquals(RECORD, FrontEndRecord.fromJson(RECORD.toJson(), "x"));
        assertNull(FrontEndRecord.read(dir.resolve("elsewhere")));
        FrontEndRecord audioOnly = new FrontEndRecord(RECORD.audio(), null);
        assertEquals(audioOnly, FrontEndRecord.fromJson(audioOnly.toJson(), "x"));
        assertTrue(!audioOnly.toJson().contains("visual"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"format\":\"other\",\"format_version\":1}",
            "{\"format\":\"vavl4j-frontend\",\"format_version\":2}",
            "{\"format\":\"vavl4j-frontend\",\"format_version\":1,\"extra\":1}",
            "{\"format\":\"vavl4j-frontend\",\"format_version\":1,\"audio\":\"fbank\"}",
            "{\"format\":\"vavl4j-frontend\",\"format_version\":1,\"audio\":{\"spec\":\"fbank\",\"name\":\"fbank\",\"settings\":{\"a\":1}}}",
            "{\"format\":\"vavl4j-frontend\",\"format_version\":1,\"audio\":{\"spec\":\"mfcc\",\"name\":\"fbank\",\"settings\":{}}}",
            "{\"format\":\"vavl4j-frontend\",\"format_version\":1,\"audio\":{\"spec\":\"fbank\",\"name\":\"fbank\",\"settings\":{}},\"audio\":null}",
            "[1]", "{", ""})
    void malformedRecordsAreOneLineNamingTheSource(String json, @TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve(Corpus.FRONT_END_RECORD), json);
        var e = assertThrows(InvalidInputException.class, () -> FrontEndRecord.read(dir));
        assertTrue(e.getMessage().startsWith(dir.resolve(Corpus.FRONT_END_RECORD).toString()), e.getMessage());
        assertTrue(e.getMessage().lines().count() == 1, e.getMessage());
    }

    @Test
    void frontEndNames() {
        assertEquals(FrontEndSpec.FBANK, FrontEndSpec.parseAudio("fbank", "--audio"));
        assertEquals(FrontEndSpec.NONE, FrontEndSpec.parseVisual("none", "--visual"));
        assertEquals(FrontEndSpec.FACEEXPR, FrontEndSpec.parseVisual("faceexpr", "--visual"));
        FrontEndSpec onnx = FrontEndSpec.parseAudio("onnx:m.onnx", "--audio");
        assertEquals(Path.of("m.onnx"), onnx.model());
        assertEquals(onnx.toString(), "onnx:" + Path.of("m.onnx").toAbsolutePath());
        for (String bad : new String[] {"faceexpr", "onnx:", "mfcc", ""}) {
            var e = assertThrows(InvalidInputException.class, () -> FrontEndSpec.parseAudio(bad, "--audio"));
            assertTrue(e.getMessage().startsWith("--audio"), e.getMessage());
        }
        assertThrows(InvalidInputException.class, () -> FrontEndSpec.parseVisual("fbank", "--visual"));
    }
}
