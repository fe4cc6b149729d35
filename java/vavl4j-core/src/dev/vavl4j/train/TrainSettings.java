package dev.vavl4j.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vavl4j.ConfigException;
import java.util.Set;

/**
 * How to train, as opposed to what the model is ({@link dev.vavl4j.model.VavlConfig}): batch size, number of
 * epochs, seed (weights, shuffles, dropout), early-stopping patience (epochs without a better development
 * loss; 0 disables it) and the cap on frames per modality (0 = none).
 */
public record TrainSettings(int batchSize, int epochs, long seed, int patience, int maxFrames) {
    public static final Set<String> KEYS = Set.of("batch_size", "epochs", "seed", "patience", "max_frames");

    public static final int DEFAULT_BATCH_SIZE = 32, DEFAULT_EPOCHS = 30, DEFAULT_PATIENCE = 5;

    public static TrainSettings defaults() {
        return new TrainSettings(DEFAULT_BATCH_SIZE, DEFAULT_EPOCHS, 0, DEFAULT_PATIENCE, 0);
    }

    /** More epochs than any run could finish; a larger count is a typo (the paper trains 30). */
    public static final int MAX_EPOCHS = 100_000;

    public TrainSettings {
        if (batchSize < 2) throw new ConfigException("batch_size must be ≥ 2 (a step needs 2 samples), got " + batchSize);
        if (epochs < 1 || epochs > MAX_EPOCHS) throw new ConfigException("epochs must be in [1, " + MAX_EPOCHS + "], got " + epochs);
        if (patience < 0) throw new ConfigException("patience must be ≥ 0, got " + patience);
        if (maxFrames < 0) throw new ConfigException("max_frames must be ≥ 0, got " + maxFrames);
    }

    /**
     * Takes the trainer keys present in the JSON object {@code json}; the others keep {@code base}'s values.
     * Other keys are ignored. Errors are {@link ConfigException}s starting with {@code source}.
     */
    public static TrainSettings fromJson(String json, TrainSettings base, String source) {
        JsonNode node = JsonTrees.parse(json, source, ConfigException::new);
        if (node == null || !node.isObject()) throw new ConfigException(source + ": expected a JSON object");
        return fromTree(node, base, source);
    }

    /** {@link #fromJson(String, TrainSettings, String)} over the {@link #defaults()}. */
    public static TrainSettings fromJson(String json, String source) {
        return fromJson(json, defaults(), source);
    }

    /** Compact JSON with all five keys: {"batch_size", "epochs", "seed", "patience", "max_frames"}. */
    public String toJson() {
        return JsonTrees.write(tree());
    }

    /** The keys present in {@code node} (a missing node has none); the others keep {@code base}'s values. */
    static TrainSettings fromTree(JsonNode node, TrainSettings base, String source) {
        return new TrainSettings(integer(node, "batch_size", base.batchSize, source), integer(node, "epochs", base.epochs, source),
                longValue(node, "seed", base.seed, source), integer(node, "patience", base.patience, source),
                integer(node, "max_frames", base.maxFrames, source));
    }

    /**
     * Settings as a checkpoint stores them ({@code training.settings}): an object with all five keys, each an
     * integer in its range, and no other key. A missing key is an error, never a default: the run was trained
     * with some value, and resuming with another would silently change it. Errors are
     * {@link dev.vavl4j.CheckpointException}s starting with {@code source}.
     */
    static TrainSettings stored(JsonNode node, String source) {
        if (node == null || !node.isObject()) {
            throw new dev.vavl4j.CheckpointException(source + ": must be a JSON object with the keys " + ORDER + ", got "
                    + (node == null ? "nothing" : abbreviated(node.toString())));
        }
        for (var it = node.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!KEYS.contains(k)) throw new dev.vavl4j.CheckpointException(source + ": unknown key '" + abbreviated(k) + "' (known: " + ORDER + ")");
        }
        for (String k : ORDER) if (!node.has(k)) throw new dev.vavl4j.CheckpointException(source + ": missing key '" + k + "'");
        try {
            return fromTree(node, defaults(), source);
        } catch (ConfigException e) {
            String m = e.getMessage();
            throw new dev.vavl4j.CheckpointException(m.startsWith(source) ? m : source + ": " + m);
        }
    }

    /** {@link #KEYS} in the order {@link #toJson} writes them. */
    private static final java.util.List<String> ORDER = java.util.List.of("batch_size", "epochs", "seed", "patience", "max_frames");

    private static String abbreviated(String s) {
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }

    ObjectNode tree() {
        ObjectNode o = JsonTrees.JSON.createObjectNode();
        o.put("batch_size", batchSize);
        o.put("epochs", epochs);
        o.put("seed", seed);
        o.put("patience", patience);
        o.put("max_frames", maxFrames);
        return o;
    }

    private static int integer(JsonNode node, String key, int dflt, String source) {
        JsonNode v = node.get(key);
        if (v == null) return dflt;
        if (!v.isIntegralNumber() || !v.canConvertToInt()) throw new ConfigException(source + ": '" + key + "' must be an integer, got " + v);
        return v.asInt();
    }

    private static long longValue(JsonNode node, String key, long dflt, String source) {
        JsonNode v = node.get(key);
        if (v == null) return dflt;
        if (!v.isIntegralNumber() || !v.canConvertToLong()) throw new ConfigException(source + ": '" + key + "' must be an integer, got " + v);
        return v.asLong();
    }
}
