package dev.vavl4j.checkpoint;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vavl4j.CheckpointException;
import dev.vavl4j.VavlException;
import dev.vavl4j.io.FormatException;
import dev.vavl4j.io.HalfFloats;
import dev.vavl4j.io.HostTensor;
import dev.vavl4j.io.HostTensor.DType;
import dev.vavl4j.io.SafeTensors;
import dev.vavl4j.testutil.TinyRuns;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
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
 * {@link Checkpoint#loadForInference}: reads the four inference files, never optimizer.safetensors, and
 * rejects every damaged file it reads exactly as {@link Checkpoint#load} does; weights stored as F16 / BF16.
 */
class InferenceCheckpointTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path tmp;
    static Path run;
    static Checkpoint trained;

    @BeforeAll
    static void train() throws Exception {
        run = tmp.resolve("run");
        TinyRuns.train(TinyRuns.corpus(tmp.resolve("corpus"), 4), run, 1);
        trained = Checkpoint.load(run);
    }

    private static int copies;

    /** A fresh copy of the trained checkpoint (with optimizer and trainer state) to damage. */
    private static Path copy() throws IOException {
        Path dir = tmp.resolve("copy-" + copies++);
        trained.save(dir);
        return dir;
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static void assertSameWeights(Map<String, HostTensor> a, Map<String, HostTensor> b) {
        assertEquals(a.keySet(), b.keySet());
        for (String k : a.keySet()) assertArrayEquals(a.get(k).floats(), b.get(k).floats(), 0f, k);
    }

    @Test
    void neverReadsTheOptimizerStateAndDropsTheTrainerState() throws Exception {
        Path dir = copy();
        Files.writeString(dir.resolve("optimizer.safetensors"), "garbage, not a safetensors file at all");
        Checkpoint ck = Checkpoint.loadForInference(dir);
        assertNull(ck.optimizer());
        assertNull(ck.trainingJson());
        assertEquals(trained.config(), ck.config());
        assertEquals(trained.labels().columns(), ck.labels().columns());
        assertEquals(trained.maxFrames(), ck.maxFrames());
        assertArrayEquals(trained.normalizer().visualMean(), ck.normalizer().visualMean(), 0f);
        assertSameWeights(trained.weights(), ck.weights());

        // the full load does read it, and says which file is broken
        FormatException e = assertThrows(FormatException.class, () -> Checkpoint.load(dir));
        assertTrue(e.getMessage().contains("optimizer.safetensors"), e.getMessage());

        // absent is fine for inference; the full load misses a file checkpoint.json lists
        Files.delete(dir.resolve("optimizer.safetensors"));
        CheckpointException gone = assertThrows(CheckpointException.class, () -> Checkpoint.load(dir));
        assertTrue(gone.getMessage().contains("optimizer.safetensors") && gone.getMessage().contains("missing"), gone.getMessage());
        assertSameWeights(trained.weights(), Checkpoint.loadForInference(dir).weights());
        // a run directory resolves to best/
        assertSameWeights(Checkpoint.load(run.resolve("best")).weights(), Checkpoint.loadForInference(run).weights());
    }

    @Test
    void anInferenceOnlyCheckpointHasNoOptimizerAndNoTrainerStateAndLoadsFully() throws Exception {
        Path dir = tmp.resolve("inference-only");
        trained.forInference().save(dir);
        assertEquals(List.of("checkpoint.json", "config.json", "model.safetensors", "normalization.safetensors"), names(dir));
        ObjectNode meta = (ObjectNode) JSON.readTree(dir.resolve("checkpoint.json").toFile());
        assertFalse(meta.has("training"), meta.toString());
        assertEquals("F32", meta.path("weights_dtype").asText());
        Checkpoint full = Checkpoint.load(dir);
        assertNull(full.optimizer());
        assertNull(full.trainingJson());
        assertSameWeights(trained.weights(), full.weights());
    }

    static Stream<Arguments> loaders() {
        return Stream.of(Arguments.of("load", (Function<Path, Checkpoint>) Checkpoint::load),
                Arguments.of("loadForInference", (Function<Path, Checkpoint>) Checkpoint::loadForInference));
    }

    @FunctionalInterface
    interface Damage {
        void apply(Path dir) throws Exception;
    }

    private static void editMeta(Path dir, java.util.function.Consumer<ObjectNode> edit) throws IOException {
        ObjectNode meta = (ObjectNode) JSON.readTree(dir.resolve("checkpoint.json").toFile());
        edit.accept(meta);
        Files.writeString(dir.resolve("checkpoint.json"), meta.toString());
    }

    private static void truncate(Path file, int keep) throws IOException {
        Files.write(file, Arrays.copyOf(Files.readAllBytes(file), keep));
    }

    /** Each damage, the file the message must name, and a word it must contain. */
    static List<Object[]> damages() {
        return List.of(
                new Object[] {"wrong format", (Damage) d -> editMeta(d, m -> m.put("format", "other")), "checkpoint.json", "not a vavl4j checkpoint"},
                new Object[] {"future version", (Damage) d -> editMeta(d, m -> m.put("format_version", 99)), "checkpoint.json", "format_version 99"},
                new Object[] {"meta not JSON", (Damage) d -> Files.writeString(d.resolve("checkpoint.json"), "{\"format\": "), "checkpoint.json", "JSON"},
                new Object[] {"labels missing", (Damage) d -> editMeta(d, m -> m.remove("labels")), "checkpoint.json", "labels"},
                new Object[] {"labels of another model", (Damage) d -> editMeta(d, m -> m.putObject("labels").put("task", "classification")
                        .putArray("columns").add("a").add("b")), "checkpoint.json", "do not match config.json"},
                new Object[] {"negative max_frames", (Damage) d -> editMeta(d, m -> m.put("max_frames", -1)), "checkpoint.json", "max_frames"},
                new Object[] {"textual max_frames", (Damage) d -> editMeta(d, m -> m.put("max_frames", "ten")), "checkpoint.json", "max_frames"},
                new Object[] {"unknown weights_dtype", (Damage) d -> editMeta(d, m -> m.put("weights_dtype", "F8")), "checkpoint.json", "weights_dtype"},
                new Object[] {"weights_dtype that lies", (Damage) d -> editMeta(d, m -> m.put("weights_dtype", "F16")), "model.safetensors", "F16"},
                new Object[] {"training not an object", (Damage) d -> editMeta(d, m -> m.put("training", 5)), "checkpoint.json", "training"},
                new Object[] {"bad config", (Damage) d -> Files.writeString(d.resolve("config.json"), "{\"heads\": 3}"), "config.json", "heads"},
                new Object[] {"config missing", (Damage) d -> Files.delete(d.resolve("config.json")), "config.json", "not found"},
                new Object[] {"normalization missing", (Damage) d -> Files.delete(d.resolve("normalization.safetensors")), "normalization.safetensors", "not found"},
                new Object[] {"normalization truncated", (Damage) d -> truncate(d.resolve("normalization.safetensors"), 100), "normalization.safetensors", "truncated"},
                new Object[] {"zero std", (Damage) d -> {
                    Map<String, HostTensor> n = new LinkedHashMap<>(SafeTensors.read(d.resolve("normalization.safetensors")));
                    float[] std = n.get("audio.std").floats().clone();
                    std[1] = 0f;
                    n.put("audio.std", HostTensor.ofFloats(std, std.length));
                    SafeTensors.write(d.resolve("normalization.safetensors"), n, Map.of());
                }, "normalization.safetensors", "audio.std"},
                new Object[] {"model missing", (Damage) d -> Files.delete(d.resolve("model.safetensors")), "model.safetensors", "not found"},
                new Object[] {"model truncated", (Damage) d -> truncate(d.resolve("model.safetensors"), (int) Files.size(d.resolve("model.safetensors")) - 5),
                        "model.safetensors", "truncated"},
                new Object[] {"integer weights", (Damage) d -> {
                    Map<String, HostTensor> w = new LinkedHashMap<>(SafeTensors.read(d.resolve("model.safetensors")));
                    String first = w.keySet().iterator().next();
                    w.put(first, HostTensor.ofInts(new int[w.get(first).size()], w.get(first).shape()));
                    SafeTensors.write(d.resolve("model.safetensors"), w, Map.of());
                }, "model.safetensors", "I32"});
    }

    static Stream<Arguments> damagesForBothLoaders() {
        return damages().stream().flatMap(d -> loaders().map(l -> Arguments.of(d[0], d[1], d[2], d[3], l.get()[0], l.get()[1])));
    }

    @ParameterizedTest(name = "{0} ({4})")
    @MethodSource("damagesForBothLoaders")
    void everyDamagedFileIsRejectedNamingIt(String what, Damage damage, String file, String word, String loader,
                                            Function<Path, Checkpoint> load) throws Exception {
        Path dir = copy();
        damage.apply(dir);
        VavlException e = assertThrows(VavlException.class, () -> load.apply(dir), what + " was accepted by " + loader);
        String m = e.getMessage();
        assertTrue(m.contains(dir.resolve(file).toString()), "names " + file + ": " + m);
        assertTrue(m.contains(word), "says '" + word + "': " + m);
        assertEquals(1, m.lines().count(), "one line: " + m);
        // both loaders give the same message
        Function<Path, Checkpoint> otherLoader = loader.equals("load") ? Checkpoint::loadForInference : Checkpoint::load;
        String other = assertThrows(VavlException.class, () -> otherLoader.apply(dir)).getMessage();
        assertEquals(m, other);
    }

    @Test
    void missingOrForeignDirectoriesAreCheckpointExceptions() {
        for (Function<Path, Checkpoint> load : List.<Function<Path, Checkpoint>>of(Checkpoint::load, Checkpoint::loadForInference)) {
            var missing = assertThrows(CheckpointException.class, () -> load.apply(tmp.resolve("nowhere")));
            assertTrue(missing.getMessage().contains("no such checkpoint directory"), missing.getMessage());
            var foreign = assertThrows(CheckpointException.class, () -> load.apply(tmp.resolve("corpus")));
            assertTrue(foreign.getMessage().contains("not a checkpoint"), foreign.getMessage());
        }
    }

    // ---------------------------------------------------------------- weights as F16 / BF16

    @Test
    void weightsStoredAsHalfPrecisionLoadAsTheRoundedFloats() throws Exception {
        long f32Bytes = Files.size(run.resolve("best/model.safetensors"));
        for (DType dtype : List.of(DType.F16, DType.BF16)) {
            Path dir = tmp.resolve("half-" + dtype);
            trained.forInference().save(dir, dtype);
            assertEquals(dtype.name(), JSON.readTree(dir.resolve("checkpoint.json").toFile()).path("weights_dtype").asText());
            Map<String, HostTensor> raw = SafeTensors.read(dir.resolve("model.safetensors"));
            raw.forEach((k, t) -> assertEquals(dtype, t.dtype(), k));
            long halfBytes = Files.size(dir.resolve("model.safetensors"));
            assertTrue(halfBytes < f32Bytes * 0.6, dtype + " file " + halfBytes + " bytes vs F32 " + f32Bytes);

            for (Function<Path, Checkpoint> load : List.<Function<Path, Checkpoint>>of(Checkpoint::load, Checkpoint::loadForInference)) {
                Checkpoint back = load.apply(dir);
                assertEquals(trained.weights().keySet(), back.weights().keySet());
                trained.weights().forEach((k, t) -> {
                    float[] want = t.floats(), got = back.weights().get(k).floats();
                    for (int i = 0; i < want.length; i++) {
                        assertEquals(Float.floatToIntBits(HalfFloats.round(want[i], dtype)), Float.floatToIntBits(got[i]), k + "[" + i + "]");
                    }
                });
            }
            // saving the loaded model again (float32) keeps the rounded values exactly
            Path again = tmp.resolve("again-" + dtype);
            Checkpoint.load(dir).save(again);
            assertEquals("F32", JSON.readTree(again.resolve("checkpoint.json").toFile()).path("weights_dtype").asText());
            assertSameWeights(Checkpoint.load(dir).weights(), Checkpoint.load(again).weights());
            SafeTensors.read(again.resolve("model.safetensors")).forEach((k, t) -> assertEquals(DType.F32, t.dtype(), k));
        }
    }

    @Test
    void float32IsTheDefaultAndBitExact() throws Exception {
        Path dir = copy();
        assertEquals("F32", JSON.readTree(dir.resolve("checkpoint.json").toFile()).path("weights_dtype").asText());
        Checkpoint back = Checkpoint.load(dir);
        trained.weights().forEach((k, t) -> {
            float[] a = t.floats(), b = back.weights().get(k).floats();
            for (int i = 0; i < a.length; i++) assertEquals(Float.floatToRawIntBits(a[i]), Float.floatToRawIntBits(b[i]), k);
        });
    }

    @Test
    void aWeightBeyondTheFloat16RangeIsRefusedAndNothingIsWritten() throws Exception {
        Map<String, HostTensor> w = new LinkedHashMap<>(trained.weights());
        String name = w.keySet().iterator().next();
        float[] v = w.get(name).floats().clone();
        v[3] = 70000f;
        w.put(name, HostTensor.ofFloats(v, w.get(name).shape()));
        Checkpoint big = new Checkpoint(trained.config(), trained.labels(), trained.normalizer(), 0, w, null, null);
        Path dir = tmp.resolve("too-big");
        CheckpointException e = assertThrows(CheckpointException.class, () -> big.save(dir, DType.F16));
        assertTrue(e.getMessage().contains("'" + name + "'") && e.getMessage().contains("70000") && e.getMessage().contains("BF16"), e.getMessage());
        assertFalse(Files.exists(dir));
        big.save(dir, DType.BF16);   // bfloat16 has float32's range
        assertEquals(70144f, Checkpoint.load(dir).weights().get(name).floats()[3], "70000 rounded to 8 significant bits");

        assertThrows(IllegalArgumentException.class, () -> trained.save(tmp.resolve("int-weights"), DType.I32));
    }

    @Test
    void theTrainerStateMustBeAJsonObject() {
        for (String bad : new String[] {"5", "[1, 2]", "{\"a\":", ""}) {
            assertThrows(IllegalArgumentException.class,
                    () -> new Checkpoint(trained.config(), trained.labels(), trained.normalizer(), 0, trained.weights(), null, bad), bad);
        }
    }
}
