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
 * <li>{@code checkpoint.json} — format version, label codec, frame cap, the weights' dtype and (training
 *     checkpoints only) the trainer's state.</li>
 * </ul>
 * Written as a whole by {@link CheckpointDirs#writeAtomically}, so a crash never leaves half a model.
 * An inference-only checkpoint ({@link #loadForInference}, {@code vavl export}) has no optimizer and no
 * trainer state: {@code optimizer} and {@code trainingJson} are null.
 *
 * @param trainingJson the trainer's state as a JSON object's text (see {@code TrainingState#toJson}), or null
 */
public record Checkpoint(VavlConfig config, LabelCodec labels, Normalizer normalizer, int maxFrames,
                         Map<String, HostTensor> weights, Map<String, HostTensor> optimizer, String trainingJson) {

    public static final String FORMAT = "vavl4j-checkpoint";
    public static final int FORMAT_VERSION = 1;
    /** The dtypes model.safetensors may hold the weights in. */
    public static final List<DType> WEIGHT_DTYPES = List.of(DType.F32, DType.F16, DType.BF16);
    static final String MODEL = "model.safetensors", CONFIG = "config.json", NORMALIZATION = "normalization.safetensors",
            OPTIMIZER = "optimizer.safetensors", META = "checkpoint.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    public Checkpoint {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(labels, "labels");
        Objects.requireNonNull(normalizer, "normalizer");
        Objects.requireNonNull(weights, "weights");
        if (maxFrames < 0) throw new IllegalArgumentException("maxFrames must be ≥ 0, got " + maxFrames);
        if (trainingJson != null && !(tree(trainingJson) instanceof ObjectNode)) {
            throw new IllegalArgumentException("trainingJson must be a JSON object, got " + abbreviated(trainingJson));
        }
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
            SafeTensors.write(tmp.resolve(MODEL), stored, Map.of("format", "pt"));
            SafeTensors.write(tmp.resolve(NORMALIZATION), normalizer.toTensors(), Map.of());
            if (optimizer != null) SafeTensors.write(tmp.resolve(OPTIMIZER), optimizer, Map.of());
            Files.writeString(tmp.resolve(CONFIG), config.toPrettyJson());
            Files.writeString(tmp.resolve(META), meta);
        });
    }

    /** This checkpoint without optimizer state and trainer state: what inference needs, and all an export holds. */
    public Checkpoint forInference() {
        return optimizer == null && trainingJson == null ? this
                : new Checkpoint(config, labels, normalizer, maxFrames, weights, null, null);
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

    private static Checkpoint read(Path dirOrRun, boolean withTrainingState) {
        Path dir = resolve(dirOrRun);
        Path metaFile = dir.resolve(META);
        JsonNode meta = tree(JsonFiles.readObjectText(metaFile, FormatException::new));
        if (!FORMAT.equals(meta.path("format").asText()) || !meta.path("format_version").canConvertToInt()) {
            throw new FormatException(metaFile + ": not a vavl4j checkpoint (field 'format' is " + meta.get("format") + ")");
        }
        int version = meta.get("format_version").asInt();
        if (version != FORMAT_VERSION) {
            throw new FormatException(metaFile + ": format_version " + version + " is not supported (this vavl4j reads " + FORMAT_VERSION + ")");
        }
        VavlConfig cfg = VavlConfig.load(dir.resolve(CONFIG));
        JsonNode labelsNode = meta.get("labels");
        LabelCodec codec = LabelCodec.fromJson(labelsNode == null ? null : labelsNode.toString(), metaFile + " field 'labels'");
        if (codec.outputs() != cfg.outputs() || codec.task() != cfg.task()) {
            throw new FormatException(metaFile + ": labels " + codec.columns() + " (" + codec.task()
                    + ") do not match config.json (outputs " + cfg.outputs() + ", " + cfg.task() + ")");
        }
        JsonNode mf = meta.path("max_frames");
        if (!mf.isIntegralNumber() || !mf.canConvertToInt() || mf.asInt() < 0) {
            throw new FormatException(metaFile + ": field 'max_frames' must be an integer ≥ 0, got " + mf);
        }
        DType declared = weightsDtype(meta, metaFile);
        JsonNode training = meta.get("training");
        if (training != null && !training.isObject()) {
            throw new FormatException(metaFile + ": field 'training' must be a JSON object, got " + abbreviated(training.toString()));
        }
        Path normFile = dir.resolve(NORMALIZATION);
        Normalizer norm = Normalizer.fromTensors(SafeTensors.read(normFile), cfg.audioDim(), cfg.visualDim(), normFile.toString());
        Path modelFile = dir.resolve(MODEL);
        Map<String, HostTensor> weights = SafeTensors.read(modelFile);
        requireDtype(weights, declared, modelFile, metaFile);
        if (!withTrainingState) return new Checkpoint(cfg, codec, norm, mf.asInt(), weights, null, null);
        Path opt = dir.resolve(OPTIMIZER);
        Map<String, HostTensor> optimizer = Files.exists(opt) ? SafeTensors.read(opt) : null;
        return new Checkpoint(cfg, codec, norm, mf.asInt(), weights, optimizer, training == null ? null : training.toString());
    }

    /** {@code path} itself when it holds a checkpoint, else {@code path/best}; an error naming both otherwise. */
    public static Path resolve(Path path) {
        if (Files.isRegularFile(path.resolve(META))) return path;
        Path best = path.resolve("best");
        if (Files.isRegularFile(best.resolve(META))) return best;
        Path old = path.toAbsolutePath().normalize().resolveSibling("." + path.toAbsolutePath().normalize().getFileName() + ".old");
        if (!Files.exists(path) && Files.isRegularFile(old.resolve(META))) {
            throw new CheckpointException(path + ": no such checkpoint directory, but a save was interrupted while replacing it: "
                    + "the previous checkpoint is whole in " + old + " (rename it to " + path.getFileName() + ")");
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
        try {
            return JSON.writeValueAsString(meta);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);   // a tree of numbers and strings always serializes
        }
    }

    /** checkpoint.json's 'weights_dtype'; null when absent (checkpoints written before it was recorded). */
    private static DType weightsDtype(JsonNode meta, Path metaFile) {
        JsonNode d = meta.get("weights_dtype");
        if (d == null) return null;
        for (DType t : WEIGHT_DTYPES) if (d.isTextual() && d.asText().equals(t.name())) return t;
        throw new FormatException(metaFile + ": field 'weights_dtype' must be one of " + WEIGHT_DTYPES + ", got " + abbreviated(d.toString()));
    }

    /** Every weight is a float tensor, stored as checkpoint.json says (any float dtype when it does not say). */
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
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }
}
