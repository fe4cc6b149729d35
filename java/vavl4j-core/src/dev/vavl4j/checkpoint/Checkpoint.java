package dev.vavl4j.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vavl4j.data.LabelCodec;
import dev.vavl4j.data.Normalizer;
import dev.vavl4j.io.FormatException;
import dev.vavl4j.io.HostTensor;
import dev.vavl4j.io.SafeTensors;
import dev.vavl4j.model.VavlConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A trained model on disk, a directory of:
 * <ul>
 * <li>{@code model.safetensors} — parameters and batch-norm buffers under the spec §8 names;</li>
 * <li>{@code config.json} — the spec §1 configuration;</li>
 * <li>{@code normalization.safetensors} — per-dimension feature mean and std ({@link Normalizer});</li>
 * <li>{@code optimizer.safetensors} — Adam moments and per-parameter step counts;</li>
 * <li>{@code checkpoint.json} — format version, label codec, frame cap and the trainer's state.</li>
 * </ul>
 * Written as a whole by {@link CheckpointDirs#writeAtomically}, so a crash never leaves half a model.
 */
public record Checkpoint(VavlConfig config, LabelCodec labels, Normalizer normalizer, int maxFrames,
                         Map<String, HostTensor> weights, Map<String, HostTensor> optimizer, JsonNode trainerState) {

    public static final String FORMAT = "vavl4j-checkpoint";
    public static final int FORMAT_VERSION = 1;
    static final String MODEL = "model.safetensors", CONFIG = "config.json", NORMALIZATION = "normalization.safetensors",
            OPTIMIZER = "optimizer.safetensors", META = "checkpoint.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** Writes the checkpoint to {@code dir}, replacing what was there only once the new one is complete. */
    public void save(Path dir) throws IOException {
        CheckpointDirs.writeAtomically(dir, tmp -> {
            SafeTensors.write(tmp.resolve(MODEL), weights, Map.of("format", "pt"));
            SafeTensors.write(tmp.resolve(NORMALIZATION), normalizer.toTensors(), Map.of());
            if (optimizer != null) SafeTensors.write(tmp.resolve(OPTIMIZER), optimizer, Map.of());
            Files.writeString(tmp.resolve(CONFIG), JSON.writeValueAsString(config.toJson()));
            ObjectNode meta = JSON.createObjectNode();
            meta.put("format", FORMAT);
            meta.put("format_version", FORMAT_VERSION);
            meta.set("labels", labels.toJson());
            meta.put("max_frames", maxFrames);
            if (trainerState != null) meta.set("training", trainerState);
            Files.writeString(tmp.resolve(META), JSON.writeValueAsString(meta));
        });
    }

    /**
     * Loads a checkpoint directory, or the {@code best/} checkpoint inside a training output directory.
     * Every file is validated; errors name the file and what is wrong with it.
     */
    public static Checkpoint load(Path dirOrRun) {
        Path dir = resolve(dirOrRun);
        JsonNode meta = readJson(dir.resolve(META));
        if (!FORMAT.equals(meta.path("format").asText()) || !meta.path("format_version").canConvertToInt()) {
            throw new FormatException(dir.resolve(META) + ": not a vavl4j checkpoint (field 'format' is " + meta.get("format") + ")");
        }
        int version = meta.get("format_version").asInt();
        if (version != FORMAT_VERSION) {
            throw new FormatException(dir.resolve(META) + ": format_version " + version + " is not supported (this vavl4j reads " + FORMAT_VERSION + ")");
        }
        VavlConfig cfg = VavlConfig.load(dir.resolve(CONFIG));
        LabelCodec codec = LabelCodec.fromJson(meta.path("labels"), dir.resolve(META) + " field 'labels'");
        if (codec.outputs() != cfg.outputs() || codec.task() != cfg.task()) {
            throw new FormatException(dir.resolve(META) + ": labels " + codec.columns() + " (" + codec.task()
                    + ") do not match config.json (outputs " + cfg.outputs() + ", " + cfg.task() + ")");
        }
        JsonNode mf = meta.path("max_frames");
        if (!mf.canConvertToInt() || mf.asInt() < 0) throw new FormatException(dir.resolve(META) + ": field 'max_frames' must be an integer ≥ 0, got " + mf);
        Path normFile = dir.resolve(NORMALIZATION);
        Normalizer norm = Normalizer.fromTensors(SafeTensors.read(normFile), cfg.audioDim(), cfg.visualDim(), normFile.toString());
        Map<String, HostTensor> weights = SafeTensors.read(dir.resolve(MODEL));
        Path opt = dir.resolve(OPTIMIZER);
        Map<String, HostTensor> optimizer = Files.exists(opt) ? SafeTensors.read(opt) : null;
        JsonNode training = meta.has("training") ? meta.get("training") : null;
        return new Checkpoint(cfg, codec, norm, mf.asInt(), weights, optimizer, training);
    }

    /** {@code path} itself when it holds a checkpoint, else {@code path/best}; an error naming both otherwise. */
    public static Path resolve(Path path) {
        if (Files.isRegularFile(path.resolve(META))) return path;
        Path best = path.resolve("best");
        if (Files.isRegularFile(best.resolve(META))) return best;
        Path old = path.toAbsolutePath().normalize().resolveSibling("." + path.toAbsolutePath().normalize().getFileName() + ".old");
        if (!Files.exists(path) && Files.isRegularFile(old.resolve(META))) {
            throw new FormatException(path + ": no such checkpoint directory, but a save was interrupted while replacing it: "
                    + "the previous checkpoint is whole in " + old + " (rename it to " + path.getFileName() + ")");
        }
        if (!Files.exists(path)) throw new FormatException(path + ": no such checkpoint directory");
        throw new FormatException(path + ": not a checkpoint (no " + META + " in it or in " + best + ")");
    }

    private static JsonNode readJson(Path file) {
        return dev.vavl4j.io.JsonFiles.readObject(file, FormatException::new);
    }
}
