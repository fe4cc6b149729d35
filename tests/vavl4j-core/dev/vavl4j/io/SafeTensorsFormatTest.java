package dev.vavl4j.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vavl4j.io.HostTensor.DType;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The safetensors reader and writer: round trips, byte-level compatibility with the reference writer
 * (shared/oracle/safetensors_np.py), wider input dtypes, and rejection of malformed files with a
 * {@link FormatException} that names the file and, where there is one, the tensor.
 */
class SafeTensorsFormatTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    // ---------------------------------------------------------------- round trips

    @Test
    void roundTripKeepsDtypesShapesAndExactBits() throws IOException {
        float[] f = {1.5f, -0f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MIN_VALUE,
                Float.MAX_VALUE, 1e-30f, -123.456f, 0.1f, 7f, -7f};
        int[] i = {0, -1, Integer.MAX_VALUE, Integer.MIN_VALUE, 42, 123456789};
        int[] u = {0, 1, 127, 128, 254, 255};
        Map<String, HostTensor> in = new LinkedHashMap<>();
        in.put("w", HostTensor.ofFloats(f, 3, 2, 2));
        in.put("ints", HostTensor.ofInts(i, 6));
        in.put("bytes", HostTensor.ofBytes(u, 2, 3));
        in.put("empty", HostTensor.ofFloats(new float[0], 0, 4));
        in.put("scalar", HostTensor.ofFloats(new float[] {3f}));
        Path file = dir.resolve("rt.safetensors");
        SafeTensors.write(file, in, Map.of("format", "vavl-test", "note", "ünïcödé ✓"));

        Map<String, HostTensor> out = SafeTensors.read(file);
        assertEquals(in.keySet(), out.keySet());

        HostTensor w = out.get("w");
        assertEquals(DType.F32, w.dtype());
        assertArrayEquals(new int[] {3, 2, 2}, w.shape());
        assertEquals(f.length, w.floats().length);
        for (int k = 0; k < f.length; k++) {
            assertEquals(Float.floatToRawIntBits(f[k]), Float.floatToRawIntBits(w.floats()[k]), "element " + k + " of 'w'");
        }
        assertEquals(DType.I32, out.get("ints").dtype());
        assertArrayEquals(new int[] {6}, out.get("ints").shape());
        assertArrayEquals(i, out.get("ints").ints());
        assertEquals(DType.U8, out.get("bytes").dtype());
        assertArrayEquals(new int[] {2, 3}, out.get("bytes").shape());
        assertArrayEquals(u, out.get("bytes").ints());

        HostTensor e = out.get("empty");
        assertEquals(DType.F32, e.dtype());
        assertArrayEquals(new int[] {0, 4}, e.shape());
        assertEquals(0, e.size());
        assertEquals(0, e.floats().length);

        HostTensor s = out.get("scalar");
        assertArrayEquals(new int[0], s.shape());
        assertArrayEquals(new float[] {3f}, s.floats());
    }

    @Test
    void metadataIsWrittenIntoTheHeaderAndNotReadAsATensor() throws IOException {
        Path file = dir.resolve("meta.safetensors");
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "vavl-actual-v1");
        meta.put("device", "cpu");
        SafeTensors.write(file, Map.of("a", HostTensor.ofFloats(new float[] {1f}, 1)), meta);

        JsonNode header = header(Files.readAllBytes(file));
        assertEquals("vavl-actual-v1", header.path("__metadata__").path("format").asText());
        assertEquals("cpu", header.path("__metadata__").path("device").asText());
        assertEquals(List.of("a"), List.copyOf(SafeTensors.read(file).keySet()));

        // no metadata: no __metadata__ entry at all
        byte[] plain = SafeTensors.encode(Map.of("a", HostTensor.ofFloats(new float[] {1f}, 1)), Map.of());
        assertFalse(header(plain).has("__metadata__"));
        assertFalse(header(SafeTensors.encode(Map.of("a", HostTensor.ofFloats(new float[] {1f}, 1)), null)).has("__metadata__"));
    }

    @Test
    void emptyTensorMapRoundTrips() {
        byte[] b = SafeTensors.encode(Map.of(), null);
        assertEquals(0, ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getLong(0) % 8);
        assertTrue(SafeTensors.parse("empty", b).isEmpty());
    }

    // ---------------------------------------------------------------- byte-level layout

    /** The file written by shared/oracle/safetensors_np.py for the same tensors, byte for byte. */
    @Test
    void encodeIsByteIdenticalToTheReferenceWriter() throws IOException {
        Map<String, HostTensor> t = new LinkedHashMap<>();
        // deliberately not in sorted order: the writer sorts by name as the reference does
        t.put("weight", HostTensor.ofFloats(new float[] {1.5f, -2f, 0f, 3.25f, -0f, 1e-3f}, 2, 3));
        t.put("lengths", HostTensor.ofInts(new int[] {7, -1, Integer.MAX_VALUE}, 3));
        t.put("flags", HostTensor.ofBytes(new int[] {0, 1, 255}, 3));
        t.put("empty", HostTensor.ofFloats(new float[0], 0, 4));
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "test");
        meta.put("origin", "safetensors_np.py");

        byte[] reference = resource("reference-f32-i32-u8.safetensors");
        byte[] ours = SafeTensors.encode(t, meta);
        assertEquals(headerText(reference), headerText(ours), "header text");
        assertArrayEquals(reference, ours);

        // and the reference file reads back to the same values
        Map<String, HostTensor> back = SafeTensors.parse("reference", reference);
        assertArrayEquals(t.get("weight").floats(), back.get("weight").floats());
        assertArrayEquals(new int[] {7, -1, Integer.MAX_VALUE}, back.get("lengths").ints());
        assertArrayEquals(new int[] {0, 1, 255}, back.get("flags").ints());
        assertArrayEquals(new int[] {0, 4}, back.get("empty").shape());
    }

    @Test
    void layoutIsLengthPrefixSpacePaddedJsonHeaderThenPackedLittleEndianData() {
        Map<String, HostTensor> t = new LinkedHashMap<>();
        t.put("b", HostTensor.ofFloats(new float[] {1f, -2f}, 2));
        t.put("a", HostTensor.ofInts(new int[] {0x01020304}, 1));
        t.put("c", HostTensor.ofBytes(new int[] {9, 200, 0}, 3));
        byte[] bytes = SafeTensors.encode(t, Map.of("k", "v"));

        String json = "{\"a\":{\"dtype\":\"I32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]},"
                + "\"c\":{\"dtype\":\"U8\",\"shape\":[3],\"data_offsets\":[12,15]},"
                + "\"__metadata__\":{\"k\":\"v\"}}";
        int padded = (json.length() + 7) / 8 * 8;
        assertTrue(padded > json.length(), "test header should need padding");

        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(padded, buf.getLong(0), "8-byte little-endian header length, padded to a multiple of 8");
        String header = new String(bytes, 8, padded, StandardCharsets.UTF_8);
        assertEquals(json + " ".repeat(padded - json.length()), header, "compact JSON, sorted names, space padding");
        assertEquals(8 + padded + 15, bytes.length, "data packed without gaps");
        int d = 8 + padded;
        assertArrayEquals(new byte[] {4, 3, 2, 1}, Arrays.copyOfRange(bytes, d, d + 4), "I32 little-endian");
        assertEquals(1f, buf.getFloat(d + 4));
        assertEquals(-2f, buf.getFloat(d + 8));
        assertArrayEquals(new byte[] {9, (byte) 200, 0}, Arrays.copyOfRange(bytes, d + 12, d + 15));
    }

    @Test
    void headerLengthIsAlwaysAMultipleOfEight() {
        for (int n = 1; n <= 17; n++) {
            byte[] b = SafeTensors.encode(Map.of("x".repeat(n), HostTensor.ofFloats(new float[] {1f}, 1)), null);
            long len = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
            assertEquals(0, len % 8, "name length " + n);
            assertEquals(8 + len + 4, b.length);
            for (int k = 8; k < 8 + len; k++) {
                if (b[k] == '}') {
                    for (int j = k + 1; j < 8 + len; j++) {
                        if (b[j] != '}') assertEquals(' ', b[j], "padding byte " + j);
                    }
                    break;
                }
            }
        }
    }

    @Test
    void dataOffsetsAreRelativeToTheEndOfTheHeader() {
        Map<String, HostTensor> t = new LinkedHashMap<>();
        t.put("x", HostTensor.ofFloats(new float[] {1f, 2f, 3f}, 3));
        t.put("y", HostTensor.ofInts(new int[] {5, 6}, 2));
        byte[] bytes = SafeTensors.encode(t, null);
        JsonNode h = header(bytes);
        long dataStart = 8 + ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(List.of(0L, 12L), offsets(h, "x"));
        assertEquals(List.of(12L, 20L), offsets(h, "y"));
        assertEquals(3f, buf.getFloat((int) dataStart + 8));
        assertEquals(6, buf.getInt((int) dataStart + 16));
    }

    // ---------------------------------------------------------------- wider input dtypes

    @Test
    void readsF64AndI64WrittenByTheReference() throws IOException {
        Map<String, HostTensor> m = SafeTensors.parse("ref", resource("reference-f64-i64.safetensors"));
        HostTensor d = m.get("doubles");
        assertEquals(DType.F64, d.dtype());
        assertArrayEquals(new int[] {2, 2}, d.shape());
        assertArrayEquals(new float[] {0.5f, -1.25f, 1e-3f, 3.0e10f}, d.floats());
        HostTensor l = m.get("longs");
        assertEquals(DType.I64, l.dtype());
        assertArrayEquals(new int[] {1, -2, Integer.MAX_VALUE, Integer.MIN_VALUE}, l.ints());
    }

    @Test
    void readsHandBuiltF64AndI64() {
        ByteBuffer data = ByteBuffer.allocate(40).order(ByteOrder.LITTLE_ENDIAN);
        data.putDouble(Math.PI).putDouble(-1e-300).putDouble(2.5);
        data.putLong(-5L).putLong(1L << 20);
        byte[] file = build("{\"d\":{\"dtype\":\"F64\",\"shape\":[3],\"data_offsets\":[0,24]},"
                + "\"l\":{\"dtype\":\"I64\",\"shape\":[2,1],\"data_offsets\":[24,40]}}", data.array());
        Map<String, HostTensor> m = SafeTensors.parse("hand", file);
        assertArrayEquals(new float[] {(float) Math.PI, (float) -1e-300, 2.5f}, m.get("d").floats());
        assertArrayEquals(new int[] {-5, 1 << 20}, m.get("l").ints());
        assertArrayEquals(new int[] {2, 1}, m.get("l").shape());
        // written back, F64 becomes F32 and I64 becomes I32
        Map<String, HostTensor> again = SafeTensors.parse("again", SafeTensors.encode(m, null));
        assertEquals(DType.F32, again.get("d").dtype());
        assertEquals(DType.I32, again.get("l").dtype());
        assertArrayEquals(m.get("l").ints(), again.get("l").ints());
    }

    @Test
    void rejectsI64ValuesOutsideInt32NamingTheTensor() throws IOException {
        Path f = dir.resolve("big.safetensors");
        Files.write(f, resource("reference-i64-overflow.safetensors"));
        FormatException e = assertThrows(FormatException.class, () -> SafeTensors.read(f));
        assertNames(e, f, "longs");
        assertTrue(e.getMessage().contains("2147483648"), e.getMessage());
    }

    // ---------------------------------------------------------------- half precision

    @Test
    void writesF16AndBF16AsTwoLittleEndianBytesPerValue() {
        float[] v = {1f, -2f, 65504f, 0x1p-24f, Float.POSITIVE_INFINITY, Float.NaN};
        Map<String, HostTensor> t = new LinkedHashMap<>();
        t.put("b", HostTensor.ofFloats(v.clone(), 2, 3).roundedTo(DType.BF16));
        t.put("h", HostTensor.ofFloats(v.clone(), 2, 3).roundedTo(DType.F16));
        byte[] bytes = SafeTensors.encode(t, null);
        JsonNode h = header(bytes);
        assertEquals("BF16", h.path("b").path("dtype").asText());
        assertEquals("F16", h.path("h").path("dtype").asText());
        assertEquals(List.of(0L, 12L), offsets(h, "b"));
        assertEquals(List.of(12L, 24L), offsets(h, "h"));
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int d = (int) (8 + buf.getLong(0));
        // BF16 of 65504 is 65536 (0x4780): 8 significant bits; 2^-24 is normal in bfloat16
        int[] bf16 = {0x3F80, 0xC000, 0x4780, 0x3380, 0x7F80, 0x7FC0};
        int[] f16 = {0x3C00, 0xC000, 0x7BFF, 0x0001, 0x7C00, 0x7E00};
        for (int i = 0; i < 6; i++) {
            assertEquals(bf16[i], buf.getShort(d + 2 * i) & 0xFFFF, "BF16 element " + i);
            assertEquals(f16[i], buf.getShort(d + 12 + 2 * i) & 0xFFFF, "F16 element " + i);
        }
        assertEquals(d + 24, bytes.length);
        assertArrayEquals(new byte[] {0x00, 0x3C}, Arrays.copyOfRange(bytes, d + 12, d + 14), "little-endian");

        Map<String, HostTensor> back = SafeTensors.parse("half", bytes);
        assertEquals(DType.F16, back.get("h").dtype());
        assertEquals(DType.BF16, back.get("b").dtype());
        assertArrayEquals(new int[] {2, 3}, back.get("h").shape());
        assertArrayEquals(new float[] {1f, -2f, 65504f, 0x1p-24f, Float.POSITIVE_INFINITY, Float.NaN}, back.get("h").floats());
        assertArrayEquals(new float[] {1f, -2f, 65536f, 0x1p-24f, Float.POSITIVE_INFINITY, Float.NaN}, back.get("b").floats());
        // re-encoded as they were read: the same bytes
        assertArrayEquals(bytes, SafeTensors.encode(back, null));
    }

    @Test
    void readsHandBuiltF16AndBF16() throws IOException {
        ByteBuffer data = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        data.putShort((short) 0x3555).putShort((short) 0x8001).putShort((short) 0xFC00).putShort((short) 0x7C01);
        data.putShort((short) 0x3EAB).putShort((short) 0x0001).putShort((short) 0xFF80).putShort((short) 0x7FC1);
        Path f = write("half.safetensors", build("{\"h\":{\"dtype\":\"F16\",\"shape\":[4],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"BF16\",\"shape\":[2,2],\"data_offsets\":[8,16]}}", data.array()));
        Map<String, HostTensor> m = SafeTensors.read(f);
        float[] h = m.get("h").floats(), b = m.get("b").floats();
        assertEquals(0.333251953125f, h[0]);
        assertEquals(-0x1p-24f, h[1]);
        assertEquals(Float.NEGATIVE_INFINITY, h[2]);
        assertTrue(Float.isNaN(h[3]));
        assertEquals(Float.intBitsToFloat(0x3EAB0000), b[0]);
        assertEquals(Float.intBitsToFloat(0x00010000), b[1]);
        assertEquals(Float.NEGATIVE_INFINITY, b[2]);
        assertTrue(Float.isNaN(b[3]));
        assertTrue(m.get("h").dtype().isFloat() && m.get("b").dtype().isFloat());

        Path g = write("half-short.safetensors", build("{\"h\":{\"dtype\":\"F16\",\"shape\":[4],\"data_offsets\":[0,6]}}", new byte[6]));
        FormatException e = assertThrows(FormatException.class, () -> SafeTensors.read(g));
        assertNames(e, g, "h");
        assertTrue(e.getMessage().contains("expected 8"), e.getMessage());
    }

    @Test
    void roundingToF16OverflowsToInfinityAndF32KeepsTheArray() {
        HostTensor t = HostTensor.ofFloats(new float[] {65519f, 65520f, -1e9f, 1e-9f}, 4);
        HostTensor h = t.roundedTo(DType.F16);
        assertEquals(DType.F16, h.dtype());
        assertArrayEquals(new float[] {65504f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f}, h.floats());
        assertEquals(65519f, t.floats()[0], "the original is not changed");
        assertSame(t.floats(), t.roundedTo(DType.F32).floats());
        assertEquals(DType.F32, h.roundedTo(DType.F32).dtype());
        assertThrows(IllegalArgumentException.class, () -> t.roundedTo(DType.I32));
        assertThrows(IllegalArgumentException.class, () -> HostTensor.ofInts(new int[] {1}, 1).roundedTo(DType.F16));
    }

    @Test
    void aLargeFileIsReadAndWrittenTensorByTensor() throws IOException {
        // more data than the writer's 64 KiB buffer, in tensors that straddle its boundaries
        Map<String, HostTensor> t = new LinkedHashMap<>();
        java.util.Random rnd = new java.util.Random(5);
        for (int k = 0; k < 5; k++) {
            float[] v = new float[20_001 + k];
            for (int i = 0; i < v.length; i++) v[i] = (float) rnd.nextGaussian();
            t.put("f" + k, HostTensor.ofFloats(v, v.length));
            t.put("h" + k, HostTensor.ofFloats(v.clone(), v.length).roundedTo(k % 2 == 0 ? DType.F16 : DType.BF16));
            int[] u = new int[30_003];
            for (int i = 0; i < u.length; i++) u[i] = rnd.nextInt(256);
            t.put("u" + k, HostTensor.ofBytes(u, u.length));
        }
        Path f = dir.resolve("large.safetensors");
        SafeTensors.write(f, t, Map.of("k", "v"));
        assertArrayEquals(SafeTensors.encode(t, Map.of("k", "v")), Files.readAllBytes(f));
        Map<String, HostTensor> back = SafeTensors.read(f);
        for (String k : t.keySet()) {
            if (t.get(k).floats() != null) assertArrayEquals(t.get(k).floats(), back.get(k).floats(), 0f, k);
            else assertArrayEquals(t.get(k).ints(), back.get(k).ints(), k);
            assertEquals(t.get(k).dtype(), back.get(k).dtype(), k);
        }
    }

    // ---------------------------------------------------------------- malformed files

    private byte[] sample() {
        Map<String, HostTensor> t = new LinkedHashMap<>();
        t.put("alpha", HostTensor.ofFloats(new float[] {1, 2, 3, 4, 5, 6}, 2, 3));
        t.put("beta", HostTensor.ofInts(new int[] {1, 2, 3, 4}, 4));
        return SafeTensors.encode(t, null);
    }

    @Test
    void truncatedInTheDataNamesFileAndTensor() throws IOException {
        byte[] ok = sample();
        Path f = write("cut-data.safetensors", Arrays.copyOf(ok, ok.length - 3));
        FormatException e = assertThrows(FormatException.class, () -> SafeTensors.read(f));
        assertNames(e, f, "beta"); // the last tensor is the one cut short
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void truncatedInTheHeaderNamesTheFile() throws IOException {
        Path f = write("cut-header.safetensors", Arrays.copyOf(sample(), 40));
        FormatException e = assertThrows(FormatException.class, () -> SafeTensors.read(f));
        assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void headerLengthBeyondTheFileNamesTheFile() throws IOException {
        byte[] b = sample();
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(0, b.length); // 8 + len > file
        Path f = write("long-header.safetensors", b);
        FormatException e = assertThrows(FormatException.class, () -> SafeTensors.read(f));
        assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
        assertTrue(e.getMessage().contains(String.valueOf(b.length)), e.getMessage());

        // a "negative" (huge unsigned) length
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(0, -8L);
        Path g = write("negative-header.safetensors", b);
        FormatException e2 = assertThrows(FormatException.class, () -> SafeTensors.read(g));
        assertTrue(e2.getMessage().contains(g.toString()), e2.getMessage());
    }

    @Test
    void nonJsonHeaderNamesTheFile() throws IOException {
        Path f = write("not-json.safetensors", build("this is not json at all", new byte[0]));
        FormatException e = assertThrows(FormatException.class, () -> SafeTensors.read(f));
        assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("JSON"), e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), "one-line message: " + e.getMessage());

        Path g = write("array.safetensors", build("[1, 2, 3]", new byte[0]));
        FormatException e2 = assertThrows(FormatException.class, () -> SafeTensors.read(g));
        assertTrue(e2.getMessage().contains(g.toString()), e2.getMessage());

        Path h = write("binary.safetensors", build("\u0000\u0001\u0002\u0003garbage", new byte[0]));
        FormatException e3 = assertThrows(FormatException.class, () -> SafeTensors.read(h));
        assertTrue(e3.getMessage().contains(h.toString()), e3.getMessage());
    }

    /**
     * The reference reader (json.loads) rejects anything after the header object other than the space
     * padding; a header followed by a second object or garbage is not a valid file.
     */
    @Test
    void headerWithTrailingGarbageAfterTheJsonObjectIsRejected() throws IOException {
        Path f = write("trailing.safetensors",
                build("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}{\"b\":1}", new byte[4]));
        FormatException e = assertThrows(FormatException.class, () -> SafeTensors.read(f));
        assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
    }

    @Test
    void unknownDtypeNamesFileTensorAndDtype() throws IOException {
        Path f = write("f8.safetensors",
                build("{\"ok\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                        + "\"eighth\":{\"dtype\":\"F8_E4M3\",\"shape\":[2],\"data_offsets\":[4,6]}}", new byte[6]));
        FormatException e = assertThrows(FormatException.class, () -> SafeTensors.read(f));
        assertNames(e, f, "eighth");
        assertTrue(e.getMessage().contains("F8_E4M3"), e.getMessage());

        Path g = write("nodtype.safetensors", build("{\"t\":{\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[4]));
        assertNames(assertThrows(FormatException.class, () -> SafeTensors.read(g)), g, "t");
    }

    @Test
    void offsetsThatDisagreeWithTheShapeNameFileAndTensor() throws IOException {
        Path f = write("mismatch.safetensors",
                build("{\"m\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,20]}}", new byte[24]));
        FormatException e = assertThrows(FormatException.class, () -> SafeTensors.read(f));
        assertNames(e, f, "m");
        assertTrue(e.getMessage().contains("[2, 3]") && e.getMessage().contains("24"), e.getMessage());

        Path g = write("backwards.safetensors",
                build("{\"m\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,4]}}", new byte[8]));
        assertNames(assertThrows(FormatException.class, () -> SafeTensors.read(g)), g, "m");

        Path h = write("badoffsets.safetensors",
                build("{\"m\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}}", new byte[4]));
        assertNames(assertThrows(FormatException.class, () -> SafeTensors.read(h)), h, "m");
    }

    @Test
    void badShapesNameFileAndTensor() throws IOException {
        Path f = write("negdim.safetensors",
                build("{\"n\":{\"dtype\":\"F32\",\"shape\":[-1,4],\"data_offsets\":[0,16]}}", new byte[16]));
        assertNames(assertThrows(FormatException.class, () -> SafeTensors.read(f)), f, "n");
        Path g = write("fracdim.safetensors",
                build("{\"n\":{\"dtype\":\"F32\",\"shape\":[\"4\"],\"data_offsets\":[0,16]}}", new byte[16]));
        assertNames(assertThrows(FormatException.class, () -> SafeTensors.read(g)), g, "n");
        Path h = write("noshape.safetensors", build("{\"n\":{\"dtype\":\"F32\",\"data_offsets\":[0,16]}}", new byte[16]));
        assertNames(assertThrows(FormatException.class, () -> SafeTensors.read(h)), h, "n");
    }

    /**
     * A shape whose element count overflows 64 bits (65536^4 = 2^64 ≡ 0) must not pass as an empty tensor:
     * the reader would return a HostTensor whose shape claims 2^64 elements and whose value array is empty.
     */
    @Test
    void shapeWhoseElementCountOverflowsIsRejected() throws IOException {
        Path f = write("overflow.safetensors",
                build("{\"o\":{\"dtype\":\"F32\",\"shape\":[65536,65536,65536,65536],\"data_offsets\":[0,0]}}",
                        new byte[0]));
        FormatException e = assertThrows(FormatException.class, () -> SafeTensors.read(f),
                "a [65536,65536,65536,65536] tensor stored in 0 bytes was accepted");
        assertNames(e, f, "o");
    }

    @Test
    void threeByteFileNamesTheFile() throws IOException {
        Path f = write("tiny.safetensors", new byte[] {1, 2, 3});
        FormatException e = assertThrows(FormatException.class, () -> SafeTensors.read(f));
        assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("3 bytes"), e.getMessage());

        Path empty = write("empty.safetensors", new byte[0]);
        FormatException e2 = assertThrows(FormatException.class, () -> SafeTensors.read(empty));
        assertTrue(e2.getMessage().contains(empty.toString()), e2.getMessage());
    }

    @Test
    void missingFileAndDirectoryNameThePath() {
        Path f = dir.resolve("nope.safetensors");
        FormatException e = assertThrows(FormatException.class, () -> SafeTensors.read(f));
        assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("not found"), e.getMessage());
        FormatException e2 = assertThrows(FormatException.class, () -> SafeTensors.read(dir));
        assertTrue(e2.getMessage().contains(dir.toString()), e2.getMessage());
    }

    @Test
    void parseNamesTheGivenSource() {
        FormatException e = assertThrows(FormatException.class, () -> SafeTensors.parse("/res/x.safetensors", new byte[5]));
        assertTrue(e.getMessage().startsWith("/res/x.safetensors"), e.getMessage());
    }

    // ---------------------------------------------------------------- helpers

    static void assertNames(FormatException e, Path file, String tensor) {
        String m = e.getMessage();
        assertNotNull(m);
        assertTrue(m.contains(file.toString()), "message should name the file " + file + ": " + m);
        assertTrue(m.contains("'" + tensor + "'"), "message should name the tensor '" + tensor + "': " + m);
        assertEquals(1, m.lines().count(), "one-line message: " + m);
    }

    /** An 8-byte LE length, the header padded with spaces to a multiple of 8, then the data. */
    static byte[] build(String header, byte[] data) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        int padded = (h.length + 7) / 8 * 8;
        ByteBuffer b = ByteBuffer.allocate(8 + padded + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(padded).put(h);
        for (int i = h.length; i < padded; i++) b.put((byte) ' ');
        b.put(data);
        return b.array();
    }

    private Path write(String name, byte[] bytes) throws IOException {
        Path f = dir.resolve(name);
        Files.write(f, bytes);
        return f;
    }

    private static JsonNode header(byte[] bytes) {
        long n = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        try {
            return JSON.readTree(new String(bytes, 8, (int) n, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static List<Long> offsets(JsonNode h, String name) {
        JsonNode o = h.path(name).path("data_offsets");
        return List.of(o.get(0).asLong(), o.get(1).asLong());
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = SafeTensorsFormatTest.class.getResourceAsStream("/dev/vavl4j/io/" + name)) {
            assertNotNull(in, "test resource " + name);
            return in.readAllBytes();
        }
    }

    private static String headerText(byte[] bytes) {
        long n = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        return n + ":" + new String(bytes, 8, (int) Math.min(n, bytes.length - 8), StandardCharsets.UTF_8);
    }
}
