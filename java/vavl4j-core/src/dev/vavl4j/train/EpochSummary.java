package dev.vavl4j.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One finished epoch. Training losses are means over the batches whose step ran: {@code audioLoss} and
 * {@code visualLoss} are the unimodal losses (task + λ·reconstruction), {@code fusionLoss} the fused task
 * loss. {@code devLoss} is the checkpoint-selection loss on Development; {@code devScore} is the fused
 * accuracy (classification) or mean CCC (regression) there (of the audio or visual head when no fusion head
 * answers); {@code best} marks a new best epoch. {@code trainTaskLoss} is the training loss that the
 * development loss mirrors, for the learning curve: the fused task loss, or without a trained fusion head the
 * mean task loss (no reconstruction term) of the unimodal heads that train.
 */
public record EpochSummary(int epoch, double audioLoss, double visualLoss, double fusionLoss, double devLoss,
                           double devScore, boolean best, double seconds, double trainTaskLoss) {

    /** An epoch of a run with a fusion head, whose training task loss is the fusion loss. */
    public EpochSummary(int epoch, double audioLoss, double visualLoss, double fusionLoss, double devLoss, double devScore, boolean best,
                        double seconds) {
        this(epoch, audioLoss, visualLoss, fusionLoss, devLoss, devScore, best, seconds, fusionLoss);
    }

    /**
     * Compact JSON: {"epoch", "audio_loss", "visual_loss", "fusion_loss", "dev_loss", "dev_score", "best",
     * "seconds", "train_task_loss"}; a loss or score that was not measured (NaN) is null.
     */
    public String toJson() {
        return JsonTrees.write(tree());
    }

    /**
     * Reads {@link #toJson}'s form strictly: every key present and no other (except "train_task_loss", which
     * histories written before it was recorded lack: it is then the fusion loss, which those runs plotted); {@code epoch} an integer ≥ 1; each
     * loss and score a finite number or null (not measured: NaN); {@code best} a boolean; {@code seconds} a
     * number ≥ 0. Anything else (text that is not valid JSON, a wrong type) is a
     * {@link dev.vavl4j.CheckpointException} naming {@code source} and the key.
     */
    public static EpochSummary fromJson(String json, String source) {
        return fromTree(JsonTrees.parse(json, source, dev.vavl4j.CheckpointException::new), source);
    }

    private static final java.util.List<String> KEYS = java.util.List.of("epoch", "audio_loss", "visual_loss", "fusion_loss", "dev_loss",
            "dev_score", "best", "seconds", "train_task_loss");
    /** Keys a history written by an earlier version may lack. */
    private static final java.util.List<String> OPTIONAL = java.util.List.of("train_task_loss");

    ObjectNode tree() {
        ObjectNode o = JsonTrees.JSON.createObjectNode();
        o.put("epoch", epoch);
        putNumber(o, "audio_loss", audioLoss);
        putNumber(o, "visual_loss", visualLoss);
        putNumber(o, "fusion_loss", fusionLoss);
        putNumber(o, "dev_loss", devLoss);
        putNumber(o, "dev_score", devScore);
        o.put("best", best);
        o.put("seconds", seconds);
        putNumber(o, "train_task_loss", trainTaskLoss);
        return o;
    }

    static EpochSummary fromTree(JsonNode n, String source) {
        if (n == null || !n.isObject()) throw new dev.vavl4j.CheckpointException(source + ": expected a JSON object with the keys " + KEYS);
        for (var it = n.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!KEYS.contains(k)) throw bad(source, k, "is not a key of an epoch (known: " + KEYS + ")");
        }
        for (String k : KEYS) if (!n.has(k) && !OPTIONAL.contains(k)) throw bad(source, k, "is missing");
        JsonNode e = n.get("epoch"), best = n.get("best"), sec = n.get("seconds");
        if (!e.isIntegralNumber() || !e.canConvertToInt() || e.asInt() < 1) throw bad(source, "epoch", "must be an integer ≥ 1, got " + abbreviated(e.toString()));
        if (!best.isBoolean()) throw bad(source, "best", "must be true or false, got " + abbreviated(best.toString()));
        if (!sec.isNumber() || !(sec.asDouble() >= 0) || Double.isInfinite(sec.asDouble())) throw bad(source, "seconds", "must be a number ≥ 0, got " + abbreviated(sec.toString()));
        return new EpochSummary(e.asInt(), loss(n, "audio_loss", source), loss(n, "visual_loss", source),
                loss(n, "fusion_loss", source), loss(n, "dev_loss", source), number(n, "dev_score", source), best.asBoolean(),
                sec.asDouble(), n.has("train_task_loss") ? loss(n, "train_task_loss", source) : loss(n, "fusion_loss", source));
    }

    private static dev.vavl4j.CheckpointException bad(String source, String key, String what) {
        String k = abbreviated(key);
        return new dev.vavl4j.CheckpointException(source + ": '" + k + "' " + what);
    }

    /** JSON has no NaN: a loss that was not measured is stored as null. */
    private static void putNumber(ObjectNode o, String k, double v) {
        if (Double.isFinite(v)) o.put(k, v);
        else o.putNull(k);
    }

    /** A loss: as {@link #number}, and ≥ 0 (cross-entropy, 1 − CCC and the reconstruction MSE all are). */
    private static double loss(JsonNode n, String k, String source) {
        double v = number(n, k, source);
        if (v < 0) throw bad(source, k, "is a loss and must be ≥ 0, got " + v);
        return v;
    }

    /** A finite number, or null for one that was not measured (NaN). */
    private static double number(JsonNode n, String k, String source) {
        JsonNode v = n.get(k);
        if (v.isNull()) return Double.NaN;
        if (!v.isNumber() || !Double.isFinite(v.asDouble())) throw bad(source, k, "must be a number or null, got " + abbreviated(v.toString()));
        return v.asDouble();
    }

    private static String abbreviated(String s) {
        return dev.vavl4j.io.JsonFiles.abbreviated(s);
    }
}
