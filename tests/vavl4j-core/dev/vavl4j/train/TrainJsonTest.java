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

    /** state() as JSON, edited; the cases below each make one field wrong or inconsistent. */
    private static String edited(java.util.function.Consumer<com.fasterxml.jackson.databind.node.ObjectNode> edit) throws Exception {
        var tree = (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(state().toJson());
        edit.accept(tree);
        return tree.toString();
    }

    private static com.fasterxml.jackson.databind.node.ObjectNode settings(com.fasterxml.jackson.databind.node.ObjectNode t) {
        return (com.fasterxml.jackson.databind.node.ObjectNode) t.get("settings");
    }

    private static com.fasterxml.jackson.databind.node.ObjectNode epoch(com.fasterxml.jackson.databind.node.ObjectNode t, int i) {
        return (com.fasterxml.jackson.databind.node.ObjectNode) t.get("history").get(i);
    }

    static List<Object[]> badStates() {
        return List.<Object[]>of(
                new Object[] {"a setting missing (no default is invented)", (java.util.function.Consumer<com.fasterxml.jackson.databind.node.ObjectNode>) t -> settings(t).remove("seed"), "seed"},
                new Object[] {"settings missing", (java.util.function.Consumer<com.fasterxml.jackson.databind.node.ObjectNode>) t -> t.remove("settings"), "settings"},
                new Object[] {"an unknown setting", (java.util.function.Consumer<com.fasterxml.jackson.databind.node.ObjectNode>) t -> settings(t).put("lr", 1), "lr"},
                new Object[] {"fractional max_frames", (java.util.function.Consumer<com.fasterxml.jackson.databind.node.ObjectNode>) t -> settings(t).put("max_frames", 1.5), "max_frames"},
                new Object[] {"batch_size as text", (java.util.function.Consumer<com.fasterxml.jackson.databind.node.ObjectNode>) t -> settings(t).put("batch_size", "8"), "batch_size"},
                new Object[] {"batch_size out of range", (java.util.function.Consumer<com.fasterxml.jackson.databind.node.ObjectNode>) t -> settings(t).put("batch_size", 1), "batch_size"},
                new Object[] {"negative epochs_done", (java.util.function.Consumer<com.fasterxml.jackson.databind.node.ObjectNode>) t -> t.put("epochs_done", -1), "epochs_done"},
                new Object[] {"more epochs done than the run has", (java.util.function.Consumer<com.fasterxml.jackson.databind.node.ObjectNode>) t -> t.put("epochs_done", 13), "epochs_done"},
                new Object[] {"fractional epochs_done", (java.util.function.Consumer<com.fasterxml.jackson.databind.node.ObjectNode>) t -> t.put("epochs_done", 2.0), "epochs_done"},
                new Object[] {"a short history", (java.util.function.Consumer<com.fasterxml.jackson.databind.node.ObjectNode>) t -> ((com.fasterxml.jackson.databind.node.ArrayNode) t.get("history")).remove(1), "history"},
                new Object[] {"history not an array", (java.util.function.Consumer<com.fasterxml.jackson.databind.node.ObjectNode>) t -> t.put("history", "none"), "history"},
                new Object[] {"epochs out of order", (java.util.function.Consumer<com.fasterxml.jackson.databind.node.ObjectNode>) t -> epoch(t, 1).put("epoch", 5), "epoch"},
                new Object[] {"best_epoch the history contradicts", (java.util.function.Consumer<com.fasterxml.jackson.databind.node.ObjectNode>) t -> t.put("best_epoch", 2), "best_epoch"},
                new Object[] {"best_epoch as text", (java.util.function.Consumer<com.fasterxml.jackson.databind.node.ObjectNode>) t -> t.put("best_epoch", "1"), "best_epoch"},
                new Object[] {"best_dev_loss the history contradicts", (java.util.function.Consumer<com.fasterxml.jackson.databind.node.ObjectNode>) t -> t.put("best_dev_loss", 0.5), "best_dev_loss"},
                new Object[] {"best_dev_loss null after a finished epoch", (java.util.function.Consumer<com.fasterxml.jackson.databind.node.ObjectNode>) t -> t.putNull("best_dev_loss"), "best_dev_loss"},
                new Object[] {"bad_epochs the history contradicts", (java.util.function.Consumer<com.fasterxml.jackson.databind.node.ObjectNode>) t -> t.put("bad_epochs", 0), "bad_epochs"},
                new Object[] {"a best flag the losses contradict", (java.util.function.Consumer<com.fasterxml.jackson.databind.node.ObjectNode>) t -> epoch(t, 1).put("best", true), "best"},
                new Object[] {"an epoch without a development loss", (java.util.function.Consumer<com.fasterxml.jackson.databind.node.ObjectNode>) t -> epoch(t, 1).putNull("dev_loss"), "dev_loss"},
                new Object[] {"a loss as text", (java.util.function.Consumer<com.fasterxml.jackson.databind.node.ObjectNode>) t -> epoch(t, 0).put("audio_loss", "0.3"), "audio_loss"},
                new Object[] {"an epoch key missing", (java.util.function.Consumer<com.fasterxml.jackson.databind.node.ObjectNode>) t -> epoch(t, 0).remove("seconds"), "seconds"},
                new Object[] {"best as a number", (java.util.function.Consumer<com.fasterxml.jackson.databind.node.ObjectNode>) t -> epoch(t, 0).put("best", 1), "best"},
                new Object[] {"negative seconds", (java.util.function.Consumer<com.fasterxml.jackson.databind.node.ObjectNode>) t -> epoch(t, 0).put("seconds", -1), "seconds"},
                new Object[] {"an unknown field", (java.util.function.Consumer<com.fasterxml.jackson.databind.node.ObjectNode>) t -> t.put("notes", 1), "notes"},
                new Object[] {"more bad epochs than the patience allows", (java.util.function.Consumer<com.fasterxml.jackson.databind.node.ObjectNode>) t -> {
                    settings(t).put("patience", 1);
                    ((com.fasterxml.jackson.databind.node.ArrayNode) t.get("history")).add(epoch(t, 1).deepCopy().put("epoch", 3));
                    t.put("epochs_done", 3).put("bad_epochs", 2);
                }, "patience"});
    }

    static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> badStateCases() {
        return badStates().stream().map(org.junit.jupiter.params.provider.Arguments::of);
    }

    /** Issue 11: a stored training state is read strictly; old code accepted each of these (or invented a default). */
    @ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.MethodSource("badStateCases")
    void aDamagedTrainingStateIsRejectedNamingTheField(String what, java.util.function.Consumer<com.fasterxml.jackson.databind.node.ObjectNode> edit,
                                                       String word) throws Exception {
        String json = edited(edit);
        var e = assertThrows(dev.vavl4j.CheckpointException.class, () -> TrainingState.fromJson(json, "run/last/checkpoint.json"), what + ": " + json);
        assertTrue(e.getMessage().startsWith("run/last/checkpoint.json"), e.getMessage());
        assertTrue(e.getMessage().contains(word), "names '" + word + "': " + e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
    }

    @Test
    void epochSummaryRoundTripsExactly() throws Exception {
        for (EpochSummary e : state().history()) assertEquals(e, EpochSummary.fromJson(e.toJson(), "x"));
        assertEquals(List.of("epoch", "audio_loss", "visual_loss", "fusion_loss", "dev_loss", "dev_score", "best", "seconds", "train_task_loss"),
                keys(JSON.readTree(state().history().get(0).toJson())));
        // a history written before train_task_loss existed reads it as the fusion loss (what those runs plotted)
        EpochSummary old = EpochSummary.fromJson("{\"epoch\":1,\"audio_loss\":1,\"visual_loss\":2,\"fusion_loss\":0.5,\"dev_loss\":0.7,"
                + "\"dev_score\":0.2,\"best\":true,\"seconds\":1}", "x");
        assertEquals(0.5, old.trainTaskLoss(), 0.0);
        assertThrows(dev.vavl4j.CheckpointException.class, () -> EpochSummary.fromJson("{\"epoch\": ", "x"));
    }

    @Test
    void trainSettingsTakeThePresentKeysOverTheBase() throws Exception {
        TrainSettings base = new TrainSettings(4, 7, 9, 1, 0);
        assertEquals(new TrainSettings(4, 20, 9, 0, 0), TrainSettings.fromJson("{\"epochs\": 20, \"patience\": 0, \"lr\": 1}", base, "f"));
        assertEquals(TrainSettings.defaults(), TrainSettings.fromJson("{}", "f"));
        assertEquals(base, TrainSettings.fromJson(base.toJson(), "f"));
        assertEquals("{\"batch_size\":4,\"epochs\":7,\"seed\":9,\"patience\":1,\"max_frames\":0,\"select_on\":\"loss\",\"time_masks\":0,"
                + "\"time_mask_max\":0,\"feature_masks\":0,\"feature_mask_max\":0,\"noise_std\":0.0,\"lr_schedule\":\"constant\",\"warmup_steps\":0,"
                + "\"min_lr_factor\":0.0,\"max_grad_norm\":0.0,\"class_weights\":\"none\"}", base.toJson());
        // every small-data key round-trips
        TrainSettings on = TrainSettings.fromJson("{\"select_on\":\"score\",\"time_masks\":2,\"time_mask_max\":9,\"feature_masks\":1,"
                + "\"feature_mask_max\":4,\"noise_std\":0.25,\"lr_schedule\":\"cosine\",\"warmup_steps\":5,\"min_lr_factor\":0.1,"
                + "\"max_grad_norm\":2.5,\"class_weights\":\"balanced\"}", base, "f");
        assertEquals(on, TrainSettings.fromJson(on.toJson(), "f"));
        assertEquals(new Augmentation(2, 9, 1, 4, 0.25), on.augmentation());
        assertEquals(LearningRateSchedule.of("cosine", 5, 0.1), on.schedule());
        assertEquals(ClassWeights.BALANCED, on.classWeights());
        assertEquals(TrainSettings.SelectOn.SCORE, on.selectOn());
        // a state stored before the small-data keys existed means them off, exactly
        assertEquals(base, TrainSettings.stored(JSON.readTree("{\"batch_size\":4,\"epochs\":7,\"seed\":9,\"patience\":1,\"max_frames\":0}"), "s"));
        for (String bad : List.of("{\"select_on\":\"accuracy\"}", "{\"noise_std\":-1}", "{\"lr_schedule\":\"step\"}", "{\"max_grad_norm\":-2}",
                "{\"class_weights\":\"inverse\"}", "{\"time_masks\":1.5}", "{\"noise_std\":\"x\"}")) {
            var e = assertThrows(dev.vavl4j.ConfigException.class, () -> TrainSettings.fromJson(bad, "cfg.json"), bad);
            assertTrue(e.getMessage().startsWith("cfg.json: "), e.getMessage());
            String key = bad.substring(2, bad.indexOf('"', 2));
            assertTrue(e.getMessage().contains(key), key + ": " + e.getMessage());
        }
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

    /** Found by the parser fuzz: a negative loss and an impossible epoch count were accepted. */
    @org.junit.jupiter.api.Test
    void negativeLossesAndImpossibleEpochCountsAreRefused() {
        String e = "{\"epoch\":1,\"audio_loss\":0.5,\"visual_loss\":0.5,\"fusion_loss\":-1,\"dev_loss\":0.4,\"dev_score\":0.1,\"best\":true,\"seconds\":1}";
        var bad = assertThrows(dev.vavl4j.CheckpointException.class, () -> EpochSummary.fromJson(e, "ck.json"));
        assertTrue(bad.getMessage().contains("fusion_loss") && bad.getMessage().contains("≥ 0"), bad.getMessage());
        assertThrows(dev.vavl4j.ConfigException.class, () -> new TrainSettings(32, 2147483639, 1, 5, 0));
    }
}
