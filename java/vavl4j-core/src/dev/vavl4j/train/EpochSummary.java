package dev.vavl4j.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One finished epoch. Training losses are means over the batches whose step ran: {@code audioLoss} and
 * {@code visualLoss} are the unimodal losses (task + λ·reconstruction), {@code fusionLoss} the fused task
 * loss. {@code devLoss} is the checkpoint-selection loss on Development; {@code devScore} is the fused
 * accuracy (classification) or mean CCC (regression) there; {@code best} marks a new best epoch.
 */
public record EpochSummary(int epoch, double audioLoss, double visualLoss, double fusionLoss, double devLoss,
                           double devScore, boolean best, double seconds) {

    public ObjectNode toJson() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
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

    public static EpochSummary fromJson(JsonNode n) {
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
