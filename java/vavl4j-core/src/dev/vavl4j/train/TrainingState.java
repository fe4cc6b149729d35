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
     * Reads {@link #toJson}'s form (the checkpoint's field 'training'), strictly: every key present and no
     * other; the settings whole ({@link TrainSettings#stored}: the five first settings named, none defaulted);
     * {@code epochs_done} an integer in [0, settings.epochs]; {@code history} exactly {@code epochs_done}
     * epochs numbered 1, 2, …, each with a finite development loss; and {@code best_epoch},
     * {@code best_dev_loss}, {@code bad_epochs} and every epoch's {@code best} flag what that history implies
     * (an epoch is best when it {@link #improves} on every earlier one: a lower development loss, or with
     * {@code select_on} "score" a higher development score; {@code best_dev_loss} is the best epoch's
     * development loss either way; {@code bad_epochs} counts the
     * epochs since the best, at most {@code patience} when patience is on). Every error, null or blank text
     * included, is a one-line {@link dev.vavl4j.CheckpointException} naming {@code source} and the field.
     */
    public static TrainingState fromJson(String json, String source) {
        return fromTree(JsonTrees.parse(json, source, dev.vavl4j.CheckpointException::new), source);
    }

    private static final List<String> KEYS = List.of("settings", "epochs_done", "best_dev_loss", "best_epoch", "bad_epochs", "history");

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
        if (n == null || !n.isObject()) {
            throw new dev.vavl4j.CheckpointException(source + ": no training state (field 'training') to resume from");
        }
        for (var it = n.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!KEYS.contains(k)) throw bad(source, k, "is not a field of a training state (known: " + KEYS + ")");
        }
        for (String k : KEYS) if (!n.has(k)) throw bad(source, k, "is missing");
        TrainSettings s = TrainSettings.stored(n.get("settings"), source + " field 'training.settings'");
        int done = integer(n, "epochs_done", 0, s.epochs(), source);
        JsonNode h = n.get("history");
        if (!h.isArray() || h.size() != done) {
            throw bad(source, "history", "must be an array of the " + done + " epochs done, got " + (h.isArray() ? h.size() + " entries" : abbreviated(h.toString())));
        }
        List<EpochSummary> history = new ArrayList<>();
        EpochSummary bestSoFar = null;
        for (int i = 0; i < done; i++) {
            String where = source + " field 'training.history[" + i + "]'";
            EpochSummary e = EpochSummary.fromTree(h.get(i), where);
            if (e.epoch() != i + 1) throw new dev.vavl4j.CheckpointException(where + ": 'epoch' is " + e.epoch() + ", expected " + (i + 1));
            if (!Double.isFinite(e.devLoss())) throw new dev.vavl4j.CheckpointException(where + ": 'dev_loss' is null; every finished epoch measured one");
            if (s.selectOn() == TrainSettings.SelectOn.SCORE && !Double.isFinite(e.devScore())) {
                throw new dev.vavl4j.CheckpointException(where + ": 'dev_score' is null, but the run selects on the development score");
            }
            boolean improved = improves(s.selectOn(), e, bestSoFar);
            if (e.best() != improved) {
                throw new dev.vavl4j.CheckpointException(where + ": 'best' is " + e.best() + " but its dev_" + (s.selectOn() == TrainSettings.SelectOn.SCORE
                        ? "score " + e.devScore() + (improved ? " beats" : " does not beat") : "loss " + e.devLoss() + (improved ? " is below" : " is not below"))
                        + " every earlier epoch's");
            }
            if (improved) bestSoFar = e;
            history.add(e);
        }
        int bestEpoch = bestSoFar == null ? 0 : bestSoFar.epoch();
        double best = bestSoFar == null ? Double.POSITIVE_INFINITY : bestSoFar.devLoss();
        int bestField = integer(n, "best_epoch", 0, done, source);
        if (bestField != bestEpoch) throw bad(source, "best_epoch", "is " + bestField + " but the history's best epoch is " + bestEpoch);
        JsonNode bl = n.get("best_dev_loss");
        boolean matches = bestEpoch == 0 ? bl.isNull() : bl.isNumber() && bl.asDouble() == best;
        if (!matches) {
            throw bad(source, "best_dev_loss", "is " + abbreviated(bl.toString()) + " but the history's best development loss is "
                    + (bestEpoch == 0 ? "null (no epoch done)" : best + " (epoch " + bestEpoch + ")"));
        }
        int bad = integer(n, "bad_epochs", 0, done, source);
        if (bad != done - bestEpoch) {
            throw bad(source, "bad_epochs", "is " + bad + " but " + (done - bestEpoch) + " epochs followed the best one (epoch " + bestEpoch + ")");
        }
        if (s.patience() > 0 && bad > s.patience()) {
            throw bad(source, "bad_epochs", "is " + bad + ", more than the patience " + s.patience() + " lets a run go on");
        }
        return new TrainingState(s, done, best, bestEpoch, bad, history);
    }

    /**
     * Whether epoch {@code e} is better than the best before it ({@code best}, null for none) under
     * {@code select}: a lower development loss; or a higher development score, a tie going to the lower loss.
     */
    public static boolean improves(TrainSettings.SelectOn select, EpochSummary e, EpochSummary best) {
        if (best == null) return true;
        if (select == TrainSettings.SelectOn.LOSS) return e.devLoss() < best.devLoss();
        return e.devScore() > best.devScore() || (e.devScore() == best.devScore() && e.devLoss() < best.devLoss());
    }

    private static int integer(JsonNode n, String key, int min, int max, String source) {
        JsonNode v = n.get(key);
        if (!v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < min || v.asInt() > max) {
            throw bad(source, key, "must be an integer in [" + min + ", " + max + "], got " + abbreviated(v.toString()));
        }
        return v.asInt();
    }

    private static dev.vavl4j.CheckpointException bad(String source, String key, String what) {
        return new dev.vavl4j.CheckpointException(source + ": field 'training." + abbreviated(key) + "' " + what);
    }

    private static String abbreviated(String s) {
        return dev.vavl4j.io.JsonFiles.abbreviated(s);
    }
}
