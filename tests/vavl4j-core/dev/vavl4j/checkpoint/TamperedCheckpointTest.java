package dev.vavl4j.checkpoint;

import static dev.vavl4j.testutil.CheckpointTamper.editMeta;
import static dev.vavl4j.testutil.CheckpointTamper.editTensors;
import static dev.vavl4j.testutil.CheckpointTamper.rehash;
import static dev.vavl4j.testutil.CheckpointTamper.setElement;
import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vavl4j.CheckpointException;
import dev.vavl4j.VavlException;
import dev.vavl4j.backend.cpu.CpuBackend;
import dev.vavl4j.io.HostTensor;
import dev.vavl4j.predict.Predictor;
import dev.vavl4j.testutil.CheckpointTamper;
import dev.vavl4j.testutil.TinyRuns;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 11 item 3: a tampered checkpoint is refused on load, by both loaders and so by every command (predict,
 * evaluate, info, resume), naming the file and what is wrong: checksums, strictly typed checkpoint.json fields,
 * weights against the configuration (present, shaped, typed, finite, running variances ≥ 0), normalisation
 * statistics above their floor, Adam state.
 */
class TamperedCheckpointTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path tmp;
    static Checkpoint trained;
    static String runningVar;
    private static int copies;

    @BeforeAll
    static void train() throws Exception {
        Path run = tmp.resolve("run");
        TinyRuns.train(TinyRuns.corpus(tmp.resolve("corpus"), 8), run, 1);
        trained = Checkpoint.load(run.resolve("last"));
        runningVar = trained.weights().keySet().stream().filter(k -> k.endsWith(".running_var")).findFirst().orElseThrow();
    }

    /** A fresh copy of the trained training checkpoint (optimizer and trainer state included). */
    private static Path copy() throws IOException {
        Path dir = tmp.resolve("copy-" + copies++);
        trained.save(dir);
        return dir;
    }

    @FunctionalInterface
    interface Damage {
        void apply(Path dir) throws Exception;
    }

    private static final Function<Path, Checkpoint> LOAD = Checkpoint::load, INFERENCE = Checkpoint::loadForInference;

    /** Both loaders and the predictor refuse {@code dir} with the same one-line message naming {@code file} and {@code word}. */
    private static String assertRefusedEverywhere(Path dir, String file, String word) {
        String m = assertRefused(LOAD, dir, file, word);
        assertEquals(m, assertThrows(VavlException.class, () -> Checkpoint.loadForInference(dir)).getMessage());
        try (CpuBackend be = new CpuBackend(1)) {
            assertEquals(m, assertThrows(VavlException.class, () -> Predictor.load(dir, be)).getMessage(), "the predictor loads the same way");
        }
        return m;
    }

    private static String assertRefused(Function<Path, Checkpoint> loader, Path dir, String file, String word) {
        VavlException e = assertThrows(VavlException.class, () -> loader.apply(dir), "accepted: expected an error naming " + file + " / " + word);
        String m = e.getMessage();
        assertTrue(m.contains(dir.resolve(file).toString()), "names " + file + ": " + m);
        assertTrue(m.contains(word), "says '" + word + "': " + m);
        assertEquals(1, m.lines().count(), "one line: " + m);
        return m;
    }

    // ------------------------------------------------------------------ checksums

    @Test
    void saveRecordsTheSha256OfEveryOtherFile() throws Exception {
        Path dir = copy();
        JsonNode files = JSON.readTree(dir.resolve("checkpoint.json").toFile()).get("files");
        assertNotNull(files, "checkpoint.json has 'files'");
        List<String> names = new java.util.ArrayList<>();
        files.fieldNames().forEachRemaining(names::add);
        assertEquals(List.of("config.json", "normalization.safetensors", "model.safetensors", "optimizer.safetensors"), names);
        for (String n : names) assertEquals(CheckpointTamper.sha256(dir.resolve(n)), files.get(n).asText(), n);

        Path export = tmp.resolve("export-" + copies++);
        trained.forInference().save(export);
        assertFalse(JSON.readTree(export.resolve("checkpoint.json").toFile()).get("files").has("optimizer.safetensors"));
        Checkpoint.load(export);
    }

    static Stream<Arguments> flippedFiles() {
        return Stream.of("model.safetensors", "normalization.safetensors").map(Arguments::of);
    }

    @ParameterizedTest
    @MethodSource("flippedFiles")
    void oneFlippedBitIsRefusedNamingTheFile(String file) throws Exception {
        Path dir = copy();
        CheckpointTamper.flipLowBitOfFirstValue(dir.resolve(file));
        String m = assertRefusedEverywhere(dir, file, "SHA-256");
        assertTrue(m.contains("checkpoint.json"), m);
    }

    @Test
    void anEditedConfigIsRefusedEvenWhenItStaysValid() throws Exception {
        Path dir = copy();
        Files.writeString(dir.resolve("config.json"), Files.readString(dir.resolve("config.json")) + "\n");
        assertRefusedEverywhere(dir, "config.json", "SHA-256");
    }

    @Test
    void theOptimizerStateIsCheckedByTheFullLoadOnly() throws Exception {
        Path dir = copy();
        CheckpointTamper.flipLowBitOfFirstValue(dir.resolve("optimizer.safetensors"));
        assertRefused(LOAD, dir, "optimizer.safetensors", "SHA-256");
        assertNull(Checkpoint.loadForInference(dir).optimizer(), "inference never opens optimizer.safetensors");

        Path gone = copy();
        Files.delete(gone.resolve("optimizer.safetensors"));
        assertRefused(LOAD, gone, "optimizer.safetensors", "missing");
        Checkpoint.loadForInference(gone);

        Path extra = tmp.resolve("extra-" + copies++);
        trained.forInference().save(extra);
        Files.copy(copy().resolve("optimizer.safetensors"), extra.resolve("optimizer.safetensors"));
        assertRefused(LOAD, extra, "optimizer.safetensors", "does not list it");
    }

    // ------------------------------------------------------------------ values, past the checksums

    static List<Object[]> tamperedValues() {
        return List.of(
                new Object[] {"negative running variance", (Damage) d -> editTensors(d, "model.safetensors", t -> setElement(t, runningVar, 1, -0.5f)),
                        "model.safetensors", "variance must be ≥ 0"},
                new Object[] {"slightly negative running variance", (Damage) d -> editTensors(d, "model.safetensors", t -> setElement(t, runningVar, 0, -1e-9f)),
                        "model.safetensors", runningVar},
                new Object[] {"NaN weight", (Damage) d -> editTensors(d, "model.safetensors", t -> setElement(t, "head.fusion.out.bias", 0, Float.NaN)),
                        "model.safetensors", "NaN"},
                new Object[] {"infinite buffer", (Damage) d -> editTensors(d, "model.safetensors",
                        t -> setElement(t, runningVar.replace("running_var", "running_mean"), 0, Float.POSITIVE_INFINITY)), "model.safetensors", "Infinity"},
                new Object[] {"missing weight", (Damage) d -> editTensors(d, "model.safetensors", t -> t.remove("shared.norm.weight")),
                        "model.safetensors", "missing tensor 'shared.norm.weight'"},
                new Object[] {"foreign weight", (Damage) d -> editTensors(d, "model.safetensors", t -> t.put("extra.weight", HostTensor.ofFloats(new float[2], 2))),
                        "model.safetensors", "'extra.weight'"},
                new Object[] {"wrong shape", (Damage) d -> editTensors(d, "model.safetensors", t -> t.put("shared.norm.weight", HostTensor.ofFloats(new float[3], 3))),
                        "model.safetensors", "shape [3]"},
                new Object[] {"near-zero std", (Damage) d -> editTensors(d, "normalization.safetensors", t -> setElement(t, "audio.std", 0, 1e-30f)),
                        "normalization.safetensors", "at least 1.0E-6"},
                new Object[] {"negative std", (Damage) d -> editTensors(d, "normalization.safetensors", t -> setElement(t, "visual.std", 2, -1f)),
                        "normalization.safetensors", "visual.std"},
                new Object[] {"infinite mean", (Damage) d -> editTensors(d, "normalization.safetensors", t -> setElement(t, "visual.mean", 0, Float.NEGATIVE_INFINITY)),
                        "normalization.safetensors", "visual.mean"},
                new Object[] {"config with a key missing", (Damage) d -> {
                    ObjectNode c = (ObjectNode) JSON.readTree(d.resolve("config.json").toFile());
                    c.remove("ff_expansion");
                    Files.writeString(d.resolve("config.json"), c.toString());
                }, "config.json", "ff_expansion"});
    }

    static Stream<Arguments> tamperedValuesCases() {
        return tamperedValues().stream().map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("tamperedValuesCases")
    void tamperedValuesWithMatchingChecksumsAreStillRefused(String what, Damage damage, String file, String word) throws Exception {
        Path dir = copy();
        damage.apply(dir);
        assertRefusedEverywhere(dir, file, word);   // each file's values are checked before its checksum
        rehash(dir);
        assertRefusedEverywhere(dir, file, word);   // and with checksums that match (a buggy writer, a careful tamperer) too
    }

    @Test
    void tamperedAdamStateIsRefusedByTheFullLoad() throws Exception {
        String p = trained.weights().keySet().iterator().next();
        for (Damage d : List.<Damage>of(
                x -> editTensors(x, "optimizer.safetensors", t -> setElement(t, "adam.v." + p, 0, -1f)),
                x -> editTensors(x, "optimizer.safetensors", t -> setElement(t, "adam.m." + p, 0, Float.NaN)),
                x -> editTensors(x, "optimizer.safetensors", t -> t.put("adam.steps." + p, HostTensor.ofFloats(new float[] {1}, 1))),
                x -> editTensors(x, "optimizer.safetensors", t -> t.remove("adam.m." + p)))) {
            Path dir = copy();
            d.apply(dir);
            rehash(dir);
            assertRefused(LOAD, dir, "optimizer.safetensors", "adam.");
            Checkpoint.loadForInference(dir);
        }
    }

    // ------------------------------------------------------------------ checkpoint.json, strictly typed

    static List<Object[]> metaDamages() {
        return List.of(
                new Object[] {"fractional max_frames", (Damage) d -> editMeta(d, m -> m.put("max_frames", 1.5)), "max_frames"},
                new Object[] {"whole but floating max_frames", (Damage) d -> editMeta(d, m -> m.put("max_frames", 1.0)), "max_frames"},
                new Object[] {"max_frames beyond int", (Damage) d -> editMeta(d, m -> m.put("max_frames", 1L << 33)), "max_frames"},
                new Object[] {"max_frames missing", (Damage) d -> editMeta(d, m -> m.remove("max_frames")), "max_frames"},
                new Object[] {"max_frames that the trainer did not use", (Damage) d -> editMeta(d, m -> m.put("max_frames", 7)), "training.settings.max_frames"},
                new Object[] {"unknown field", (Damage) d -> editMeta(d, m -> m.put("notes", "hi")), "unknown field 'notes'"},
                new Object[] {"weights_dtype missing", (Damage) d -> editMeta(d, m -> m.remove("weights_dtype")), "weights_dtype"},
                new Object[] {"weights_dtype not a string", (Damage) d -> editMeta(d, m -> m.put("weights_dtype", 32)), "weights_dtype"},
                new Object[] {"files missing", (Damage) d -> editMeta(d, m -> m.remove("files")), "no field 'files'"},
                new Object[] {"files not an object", (Damage) d -> editMeta(d, m -> m.putArray("files")), "'files'"},
                new Object[] {"checksum not hex", (Damage) d -> editMeta(d, m -> ((ObjectNode) m.get("files")).put("model.safetensors", "abc")),
                        "files.model.safetensors"},
                new Object[] {"checksum in capitals", (Damage) d -> editMeta(d, m -> {
                    ObjectNode f = (ObjectNode) m.get("files");
                    f.put("config.json", f.get("config.json").asText().toUpperCase(java.util.Locale.ROOT));
                }), "files.config.json"},
                new Object[] {"checksum of a foreign file", (Damage) d -> editMeta(d, m -> ((ObjectNode) m.get("files")).put("notes.txt", "0".repeat(64))),
                        "notes.txt"},
                new Object[] {"no checksum of a required file", (Damage) d -> editMeta(d, m -> ((ObjectNode) m.get("files")).remove("normalization.safetensors")),
                        "normalization.safetensors"},
                new Object[] {"format_version as a string", (Damage) d -> editMeta(d, m -> m.put("format_version", "1")), "format"});
    }

    static Stream<Arguments> metaDamageCases() {
        return metaDamages().stream().map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("metaDamageCases")
    void everyCheckpointJsonFieldIsStrictlyTyped(String what, Damage damage, String word) throws Exception {
        Path dir = copy();
        damage.apply(dir);
        assertRefusedEverywhere(dir, "checkpoint.json", word);
    }

    @Test
    void anUntouchedCopyLoadsWithEverything() throws Exception {
        Path dir = copy();
        Checkpoint back = Checkpoint.load(dir);
        assertEquals(trained.config(), back.config());
        assertEquals(trained.trainingJson(), back.trainingJson());
        assertEquals(trained.optimizer().keySet(), back.optimizer().keySet());
        for (Map.Entry<String, HostTensor> e : trained.weights().entrySet()) {
            assertArrayEquals(e.getValue().floats(), back.weights().get(e.getKey()).floats(), 0f, e.getKey());
        }
    }

    @Test
    void aMissingChecksumFieldIsACheckpointException() throws Exception {
        Path dir = copy();
        editMeta(dir, m -> m.remove("files"));
        assertInstanceOf(CheckpointException.class, assertThrows(VavlException.class, () -> Checkpoint.load(dir)));
    }
}
