package dev.vavl4j.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vavl4j.ConfigException;
import dev.vavl4j.model.VavlConfig;
import dev.vavl4j.model.VavlConfig.Task;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** config.json (spec §1): JSON round trip, the paper's defaults, and errors that name the key and value. */
class ConfigJsonTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static VavlConfig parse(String json) throws IOException {
        return VavlConfig.fromJson(json, "test.json");
    }

    /** Parsed JSON: trees compare key sets and values (numbers exactly), not formatting or key order. */
    private static JsonNode tree(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void defaultsAreThePaperSetup() throws IOException {
        VavlConfig c = VavlConfig.paperDefaults();
        assertEquals(1024, c.audioDim());
        assertEquals(1408, c.visualDim());
        assertEquals(50, c.projDim());
        assertEquals(512, c.modelDim());
        assertEquals(8, c.heads());
        assertEquals(64, c.headDim());
        assertEquals(4, c.ffExpansion());
        assertEquals(31, c.convKernel());
        assertEquals(3, c.modalityLayers());
        assertEquals(2, c.sharedLayers());
        assertEquals(512, c.headHidden1());
        assertEquals(256, c.headHidden2());
        assertEquals(6, c.outputs());
        assertEquals(Task.CLASSIFICATION, c.task());
        assertTrue(c.classification());
        assertEquals(0.1, c.dropout());
        assertEquals(0.2, c.headDropout());
        assertEquals(2.0, c.reconWeight());
        assertEquals(1e-5, c.lnEps());
        assertEquals(1e-5, c.bnEps());
        assertEquals(0.1, c.bnMomentum());
        assertEquals(5e-5, c.lr());
        assertEquals(0.95, c.beta1());
        assertEquals(0.999, c.beta2());
        assertEquals(1e-8, c.adamEps());
        assertEquals(5e-7, c.weightDecay());
        assertEquals(c, parse("{}"));
        assertEquals(c, parse("{\"task\": \"classification\"}"));
    }

    @Test
    void regressionDefaultsToThreeOutputsAndReconWeightOne() throws IOException {
        VavlConfig r = parse("{\"task\": \"regression\"}");
        assertEquals(Task.REGRESSION, r.task());
        assertEquals(3, r.outputs());
        assertEquals(1.0, r.reconWeight());
        // everything else as in the classification defaults
        VavlConfig c = VavlConfig.paperDefaults();
        assertEquals(c.modelDim(), r.modelDim());
        assertEquals(c.lr(), r.lr());
        assertEquals(c.headDropout(), r.headDropout());
        // an explicit recon_weight wins over the task default, both ways
        assertEquals(2.0, parse("{\"task\": \"regression\", \"recon_weight\": 2.0}").reconWeight());
        assertEquals(1.0, parse("{\"task\": \"classification\", \"recon_weight\": 1}").reconWeight());
        assertEquals(0.0, parse("{\"recon_weight\": 0}").reconWeight());
    }

    @Test
    void toJsonFromJsonRoundTripsDefaults() throws IOException {
        for (VavlConfig c : new VavlConfig[] {VavlConfig.paperDefaults(), parse("{\"task\": \"regression\"}")}) {
            assertEquals(c, VavlConfig.fromJson(c.toJson(), "round trip"));
            // the indented form as well, as config.json is written and read
            assertEquals(c, VavlConfig.fromJson(c.toPrettyJson(), "pretty round trip"));
            assertEquals(tree(c.toJson()), tree(c.toPrettyJson()));
        }
    }

    @Test
    void toJsonFromJsonRoundTripsEveryNonDefaultValue() throws IOException {
        String json = "{\"audio_dim\": 7, \"visual_dim\": 9, \"proj_dim\": 5, \"model_dim\": 12, \"heads\": 3,"
                + " \"ff_expansion\": 2, \"conv_kernel\": 7, \"modality_layers\": 0, \"shared_layers\": 4,"
                + " \"head_hidden\": [11, 13], \"outputs\": 1, \"task\": \"regression\", \"dropout\": 0.25,"
                + " \"head_dropout\": 0.5, \"recon_weight\": 0.75, \"ln_eps\": 1e-6, \"bn_eps\": 1e-3,"
                + " \"bn_momentum\": 0.01, \"lr\": 0.003, \"beta1\": 0.9, \"beta2\": 0.98, \"adam_eps\": 1e-7,"
                + " \"weight_decay\": 0.01}";
        VavlConfig c = parse(json);
        assertEquals(tree(json), tree(c.toJson()), "toJson writes every key with its value");
        assertEquals(c, VavlConfig.fromJson(c.toJson(), "round trip"));
        assertEquals(c, VavlConfig.fromJson(c.toPrettyJson(), "pretty round trip"));
        assertEquals(23, tree(c.toJson()).size());
    }

    @Test
    void bundledFixtureConfigsRoundTripExactly() throws IOException {
        for (String name : new String[] {"tiny-classification", "tiny-regression"}) {
            String text;
            try (InputStream in = getClass().getResourceAsStream("/dev/vavl4j/fixtures/" + name + "/config.json")) {
                text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            VavlConfig c = VavlConfig.fromJson(text, name);
            JsonNode file = tree(text);
            assertEquals(file, tree(c.toJson()), name + ": toJson reproduces config.json");
            assertEquals(file, tree(c.toPrettyJson()), name + ": toPrettyJson reproduces config.json");
            assertEquals(c, VavlConfig.fromJson(c.toJson(), name));
        }
    }

    @Test
    void loadReadsAFileAndNamesItInErrors() throws IOException {
        Path f = dir.resolve("config.json");
        Files.writeString(f, VavlConfig.paperDefaults().toPrettyJson());
        assertEquals(VavlConfig.paperDefaults(), VavlConfig.load(f));

        Files.writeString(f, "{\"heads\": 5}");
        ConfigException e = assertThrows(ConfigException.class, () -> VavlConfig.load(f));
        assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("heads") && e.getMessage().contains("5"),
                e.getMessage());

        Path missing = dir.resolve("absent.json");
        ConfigException e2 = assertThrows(ConfigException.class, () -> VavlConfig.load(missing));
        assertTrue(e2.getMessage().contains(missing.toString()), e2.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"model_dim\": 16, \"heads\": 3}|model_dim",
            "{\"model_dim\": 15, \"heads\": 3}|model_dim",
            "{\"conv_kernel\": 4}|conv_kernel",
            "{\"heads\": 0}|heads",
            "{\"heads\": \"8\"}|heads",
            "{\"heads\": 2.5}|heads",
            "{\"lr\": \"fast\"}|lr",
            "{\"dropout\": 1.0}|dropout",
            "{\"beta2\": 1.0}|beta2",
            "{\"task\": \"ranking\"}|ranking",
            "{\"head_hidden\": [512]}|head_hidden",
            "{\"outputs\": 1}|outputs",
            "{\"modality_layers\": -1}|modality_layers",
            "{\"lr\": -1e-3}|lr",
            "{\"adam_eps\": 0}|adam_eps",
            "{\"learning_rate\": 0.1}|learning_rate",
    })
    void invalidValuesAreRejectedNamingTheKey(String caseSpec) {
        String[] p = caseSpec.split("\\|");
        ConfigException e = assertThrows(ConfigException.class, () -> parse(p[0]), p[0]);
        String m = e.getMessage();
        assertTrue(m.startsWith("test.json: "), "names the source: " + m);
        assertFalse(m.startsWith("test.json: test.json: "), "names the source once: " + m);
        assertTrue(m.contains(p[1]), "names '" + p[1] + "': " + m);
        assertEquals(1, m.lines().count(), "one line: " + m);
    }

    /**
     * An integer beyond int range must be rejected, not silently truncated: 4294967312 = 2^32 + 16 is read
     * today as model_dim 16 (JsonNode.asInt() keeps the low 32 bits), so a typo builds a different model.
     */
    @Test
    void integerOutsideIntRangeIsRejectedNotTruncated() {
        ConfigException e = assertThrows(ConfigException.class, () -> parse("{\"model_dim\": 4294967312}"),
                "model_dim 4294967312 was accepted (as 16?)");
        assertTrue(e.getMessage().contains("model_dim") && e.getMessage().contains("4294967312"), e.getMessage());
        assertThrows(ConfigException.class, () -> parse("{\"conv_kernel\": 1e12}"), "conv_kernel 1e12 was accepted");
    }

    /**
     * A config.json holding one JSON object followed by more text is not valid JSON (Python's json.load,
     * which the oracle uses, rejects it); today the rest is ignored, so {"heads":2}{"heads":4} silently means heads 2.
     */
    @Test
    void configFileWithTrailingContentIsRejected() throws IOException {
        Path f = dir.resolve("config.json");
        Files.writeString(f, "{\"model_dim\": 16, \"heads\": 2}\n{\"heads\": 4}\n");
        ConfigException e = assertThrows(ConfigException.class, () -> VavlConfig.load(f),
                "a config.json with a second JSON object after the first was accepted");
        assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
    }

    /** fromJson takes JSON text: a syntax error, trailing content or a non-object is one line naming the source. */
    @ParameterizedTest
    @ValueSource(strings = {"{\"heads\": }", "{\"heads\": 2} {\"heads\": 4}", "[1, 2]", "42", "", "{\"heads\": 2"})
    void textThatIsNotOneJsonObjectIsRejectedInOneLine(String text) {
        ConfigException e = assertThrows(ConfigException.class, () -> parse(text), text);
        String m = e.getMessage();
        assertTrue(m.startsWith("test.json: ") && (m.contains("not valid JSON") || m.contains("expected a JSON object")), m);
        assertEquals(1, m.lines().count(), "one line: " + m);
    }

    @Test
    void withReplacesAndValidates() {
        VavlConfig c = VavlConfig.paperDefaults().with(Map.of("lr", 1e-3, "heads", 4));
        assertEquals(1e-3, c.lr());
        assertEquals(4, c.heads());
        ObjectNode expect = (ObjectNode) tree(VavlConfig.paperDefaults().toJson());
        expect.put("lr", 1e-3).put("heads", 4);
        assertEquals(expect, tree(c.toJson()));
        assertThrows(ConfigException.class, () -> VavlConfig.paperDefaults().with(Map.of("heads", 7)));
    }
}
