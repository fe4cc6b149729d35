package dev.vavl4j.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One finished epoch. Training losses are means over the batches whose step ran: {@code audioLoss} and
 * {@code visualLoss} are the unimodal losses (task + λ·reconstruction), {@code fusionLoss} the fused task
 * loss. {@code devLoss} is the checkpoint-selection loss on Development; {@code devScore} is the fused
 * accuracy (classification) or mean CCC (regression) there; {@code best} marks a new best epoch.
 */
public record EpochSummary(int epoch, double audioLoss, double visualLoss, double fusionLoss, double devLoss,
                           double devScore, boolean best, double seconds) {

    /**
     * Compact JSON: {"epoch", "audio_loss", "visual_loss", "fusion_loss", "dev_loss", "dev_score", "best",
     * "seconds"}; a loss or score that was not measured (NaN) is null.
     */
    public String toJson() {
        return JsonTrees.write(tree());
    }

    /**
     * Reads {@link #toJson}'s form; a missing or non-numeric loss or score reads as NaN. Text that is not
     * valid JSON is a {@link dev.vavl4j.CheckpointException} naming {@code source}.
     */
    public static EpochSummary fromJson(String json, String source) {
        JsonNode n = JsonTrees.parse(json, source, dev.vavl4j.CheckpointException::new);
        if (n == null || !n.isObject()) throw new dev.vavl4j.CheckpointException(source + ": expected a JSON object");
        return fromTree(n);
    }

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
        return o;
    }

    static EpochSummary fromTree(JsonNode n) {
        return new EpochSummary(n.path("epoch").asInt(), number(n, "audio_loss"), number(n, "visual_loss"),
                number(n, "fusion_loss"), number(n, "dev_loss"), number(n, "dev_score"), n.path("best").asBoolean(),
                n.path("seconds").asDouble());
    }

    /** JSON has no NaN: a loss that was not measured is stored as null. */
    private static void putNumber(ObjectNode o, String k, double v) {
        if (Double.isFinite(v)) o.put(k, v);
        else o.putNull(k);
    }

    private static double number(JsonNode n, String k) {
        JsonNode v = n.get(k);
        return v == null || !v.isNumber() ? Double.NaN : v.asDouble();
    }
}
