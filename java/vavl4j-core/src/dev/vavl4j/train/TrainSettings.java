package dev.vavl4j.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vavl4j.ConfigException;
import java.util.Set;

/**
 * How to train, as opposed to what the model is ({@link dev.vavl4j.model.VavlConfig}): batch size, number of
 * epochs, seed (weights, shuffles, dropout, augmentation), early stopping ({@code patience}: epochs without a
 * better development result, 0 disables it; {@code select_on}: whether the development loss or score decides),
 * the cap on frames per modality (0 = none), and the small-data options, each off by default:
 * input {@link Augmentation}, a {@link LearningRateSchedule}, gradient-norm clipping ({@code max_grad_norm},
 * 0 = off) and {@link ClassWeights}. docs/training-small-data.md describes each key.
 */
public record TrainSettings(int batchSize, int epochs, long seed, int patience, int maxFrames, SelectOn selectOn,
                            Augmentation augmentation, LearningRateSchedule schedule, double maxGradNorm, ClassWeights classWeights) {

    /** What picks the best epoch and drives early stopping. */
    public enum SelectOn {
        /** The lowest development loss (spec §5 task loss of the fused prediction, see Evaluation#selectionLoss). */
        LOSS("loss"),
        /**
         * The highest development score: accuracy (classification) or mean CCC (regression) of the fused
         * prediction, or of the trained head when there is no fusion; a tie goes to the lower development loss.
         */
        SCORE("score");

        public final String key;

        SelectOn(String key) {
            this.key = key;
        }

        static SelectOn parse(String key, String source) {
            for (SelectOn s : values()) if (s.key.equals(key)) return s;
            throw new ConfigException(source + ": 'select_on' must be \"loss\" or \"score\", got " + (key == null ? "null" : "\"" + dev.vavl4j.io.JsonFiles.abbreviated(key) + "\""));
        }
    }

    /** The keys of the first releases; a stored state must name each (see {@link #stored}). */
    private static final java.util.List<String> BASE = java.util.List.of("batch_size", "epochs", "seed", "patience", "max_frames");
    /** Keys added for small-data training: a state stored before them lacks them and means their off value. */
    private static final java.util.List<String> ADDED;
    /** Every key, in the order {@link #toJson} writes them. */
    private static final java.util.List<String> ORDER;

    static {
        java.util.List<String> added = new java.util.ArrayList<>(java.util.List.of("select_on"));
        added.addAll(Augmentation.KEYS);
        added.addAll(LearningRateSchedule.KEYS);
        added.addAll(java.util.List.of("max_grad_norm", "class_weights"));
        ADDED = java.util.List.copyOf(added);
        java.util.List<String> order = new java.util.ArrayList<>(BASE);
        order.addAll(ADDED);
        ORDER = java.util.List.copyOf(order);
    }

    public static final Set<String> KEYS = Set.copyOf(ORDER);

    /**
     * Default patience: 10 epochs. On a development set of a few dozen utterances the loss is noisy from epoch
     * to epoch, and 5 (the first default) stopped runs that went on to improve; 10 lets such a run continue
     * while still ending one that has clearly stopped learning.
     */
    public static final int DEFAULT_BATCH_SIZE = 32, DEFAULT_EPOCHS = 30, DEFAULT_PATIENCE = 10;

    public static TrainSettings defaults() {
        return new TrainSettings(DEFAULT_BATCH_SIZE, DEFAULT_EPOCHS, 0, DEFAULT_PATIENCE, 0);
    }

    /** More epochs than any run could finish; a larger count is a typo (the paper trains 30). */
    public static final int MAX_EPOCHS = 100_000;

    /** Largest {@code max_grad_norm}: beyond it clipping never happens in float32 training; a larger one is a mistake. */
    public static final double MAX_GRAD_NORM = 1e6;

    public TrainSettings {
        if (batchSize < 2) throw new ConfigException("batch_size must be ≥ 2 (a step needs 2 samples), got " + batchSize);
        if (epochs < 1 || epochs > MAX_EPOCHS) throw new ConfigException("epochs must be in [1, " + MAX_EPOCHS + "], got " + epochs);
        if (patience < 0) throw new ConfigException("patience must be ≥ 0, got " + patience);
        if (maxFrames < 0) throw new ConfigException("max_frames must be ≥ 0, got " + maxFrames);
        java.util.Objects.requireNonNull(selectOn, "selectOn");
        java.util.Objects.requireNonNull(augmentation, "augmentation");
        java.util.Objects.requireNonNull(schedule, "schedule");
        java.util.Objects.requireNonNull(classWeights, "classWeights");
        if (!(maxGradNorm >= 0 && maxGradNorm <= MAX_GRAD_NORM)) {
            throw new ConfigException("max_grad_norm must be in [0, " + MAX_GRAD_NORM + "] (0 = no clipping), got " + maxGradNorm);
        }
    }

    /** The first five settings, with every small-data option off and selection on the development loss. */
    public TrainSettings(int batchSize, int epochs, long seed, int patience, int maxFrames) {
        this(batchSize, epochs, seed, patience, maxFrames, SelectOn.LOSS, Augmentation.NONE, LearningRateSchedule.DEFAULT, 0, ClassWeights.NONE);
    }

    /**
     * Whether the settings that shape the training itself equal {@code other}'s: everything but {@code epochs}
     * and {@code patience}, the two a resumed run may change.
     */
    boolean sameTraining(TrainSettings other) {
        return batchSize == other.batchSize && seed == other.seed && maxFrames == other.maxFrames && selectOn == other.selectOn
                && augmentation.equals(other.augmentation) && schedule.equals(other.schedule)
                && Double.compare(maxGradNorm, other.maxGradNorm) == 0 && classWeights == other.classWeights;
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

    /** Compact JSON with every key of {@link #KEYS}, the five first ones ("batch_size", "epochs", "seed", "patience", "max_frames") first. */
    public String toJson() {
        return JsonTrees.write(tree());
    }

    /** The keys present in {@code node} (a missing node has none); the others keep {@code base}'s values. */
    static TrainSettings fromTree(JsonNode node, TrainSettings base, String source) {
        try {
            Augmentation a = base.augmentation;
            Augmentation aug = new Augmentation(integer(node, "time_masks", a.timeMasks(), source), integer(node, "time_mask_max", a.timeMaskMax(), source),
                    integer(node, "feature_masks", a.featureMasks(), source), integer(node, "feature_mask_max", a.featureMaskMax(), source),
                    number(node, "noise_std", a.noiseStd(), source));
            LearningRateSchedule sc = base.schedule;
            LearningRateSchedule schedule = LearningRateSchedule.of(string(node, "lr_schedule", sc.kind().key, source),
                    longValue(node, "warmup_steps", sc.warmupSteps(), source), number(node, "min_lr_factor", sc.minFactor(), source));
            return new TrainSettings(integer(node, "batch_size", base.batchSize, source), integer(node, "epochs", base.epochs, source),
                    longValue(node, "seed", base.seed, source), integer(node, "patience", base.patience, source),
                    integer(node, "max_frames", base.maxFrames, source), SelectOn.parse(string(node, "select_on", base.selectOn.key, source), source),
                    aug, schedule, number(node, "max_grad_norm", base.maxGradNorm, source),
                    ClassWeights.parse(string(node, "class_weights", base.classWeights.key, source)));
        } catch (ConfigException e) {
            String m = e.getMessage();
            throw new ConfigException(m.startsWith(source) ? m : source + ": " + m);
        }
    }

    /**
     * Settings as a checkpoint stores them ({@code training.settings}): an object with the five first keys, each
     * an integer in its range, the small-data keys, and no other key. A missing first key is an error, never a
     * default: the run was trained with some value, and resuming with another would silently change it. A
     * missing small-data key means its off value, which is exact: the state was stored before the key existed,
     * when training had no such option. Errors are
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
        for (String k : BASE) if (!node.has(k)) throw new dev.vavl4j.CheckpointException(source + ": missing key '" + k + "'");
        try {
            return fromTree(node, defaults(), source);
        } catch (ConfigException e) {
            String m = e.getMessage();
            throw new dev.vavl4j.CheckpointException(m.startsWith(source) ? m : source + ": " + m);
        }
    }


    private static String abbreviated(String s) {
        return dev.vavl4j.io.JsonFiles.abbreviated(s);
    }

    ObjectNode tree() {
        ObjectNode o = JsonTrees.JSON.createObjectNode();
        o.put("batch_size", batchSize);
        o.put("epochs", epochs);
        o.put("seed", seed);
        o.put("patience", patience);
        o.put("max_frames", maxFrames);
        o.put("select_on", selectOn.key);
        o.put("time_masks", augmentation.timeMasks());
        o.put("time_mask_max", augmentation.timeMaskMax());
        o.put("feature_masks", augmentation.featureMasks());
        o.put("feature_mask_max", augmentation.featureMaskMax());
        o.put("noise_std", augmentation.noiseStd());
        o.put("lr_schedule", schedule.kind().key);
        o.put("warmup_steps", schedule.warmupSteps());
        o.put("min_lr_factor", schedule.minFactor());
        o.put("max_grad_norm", maxGradNorm);
        o.put("class_weights", classWeights.key);
        return o;
    }

    private static int integer(JsonNode node, String key, int dflt, String source) {
        JsonNode v = node.get(key);
        if (v == null) return dflt;
        if (!v.isIntegralNumber() || !v.canConvertToInt()) throw new ConfigException(source + ": '" + key + "' must be an integer, got " + v);
        return v.asInt();
    }

    private static double number(JsonNode node, String key, double dflt, String source) {
        JsonNode v = node.get(key);
        if (v == null) return dflt;
        if (!v.isNumber() || !Double.isFinite(v.asDouble())) throw new ConfigException(source + ": '" + key + "' must be a number, got " + v);
        return v.asDouble();
    }

    private static String string(JsonNode node, String key, String dflt, String source) {
        JsonNode v = node.get(key);
        if (v == null) return dflt;
        if (!v.isTextual()) throw new ConfigException(source + ": '" + key + "' must be a string, got " + v);
        return v.asText();
    }

    private static long longValue(JsonNode node, String key, long dflt, String source) {
        JsonNode v = node.get(key);
        if (v == null) return dflt;
        if (!v.isIntegralNumber() || !v.canConvertToLong()) throw new ConfigException(source + ": '" + key + "' must be an integer, got " + v);
        return v.asLong();
    }
}
