package dev.vavl4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vavl4j.ConfigException;
import dev.vavl4j.model.VavlConfig.Task;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The JSON text forms of the trainer's values: exact round trips, and errors that name the source. */
class TrainJsonTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static TrainingState state() {
        TrainSettings s = new TrainSettings(8, 12, 1L << 40, 3, 250);
        List<EpochSummary> h = List.of(
                new EpochSummary(1, 1.0 / 3, Double.NaN, 0.1 + 0.2, 2.5e-7, Double.NaN, true, 12.75),
                new EpochSummary(2, 0.3, 0.4, Math.PI, 0.7, 0.62, false, 9.5));
        return new TrainingState(s, 2, 2.5e-7, 1, 1, h);
    }

    @Test
    void trainingStateRoundTripsExactly() throws Exception {
        TrainingState t = state();
        assertEquals(t, TrainingState.fromJson(t.toJson(), "ck"));
        JsonNode tree = JSON.readTree(t.toJson());
        assertEquals(List.of("settings", "epochs_done", "best_dev_loss", "best_epoch", "bad_epochs", "history"), keys(tree));
        assertTrue(tree.get("history").get(0).get("visual_loss").isNull(), "NaN is stored as null: " + t.toJson());
        assertEquals(1L << 40, tree.get("settings").get("seed").asLong());

        TrainingState none = new TrainingState(TrainSettings.defaults(), 0, Double.POSITIVE_INFINITY, 0, 0, List.of());
        assertEquals(none, TrainingState.fromJson(none.toJson(), "ck"));
        assertTrue(JSON.readTree(none.toJson()).get("best_dev_loss").isNull());
    }

    @Test
    void trainingStateThatIsMissingOrNotJsonIsRejectedNamingTheSource() {
        for (String bad : new String[] {null, "", "[]", "{\"epochs_done\": 1}", "{\"epochs_done\": 1, \"history\": [", "{} {}"}) {
            var e = assertThrows(dev.vavl4j.CheckpointException.class, () -> TrainingState.fromJson(bad, "run/last/checkpoint.json"), bad);
            assertTrue(e.getMessage().startsWith("run/last/checkpoint.json: "), e.getMessage());
            assertEquals(1, e.getMessage().lines().count(), e.getMessage());
        }
    }

    @Test
    void epochSummaryRoundTripsExactly() throws Exception {
        for (EpochSummary e : state().history()) assertEquals(e, EpochSummary.fromJson(e.toJson(), "x"));
        assertEquals(List.of("epoch", "audio_loss", "visual_loss", "fusion_loss", "dev_loss", "dev_score", "best", "seconds"),
                keys(JSON.readTree(state().history().get(0).toJson())));
        assertThrows(dev.vavl4j.CheckpointException.class, () -> EpochSummary.fromJson("{\"epoch\": ", "x"));
    }

    @Test
    void trainSettingsTakeThePresentKeysOverTheBase() {
        TrainSettings base = new TrainSettings(4, 7, 9, 1, 0);
        assertEquals(new TrainSettings(4, 20, 9, 0, 0), TrainSettings.fromJson("{\"epochs\": 20, \"patience\": 0, \"lr\": 1}", base, "f"));
        assertEquals(TrainSettings.defaults(), TrainSettings.fromJson("{}", "f"));
        assertEquals(base, TrainSettings.fromJson(base.toJson(), "f"));
        assertEquals("{\"batch_size\":4,\"epochs\":7,\"seed\":9,\"patience\":1,\"max_frames\":0}", base.toJson());
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"epochs\": 2.5}|epochs", "{\"seed\": \"1\"}|seed", "{\"batch_size\": 4294967296}|batch_size",
            "{\"epochs\": |not valid JSON", "[]|expected a JSON object", "{\"epochs\": 1} 2|not valid JSON"})
    void badTrainSettingsAreOneLineNamingTheSourceAndKey(String spec) {
        String[] p = spec.split("\\|");
        ConfigException e = assertThrows(ConfigException.class, () -> TrainSettings.fromJson(p[0], "cfg.json"), p[0]);
        assertTrue(e.getMessage().startsWith("cfg.json: ") && e.getMessage().contains(p[1]), e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
    }

    @Test
    void trainRequestCopiesItsKeyMapsAndReadsNullAsNone() {
        Map<String, Object> model = new HashMap<>();
        model.put("lr", 1e-3);
        model.put("dropout", null);   // a JSON null: the config rejects it by name, so it must survive the copy
        TrainRequest r = new TrainRequest(Path.of("m.csv"), Path.of("f"), Task.CLASSIFICATION, List.of("a", "b"), Path.of("o"),
                model, null, false);
        model.put("heads", 2);
        assertEquals(2, r.modelKeys().size());
        assertTrue(r.modelKeys().containsKey("dropout"));
        assertEquals(Map.of(), r.trainerKeys());
        assertThrows(UnsupportedOperationException.class, () -> r.modelKeys().put("x", 1));
    }

    private static List<String> keys(JsonNode n) {
        List<String> k = new java.util.ArrayList<>();
        n.fieldNames().forEachRemaining(k::add);
        return k;
    }
}
