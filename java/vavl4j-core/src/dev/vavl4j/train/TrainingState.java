package dev.vavl4j.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Where a run stands after an epoch; stored in the checkpoint so a resumed run continues exactly where the
 * interrupted one would have gone on.
 */
public record TrainingState(TrainSettings settings, int epochsDone, double bestDevLoss, int bestEpoch, int badEpochs,
                            List<EpochSummary> history) {

    /**
     * Compact JSON: {"settings": {@link TrainSettings#toJson}, "epochs_done", "best_dev_loss" (null while
     * none is finite), "best_epoch", "bad_epochs", "history": [{@link EpochSummary#toJson}, ...]}.
     */
    public String toJson() {
        return JsonTrees.write(tree());
    }

    /**
     * Reads {@link #toJson}'s form (the checkpoint's field 'training'); null or blank text means there is none.
     * Errors are {@link dev.vavl4j.CheckpointException}s naming {@code source}, except bad settings values
     * ({@link dev.vavl4j.ConfigException}).
     */
    public static TrainingState fromJson(String json, String source) {
        return fromTree(JsonTrees.parse(json, source, dev.vavl4j.CheckpointException::new), source);
    }

    ObjectNode tree() {
        ObjectNode o = JsonTrees.JSON.createObjectNode();
        o.set("settings", settings.tree());
        o.put("epochs_done", epochsDone);
        if (Double.isFinite(bestDevLoss)) o.put("best_dev_loss", bestDevLoss);
        else o.putNull("best_dev_loss");
        o.put("best_epoch", bestEpoch);
        o.put("bad_epochs", badEpochs);
        var h = o.putArray("history");
        for (EpochSummary e : history) h.add(e.tree());
        return o;
    }

    static TrainingState fromTree(JsonNode n, String source) {
        if (n == null || !n.isObject() || !n.path("epochs_done").canConvertToInt() || !n.path("history").isArray()) {
            throw new dev.vavl4j.CheckpointException(source + ": no training state (field 'training') to resume from");
        }
        TrainSettings s = TrainSettings.fromTree(n.path("settings"), TrainSettings.defaults(), source + " field 'training.settings'");
        List<EpochSummary> history = new ArrayList<>();
        for (JsonNode e : n.get("history")) history.add(EpochSummary.fromTree(e));
        JsonNode best = n.get("best_dev_loss");
        return new TrainingState(s, n.get("epochs_done").asInt(), best == null || !best.isNumber() ? Double.POSITIVE_INFINITY : best.asDouble(),
                n.path("best_epoch").asInt(), n.path("bad_epochs").asInt(), history);
    }
}
