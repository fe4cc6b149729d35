package dev.vavl4j.checkpoint;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vavl4j.CheckpointException;
import dev.vavl4j.data.LabelCodec;
import dev.vavl4j.data.Normalizer;
import dev.vavl4j.io.FormatException;
import dev.vavl4j.io.HostTensor;
import dev.vavl4j.io.HostTensor.DType;
import dev.vavl4j.io.JsonFiles;
import dev.vavl4j.io.SafeTensors;
import dev.vavl4j.model.ParameterStore;
import dev.vavl4j.model.VavlConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A trained model on disk, a directory of:
 * <ul>
 * <li>{@code model.safetensors} — parameters and batch-norm buffers under the spec §8 names, as float32
 *     (or float16 / bfloat16 in an export);</li>
 * <li>{@code config.json} — the spec §1 configuration;</li>
 * <li>{@code normalization.safetensors} — per-dimension feature mean and std ({@link Normalizer});</li>
 * <li>{@code optimizer.safetensors} — Adam moments and per-parameter step counts (training checkpoints only);</li>
 * <li>{@code checkpoint.json} — format version, label codec, frame cap, the weights' dtype, (training
 *     checkpoints only) the trainer's state, and {@code files}: the SHA-256 (lowercase hex) of every other
 *     file, by name. checkpoint.json cannot hold its own hash; its fields are checked one by one instead.</li>
 * </ul>
 * <p>Loading validates everything it reads before a model is built ({@link #load}): each checkpoint.json
 * field strictly typed, no unknown field; config.json naming every key; the normalisation statistics
 * ({@link Normalizer#fromTensors}); every weight present with the configuration's shape, the recorded dtype
 * and finite values, batch-norm running variances ≥ 0 ({@link ParameterStore#validate}); the Adam state
 * ({@link ParameterStore#validateOptimizer}); and each file's SHA-256 against {@code files}, so one flipped
 * bit is an error naming the file. Each file is checked for what it holds first and for its checksum after,
 * so a damaged value is reported as such, and a change that leaves every value valid still fails. A
 * checkpoint without {@code files} (written by a development build before checksums were recorded; no such
 * version was released) is refused: it cannot be verified.
 * Written as a whole by {@link CheckpointDirs#writeAtomically}, so a crash never leaves half a model.
 * An inference-only checkpoint ({@link #loadForInference}, {@code vavl export}) has no optimizer and no
 * trainer state: {@code optimizer} and {@code trainingJson} are null.
 *
 * @param trainingJson the trainer's state as a JSON object's text (see {@code TrainingState#toJson}), or null
 * @param frontEndJson what made the features the model was trained on (the {@code frontend.json} that
 *                     {@code vavl features} writes beside them, see {@link dev.vavl4j.data.Corpus#FRONT_END_RECORD}),
 *                     as a JSON object's text, or null when the features came from elsewhere. Core keeps it
 *                     opaque; vavl4j-media reads it to extract features the same way at prediction time.
 * @param heads        the heads training trained ({@code heads} in checkpoint.json; absent means all three, as in
 *                     every checkpoint of a corpus with both modalities). Inference answers only with these.
 */
public record Checkpoint(VavlConfig config, LabelCodec labels, Normalizer normalizer, int maxFrames,
                         Map<String, HostTensor> weights, Map<String, HostTensor> optimizer, String trainingJson,
                         String frontEndJson, TrainedHeads heads) {

    public static final String FORMAT = "vavl4j-checkpoint";
    public static final int FORMAT_VERSION = 1;
    /** The dtypes model.safetensors may hold the weights in. */
    public static final List<DType> WEIGHT_DTYPES = List.of(DType.F32, DType.F16, DType.BF16);
    static final String MODEL = "model.safetensors", CONFIG = "config.json", NORMALIZATION = "normalization.safetensors",
            OPTIMIZER = "optimizer.safetensors", META = "checkpoint.json";
    /** The checkpoints a training run directory holds: {@code RUN/best} and {@code RUN/last}. */
    public static final String BEST = "best", LAST = "last";

    /** The {@code checkpoint.json} of the checkpoint directory {@code dir}. */
    public static Path metaFile(Path dir) {
        return dir.resolve(META);
    }

    /** Whether {@code dir} is a checkpoint directory (it holds {@code checkpoint.json}); reads nothing else. */
    public static boolean isCheckpointDirectory(Path dir) {
        return Files.isRegularFile(metaFile(dir));
    }

    /**
     * The checkpoint of the training run {@code dir} that marks it as a run ({@code best/} or {@code last/},
     * or either caught mid-save under its aside name), or null when {@code dir} holds none.
     */
    public static Path runCheckpoint(Path dir) {
        for (String name : new String[] {BEST, LAST}) {
            Path c = dir.resolve(name);
            if (isCheckpointDirectory(c)) return c;
            if (isCheckpointDirectory(CheckpointDirs.asideOf(c))) return CheckpointDirs.asideOf(c);
        }
        return null;
    }
    private static final ObjectMapper JSON = JsonFiles.strictMapper(ObjectMapper.class).enable(SerializationFeature.INDENT_OUTPUT);

    public Checkpoint {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(labels, "labels");
        Objects.requireNonNull(normalizer, "normalizer");
        Objects.requireNonNull(weights, "weights");
        Objects.requireNonNull(heads, "heads");
        if (maxFrames < 0) throw new IllegalArgumentException("maxFrames must be ≥ 0, got " + maxFrames);
        if (trainingJson != null && !(tree(trainingJson) instanceof ObjectNode)) {
            throw new IllegalArgumentException("trainingJson must be a JSON object, got " + abbreviated(trainingJson));
        }
        if (frontEndJson != null && !(tree(frontEndJson) instanceof ObjectNode)) {
            throw new IllegalArgumentException("frontEndJson must be a JSON object, got " + abbreviated(frontEndJson));
        }
    }

    /** A checkpoint of features without a front-end record. */
    public Checkpoint(VavlConfig config, LabelCodec labels, Normalizer normalizer, int maxFrames,
                      Map<String, HostTensor> weights, Map<String, HostTensor> optimizer, String trainingJson) {
        this(config, labels, normalizer, maxFrames, weights, optimizer, trainingJson, null, TrainedHeads.ALL);
    }

    /** A checkpoint of all three heads. */
    public Checkpoint(VavlConfig config, LabelCodec labels, Normalizer normalizer, int maxFrames,
                      Map<String, HostTensor> weights, Map<String, HostTensor> optimizer, String trainingJson, String frontEndJson) {
        this(config, labels, normalizer, maxFrames, weights, optimizer, trainingJson, frontEndJson, TrainedHeads.ALL);
    }

    /** Writes the checkpoint with float32 weights to {@code dir}, replacing what was there only once the new one is complete. */
    public void save(Path dir) throws IOException {
        save(dir, DType.F32);
    }

    /**
     * Writes the checkpoint to {@code dir} with the weights stored as {@code weightsDtype} (F32, F16 or BF16:
     * rounded to nearest even), replacing what was there only once the new one is complete.
     *
     * @throws CheckpointException when a weight does not fit the dtype (beyond float16's ±65504, say)
     */
    public void save(Path dir, DType weightsDtype) throws IOException {
        Map<String, HostTensor> stored = storedWeights(weightsDtype);
        String meta = metaJson(weightsDtype);
        CheckpointDirs.writeAtomically(dir, tmp -> {
            CheckpointDirs.writeFile(tmp, MODEL, f -> SafeTensors.write(f, stored, Map.of("format", "pt")));
            CheckpointDirs.writeFile(tmp, NORMALIZATION, f -> SafeTensors.write(f, normalizer.toTensors(), Map.of()));
            if (optimizer != null) CheckpointDirs.writeFile(tmp, OPTIMIZER, f -> SafeTensors.write(f, optimizer, Map.of()));
            CheckpointDirs.writeFile(tmp, CONFIG, f -> Files.writeString(f, config.toPrettyJson()));
            CheckpointDirs.writeFile(tmp, META, f -> Files.writeString(f, withChecksums(meta, tmp)));
        });
    }

    /** This checkpoint without optimizer state and trainer state: what inference needs, and all an export holds. */
    public Checkpoint forInference() {
        return optimizer == null && trainingJson == null ? this
                : new Checkpoint(config, labels, normalizer, maxFrames, weights, null, null, frontEndJson, heads);
    }

    /**
     * Loads a checkpoint directory, or the {@code best/} checkpoint inside a training output directory, with
     * everything in it (optimizer state and trainer state too, where present: to resume training).
     * Every file is validated; errors name the file and what is wrong with it.
     */
    public static Checkpoint load(Path dirOrRun) {
        return read(dirOrRun, true);
    }

    /**
     * Loads what inference needs from a checkpoint directory (or a training output directory's {@code best/}):
     * model.safetensors, config.json, normalization.safetensors and checkpoint.json, validated as
     * {@link #load} validates them. optimizer.safetensors is never opened (it may be absent, damaged or
     * hundreds of MB), and the trainer's state is dropped: {@code optimizer} and {@code trainingJson} are null.
     */
    public static Checkpoint loadForInference(Path dirOrRun) {
        return read(dirOrRun, false);
    }

    /** The fields checkpoint.json may have; {@code training} only in a training checkpoint, {@code front_end} only when recorded. */
    private static final List<String> META_FIELDS = List.of("format", "format_version", "labels", "max_frames", "weights_dtype",
            "training", "front_end", "heads", "files");

    private static Checkpoint read(Path dirOrRun, boolean withTrainingState) {
        Path dir = resolve(dirOrRun);
        Path metaFile = dir.resolve(META);
        JsonNode meta = tree(JsonFiles.readObjectText(metaFile, FormatException::new));
        if (!FORMAT.equals(meta.path("format").asText()) || !meta.path("format_version").isIntegralNumber()
                || !meta.path("format_version").canConvertToInt()) {
            throw new FormatException(metaFile + ": not a vavl4j checkpoint (field 'format' is " + meta.get("format") + ")");
        }
        int version = meta.get("format_version").asInt();
        if (version != FORMAT_VERSION) {
            throw new FormatException(metaFile + ": format_version " + version + " is not supported (this vavl4j reads " + FORMAT_VERSION + ")");
        }
        for (var it = meta.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!META_FIELDS.contains(k)) throw new FormatException(metaFile + ": unknown field '" + abbreviated(k) + "' (known: " + META_FIELDS + ")");
        }
        Map<String, String> sums = checksums(meta, metaFile);
        Path configFile = dir.resolve(CONFIG);
        VavlConfig cfg = VavlConfig.loadComplete(configFile);
        verify(configFile, sums);
        JsonNode labelsNode = meta.get("labels");
        LabelCodec codec = LabelCodec.fromJson(labelsNode == null ? null : labelsNode.toString(), metaFile + " field 'labels'");
        if (codec.outputs() != cfg.outputs() || codec.task() != cfg.task()) {
            throw new FormatException(metaFile + ": labels " + codec.columns() + " (" + codec.task()
                    + ") do not match config.json (outputs " + cfg.outputs() + ", " + cfg.task() + ")");
        }
        JsonNode mf = meta.path("max_frames");
        if (!mf.isIntegralNumber() || !mf.canConvertToInt() || mf.asInt() < 0) {
            throw new FormatException(metaFile + ": field 'max_frames' must be an integer ≥ 0, got " + abbreviated(String.valueOf(meta.get("max_frames"))));
        }
        DType declared = weightsDtype(meta, metaFile);
        JsonNode training = meta.get("training");
        if (training != null && !training.isObject()) {
            throw new FormatException(metaFile + ": field 'training' must be a JSON object, got " + abbreviated(training.toString()));
        }
        JsonNode trainedCap = training == null ? null : training.path("settings").get("max_frames");
        if (trainedCap != null && !(trainedCap.isIntegralNumber() && trainedCap.canConvertToInt() && trainedCap.asInt() == mf.asInt())) {
            throw new FormatException(metaFile + ": field 'max_frames' is " + mf.asInt() + " but the trainer's settings say "
                    + abbreviated(trainedCap.toString()) + " (field 'training.settings.max_frames')");
        }
        JsonNode frontEnd = meta.get("front_end");
        if (frontEnd != null && !frontEnd.isObject()) {
            throw new FormatException(metaFile + ": field 'front_end' must be a JSON object, got " + abbreviated(frontEnd.toString()));
        }
        String frontEndJson = frontEnd == null ? null : frontEnd.toString();
        TrainedHeads heads = heads(meta.get("heads"), metaFile);
        Path normFile = dir.resolve(NORMALIZATION);
        Normalizer norm = Normalizer.fromTensors(SafeTensors.read(normFile), cfg.audioDim(), cfg.visualDim(), normFile.toString());
        verify(normFile, sums);
        Path modelFile = dir.resolve(MODEL);
        Map<String, HostTensor> weights = SafeTensors.read(modelFile);
        requireDtype(weights, declared, modelFile, metaFile);
        ParameterStore.validate(cfg, weights, modelFile.toString());
        verify(modelFile, sums);
        if (!withTrainingState) return new Checkpoint(cfg, codec, norm, mf.asInt(), weights, null, null, frontEndJson, heads);
        Path opt = dir.resolve(OPTIMIZER);
        Map<String, HostTensor> optimizer = null;
        if (sums.containsKey(OPTIMIZER)) {
            if (!Files.exists(opt)) throw new CheckpointException(opt + ": missing, but " + META + " lists it (field 'files')");
            optimizer = SafeTensors.read(opt);
            ParameterStore.validateOptimizer(cfg, optimizer, opt.toString());
            verify(opt, sums);
        } else if (Files.exists(opt)) {
            throw new CheckpointException(opt + ": not part of this checkpoint (" + META + " field 'files' does not list it)");
        }
        return new Checkpoint(cfg, codec, norm, mf.asInt(), weights, optimizer, training == null ? null : training.toString(), frontEndJson, heads);
    }

    /** The files a checkpoint may hold besides checkpoint.json; the first three are required. */
    private static final List<String> FILES = List.of(CONFIG, NORMALIZATION, MODEL, OPTIMIZER);

    /** checkpoint.json's 'files': name → SHA-256, every required name present, no other name, each a 64-digit lowercase hex string. */
    private static Map<String, String> checksums(JsonNode meta, Path metaFile) {
        JsonNode files = meta.get("files");
        if (files == null) {
            throw new CheckpointException(metaFile + ": no field 'files' (the SHA-256 of each file): written by a development build "
                    + "of vavl4j before checksums were recorded, or edited; train it again with this version");
        }
        if (!files.isObject()) throw new FormatException(metaFile + ": field 'files' must be a JSON object (file name → SHA-256), got " + abbreviated(files.toString()));
        Map<String, String> sums = new LinkedHashMap<>();
        for (var it = files.properties().iterator(); it.hasNext(); ) {
            var e = it.next();
            if (!FILES.contains(e.getKey())) {
                throw new FormatException(metaFile + ": field 'files' names '" + abbreviated(e.getKey()) + "', not a file of a checkpoint " + FILES);
            }
            JsonNode v = e.getValue();
            if (!v.isTextual() || !v.asText().matches("[0-9a-f]{64}")) {
                throw new FormatException(metaFile + ": field 'files." + e.getKey() + "' must be a SHA-256 as 64 lowercase hex digits, got "
                        + abbreviated(v.toString()));
            }
            sums.put(e.getKey(), v.asText());
        }
        for (String required : FILES.subList(0, 3)) {
            if (!sums.containsKey(required)) throw new FormatException(metaFile + ": field 'files' has no SHA-256 for " + required);
        }
        return sums;
    }

    /** The file's SHA-256 must be the one checkpoint.json recorded: anything else means it changed after the save. */
    private static void verify(Path file, Map<String, String> sums) {
        String want = sums.get(file.getFileName().toString()), got;
        try {
            got = sha256(file);
        } catch (IOException e) {
            throw new CheckpointException(file + ": cannot read (" + e.getMessage() + ")");
        }
        if (!got.equals(want)) {
            throw new CheckpointException(file + ": SHA-256 " + got + " differs from the " + want + " recorded in " + META
                    + " (field 'files'): the file was damaged or changed after the checkpoint was saved");
        }
    }

    /** checkpoint.json's text {@code meta} with 'files' added: the SHA-256 of each checkpoint file written to {@code dir}. */
    private static String withChecksums(String meta, Path dir) throws IOException {
        ObjectNode m = (ObjectNode) tree(meta);
        ObjectNode files = m.putObject("files");
        for (String name : FILES) {
            Path f = dir.resolve(name);
            if (Files.exists(f)) files.put(name, sha256(f));
        }
        return JSON.writeValueAsString(m);
    }

    /** Lowercase hex SHA-256 of a file's bytes, read in chunks. */
    static String sha256(Path file) throws IOException {
        java.security.MessageDigest md;
        try {
            md = java.security.MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);   // every JDK has SHA-256
        }
        try (var in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) md.update(buf, 0, n);
        }
        return java.util.HexFormat.of().formatHex(md.digest());
    }

    /** {@code path} itself when it holds a checkpoint, else {@code path/best}; an error naming both otherwise. */
    public static Path resolve(Path path) {
        if (isCheckpointDirectory(path)) return path;
        Path best = path.resolve(BEST);
        if (isCheckpointDirectory(best)) return best;
        // A save killed between its two renames (CheckpointDirs): the previous checkpoint is whole under .NAME.old.
        // Reading never repairs; train --resume on the run does (CheckpointDirs.recover).
        Path old = CheckpointDirs.asideOf(path);
        if (!Files.exists(path) && Files.isRegularFile(old.resolve(META))) {
            throw new CheckpointException(path + ": no such checkpoint directory, but a save was interrupted while replacing it: "
                    + "the previous checkpoint is whole in " + old + " (rename it to " + path.getFileName() + ", or run train --resume on the run)");
        }
        Path oldBest = CheckpointDirs.asideOf(best);
        if (Files.isDirectory(path) && !Files.exists(best) && Files.isRegularFile(oldBest.resolve(META))) {
            throw new CheckpointException(path + ": a save of " + best.getFileName() + "/ was interrupted: the previous checkpoint is whole in "
                    + oldBest + " (rename it to " + best + ", or run train --resume on " + path + ")");
        }
        if (!Files.exists(path)) throw new CheckpointException(path + ": no such checkpoint directory");
        throw new CheckpointException(path + ": not a checkpoint (no " + META + " in it or in " + best + ")");
    }

    /** The weights as {@code dtype} will store them; a finite value that would not stay finite is an error. */
    private Map<String, HostTensor> storedWeights(DType dtype) {
        if (!WEIGHT_DTYPES.contains(dtype)) throw new IllegalArgumentException("weights are stored as one of " + WEIGHT_DTYPES + ", not " + dtype);
        Map<String, HostTensor> out = new LinkedHashMap<>();
        weights.forEach((name, t) -> {
            if (t.floats() == null) throw new IllegalArgumentException("weight '" + name + "' is " + t.dtype() + ", not a float tensor");
            HostTensor s = t.roundedTo(dtype);
            float[] before = t.floats(), after = s.floats();
            for (int i = 0; i < after.length; i++) {
                if (Float.isFinite(before[i]) && !Float.isFinite(after[i])) {
                    throw new CheckpointException("weight '" + name + "' element " + i + " is " + before[i] + ", beyond the range of "
                            + dtype + (dtype == DType.F16 ? " (±65504); store it as BF16 or F32" : ""));
                }
            }
            out.put(name, s);
        });
        return out;
    }

    private String metaJson(DType weightsDtype) {
        ObjectNode meta = JSON.createObjectNode();
        meta.put("format", FORMAT);
        meta.put("format_version", FORMAT_VERSION);
        meta.set("labels", tree(labels.toJson()));
        meta.put("max_frames", maxFrames);
        meta.put("weights_dtype", weightsDtype.name());
        if (trainingJson != null) meta.set("training", tree(trainingJson));
        if (frontEndJson != null) meta.set("front_end", tree(frontEndJson));
        if (!heads.all()) {
            var list = meta.putArray("heads");
            heads.names().forEach(list::add);
        }
        try {
            return JSON.writeValueAsString(meta);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);   // a tree of numbers and strings always serializes
        }
    }

    /** checkpoint.json's 'heads': absent (all three), or a non-empty array of head names. */
    private static TrainedHeads heads(JsonNode node, Path metaFile) {
        if (node == null) return TrainedHeads.ALL;
        String source = metaFile + " field 'heads'";
        if (!node.isArray() || node.isEmpty()) {
            throw new FormatException(source + ": must be a non-empty array of " + TrainedHeads.NAMES + ", got " + abbreviated(node.toString()));
        }
        List<String> names = new java.util.ArrayList<>();
        for (JsonNode n : node) {
            if (!n.isTextual()) throw new FormatException(source + ": must hold head names " + TrainedHeads.NAMES + ", got " + abbreviated(n.toString()));
            names.add(n.asText());
        }
        return TrainedHeads.fromNames(names, source);
    }

    /** checkpoint.json's 'weights_dtype', which every checkpoint records. */
    private static DType weightsDtype(JsonNode meta, Path metaFile) {
        JsonNode d = meta.get("weights_dtype");
        if (d == null) throw new FormatException(metaFile + ": no field 'weights_dtype' (one of " + WEIGHT_DTYPES + ")");
        for (DType t : WEIGHT_DTYPES) if (d.isTextual() && d.asText().equals(t.name())) return t;
        throw new FormatException(metaFile + ": field 'weights_dtype' must be one of " + WEIGHT_DTYPES + ", got " + abbreviated(d.toString()));
    }

    /** Every weight is a float tensor, stored as checkpoint.json says. */
    private static void requireDtype(Map<String, HostTensor> weights, DType declared, Path modelFile, Path metaFile) {
        weights.forEach((name, t) -> {
            if (!t.dtype().isFloat() || (declared != null && t.dtype() != declared)) {
                throw new FormatException(modelFile + ": tensor '" + name + "' is stored as " + t.dtype() + ", but "
                        + (declared == null ? "weights are float tensors" : metaFile.getFileName() + " says weights_dtype " + declared));
            }
        });
    }

    private static JsonNode tree(String json) {
        try {
            return JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not valid JSON (" + e.getOriginalMessage().lines().findFirst().orElse("") + "): "
                    + abbreviated(json));
        }
    }

    private static String abbreviated(String s) {
        return dev.vavl4j.io.JsonFiles.abbreviated(s);
    }
}
