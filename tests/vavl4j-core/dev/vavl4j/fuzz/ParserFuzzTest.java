package dev.vavl4j.fuzz;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vavl4j.VavlException;
import dev.vavl4j.checkpoint.Checkpoint;
import dev.vavl4j.data.Corpus;
import dev.vavl4j.data.DataException;
import dev.vavl4j.data.Features;
import dev.vavl4j.data.Manifest;
import dev.vavl4j.data.ManifestRow;
import dev.vavl4j.data.Npy;
import dev.vavl4j.data.Utterance;
import dev.vavl4j.io.FormatException;
import dev.vavl4j.io.HostTensor;
import dev.vavl4j.io.SafeTensors;
import dev.vavl4j.ConfigException;
import dev.vavl4j.model.VavlConfig;
import dev.vavl4j.testutil.TinyRuns;
import dev.vavl4j.train.TrainingState;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A seeded, time-bounded fuzz suite for every parser of untrusted files (issue 11, "Deliver"): mutated NPY
 * feature files, safetensors files, manifests, model configurations (config.json) and checkpoint.json files
 * of a real tiny checkpoint. For every input the parser must either accept it or throw its documented
 * exception (a {@link VavlException} subclass) with a one-line message naming the file; anything else (a
 * {@code RuntimeException}, {@code StackOverflowError}, {@code OutOfMemoryError}, ...) fails the test, as
 * does an input for which the parser allocates more than its real size justifies ({@link #ALLOWED_FACTOR}
 * times the input plus {@link #ALLOWED_SLACK}, measured per thread): a header claiming 2^40 elements must be
 * refused from the sizes alone. Accepted manifests are loaded against a features directory with links in
 * and out of it, and every loaded feature file must lie inside it.
 *
 * <p>Each format runs until it has done its number of cases or used its time, whichever comes first
 * (at most 32 s of cases plus a 1-epoch tiny training run for the checkpoint, so the suite stays under 40 s). {@code -Dvavl.fuzz.seed=N}
 * changes the seed, {@code -Dvavl.fuzz.scale=X} multiplies both limits (e.g. 10 for a long local run),
 * {@code -Dvavl.fuzz.verbose=true} lists the accepted inputs. A
 * failure names the format, case number and mutation, which with the seed reproduces it.
 */
@Timeout(300)
class ParserFuzzTest {
    static final long SEED = Long.getLong("vavl.fuzz.seed", 0x5EED_2024_0011L);
    static final double SCALE = Double.parseDouble(System.getProperty("vavl.fuzz.scale", "1"));
    /** Allocation allowed per input byte (the NPY reader holds the file, its floats and the header text). */
    static final long ALLOWED_FACTOR = 64;
    static final long ALLOWED_SLACK = 24L << 20;
    private static final int MAX_FAILURES_SHOWN = 12;
    /** {@code -Dvavl.fuzz.verbose=true} lists every accepted input (to see what a parser lets through). */
    private static final boolean VERBOSE = Boolean.getBoolean("vavl.fuzz.verbose");

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final com.sun.management.ThreadMXBean THREADS = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static final Map<String, String> SUMMARY = new LinkedHashMap<>();

    @TempDir
    static Path tmp;

    // ================================================================ the harness

    /** What one case does: the parser call, on an input of {@code size} bytes whose name must be in any error. */
    @FunctionalInterface
    interface Action {
        void run() throws Exception;
    }

    private record Input(String what, long size, String source, Class<? extends VavlException> allowed, Action action) {}

    @FunctionalInterface
    private interface Generator {
        Input next(SplittableRandom r, int index) throws IOException;
    }

    private static final class Stats {
        int cases, accepted, refused;
        long maxAllocated;
        final List<String> failures = new ArrayList<>();
        final Map<String, Integer> refusals = new LinkedHashMap<>();
    }

    private static void fuzz(String format, int maxCases, double seconds, Generator gen) throws IOException {
        int cases = (int) Math.max(1, maxCases * SCALE);
        long deadline = System.nanoTime() + (long) (seconds * SCALE * 1e9);
        long start = System.nanoTime();
        Stats s = new Stats();
        long formatSeed = SEED ^ (format.hashCode() * 0x9E3779B97F4A7C15L);
        while (s.cases < cases && System.nanoTime() < deadline) {
            int i = s.cases++;
            SplittableRandom r = new SplittableRandom(formatSeed + i * 0xBF58476D1CE4E5B9L);
            Input in = gen.next(r, i);
            long before = THREADS.getCurrentThreadAllocatedBytes();
            Throwable thrown = null;
            try {
                in.action.run();
            } catch (Throwable t) {
                thrown = t;
            }
            long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
            s.maxAllocated = Math.max(s.maxAllocated, allocated);
            String id = format + " case " + i + " (" + in.what + ", " + in.size + " bytes)";
            if (thrown == null) {
                s.accepted++;
                if (VERBOSE) System.out.println("fuzz: accepted " + id);
            } else if (in.allowed.isInstance(thrown)) {
                s.refused++;
                String m = thrown.getMessage();
                if (m == null || m.isBlank()) s.failures.add(id + ": " + thrown.getClass().getSimpleName() + " without a message");
                else if (m.lines().count() != 1) s.failures.add(id + ": message of " + m.lines().count() + " lines: " + m.replace("\n", "\\n"));
                else if (!m.contains(in.source)) s.failures.add(id + ": message does not name " + in.source + ": " + m);
                else if (m.chars().anyMatch(c -> c < 0x20 && c != '\t')) s.failures.add(id + ": raw control character in: " + escape(m));
                s.refusals.merge(category(m), 1, Integer::sum);
            } else {
                s.failures.add(id + ": " + describe(thrown));
            }
            long bound = ALLOWED_FACTOR * in.size + ALLOWED_SLACK;
            if (allocated > bound) s.failures.add(id + ": allocated " + allocated + " bytes for " + in.size + " input bytes (bound " + bound + ")");
        }
        double secs = (System.nanoTime() - start) / 1e9;
        String line = String.format(Locale.ROOT, "%-16s %6d cases in %5.1f s: %6d accepted, %6d refused, %3d failures; max allocation %d KiB",
                format, s.cases, secs, s.accepted, s.refused, s.failures.size(), s.maxAllocated >> 10);
        SUMMARY.put(format, line);
        System.out.println("fuzz: " + line);
        if (!s.failures.isEmpty()) {
            fail(s.failures.size() + " of " + s.cases + " " + format + " cases failed (seed " + SEED + "):\n  "
                    + String.join("\n  ", s.failures.subList(0, Math.min(MAX_FAILURES_SHOWN, s.failures.size()))));
        }
        assertTrue(s.cases >= Math.min(cases, 200), format + ": only " + s.cases + " cases ran");
    }

    @AfterAll
    static void summary() {
        System.out.println("fuzz summary (seed " + SEED + "):");
        SUMMARY.values().forEach(l -> System.out.println("  " + l));
    }

    private static String describe(Throwable t) {
        StringBuilder sb = new StringBuilder(t.getClass().getName()).append(": ").append(escape(String.valueOf(t.getMessage())));
        StackTraceElement[] st = t.getStackTrace();
        for (int i = 0; i < Math.min(4, st.length); i++) sb.append(" at ").append(st[i]);
        return sb.toString();
    }

    /** The kind of a refusal, for nothing but a sanity look at the spread: the message after the file name. */
    private static String category(String m) {
        return m.length() > 40 ? m.substring(0, 40) : m;
    }

    private static String escape(String s) {
        StringBuilder sb = new StringBuilder();
        for (char c : s.toCharArray()) sb.append(c < 0x20 || c == 0x7f ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        return sb.length() > 300 ? sb.substring(0, 300) + "…" : sb.toString();
    }

    private static Path write(Path file, byte[] bytes) {
        try {
            Files.write(file, bytes);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ================================================================ shared mutation helpers

    private static final byte[] INTERESTING_BYTES = {0, -1, 1, 0x7f, (byte) 0x80, '(', ')', '[', ']', '{', '}', ',', ':', '\'', '"',
            ' ', '\n', '\r', '\t', '0', '1', '9', '-', '+', '.', 'e', 'L', '\\', 'x', (byte) 0xC3, (byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

    private static final long[] INTERESTING_NUMBERS = {0, 1, 2, 3, 7, 8, 255, 256, 65535, 65536, 1L << 20, Integer.MAX_VALUE - 8,
            Integer.MAX_VALUE, 1L << 31, 1L << 32, 3037000500L, 1L << 40, 1L << 53, 1L << 62, Long.MAX_VALUE, -1, -2, Integer.MIN_VALUE, Long.MIN_VALUE};

    private static long interestingNumber(SplittableRandom r) {
        return r.nextInt(4) == 0 ? r.nextLong(-1000, 100_000) : INTERESTING_NUMBERS[r.nextInt(INTERESTING_NUMBERS.length)];
    }

    /** Generic byte-level damage: bit flips, overwrites, truncation, appending, insertion, deletion. */
    private static byte[] damage(SplittableRandom r, byte[] in, StringBuilder what) {
        byte[] b = in;
        int n = 1 + r.nextInt(3);
        for (int k = 0; k < n; k++) {
            switch (r.nextInt(6)) {
                case 0 -> {
                    if (b.length == 0) break;
                    int flips = 1 + r.nextInt(8);
                    b = b.clone();
                    for (int j = 0; j < flips; j++) {
                        int at = r.nextInt(b.length);
                        b[at] ^= (byte) (1 << r.nextInt(8));
                    }
                    what.append("flip").append(flips).append(' ');
                }
                case 1 -> {
                    if (b.length == 0) break;
                    b = b.clone();
                    int count = 1 + r.nextInt(6);
                    for (int j = 0; j < count; j++) b[r.nextInt(b.length)] = INTERESTING_BYTES[r.nextInt(INTERESTING_BYTES.length)];
                    what.append("set").append(count).append(' ');
                }
                case 2 -> {
                    int len = b.length == 0 ? 0 : r.nextInt(b.length);
                    b = Arrays.copyOf(b, len);
                    what.append("cut@").append(len).append(' ');
                }
                case 3 -> {
                    int extra = 1 + r.nextInt(r.nextBoolean() ? 8 : 300);
                    byte[] add = new byte[extra];
                    for (int j = 0; j < extra; j++) add[j] = r.nextBoolean() ? (byte) r.nextInt(256) : INTERESTING_BYTES[r.nextInt(INTERESTING_BYTES.length)];
                    b = concat(b, add);
                    what.append("append").append(extra).append(' ');
                }
                case 4 -> {
                    int at = b.length == 0 ? 0 : r.nextInt(b.length + 1);
                    byte[] ins = new byte[1 + r.nextInt(4)];
                    for (int j = 0; j < ins.length; j++) ins[j] = INTERESTING_BYTES[r.nextInt(INTERESTING_BYTES.length)];
                    b = concat(concat(Arrays.copyOf(b, at), ins), Arrays.copyOfRange(b, at, b.length));
                    what.append("insert@").append(at).append(' ');
                }
                default -> {
                    if (b.length < 2) break;
                    int at = r.nextInt(b.length - 1), len = 1 + r.nextInt(Math.min(16, b.length - at));
                    b = concat(Arrays.copyOf(b, at), Arrays.copyOfRange(b, at + len, b.length));
                    what.append("delete@").append(at).append(' ');
                }
            }
        }
        return b;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static <T> T pick(SplittableRandom r, List<T> items) {
        return items.get(r.nextInt(items.size()));
    }

    /** Nesting depth, spread log-uniformly up to 300 000. */
    private static int depth(SplittableRandom r) {
        return (int) Math.min(300_000, Math.round(Math.exp(r.nextDouble() * Math.log(300_000))));
    }

    // ================================================================ NPY

    private static final byte[] NPY_MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};

    static byte[] npy(int major, String dict, byte[] data) {
        int lenBytes = major == 1 ? 2 : 4;
        byte[] d = dict.getBytes(major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        int unpadded = 8 + lenBytes + d.length + 1;
        int pad = (64 - unpadded % 64) % 64;
        ByteBuffer b = ByteBuffer.allocate(unpadded + pad + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(NPY_MAGIC).put((byte) major).put((byte) 0);
        if (major == 1) b.putShort((short) (d.length + pad + 1)); else b.putInt(d.length + pad + 1);
        b.put(d);
        for (int i = 0; i < pad; i++) b.put((byte) ' ');
        return b.put((byte) '\n').put(data).array();
    }

    private static byte[] floats(SplittableRandom r, int n, int itemSize) {
        ByteBuffer b = ByteBuffer.allocate(n * itemSize).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            double v = r.nextInt(20) == 0 ? pick(r, List.of(Double.NaN, Double.POSITIVE_INFINITY, 1e300, -0.0)) : r.nextGaussian();
            if (itemSize == 4) b.putFloat((float) v); else b.putDouble(v);
        }
        return b.array();
    }

    private static String pyInt(SplittableRandom r) {
        long v = r.nextInt(3) == 0 ? interestingNumber(r) : r.nextInt(1, 9);
        return switch (r.nextInt(14)) {
            case 0 -> v + "L";
            case 1 -> v + ".0";
            case 2 -> v + "e0";
            case 3 -> "0" + v;
            case 4 -> "+" + v;
            case 5 -> "0x" + Long.toHexString(v);
            case 6 -> "9".repeat(1 + r.nextInt(40));
            case 7 -> pick(r, List.of("True", "None", "'3'", "-", "--1", "1_0", "2j", "1.5", "nan", "()"));
            default -> Long.toString(v);
        };
    }

    private static String shapeText(SplittableRandom r) {
        switch (r.nextInt(6)) {
            case 0 -> {
                int d = depth(r);
                return r.nextBoolean() ? "(".repeat(d) + ")".repeat(d) : "(".repeat(d) + "1" + ",)".repeat(Math.max(0, d - r.nextInt(2)));
            }
            case 1 -> {
                return "(" + interestingNumber(r) + ", " + interestingNumber(r) + ")";
            }
            case 2 -> {
                int k = r.nextInt(0, 6);
                StringBuilder sb = new StringBuilder(r.nextBoolean() ? "(" : "[");
                for (int i = 0; i < k; i++) sb.append(i == 0 ? "" : ", ").append(pyInt(r));
                return sb.append(k == 1 && r.nextBoolean() ? ",)" : (sb.charAt(0) == '(' ? ")" : "]")).toString();
            }
            default -> {
                return "(" + pyInt(r) + ", " + pyInt(r) + ")";
            }
        }
    }

    private static String npyDict(SplittableRandom r, String shape) {
        String q = r.nextInt(4) == 0 ? "\"" : "'";
        List<String> parts = new ArrayList<>();
        String descr = r.nextInt(3) > 0 ? pick(r, List.of("<f4", "<f8", "=f4"))
                : pick(r, List.of(">f4", "|u1", "<i4", "<f2", "", "f4", "<c8", "O", "x".repeat(1 + r.nextInt(2000)), "<f4\u0000", "<f\u00e94"));
        parts.add(q + "descr" + q + ": " + (r.nextInt(15) == 0 ? "[('a', '<f4')]" : q + descr + q));
        parts.add(q + "fortran_order" + q + ": " + (r.nextInt(6) > 0 ? "False" : pick(r, List.of("True", "0", "'False'", "None", "false"))));
        parts.add(q + "shape" + q + ": " + shape);
        if (r.nextInt(10) == 0) parts.add(pick(r, parts));                 // a duplicate key
        if (r.nextInt(12) == 0) parts.add(q + "extra" + q + ": 1");
        if (r.nextInt(12) == 0) parts.remove(r.nextInt(parts.size()));
        for (int i = parts.size() - 1; i > 0; i--) java.util.Collections.swap(parts, i, r.nextInt(i + 1));
        String sep = pick(r, List.of(", ", ",", " , ", ",\n", ",\t"));
        String dict = "{" + String.join(sep, parts) + (r.nextBoolean() ? ", }" : "}");
        if (r.nextInt(10) == 0) {
            int at = r.nextInt(dict.length());
            dict = dict.substring(0, at) + pick(r, List.of("\u0000", "\n", "\u001b", "'", "(", "}", "\\")) + dict.substring(at);
        }
        return dict;
    }

    private Input npyCase(SplittableRandom r, Path file) {
        StringBuilder what = new StringBuilder();
        int frames = r.nextInt(1, 6), dim = r.nextInt(1, 6), major = r.nextInt(1, 4), item = r.nextBoolean() ? 4 : 8;
        String valid = "{'descr': '<f" + item + "', 'fortran_order': False, 'shape': (" + frames + ", " + dim + "), }";
        byte[] b;
        int kind = r.nextInt(10);
        if (kind < 4) {
            b = damage(r, npy(major, valid, floats(r, frames * dim, item)), what.append("damaged v" + major + " "));
        } else if (kind < 8) {
            String shape = shapeText(r);
            String dict = npyDict(r, shape);
            int dataLen = r.nextInt(3) == 0 ? r.nextInt(0, 200) : frames * dim * item;
            b = npy(major, dict, floats(r, dataLen / item + (dataLen % item > 0 ? 1 : 0), item));
            if (dataLen % item != 0) b = Arrays.copyOf(b, b.length - (item - dataLen % item));
            what.append("header v").append(major).append(" shape ").append(shape.length() > 40 ? shape.substring(0, 20) + "…(" + shape.length() + ")" : shape);
            if (r.nextInt(4) == 0) b = damage(r, b, what.append(" + "));
        } else if (kind == 8) {
            b = npy(major, valid, floats(r, frames * dim, item));
            ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
            long len = r.nextBoolean() ? interestingNumber(r) : (b.length - 10) + r.nextInt(-20, 20);
            if (major == 1) bb.putShort(8, (short) len); else bb.putInt(8, (int) len);
            what.append("header length ").append(len);
        } else {
            b = npy(major, valid, floats(r, frames * dim, item));
            b[6] = (byte) (int) pick(r, List.of(0, 1, 2, 3, 4, 255));
            b[7] = (byte) (int) pick(r, List.of(0, 0, 1, 255));
            what.append("version ").append(b[6] & 0xff).append('.').append(b[7] & 0xff);
        }
        write(file, b);
        return new Input(what.toString().strip(), b.length, file.toString(), DataException.class, () -> {
            Features f = Npy.read(file);
            if (f.frames() <= 0 || f.dim() <= 0 || (long) f.frames() * f.dim() != f.values().length) {
                throw new AssertionError("accepted an impossible shape [" + f.frames() + ", " + f.dim() + "]");
            }
            for (float v : f.values()) if (!Float.isFinite(v)) throw new AssertionError("accepted a non-finite value");
        });
    }

    @Test
    void npyFiles() throws IOException {
        Path file = tmp.resolve("fuzz.npy");
        fuzz("npy", 15000, 7.0, (r, i) -> npyCase(r, file));
    }

    // ================================================================ safetensors

    private static final List<String> DTYPES = List.of("F32", "F64", "F16", "BF16", "I32", "I64", "U8", "BOOL");

    private static byte[] safetensorsSeed(SplittableRandom r) {
        Map<String, HostTensor> t = new LinkedHashMap<>();
        int n = r.nextInt(0, 5);
        for (int i = 0; i < n; i++) {
            int[] shape = new int[r.nextInt(0, 4)];
            int size = 1;
            for (int d = 0; d < shape.length; d++) {
                shape[d] = r.nextInt(0, 5);
                size *= shape[d];
            }
            String name = pick(r, List.of("w", "b", "layer.0.weight", "audio.mean", "x" + i, "\u00e9t\u00e9", "")) + i;
            switch (r.nextInt(5)) {
                case 0 -> t.put(name, HostTensor.ofInts(r.ints(size, -1000, 1000).toArray(), shape));
                case 1 -> t.put(name, HostTensor.ofBytes(r.ints(size, 0, 2).toArray(), shape));
                case 2 -> t.put(name, HostTensor.ofFloats(randomFloats(r, size), shape).roundedTo(r.nextBoolean() ? HostTensor.DType.F16 : HostTensor.DType.BF16));
                default -> t.put(name, HostTensor.ofFloats(randomFloats(r, size), shape));
            }
        }
        return SafeTensors.encode(t, r.nextInt(4) == 0 ? Map.of("format", "pt", "k", "v") : null);
    }

    private static float[] randomFloats(SplittableRandom r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) r.nextGaussian();
        return v;
    }

    private static byte[] withHeader(String header, byte[] data, boolean pad) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        int padded = pad ? (h.length + 7) / 8 * 8 : h.length;
        ByteBuffer b = ByteBuffer.allocate(8 + padded + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(padded).put(h);
        for (int i = h.length; i < padded; i++) b.put((byte) ' ');
        return b.put(data).array();
    }

    private static JsonNode hostileJsonValue(SplittableRandom r) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        return switch (r.nextInt(16)) {
            case 0 -> f.numberNode(interestingNumber(r));
            case 1 -> f.numberNode(r.nextInt(-3, 10) + 0.5);
            case 2 -> f.numberNode((double) r.nextInt(0, 10));
            case 3 -> f.numberNode(new java.math.BigInteger("9".repeat(1 + r.nextInt(60))));
            case 4 -> f.numberNode(new java.math.BigDecimal("1e" + r.nextInt(-400, 400)));
            case 5 -> f.textNode(pick(r, List.of("1", "F32", "", "\u0000", "x".repeat(r.nextInt(1, 5000)))));
            case 6 -> f.booleanNode(r.nextBoolean());
            case 7 -> f.nullNode();
            case 8 -> f.objectNode();
            case 9 -> f.arrayNode();
            case 10 -> {
                ArrayNode a = f.arrayNode();
                for (int i = r.nextInt(0, 6); i > 0; i--) a.add(r.nextBoolean() ? interestingNumber(r) : r.nextInt(0, 10));
                yield a;
            }
            case 11 -> {
                ArrayNode root = f.arrayNode(), a = root;
                for (int i = r.nextInt(1, 80); i > 0; i--) a = a.addArray();
                yield root;
            }
            default -> f.numberNode(r.nextInt(-2, 10));
        };
    }

    private Input safetensorsCase(SplittableRandom r, Path file) throws IOException {
        StringBuilder what = new StringBuilder();
        byte[] seed = safetensorsSeed(r);
        long headerLen = ByteBuffer.wrap(seed).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        String header = new String(seed, 8, (int) headerLen, StandardCharsets.UTF_8).strip();
        byte[] data = Arrays.copyOfRange(seed, 8 + (int) headerLen, seed.length);
        byte[] b;
        int kind = r.nextInt(10);
        if (kind < 3) {
            b = damage(r, seed, what.append("damaged "));
        } else if (kind < 7) {
            ObjectNode h = (ObjectNode) JSON.readTree(header);
            List<String> names = new ArrayList<>();
            h.fieldNames().forEachRemaining(names::add);
            names.remove("__metadata__");
            int edits = 1 + r.nextInt(3);
            for (int e = 0; e < edits; e++) {
                if (names.isEmpty() || r.nextInt(8) == 0) {
                    ObjectNode t = h.putObject("new" + e);
                    t.put("dtype", pick(r, DTYPES));
                    t.set("shape", JSON.valueToTree(List.of(interestingNumber(r), r.nextInt(0, 4))));
                    t.set("data_offsets", JSON.valueToTree(List.of(r.nextInt(0, 64), interestingNumber(r))));
                    what.append("added ");
                    continue;
                }
                String name = pick(r, names);
                if (!(h.get(name) instanceof ObjectNode t)) continue;   // replaced by an earlier edit
                switch (r.nextInt(9)) {
                    case 0 -> t.put("dtype", pick(r, List.of("F8_E4M3", "f32", "", "I8", "U16", "C64", "F32 ", pick(r, DTYPES))));
                    case 1 -> t.set("dtype", hostileJsonValue(r));
                    case 2 -> {
                        ArrayNode s = t.putArray("shape");
                        for (int k = r.nextInt(0, 6); k > 0; k--) s.add(r.nextBoolean() ? hostileJsonValue(r) : JSON.valueToTree(interestingNumber(r)));
                    }
                    case 3 -> t.set("data_offsets", JSON.valueToTree(List.of(interestingNumber(r), interestingNumber(r))));
                    case 4 -> {   // alias or overlap another tensor's range
                        JsonNode o = h.path(pick(r, names)).path("data_offsets");
                        if (o.size() < 2) break;
                        long b0 = o.get(0).asLong() + r.nextInt(-4, 5), b1 = o.get(1).asLong() + r.nextInt(-4, 5);
                        t.set("data_offsets", JSON.valueToTree(r.nextBoolean() ? List.of(o.get(0).asLong(), o.get(1).asLong()) : List.of(b0, b1)));
                    }
                    case 5 -> t.set(pick(r, List.of("data_offsets", "shape", "dtype")), hostileJsonValue(r));
                    case 6 -> t.remove(pick(r, List.of("data_offsets", "shape", "dtype")));
                    case 7 -> t.put(pick(r, List.of("strides", "offset", "__metadata__")), 1);
                    default -> h.set(pick(r, List.of("__metadata__", name)), hostileJsonValue(r));
                }
                what.append("edit ").append(name).append(' ');
            }
            String text = h.toString();
            if (r.nextInt(6) == 0 && !names.isEmpty()) {   // a duplicate name, which a tree cannot hold
                String name = pick(r, names);
                text = text.substring(0, text.length() - 1) + ",\"" + name + "\":" + h.get(name) + "}";
                what.append("duplicate ").append(name).append(' ');
            }
            if (r.nextInt(5) == 0) {
                int extra = r.nextInt(-8, 64);
                data = extra < 0 ? Arrays.copyOf(data, Math.max(0, data.length + extra)) : concat(data, new byte[extra]);
                what.append("data ").append(extra >= 0 ? "+" : "").append(extra).append(' ');
            }
            b = withHeader(text, data, r.nextInt(5) > 0);
        } else if (kind == 7) {
            int d = depth(r);
            String text = r.nextBoolean() ? "{\"a\":" + "[".repeat(d) + "]".repeat(d) + "}" : "{\"a\":" + "{\"b\":".repeat(d) + "1" + "}".repeat(d + 1);
            b = withHeader(text, data, true);
            what.append("nested ").append(d);
        } else if (kind == 8) {
            b = seed.clone();
            long len = r.nextBoolean() ? interestingNumber(r) : headerLen + r.nextInt(-16, 16);
            ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(0, len);
            what.append("header length ").append(len);
        } else {
            byte[] h = damage(r, header.getBytes(StandardCharsets.UTF_8), what.append("header text "));
            ByteBuffer out = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
            b = out.putLong(h.length).put(h).put(data).array();
        }
        write(file, b);
        return new Input(what.toString().strip(), b.length, file.toString(), FormatException.class, () -> {
            Map<String, HostTensor> t = SafeTensors.read(file);
            long total = 0;
            for (HostTensor x : t.values()) total += (long) x.size() * x.dtype().bytes;
            if (total > b.length) throw new AssertionError("tensors of " + total + " bytes from a file of " + b.length);
        });
    }

    @Test
    void safetensorsFiles() throws IOException {
        Path file = tmp.resolve("fuzz.safetensors");
        fuzz("safetensors", 12000, 7.0, (r, i) -> safetensorsCase(r, file));
    }

    // ================================================================ manifests (and the feature paths they lead to)

    private static Path features, outside, realFeatures;

    @BeforeAll
    static void featuresDirectory() throws IOException {
        features = Files.createDirectories(tmp.resolve("corpus/features"));
        outside = Files.createDirectories(tmp.resolve("corpus/outside"));
        Path audio = Files.createDirectories(features.resolve("audio")), visual = Files.createDirectories(features.resolve("visual"));
        Features f = new Features(new float[] {1, 2, 3, 4, 5, 6}, 3, 2);
        for (String s : List.of("a", "b", "c", "sub/d")) {
            Npy.write(audio.resolve(s + ".npy"), f);
            Npy.write(visual.resolve(s + ".npy"), f);
        }
        Npy.write(outside.resolve("passwd.npy"), f);
        Npy.write(tmp.resolve("corpus/secret.npy"), f);
        Files.createSymbolicLink(audio.resolve("out.npy"), outside.resolve("passwd.npy"));
        Files.createSymbolicLink(audio.resolve("loop.npy"), Path.of("loop.npy"));
        Files.createSymbolicLink(audio.resolve("dangling.npy"), Path.of("gone.npy"));
        Files.createSymbolicLink(audio.resolve("inside.npy"), Path.of("a.npy"));
        Files.createSymbolicLink(visual.resolve("outdir"), outside);
        realFeatures = features.toRealPath();
    }

    private static final List<String> HOSTILE_NAMES = List.of("../secret.wav", "../../secret.wav", "../outside/passwd.wav", "/etc/passwd",
            "/abs/a.wav", "C:\\x.wav", "c:x.wav", "\\\\srv\\share\\a.wav", "..\\secret.wav", "a\u0000b.wav", "\"a\nb.wav\"", "..", ".", "",
            " ", "sub/../../secret.wav", "sub/./d.wav", "out.wav", "loop.wav", "dangling.wav", "inside.wav", "outdir/passwd.wav",
            "\uFEFFa.wav", "a\u2028b.wav", "a\u0085b.wav", "a/", "%2e%2e/secret.wav", "sub/d.wav", "x".repeat(5000) + ".wav",
            "\u00e9\u4e2d\ud83d\ude00.wav", "\"a,b.wav\"", "\"a\"\"b.wav\"", "a\tb.wav", "a\u001bb.wav", "\ud800.wav", "~/a.wav");
    private static final List<String> HOSTILE_NUMBERS = List.of("1e999", "-1e999", "nan", "NaN", "inf", "-Infinity", "-0", "0x1", "1.5.5",
            "", " 1 ", "1e-400", "9".repeat(400), "1d", "1f", "+.5", ".", "-", "1,5", "\u0661", "0.1\u0000");
    private static final List<String> HOSTILE_SPLITS = List.of("train", "TRAIN", "", "Validation", "Test\u0000", " Test", "Dev", "\"Train\"");

    private Input manifestCase(SplittableRandom r, Path file, int index) {
        StringBuilder what = new StringBuilder();
        List<String> header = new ArrayList<>(List.of("FileName", "Split_Set", "SpkrID", "angry", "sad"));
        List<List<String>> rows = new ArrayList<>();
        String[] names = {"a.wav", "b.wav", "c.wav", "sub/d.wav", "e.wav", "f.mp4"};
        String[] splits = {"Train", "Development", "Test"};
        for (int i = 0; i < names.length; i++) rows.add(new ArrayList<>(List.of(names[i], splits[i % 3], "s" + (i % 2), "" + (i % 2), "" + ((i + 1) % 2))));
        int edits = 1 + r.nextInt(4);
        for (int e = 0; e < edits; e++) {
            if (rows.isEmpty()) rows.add(new ArrayList<>(List.of("z.wav", "Train", "s", "1", "0")));
            List<String> row = pick(r, rows);
            switch (r.nextInt(12)) {
                case 0, 1, 2 -> {
                    String n = pick(r, HOSTILE_NAMES);
                    if (row.isEmpty()) row.add(n); else row.set(0, n);
                    what.append("name ").append(escape(n.length() > 30 ? n.substring(0, 30) + "…" : n)).append(' ');
                }
                case 3 -> {
                    int c = 3 + r.nextInt(2);
                    if (c < row.size()) row.set(c, pick(r, HOSTILE_NUMBERS));
                    what.append("label ");
                }
                case 4 -> {
                    if (row.size() > 1) row.set(1, pick(r, HOSTILE_SPLITS));
                    what.append("split ");
                }
                case 5 -> {
                    int c = r.nextInt(header.size());
                    header.set(c, pick(r, List.of("FileName", "Split_Set", "angry", "sad", "", "\uFEFFFileName", "FileName\u0000", "file_name")));
                    what.append("header ").append(c).append(' ');
                }
                case 6 -> {
                    if (r.nextBoolean()) row.add(pick(r, List.of("x", "", "\"q\""))); else if (!row.isEmpty()) row.remove(row.size() - 1);
                    what.append("fields ");
                }
                case 7 -> {
                    rows.add(new ArrayList<>(row));
                    what.append("duplicate row ");
                }
                case 8 -> {
                    rows.remove(row);
                    what.append("remove row ");
                }
                case 9 -> {
                    if (row.size() > 2) row.set(2, pick(r, List.of("", "\u0000", "s\nt", "x".repeat(3000), "\"")));
                    what.append("speaker ");
                }
                default -> {
                    if (!row.isEmpty()) row.set(0, "sub/" + row.get(0));
                    what.append("subdir ");
                }
            }
        }
        StringBuilder text = new StringBuilder();
        String eol = pick(r, List.of("\n", "\n", "\r\n", "\r"));
        if (r.nextInt(8) == 0) text.append(r.nextBoolean() ? "\uFEFF" : "\uFEFF\uFEFF");
        text.append(String.join(",", header)).append(eol);
        for (List<String> row : rows) {
            text.append(String.join(",", row)).append(eol);
            if (r.nextInt(30) == 0) text.append(eol);
        }
        byte[] b = text.toString().getBytes(StandardCharsets.UTF_8);
        if (r.nextInt(4) == 0) b = damage(r, b, what.append("bytes "));
        write(file, b);
        boolean labelled = index % 3 != 2;
        return new Input(what.toString().strip(), b.length, file.toString(), DataException.class, () -> {
            Manifest m = labelled ? Manifest.read(file, List.of("angry", "sad")) : Manifest.read(file, List.of(), Manifest.Mode.PREDICTION);
            loadInsideFeatures(m.rows());
        });
    }

    /** The rows' features: refused with a DataException, or read only from inside the features directory. */
    private static void loadInsideFeatures(List<ManifestRow> rows) {
        Corpus c;
        try {
            c = Corpus.load(rows, features, 0, 0, 0, null);
        } catch (DataException e) {
            String m = e.getMessage();
            if (m == null || m.lines().count() != 1) throw new AssertionError("Corpus.load: bad message " + escape(String.valueOf(m)));
            return;
        }
        for (Utterance u : c.utterances()) {
            for (String modality : List.of("audio", "visual")) {
                if (modality.equals("audio") ? u.audio() == null : u.visual() == null) continue;
                Path p = features.resolve(modality).resolve(u.row().stem() + ".npy");
                Path real;
                try {
                    real = p.toRealPath();
                } catch (IOException e) {
                    throw new AssertionError("loaded " + p + ", which does not resolve: " + e);
                }
                if (!real.startsWith(realFeatures)) throw new AssertionError("loaded " + p + " from outside the features directory: " + real);
            }
        }
    }

    @Test
    void manifests() throws IOException {
        Path file = tmp.resolve("corpus/fuzz.csv");
        fuzz("manifest", 10000, 7.0, (r, i) -> manifestCase(r, file, i));
    }

    // ================================================================ config.json

    private static final List<String> CONFIG_KEYS = List.of("audio_dim", "visual_dim", "proj_dim", "model_dim", "heads", "ff_expansion",
            "conv_kernel", "modality_layers", "shared_layers", "head_hidden", "outputs", "task", "dropout", "head_dropout", "recon_weight",
            "ln_eps", "bn_eps", "bn_momentum", "lr", "beta1", "beta2", "adam_eps", "weight_decay", "unknown_key", "Heads", "");

    private static String mutateJsonObject(SplittableRandom r, String json, List<String> keys, StringBuilder what) throws IOException {
        ObjectNode o = (ObjectNode) JSON.readTree(json);
        int kind = r.nextInt(10);
        if (kind < 6) {
            int edits = 1 + r.nextInt(3);
            for (int e = 0; e < edits; e++) {
                String k = pick(r, keys);
                JsonNode v = r.nextInt(5) == 0 ? JSON.valueToTree(pick(r, List.of("classification", "regression", "CLASSIFICATION", "x")))
                        : hostileJsonValue(r);
                if (r.nextInt(8) == 0) {
                    o.remove(k);
                    what.append("-").append(k).append(' ');
                    continue;
                }
                o.set(k, v);
                what.append(k).append('=').append(escape(v.toString().length() > 24 ? v.toString().substring(0, 24) + "…" : v.toString())).append(' ');
            }
            return o.toString();
        }
        String text = o.toString();
        if (kind == 6 && o.size() > 0) {
            String k = o.fieldNames().next();
            what.append("duplicate ").append(k);
            return text.substring(0, text.length() - 1) + ",\"" + k + "\":" + o.get(k) + "}";
        }
        if (kind == 7) {
            int d = depth(r);
            what.append("nested ").append(d);
            return "{\"" + pick(r, keys) + "\":" + "[".repeat(d) + "]".repeat(d) + "}";
        }
        if (kind == 8) {
            String s = pick(r, List.of(text + "{}", text + " x", "\uFEFF" + text, text.replace(":", ": //c\n"), text.replace('"', '\''),
                    text.replace("}", ",}"), "[" + text + "]", "", "null", "1", "\"{}\"", text.replace("1", "1e99999"), text.replace("0.", "NaN+")));
            what.append("text variant");
            return s;
        }
        return new String(damage(r, text.getBytes(StandardCharsets.UTF_8), what.append("bytes ")), StandardCharsets.UTF_8);
    }

    @Test
    void configJson() throws IOException {
        String seed = VavlConfig.paperDefaults().toJson();
        String small = TinyRuns.tinyModel().toString();
        fuzz("config.json", 15000, 3.0, (r, i) -> {
            StringBuilder what = new StringBuilder();
            String text = mutateJsonObject(r, r.nextBoolean() ? seed : small, CONFIG_KEYS, what);
            return new Input(what.toString().strip(), text.length(), "fuzz.json", ConfigException.class, () -> VavlConfig.fromJson(text, "fuzz.json"));
        });
    }

    // ================================================================ checkpoint.json

    /** A random node of the tree (an object field or array item), as the container and the key or index. */
    private static void mutateSomewhere(SplittableRandom r, JsonNode root, StringBuilder what) {
        JsonNode container = root;
        String path = "";
        for (int depth = 0; depth < 6; depth++) {
            List<String> keys = new ArrayList<>();
            if (container.isObject()) container.fieldNames().forEachRemaining(keys::add);
            else for (int i = 0; i < container.size(); i++) keys.add(Integer.toString(i));
            if (keys.isEmpty()) break;
            String k = pick(r, keys);
            JsonNode child = container.isObject() ? container.get(k) : container.get(Integer.parseInt(k));
            if (child.isContainerNode() && child.size() > 0 && r.nextInt(3) > 0) {
                container = child;
                path += "/" + k;
                continue;
            }
            JsonNode v = hostileJsonValue(r);
            String op = "=";
            if (container instanceof ObjectNode o) {
                if (r.nextInt(6) == 0) {
                    o.remove(k);
                    op = " removed";
                } else {
                    o.set(k, v);
                }
            } else {
                ArrayNode a = (ArrayNode) container;
                int at = Integer.parseInt(k);
                switch (r.nextInt(4)) {
                    case 0 -> {
                        a.remove(at);
                        op = " removed";
                    }
                    case 1 -> {
                        a.add(v);
                        op = " appended ";
                    }
                    default -> a.set(at, v);
                }
            }
            if (op.equals(" removed")) {
                what.append(path).append('/').append(k).append(op).append(' ');
                return;
            }
            what.append(path).append('/').append(k).append(op).append(escape(v.toString().length() > 24 ? v.toString().substring(0, 24) + "…" : v.toString())).append(' ');
            return;
        }
        what.append("(no leaf) ");
    }

    @Test
    void checkpointJson() throws IOException {
        Path run = tmp.resolve("tiny-run");
        TinyRuns.train(TinyRuns.corpus(tmp.resolve("tiny-corpus"), 4), run, 1);
        Path dir = Checkpoint.resolve(run);
        Checkpoint.load(dir);   // the seed itself loads
        Path meta = dir.resolve("checkpoint.json");
        String seed = Files.readString(meta);
        long dirSize;
        try (Stream<Path> s = Files.list(dir)) {
            dirSize = s.mapToLong(p -> p.toFile().length()).sum();
        }
        long size = dirSize;
        fuzz("checkpoint.json", 5000, 8.0, (r, i) -> {
            StringBuilder what = new StringBuilder();
            String text;
            int kind = r.nextInt(10);
            if (kind < 7) {
                JsonNode tree = JSON.readTree(seed);
                for (int e = 1 + r.nextInt(2); e > 0; e--) mutateSomewhere(r, tree, what);
                text = JSON.writerWithDefaultPrettyPrinter().writeValueAsString(tree);
            } else {
                List<String> keys = new ArrayList<>();
                JSON.readTree(seed).fieldNames().forEachRemaining(keys::add);
                text = mutateJsonObject(r, seed, keys, what);
            }
            Files.writeString(meta, text);
            return new Input(what.toString().strip(), size - seed.length() + text.length(), dir.toString(), VavlException.class, () -> {
                Checkpoint ck = Checkpoint.load(dir);
                // What --resume does with it next: the trainer's state, parsed and checked.
                if (ck.trainingJson() != null) TrainingState.fromJson(ck.trainingJson(), meta + " field 'training'");
            });
        });
        Files.writeString(meta, seed);
    }
}
