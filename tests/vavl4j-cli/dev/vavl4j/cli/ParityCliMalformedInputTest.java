package dev.vavl4j.cli;

import static dev.vavl4j.cli.CliHarness.assertNoStackTrace;
import static dev.vavl4j.cli.CliHarness.assertOneErrorLine;
import static dev.vavl4j.cli.CliHarness.copyBundled;
import static dev.vavl4j.cli.CliHarness.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vavl4j.io.HostTensor;
import dev.vavl4j.io.SafeTensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Malformed fixtures given to {@code parity}: each must exit 2 with exactly one line on stderr naming the
 * file and the tensor, key or value at fault, print no stack trace, and write no --out file.
 *
 * <p>The base fixture is tiny-classification: B = 5; audio [5, 13, 24], audio_len [13, 6, 7, 8, 11],
 * has_audio [1, 1, 1, 1, 0]; visual [5, 9, 20], visual_len [9, 7, 4, 3, 9], has_visual [1, 1, 1, 0, 1];
 * labels [5, 4]; config model_dim 16, heads 2, conv_kernel 5.
 */
class ParityCliMalformedInputTest {
    private static final String BASE = "tiny-classification";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    /** Rewrites a fixture in place. */
    @FunctionalInterface
    interface Mutation {
        void apply(Path fixture) throws IOException;
    }

    /**
     * @param faulty the file the message must name (relative to the fixture), or null for the fixture folder
     * @param mustName further words the message must contain (tensor, key, value)
     */
    record Case(String label, Mutation mutation, String faulty, List<String> mustName) {
        @Override
        public String toString() {
            return label;
        }
    }

    private static Case c(String label, String faulty, Mutation m, String... mustName) {
        return new Case(label, m, faulty, List.of(mustName));
    }

    static Stream<Case> cases() {
        String B = "batch.safetensors", W = "weights.safetensors", C = "config.json", E = "expected.safetensors";
        return Stream.of(
                // ---- batch.safetensors
                c("batch: missing visual_len", B, fx -> batch(fx, t -> t.remove("visual_len")), "'visual_len'"),
                c("batch: missing labels", B, fx -> batch(fx, t -> t.remove("labels")), "'labels'"),
                c("batch: audio feature dim 23 != audio_dim 24", B,
                        fx -> batch(fx, t -> t.put("audio", reshapeFloats(t.get("audio"), 5, 13, 23))), "'audio'", "24"),
                c("batch: labels with 3 columns != outputs 4", B,
                        fx -> batch(fx, t -> t.put("labels", reshapeFloats(t.get("labels"), 5, 3))), "'labels'", "4"),
                c("batch: visual batch size 4 != 5", B,
                        fx -> batch(fx, t -> t.put("visual", reshapeFloats(t.get("visual"), 4, 9, 20))), "'visual'"),
                c("batch: audio of rank 2", B,
                        fx -> batch(fx, t -> t.put("audio", reshapeFloats(t.get("audio"), 5, 13 * 24))), "'audio'"),
                c("batch: NaN in a valid audio frame", B,
                        fx -> batch(fx, t -> t.put("audio", setFloat(t.get("audio"), (0 * 13 + 2) * 24 + 5, Float.NaN))),
                        "'audio'", "NaN"),
                c("batch: +Inf in the last valid visual frame", B,
                        fx -> batch(fx, t -> t.put("visual", setFloat(t.get("visual"), (2 * 9 + 3) * 20 + 19,
                                Float.POSITIVE_INFINITY))), "'visual'", "Infinity"),
                c("batch: NaN in labels", B,
                        fx -> batch(fx, t -> t.put("labels", setFloat(t.get("labels"), 6, Float.NaN))), "'labels'", "NaN"),
                c("batch: audio_len 14 > T 13", B,
                        fx -> batch(fx, t -> t.put("audio_len", setInt(t.get("audio_len"), 1, 14))), "'audio_len'", "14"),
                c("batch: audio_len 0 for a present sample", B,
                        fx -> batch(fx, t -> t.put("audio_len", setInt(t.get("audio_len"), 2, 0))), "'audio_len'"),
                c("batch: visual_len -3", B,
                        fx -> batch(fx, t -> t.put("visual_len", setInt(t.get("visual_len"), 0, -3))), "'visual_len'", "-3"),
                c("batch: fractional audio_len 6.5 (F32)", B,
                        fx -> batch(fx, t -> t.put("audio_len", HostTensor.ofFloats(new float[] {13, 6.5f, 7, 8, 11}, 5))),
                        "'audio_len'", "6.5"),
                c("batch: has_audio value 2", B,
                        fx -> batch(fx, t -> t.put("has_audio", setInt(t.get("has_audio"), 0, 2))), "'has_audio'", "2"),
                c("batch: has_visual value 0.5 (F32)", B,
                        fx -> batch(fx, t -> t.put("has_visual", HostTensor.ofFloats(new float[] {1, 1, 0.5f, 0, 1}, 5))),
                        "'has_visual'", "0.5"),
                c("batch: truncated", B, fx -> truncate(fx.resolve("batch.safetensors"), 7), "'visual_len'"),
                c("batch: 3-byte file", B, fx -> Files.write(fx.resolve("batch.safetensors"), new byte[] {1, 2, 3})),
                c("batch: file missing", B, fx -> Files.delete(fx.resolve("batch.safetensors"))),
                // ---- weights.safetensors
                c("weights: truncated", W, fx -> truncate(fx.resolve(W), 2), "'" + lastTensor(W) + "'"),
                c("weights: cut inside the header", W, fx -> truncate(fx.resolve(W), Files.size(fx.resolve(W)) - 40)),
                c("weights: missing tensor", W,
                        fx -> weights(fx, t -> t.remove("shared.norm.weight")), "'shared.norm.weight'"),
                c("weights: tensor with wrong shape", W,
                        fx -> weights(fx, t -> t.put("audio.proj.weight", reshapeFloats(t.get("audio.proj.weight"), 24, 8))),
                        "'audio.proj.weight'", "[24, 8]"),
                c("weights: NaN", W,
                        fx -> weights(fx, t -> t.put("head.fusion.out.bias", setFloat(t.get("head.fusion.out.bias"), 1, Float.NaN))),
                        "'head.fusion.out.bias'", "NaN"),
                c("weights: extra unknown tensor", W,
                        fx -> weights(fx, t -> t.put("audio.conformer.blocks.7.norm.weight", HostTensor.ofFloats(new float[16], 16))),
                        "'audio.conformer.blocks.7.norm.weight'"),
                c("weights: unknown dtype", W, fx -> replaceInHeader(fx.resolve(W), "\"shared.norm.bias\":{\"dtype\":\"F32\"",
                        "\"shared.norm.bias\":{\"dtype\":\"F16\""), "'shared.norm.bias'", "F16"),
                // ---- config.json
                c("config: model_dim 16 not divisible by heads 3", C, fx -> config(fx, o -> o.put("heads", 3)), "model_dim", "heads", "3"),
                c("config: even conv_kernel", C, fx -> config(fx, o -> o.put("conv_kernel", 4)), "conv_kernel", "4"),
                c("config: unknown key", C, fx -> config(fx, o -> o.put("learning_rate", 0.1)), "learning_rate"),
                c("config: wrong type", C, fx -> config(fx, o -> o.put("heads", "two")), "heads", "two"),
                c("config: bad task", C, fx -> config(fx, o -> o.put("task", "ranking")), "task", "ranking"),
                c("config: invalid JSON", C, fx -> Files.writeString(fx.resolve(C), "{\"heads\": 2,, \"model_dim\": 16}"), "JSON"),
                c("config: not an object", C, fx -> Files.writeString(fx.resolve(C), "[16, 2]")),
                c("config: empty file", C, fx -> Files.writeString(fx.resolve(C), "")),
                c("config: file missing", C, fx -> Files.delete(fx.resolve(C))),
                c("config: valid but for another model (audio_dim 30)", B, fx -> config(fx, o -> o.put("audio_dim", 30)),
                        "'audio'", "30"),
                // ---- expected.safetensors
                c("expected: truncated", E, fx -> truncate(fx.resolve(E), 3)),
                // ---- the folder
                c("fixture directory missing", null, fx -> deleteTree(fx)),
                c("fixture is a file", null, fx -> {
                    deleteTree(fx);
                    Files.writeString(fx, "not a folder");
                }));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void malformedFixtureIsRejectedWithOneLineNamingFileAndFault(Case k) throws IOException {
        Path fx = copyBundled(BASE, tmp);
        k.mutation().apply(fx);
        Path outDir = tmp.resolve("results");
        Path out = outDir.resolve("actual.safetensors");

        CliHarness.Run r = run("parity", "--fixture", fx.toString(), "--out", out.toString(), "--device", "cpu");

        assertEquals(2, r.exit(), "exit code for a user error:\n" + r);
        assertOneErrorLine(r);
        String line = r.errLines().get(0);
        Path faulty = k.faulty() == null ? fx : fx.resolve(k.faulty());
        assertTrue(line.contains(faulty.toString()), "names the file " + faulty + ":\n" + line);
        assertEquals(1, line.split(java.util.regex.Pattern.quote(faulty.toString()), -1).length - 1,
                "names the file once, not repeated:\n" + line);
        for (String word : k.mustName()) assertTrue(line.contains(word), "names " + word + ":\n" + line);
        assertNoStackTrace(r.err());
        assertNoStackTrace(r.out());
        assertFalse(Files.exists(out), "no --out file after a failure");
        assertFalse(Files.exists(outDir) && !isEmpty(outDir), "nothing (temp files) written next to --out");
    }

    /** An existing --out file survives a failed run unchanged, even one told to replace it. */
    @Test
    void failedRunLeavesAnExistingOutFileUntouched() throws IOException {
        Path fx = copyBundled(BASE, tmp);
        batch(fx, t -> t.remove("audio"));
        Path out = tmp.resolve("previous.safetensors");
        Files.writeString(out, "previous results");
        CliHarness.Run r = run("parity", "--fixture", fx.toString(), "--out", out.toString(), "--overwrite", "--device", "cpu");
        assertEquals(2, r.exit(), r.toString());
        assertEquals("previous results", Files.readString(out));
    }

    /**
     * Spec §9: padded frames may hold anything, NaN and inf included, and so may every frame of a sample
     * that lacks the modality. The results do not change, so the fixture still passes.
     */
    @Test
    void nonFiniteValuesInPaddedFramesAreAcceptedAndDoNotChangeResults() throws IOException {
        Path fx = copyBundled(BASE, tmp);
        batch(fx, t -> {
            // audio sample 1 has length 6 of 13: frames 6..12 are padding
            HostTensor a = setFloat(t.get("audio"), (1 * 13 + 6) * 24, Float.NaN);
            a = setFloat(a, (1 * 13 + 12) * 24 + 23, Float.NaN);
            // audio sample 4 has no audio: any frame may hold anything
            a = setFloat(a, (4 * 13) * 24, Float.NEGATIVE_INFINITY);
            t.put("audio", a);
            // visual sample 3 (length 3 of 9) and sample 2 (length 4): padded frames
            HostTensor v = setFloat(t.get("visual"), (3 * 9 + 3) * 20 + 1, Float.POSITIVE_INFINITY);
            v = setFloat(v, (2 * 9 + 8) * 20 + 7, Float.NaN);
            t.put("visual", v);
            // the length of an absent sample is ignored
            t.put("audio_len", setInt(t.get("audio_len"), 4, 99));
        });
        Path out = tmp.resolve("nan-padded.safetensors");
        CliHarness.Run r = run("parity", "--fixture", fx.toString(), "--out", out.toString(), "--device", "cpu");
        assertEquals(0, r.exit(), r.toString());
        assertEquals("", r.err(), r.toString());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith(fx.toString()) && l.contains("PASS")), r.toString());
        for (var e : SafeTensors.read(out).entrySet()) {
            for (float x : e.getValue().asFloats()) assertTrue(Float.isFinite(x), "non-finite value in output '" + e.getKey() + "'");
        }
    }

    /** A fixture without expected.safetensors is computed, not checked, and exits 0. */
    @Test
    void fixtureWithoutExpectedIsComputedAndWritten() throws IOException {
        Path fx = copyBundled("tiny-regression", tmp);
        Files.delete(fx.resolve("expected.safetensors"));
        Path out = tmp.resolve("computed.safetensors");
        CliHarness.Run r = run("parity", "--fixture", fx.toString(), "--out", out.toString(), "--device", "cpu");
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().contains("computed"), r.toString());
        assertFalse(r.out().contains("PASS") || r.out().contains("FAIL"), r.toString());
        assertTrue(SafeTensors.read(out).containsKey("eval.fusion.pred"));
    }

    // ---------------------------------------------------------------- rewriting fixtures

    /** The name of the last tensor in a bundled file's data (its header lists tensors in offset order). */
    private static String lastTensor(String file) {
        String res = "/dev/vavl4j/fixtures/" + BASE + "/" + file;
        try (var in = ParityCliMalformedInputTest.class.getResourceAsStream(res)) {
            List<String> names = new ArrayList<>(SafeTensors.parse(res, in.readAllBytes()).keySet());
            return names.get(names.size() - 1);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static void batch(Path fx, Consumer<Map<String, HostTensor>> edit) throws IOException {
        rewrite(fx.resolve("batch.safetensors"), edit);
    }

    private static void weights(Path fx, Consumer<Map<String, HostTensor>> edit) throws IOException {
        rewrite(fx.resolve("weights.safetensors"), edit);
    }

    private static void rewrite(Path file, Consumer<Map<String, HostTensor>> edit) throws IOException {
        Map<String, HostTensor> t = new LinkedHashMap<>(SafeTensors.read(file));
        edit.accept(t);
        SafeTensors.write(file, t, null);
    }

    private static void config(Path fx, Consumer<ObjectNode> edit) throws IOException {
        Path f = fx.resolve("config.json");
        ObjectNode o = (ObjectNode) JSON.readTree(Files.readString(f));
        edit.accept(o);
        Files.writeString(f, o.toPrettyString());
    }

    private static void truncate(Path file, long bytesToDrop) throws IOException {
        byte[] b = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(b, (int) (b.length - bytesToDrop)));
    }

    private static void replaceInHeader(Path file, String from, String to) throws IOException {
        byte[] b = Files.readAllBytes(file);
        String s = new String(b, java.nio.charset.StandardCharsets.ISO_8859_1);
        assertTrue(s.contains(from), "fixture header holds " + from);
        assertEquals(from.length(), to.length(), "same length keeps the offsets");
        Files.write(file, s.replace(from, to).getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
    }

    private static HostTensor reshapeFloats(HostTensor t, int... shape) {
        int n = 1;
        for (int d : shape) n *= d;
        float[] src = t.asFloats(), v = new float[n];
        for (int i = 0; i < n; i++) v[i] = src[i % src.length];
        return HostTensor.ofFloats(v, shape);
    }

    private static HostTensor setFloat(HostTensor t, int index, float value) {
        float[] v = t.floats().clone();
        v[index] = value;
        return HostTensor.ofFloats(v, t.shape());
    }

    private static HostTensor setInt(HostTensor t, int index, int value) {
        int[] v = t.ints().clone();
        v[index] = value;
        return new HostTensor(t.dtype(), t.shape().clone(), null, v);
    }

    private static void deleteTree(Path p) throws IOException {
        try (Stream<Path> s = Files.walk(p)) {
            for (Path x : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(x);
        }
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        }
    }
}
