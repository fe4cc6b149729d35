package dev.vavl4j.model;

import dev.vavl4j.ConfigException;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Spec §9: invalid configs are rejected with a ConfigException naming the key and the value. */
class ConfigValidationBehaviourTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** JSON text written with single quotes for readability. */
    private static String json(String s) {
        return s.replace('\'', '"');
    }

    private static String reject(String config) {
        ConfigException e = assertThrows(ConfigException.class, () -> VavlConfig.fromJson(json(config), "test"), config);
        assertTrue(e.getMessage().startsWith("test: "), "message names the source: " + e.getMessage());
        return e.getMessage();
    }

    private static void assertMentions(String message, String... parts) {
        for (String p : parts) assertTrue(message.contains(p), "'" + message + "' should mention " + p);
    }

    @Test
    void validSmallConfigIsAccepted() {
        VavlConfig c = VavlConfig.fromJson(json("{'model_dim': 12, 'heads': 3, 'conv_kernel': 7, 'task': 'regression'}"), "test");
        assertEquals(12, c.modelDim());
        assertEquals(4, c.headDim());
        assertEquals(7, c.convKernel());
        assertEquals(3, c.outputs()); // regression default
        assertEquals(1.0, c.reconWeight());
        assertEquals(6, VavlConfig.fromJson(json("{}"), "test").outputs());
        assertEquals(2.0, VavlConfig.fromJson(json("{}"), "test").reconWeight());
    }

    @Test
    void oddModelDim() {
        assertMentions(reject("{'model_dim': 15, 'heads': 3}"), "model_dim", "15", "even");
        assertMentions(reject("{'model_dim': 7, 'heads': 1}"), "model_dim", "7");
    }

    @Test
    void modelDimNotDivisibleByHeads() {
        assertMentions(reject("{'model_dim': 16, 'heads': 3}"), "model_dim", "16", "heads", "3");
        assertMentions(reject("{'model_dim': 10, 'heads': 4}"), "model_dim", "10", "heads", "4");
        assertMentions(reject("{'model_dim': 8, 'heads': 0}"), "heads", "0");
    }

    @Test
    void evenConvKernel() {
        assertMentions(reject("{'conv_kernel': 4}"), "conv_kernel", "4");
        assertMentions(reject("{'conv_kernel': 30}"), "conv_kernel", "30");
    }

    @Test
    void unknownKey() {
        assertMentions(reject("{'model_dims': 16}"), "model_dims", "unknown");
        assertMentions(reject("{'model_dim': 16, 'heads': 2, 'Dropout': 0.1}"), "Dropout");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{'model_dim': 'big'}|model_dim|big",
            "{'heads': 2.5}|heads|2.5",
            "{'conv_kernel': true}|conv_kernel|true",
            "{'dropout': 'none'}|dropout|none",
            "{'lr': null}|lr|null",
            "{'task': 3}|task|3",
            "{'task': 'ranking'}|task|ranking",
            "{'head_hidden': 512}|head_hidden|512",
            "{'head_hidden': [512]}|head_hidden|[512]",
            "{'head_hidden': [512, 'x']}|head_hidden|x",
            "{'outputs': [3]}|outputs|[3]"})
    void wrongType(String config, String key, String value) {
        assertMentions(reject(config), key, value);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{'dropout': 1.0}|dropout|1.0",
            "{'head_dropout': -0.1}|head_dropout|-0.1",
            "{'beta1': 1.0}|beta1|1.0",
            "{'bn_momentum': 1.5}|bn_momentum|1.5",
            "{'ln_eps': 0}|ln_eps|0",
            "{'audio_dim': 0}|audio_dim|0",
            "{'modality_layers': -1}|modality_layers|-1",
            "{'outputs': 1}|outputs|1"})
    void outOfRange(String config, String key, String value) {
        assertMentions(reject(config), key, value);
    }

    @Test
    void everyKeyOfSpecSectionOneIsAcceptedWithItsDefault() throws Exception {
        VavlConfig d = VavlConfig.paperDefaults();
        VavlConfig round = VavlConfig.fromJson(d.toJson(), "test");
        JsonNode keys = JSON.readTree(d.toJson());
        assertEquals(d, round);
        for (String k : List.of("audio_dim", "visual_dim", "proj_dim", "model_dim", "heads", "ff_expansion", "conv_kernel",
                "modality_layers", "shared_layers", "head_hidden", "outputs", "task", "dropout", "head_dropout",
                "recon_weight", "ln_eps", "bn_eps", "bn_momentum", "lr", "beta1", "beta2", "adam_eps", "weight_decay")) {
            assertTrue(keys.has(k), k);
        }
    }

    /**
     * An integer outside the int range must be rejected, not wrapped or clamped: 4294967312 = 2³² + 16
     * would otherwise be read as model_dim 16, and 1e10 as audio_dim 2147483647 (as the config reader did
     * before commit 6286981: Jackson's asInt() truncates).
     */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{'model_dim': 4294967312}|model_dim|4294967312",
            "{'audio_dim': 1e10}|audio_dim|1.0E10",
            "{'head_hidden': [4294967808, 256]}|head_hidden|4294967808"})
    void integerOutOfIntRangeIsRejectedNotWrapped(String config, String key, String value) {
        assertMentions(reject(config), key, value);
    }
}
