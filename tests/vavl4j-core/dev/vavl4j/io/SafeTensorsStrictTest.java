package dev.vavl4j.io;

import static dev.vavl4j.io.SafeTensorsFormatTest.assertNames;
import static dev.vavl4j.io.SafeTensorsFormatTest.build;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The safetensors reader is strict (issue 11 item 4): the tensors' byte ranges tile the data section (no
 * overlap, aliasing or gap), names are unique, shapes and offsets are integers, and the whole header is
 * checked before any tensor is allocated.
 */
class SafeTensorsStrictTest {
    @TempDir
    Path dir;

    private static String entry(String name, String dtype, String shape, String offsets) {
        return "\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":" + offsets + "}";
    }

    private FormatException fails(String header, int dataBytes) throws IOException {
        Path f = dir.resolve("t.safetensors");
        Files.write(f, build(header, new byte[dataBytes]));
        FormatException e = assertThrows(FormatException.class, () -> SafeTensors.read(f), "accepted: " + header);
        assertTrue(e.getMessage().startsWith(f + ": "), e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
        return e;
    }

    private void fails(String header, int dataBytes, String tensor, String part) throws IOException {
        FormatException e = fails(header, dataBytes);
        assertNames(e, dir.resolve("t.safetensors"), tensor);
        assertTrue(e.getMessage().contains(part), "expected '" + part + "' in: " + e.getMessage());
    }

    @Test
    void aValidTiledFileStillReads() throws IOException {
        Path f = dir.resolve("ok.safetensors");
        Files.write(f, build("{" + entry("a", "F32", "[2]", "[0,8]") + "," + entry("e", "F32", "[0]", "[8,8]") + ","
                + entry("b", "U8", "[3]", "[8,11]") + "}", new byte[11]));
        Map<String, HostTensor> t = SafeTensors.read(f);
        assertEquals(3, t.size());
        assertEquals(0, t.get("e").size());
    }

    @Test
    void overlappingRangesAreRefused() throws IOException {
        fails("{" + entry("a", "F32", "[2]", "[0,8]") + "," + entry("b", "F32", "[2]", "[4,12]") + "}", 12, "b", "overlap tensor 'a' [0, 8]");
    }

    @Test
    void aliasedRangesAreRefused() throws IOException {
        fails("{" + entry("a", "F32", "[2]", "[0,8]") + "," + entry("b", "F32", "[2]", "[0,8]") + "}", 8, "b", "overlap tensor 'a'");
    }

    /** A header may alias one 4 MB range 1000 times: 4 GB of tensors from a 4 MB file. Refused before reading any. */
    @Test
    void manyAliasesOfOneLargeRangeAreRefusedBeforeAllocating() throws IOException {
        StringBuilder h = new StringBuilder("{");
        for (int i = 0; i < 1000; i++) h.append(i == 0 ? "" : ",").append(entry("t" + i, "F32", "[1048576]", "[0,4194304]"));
        FormatException e = fails(h.append("}").toString(), 4 << 20);
        assertTrue(e.getMessage().contains("overlap"), e.getMessage());
    }

    @Test
    void aGapBetweenTensorsIsRefused() throws IOException {
        fails("{" + entry("a", "F32", "[1]", "[0,4]") + "," + entry("b", "F32", "[1]", "[8,12]") + "}", 12, "b", "leave bytes [4, 8)");
        fails("{" + entry("a", "F32", "[1]", "[4,8]") + "}", 8, "a", "leave bytes [0, 4)");
    }

    @Test
    void bytesAfterTheLastTensorAreRefused() throws IOException {
        FormatException e = fails("{" + entry("a", "F32", "[1]", "[0,4]") + "}", 9);
        assertTrue(e.getMessage().contains("5 bytes after the last tensor"), e.getMessage());
    }

    @Test
    void aDuplicateTensorNameIsRefused() throws IOException {
        FormatException e = fails("{" + entry("a", "F32", "[1]", "[0,4]") + "," + entry("a", "F32", "[1]", "[4,8]") + "}", 8);
        assertTrue(e.getMessage().contains("twice") && e.getMessage().contains("'a'"), e.getMessage());
    }

    @Test
    void aDuplicateKeyInsideAnEntryIsRefused() throws IOException {
        FormatException e = fails("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"shape\":[2],\"data_offsets\":[0,4]}}", 4);
        assertTrue(e.getMessage().contains("twice"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"[1.0]", "[1.5]", "[1e0]", "[1E0]", "[\"1\"]", "[true]", "[null]", "[-1]", "[2147483648]",
            "[99999999999999999999999]", "[[1]]", "[{}]"})
    void shapeEntriesMustBeIntegers(String shape) throws IOException {
        fails("{" + entry("a", "F32", shape, "[0,4]") + "}", 4, "a", "bad dimension");
    }

    @ParameterizedTest
    @ValueSource(strings = {"[0.0,4]", "[0,4.0]", "[0,4.5]", "[0,4e0]", "[\"0\",4]", "[0,99999999999999999999]", "[0,4,8]", "{}", "null"})
    void offsetsMustBeTwoIntegers(String offsets) throws IOException {
        fails("{" + entry("a", "F32", "[1]", offsets) + "}", 4, "a", "bad data_offsets");
    }

    @Test
    void dtypeMustBeAString() throws IOException {
        fails("{\"a\":{\"dtype\":5,\"shape\":[1],\"data_offsets\":[0,4]}}", 4, "a", "unsupported dtype 5");
        fails("{\"a\":{\"dtype\":[\"F32\"],\"shape\":[1],\"data_offsets\":[0,4]}}", 4, "a", "unsupported dtype");
    }

    @Test
    void unknownKeysInAnEntryAreRefused() throws IOException {
        fails("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],\"strides\":[1]}}", 4, "a", "unexpected key 'strides'");
    }

    @Test
    void metadataMustMapStringsToStrings() throws IOException {
        FormatException e = fails("{\"__metadata__\":{\"k\":1}," + entry("a", "F32", "[1]", "[0,4]") + "}", 4);
        assertTrue(e.getMessage().contains("__metadata__ key 'k' is not a string"), e.getMessage());
        assertTrue(fails("{\"__metadata__\":[]}", 0).getMessage().contains("__metadata__ is not a JSON object"));
    }

    @Test
    void theElementCountOfAShapeIsOverflowChecked() throws IOException {
        fails("{" + entry("a", "F32", "[2147483647,2147483647,2147483647,2147483647,2147483647]", "[0,0]") + "}", 0, "a", "too large");
        fails("{" + entry("a", "U8", "[65536,32768]", "[0,0]") + "}", 0, "a", "too large");
    }

    @Test
    void deeplyNestedHeadersAreRefusedWithoutAStackOverflow() throws IOException {
        FormatException e = fails("{\"a\":" + "[".repeat(100_000) + "]".repeat(100_000) + "}", 0);
        assertTrue(e.getMessage().contains("not valid JSON"), e.getMessage());
    }

    @Test
    void aHeaderThatIsNotUtf8IsRefused() throws IOException {
        byte[] b = build("{\"a\u00e9\":{}}", new byte[0]);
        int at = 8 + 3;   // the first byte of é
        b[at] = (byte) 0xFF;
        Path f = dir.resolve("latin.safetensors");
        Files.write(f, b);
        FormatException e = assertThrows(FormatException.class, () -> SafeTensors.read(f));
        assertTrue(e.getMessage().contains("not UTF-8"), e.getMessage());
    }

    @Test
    void boolValuesAreZeroOrOne() throws IOException {
        Path f = dir.resolve("bool.safetensors");
        Files.write(f, build("{" + entry("m", "BOOL", "[3]", "[0,3]") + "}", new byte[] {0, 1, 7}));
        FormatException e = assertThrows(FormatException.class, () -> SafeTensors.read(f));
        assertNames(e, f, "m");
        assertTrue(e.getMessage().contains("BOOL value 7 at index 2"), e.getMessage());
    }

    @Test
    void controlCharactersInANameAreEscaped() throws IOException {
        FormatException e = fails("{" + entry("a\\u0000\\nb", "X9", "[1]", "[0,4]") + "}", 4);
        assertTrue(e.getMessage().contains("'a\\u0000\\u000ab'"), e.getMessage());
    }

    @Test
    void aHeaderLengthWithTheTopBitSetIsRefused() throws IOException {
        byte[] b = build("{}", new byte[0]);
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(0, Long.MIN_VALUE + 8);
        Path f = dir.resolve("neg.safetensors");
        Files.write(f, b);
        assertThrows(FormatException.class, () -> SafeTensors.read(f));
    }

    /** HostTensor's own constructor refuses what no file may produce. */
    @Test
    void hostTensorsAreConsistentByConstruction() {
        assertThrows(IllegalArgumentException.class, () -> new HostTensor(HostTensor.DType.F32, new int[] {2}, new float[3], null));
        assertThrows(IllegalArgumentException.class, () -> new HostTensor(HostTensor.DType.F32, new int[] {2}, null, new int[2]));
        assertThrows(IllegalArgumentException.class, () -> new HostTensor(HostTensor.DType.I32, new int[] {2}, new float[2], null));
        assertThrows(IllegalArgumentException.class, () -> new HostTensor(HostTensor.DType.I32, new int[] {-1, -2}, null, new int[2]));
        assertThrows(IllegalArgumentException.class, () -> new HostTensor(HostTensor.DType.I32, new int[] {2}, new float[2], new int[2]));
        assertEquals(2, new HostTensor(HostTensor.DType.I64, new int[] {2}, null, new int[2]).size());
    }
}
