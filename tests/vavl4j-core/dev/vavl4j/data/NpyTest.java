package dev.vavl4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NpyTest {
    @TempDir
    Path dir;

    /** The value NumPy wrote at [t, d] in every fixture of make_fixtures.py. */
    private static float grid(int t, int d) {
        return (t * 10 + d) / 8f - 1f;
    }

    private static void assertGrid(Features f, int frames, int dim) {
        assertEquals(frames, f.frames());
        assertEquals(dim, f.dim());
        for (int t = 0; t < frames; t++) {
            for (int d = 0; d < dim; d++) assertEquals(grid(t, d), f.values()[t * dim + d], "at [" + t + ", " + d + "]");
        }
    }

    /** An NPY file built by hand: magic, version, header length (2 or 4 bytes), the padded dict, then data. */
    static byte[] npy(int major, String dict, byte[] data) {
        int lenBytes = major == 1 ? 2 : 4;
        int unpadded = 8 + lenBytes + dict.length() + 1;
        String header = dict + " ".repeat((64 - unpadded % 64) % 64) + "\n";
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + lenBytes + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) major, 0});
        if (major == 1) b.putShort((short) h.length); else b.putInt(h.length);
        return b.put(h).put(data).array();
    }

    static byte[] f4(float... v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : v) b.putFloat(x);
        return b.array();
    }

    static byte[] f8(double... v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (double x : v) b.putDouble(x);
        return b.array();
    }

    private static String dict(String descr, String shape) {
        return "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
    }

    private DataException fails(Path file) {
        DataException e = assertThrows(DataException.class, () -> Npy.read(file));
        assertTrue(e.getMessage().startsWith(file.toString() + ": "), "message names the file: " + e.getMessage());
        return e;
    }

    private void assertFails(Path file, String expectedPart) {
        String msg = fails(file).getMessage();
        assertTrue(msg.contains(expectedPart), "expected '" + expectedPart + "' in: " + msg);
    }

    // ---- round trip and real NumPy files ----

    @Test
    void writeThenReadGivesTheSameFloats() throws IOException {
        SplittableRandom rng = new SplittableRandom(7);
        float[] v = new float[37 * 19];
        for (int i = 0; i < v.length; i++) v[i] = (float) (rng.nextGaussian() * Math.pow(10, rng.nextInt(-30, 30)));
        v[0] = -0f;
        v[1] = Float.MIN_VALUE;
        v[2] = Float.MAX_VALUE;
        Path f = dir.resolve("sub/a.npy");
        Npy.write(f, new Features(v, 37, 19));
        Features back = Npy.read(f);
        assertEquals(37, back.frames());
        assertEquals(19, back.dim());
        assertArrayEquals(v, back.values()); // bit-exact, -0 included
        assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(back.values()[0]));
        try (Stream<Path> s = Files.list(f.getParent())) {
            assertEquals(List.of("a.npy"), s.map(p -> p.getFileName().toString()).toList(), "no temp file left");
        }
    }

    @Test
    void writtenHeaderIsNpy10AlignedTo64AndEndsInNewline() throws IOException {
        for (int[] shape : new int[][] {{1, 1}, {150, 1024}, {123456, 7}}) {
            Path f = dir.resolve("h.npy");
            Npy.write(f, new Features(new float[shape[0] * shape[1]], shape[0], shape[1]));
            byte[] b = Files.readAllBytes(f);
            assertEquals(1, b[6]);
            assertEquals(0, b[7]);
            int headerLen = (b[8] & 0xff) | (b[9] & 0xff) << 8;
            assertEquals(0, (10 + headerLen) % 64, "data starts at a multiple of 64");
            assertEquals('\n', b[10 + headerLen - 1]);
            String header = new String(b, 10, headerLen, StandardCharsets.ISO_8859_1);
            assertTrue(header.contains("'shape': (" + shape[0] + ", " + shape[1] + ")"), header);
            assertEquals(10 + headerLen + 4L * shape[0] * shape[1], b.length);
        }
    }

    @Test
    void writeIsByteIdenticalToNumpySave() throws IOException {
        Path numpy = TestData.resource("npy/f4_3x4.npy", dir);
        float[] v = new float[12];
        for (int t = 0; t < 3; t++) for (int d = 0; d < 4; d++) v[t * 4 + d] = grid(t, d);
        Path ours = dir.resolve("ours.npy");
        Npy.write(ours, new Features(v, 3, 4));
        assertArrayEquals(Files.readAllBytes(numpy), Files.readAllBytes(ours));
    }

    @Test
    void writeReplacesAnExistingFile() throws IOException {
        Path f = dir.resolve("a.npy");
        Npy.write(f, TestData.features(5, 3, 1f));
        Npy.write(f, TestData.features(2, 2, 9f));
        assertArrayEquals(TestData.features(2, 2, 9f).values(), Npy.read(f).values());
    }

    @Test
    void readsNumpyFloat32AndFloat64Files() {
        assertGrid(Npy.read(TestData.resource("npy/f4_3x4.npy", dir)), 3, 4);
        assertGrid(Npy.read(TestData.resource("npy/f8_2x5.npy", dir)), 2, 5);
    }

    @Test
    void readsNumpyVersion2And3Headers() {
        assertGrid(Npy.read(TestData.resource("npy/f4_v2_2x3.npy", dir)), 2, 3);
        assertGrid(Npy.read(TestData.resource("npy/f4_v3_2x3.npy", dir)), 2, 3);
    }

    @Test
    void readsHandBuiltFloat64AndNarrowsToFloat32() {
        double[] v = {0.1, -1e-3, 123456.789, 1e30, -2.5, Math.PI};
        Path f = TestData.write(dir.resolve("d.npy"), npy(1, dict("<f8", "(2, 3)"), f8(v)));
        Features back = Npy.read(f);
        assertEquals(2, back.frames());
        assertEquals(3, back.dim());
        for (int i = 0; i < v.length; i++) assertEquals((float) v[i], back.values()[i]);
    }

    @Test
    void readsHandBuiltVersion2Float64() {
        Path f = TestData.write(dir.resolve("d2.npy"), npy(2, dict("<f8", "(1, 2)"), f8(1.5, -2.25)));
        assertArrayEquals(new float[] {1.5f, -2.25f}, Npy.read(f).values());
    }

    /** Writers differ in quotes, key order, spacing and trailing commas; all are the same dict. */
    @ParameterizedTest
    @ValueSource(strings = {
            "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }",
            "{\"descr\": \"<f4\", \"fortran_order\": False, \"shape\": (2, 2)}",
            "{'shape':(2,2),'fortran_order':False,'descr':'<f4'}",
            "{ 'fortran_order' : False ,\t'descr' : '<f4' , 'shape' : ( 2 , 2 , ) , }",
            "{'descr': '<f4', 'fortran_order': False, 'shape': (2L, 2L), }",
            "{'descr': '=f4', 'fortran_order': False, 'shape': [2, 2]}",
    })
    void acceptsHeaderVariants(String header) {
        Path f = TestData.write(dir.resolve("v.npy"), npy(1, header, f4(1, 2, 3, 4)));
        Features back = Npy.read(f);
        assertEquals(2, back.frames());
        assertArrayEquals(new float[] {1, 2, 3, 4}, back.values());
    }

    // ---- bad input ----

    @Test
    void missingFile() {
        assertFails(dir.resolve("nope.npy"), "file not found");
    }

    @Test
    void notAnNpyFile() {
        assertFails(TestData.write(dir.resolve("t.npy"), "FileName,Split_Set\na.wav,Train\n"), "not an NPY file");
        assertFails(TestData.write(dir.resolve("e.npy"), new byte[0]), "not an NPY file");
    }

    @Test
    void unsupportedVersion() {
        byte[] b = npy(1, dict("<f4", "(1, 1)"), f4(1));
        b[6] = 4;
        assertFails(TestData.write(dir.resolve("v4.npy"), b), "unsupported NPY version 4.0");
    }

    @Test
    void truncatedHeader() {
        byte[] b = npy(1, dict("<f4", "(1, 1)"), f4(1));
        assertFails(TestData.write(dir.resolve("th.npy"), Arrays.copyOf(b, 40)), "truncated NPY header");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2)",
            "{'descr': '<f4', 'fortran_order': False}",
            "{'descr': '<f4', 'fortran_order': 0, 'shape': (2, 2)}",
            "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), 'extra': 1}",
            "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 'x')}",
            "{'descr': '<f4', 'fortran_order': False, 'shape': (2, -2)}",
            "{'descr': '<f4' 'fortran_order': False, 'shape': (2, 2)}",
            "['descr', '<f4']",
            "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2, 2)}",
    })
    void malformedHeader(String header) {
        Path f = TestData.write(dir.resolve("m.npy"), npy(1, header, f4(1, 2, 3, 4)));
        assertFails(f, "malformed header");
    }

    @Test
    void unsupportedDtypes() {
        assertFails(TestData.resource("npy/i4_3x4.npy", dir), "dtype '<i4' is not supported");
        assertFails(TestData.write(dir.resolve("u1.npy"), npy(1, dict("|u1", "(2, 2)"), new byte[4])), "dtype '|u1'");
        assertFails(TestData.write(dir.resolve("f2.npy"), npy(1, dict("<f2", "(2, 1)"), new byte[4])), "dtype '<f2'");
    }

    @Test
    void bigEndian() {
        assertFails(TestData.resource("npy/f4_bigendian_3x4.npy", dir), "big-endian data ('>f4')");
        assertFails(TestData.write(dir.resolve("be8.npy"), npy(1, dict(">f8", "(1, 1)"), new byte[8])), "big-endian");
    }

    @Test
    void fortranOrder() {
        assertFails(TestData.resource("npy/f4_fortran_3x4.npy", dir), "Fortran-order");
    }

    @Test
    void notTwoDimensional() {
        assertFails(TestData.resource("npy/f4_3d_2x3x4.npy", dir), "expected a 2-D [frames, dim] array, got shape (2, 3, 4)");
        assertFails(TestData.resource("npy/f4_1d_5.npy", dir), "got shape (5,)");
        assertFails(TestData.write(dir.resolve("s.npy"), npy(1, dict("<f4", "()"), f4(1))), "got shape ()");
    }

    @Test
    void zeroDimension() {
        assertFails(TestData.write(dir.resolve("z.npy"), npy(1, dict("<f4", "(0, 4)"), new byte[0])), "shape (0, 4) has a zero dimension");
        assertFails(TestData.write(dir.resolve("z2.npy"), npy(1, dict("<f4", "(3, 0)"), new byte[0])), "shape (3, 0) has a zero dimension");
    }

    @Test
    void truncatedData() throws IOException {
        byte[] full = Files.readAllBytes(TestData.resource("npy/f4_3x4.npy", dir));
        Path f = TestData.write(dir.resolve("cut.npy"), Arrays.copyOf(full, full.length - 5));
        assertFails(f, "data section has 43 bytes, shape (3, 4) of <f4 needs 48 (truncated file)");
    }

    @Test
    void extraDataAtTheEnd() throws IOException {
        byte[] full = Files.readAllBytes(TestData.resource("npy/f8_2x5.npy", dir));
        Path f = TestData.write(dir.resolve("long.npy"), Arrays.copyOf(full, full.length + 8));
        assertFails(f, "data section has 88 bytes, shape (2, 5) of <f8 needs 80 (extra bytes at the end)");
    }

    @Test
    void nanIsNamedByFrameAndDim() {
        assertFails(TestData.resource("npy/f4_nan_at_1_2.npy", dir), "value at frame 1, dim 2 is NaN");
        Path f = TestData.write(dir.resolve("n8.npy"), npy(1, dict("<f8", "(2, 3)"), f8(0, 0, 0, 0, Double.NaN, 0)));
        assertFails(f, "value at frame 1, dim 1 is NaN");
    }

    @Test
    void infinityIsNamedByFrameAndDim() {
        assertFails(TestData.resource("npy/f8_neginf_at_2_0.npy", dir), "value at frame 2, dim 0 is infinite");
        Path f = TestData.write(dir.resolve("i4.npy"), npy(1, dict("<f4", "(2, 2)"), f4(0, Float.POSITIVE_INFINITY, 0, 0)));
        assertFails(f, "value at frame 0, dim 1 is infinite");
    }

    @Test
    void float64BeyondFloat32RangeIsAnError() {
        Path f = TestData.write(dir.resolve("big.npy"), npy(1, dict("<f8", "(2, 2)"), f8(0, 0, 0, -1e300)));
        assertFails(f, "value at frame 1, dim 1 is -1.0E300, outside the float32 range");
    }

    // ---- hostile headers (issue 11 item 4) ----

    /** 10 KB of nested parentheses used to overflow the stack of the recursive parser. */
    @ParameterizedTest
    @ValueSource(ints = {33, 5_000, 200_000})
    void deeplyNestedTuplesAreAMalformedHeaderNotAStackOverflow(int depth) {
        String nested = "(".repeat(depth) + ")".repeat(depth);
        Path f = TestData.write(dir.resolve("deep.npy"), npy(2, dict("<f4", nested), f4(1)));
        assertFails(f, "nested deeper than " + NpyHeader.MAX_DEPTH + " levels");
        Path g = TestData.write(dir.resolve("deep-descr.npy"), npy(2, "{'descr': " + "[".repeat(depth) + ", 'fortran_order': False, 'shape': (1, 1)}", f4(1)));
        assertFails(g, "nested deeper than");
    }

    @Test
    void nestingWithinTheBoundIsParsedAndRefusedForWhatItIs() {
        String descr = "[('a', [('b', '<f4')])]";   // a structured dtype: parsed, then refused as such
        Path f = TestData.write(dir.resolve("s.npy"), npy(1, "{'descr': " + descr + ", 'fortran_order': False, 'shape': (1, 1)}", f4(1)));
        assertFails(f, "(structured arrays are not supported): (('a', (('b', '<f4'),)),)");
    }

    /** 2^32 × 2^32 wraps to 0 in a long: the old check let it through as an empty array. */
    @ParameterizedTest
    @ValueSource(strings = {"(4294967296, 4294967296)", "(9223372036854775807, 2)", "(3037000500, 3037000500)", "(65536, 32768)"})
    void aShapeWhoseElementCountOverflowsIsTooLarge(String shape) {
        Path f = TestData.write(dir.resolve("o.npy"), npy(1, dict("<f4", shape), new byte[0]));
        assertFails(f, "shape " + shape + " is too large");
    }

    @Test
    void aShapeLargerThanTheFileIsRefusedBeforeAllocating() {
        // 2^28 floats (1 GiB) declared, 4 bytes present: refused from the sizes alone.
        Path f = TestData.write(dir.resolve("big.npy"), npy(1, dict("<f4", "(16384, 16384)"), f4(1)));
        assertFails(f, "data section has 4 bytes, shape (16384, 16384) of <f4 needs 1073741824 (truncated file)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"(2.0, 2)", "(2, 2.5)", "(2e0, 2)", "(0x2, 2)", "(02, 2)", "(2, 1_0)", "(99999999999999999999, 1)",
            "(2, --2)", "(+, 2)", "(2, 2j)", "(True, 2)", "(None, 2)", "(2, '2')"})
    void shapeEntriesMustBePlainIntegers(String shape) {
        Path f = TestData.write(dir.resolve("n.npy"), npy(1, dict("<f4", shape), f4(1, 2, 3, 4)));
        assertFails(f, "malformed header");
    }

    @Test
    void duplicateHeaderKeysAreRefused() {
        Path f = TestData.write(dir.resolve("d.npy"), npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1), 'shape': (1, 1)}", f4(1)));
        assertFails(f, "duplicate key 'shape'");
    }

    @Test
    void controlCharactersInAHeaderAreEscapedInTheOneLineMessage() {
        Path f = TestData.write(dir.resolve("c.npy"), npy(1, "{'descr': '<f4',\n\u0000 'fortran_order': False, 'shape': (1, 1)}", f4(1)));
        String msg = fails(f).getMessage();
        assertTrue(msg.contains("malformed header"), msg);
        assertEquals(1, msg.lines().count(), msg);
        assertTrue(msg.chars().noneMatch(c -> c < 0x20), msg);
    }

    @Test
    void aHugeHeaderLengthIsRefusedWithoutReadingIt() {
        byte[] b = npy(2, dict("<f4", "(1, 1)"), f4(1));
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(8, Integer.MAX_VALUE);
        assertFails(TestData.write(dir.resolve("h.npy"), b), "malformed header (header length 2147483647)");
    }
}
