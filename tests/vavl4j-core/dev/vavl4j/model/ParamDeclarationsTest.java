package dev.vavl4j.model;

import static org.junit.jupiter.api.Assertions.*;

import dev.vavl4j.backend.Tensor;
import dev.vavl4j.io.HostTensor;
import dev.vavl4j.layers.Declarations;
import dev.vavl4j.layers.Param;
import dev.vavl4j.layers.ParamSource;
import dev.vavl4j.layers.ParamSpec;
import dev.vavl4j.parity.Fixture;
import dev.vavl4j.testutil.RandomModels;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The layers' parameter declarations ({@link VavlModel#declare}) are the one list of names: building the whole
 * model over a source reads each declared tensor exactly once and nothing else, and covers every part (both
 * modalities, shared layers, unimodal and fusion heads, recon heads); the parity fixtures hold exactly the
 * declared tensors with the declared shapes; and the initialiser built on them draws the same weights as the
 * suffix-rule initialiser they replaced (pinned).
 */
class ParamDeclarationsTest {
    static final String[] EXTRA_FIXTURES = {"heads4-k7-cls5", "heads1-k1-noshared-reg", "nomodality-layers-k9-shortT",
            "skip-visual-and-fusion", "nearpaper-d64-h8-k31"};

    /** Records every name the layers of a model read through their declarations, without a backend. */
    private static final class RecordingSource implements ParamSource {
        final List<String> params = new ArrayList<>(), buffers = new ArrayList<>();

        @Override
        public Param param(String name) {
            params.add(name);
            return new Param(name, null);
        }

        @Override
        public Tensor buffer(String name) {
            buffers.add(name);
            return null;
        }
    }

    private static List<String> names(List<ParamSpec> specs) {
        return specs.stream().map(ParamSpec::name).toList();
    }

    private static List<VavlConfig> configs() throws URISyntaxException {
        List<VavlConfig> cs = new ArrayList<>(List.of(VavlConfig.paperDefaults(), RandomModels.smallConfig(),
                RandomModels.smallConfig(Map.of("modality_layers", 0, "heads", 1, "conv_kernel", 1)),
                RandomModels.smallConfig(Map.of("shared_layers", 0, "modality_layers", 2, "heads", 4, "conv_kernel", 7))));
        for (String f : Fixture.BUNDLED) cs.add(Fixture.bundled(f).config());
        for (String f : EXTRA_FIXTURES) cs.add(extra(f).config());
        return cs;
    }

    private static Fixture extra(String name) throws URISyntaxException {
        return Fixture.load(Path.of(ParamDeclarationsTest.class.getResource("/dev/vavl4j/fixtures-extra/" + name).toURI()));
    }

    @Test
    void everyNameTheLayersReadIsDeclaredAndEveryDeclaredNameIsRead() throws URISyntaxException {
        for (VavlConfig c : configs()) {
            RecordingSource rec = new RecordingSource();
            new VavlModel(c, Declarations.over(rec), null, null);
            Declarations ds = VavlModel.declare(c);
            assertEquals(rec.params.size(), new LinkedHashSet<>(rec.params).size(), "a parameter read twice");
            assertEquals(rec.buffers.size(), new LinkedHashSet<>(rec.buffers).size(), "a buffer read twice");
            assertEquals(new TreeSet<>(names(ds.params())), new TreeSet<>(rec.params), "parameters read vs declared");
            assertEquals(new TreeSet<>(names(ds.buffers())), new TreeSet<>(rec.buffers), "buffers read vs declared");
            // every part of the model is there
            for (String p : new String[] {"audio.", "visual.", "shared.", "head.audio.", "head.visual.", "head.fusion.",
                    "recon.audio.", "recon.visual."}) {
                assertTrue(rec.params.stream().anyMatch(n -> n.startsWith(p)), p);
            }
        }
    }

    @Test
    void bundledFixturesHoldExactlyTheDeclaredTensors() {
        for (String f : Fixture.BUNDLED) assertFixtureMatches(Fixture.bundled(f));
    }

    @ParameterizedTest
    @ValueSource(strings = {"heads4-k7-cls5", "heads1-k1-noshared-reg", "nomodality-layers-k9-shortT",
            "skip-visual-and-fusion", "nearpaper-d64-h8-k31"})
    void extraFixturesHoldExactlyTheDeclaredTensors(String name) throws URISyntaxException {
        assertFixtureMatches(extra(name));
    }

    private static void assertFixtureMatches(Fixture fx) {
        Declarations ds = VavlModel.declare(fx.config());
        Set<String> declared = new TreeSet<>(names(ds.params()));
        declared.addAll(names(ds.buffers()));
        assertEquals(declared, new TreeSet<>(fx.weights().keySet()), fx.name());
        List<ParamSpec> all = new ArrayList<>(ds.params());
        all.addAll(ds.buffers());
        for (ParamSpec p : all) assertArrayEquals(p.shape(), fx.weights().get(p.name()).shape(), fx.name() + ": " + p.name());
    }

    @Test
    void checkpointNamesKeepTheirSpecOrder() {
        List<String> n = new ArrayList<>(ParamLayout.parameters(RandomModels.smallConfig()).keySet());
        assertEquals(List.of("audio.proj.weight", "audio.conformer.input.weight", "audio.conformer.input.bias",
                "audio.conformer.blocks.0.ff1.norm.weight"), n.subList(0, 4));
        assertEquals(List.of("recon.visual.fc2.bias", "recon.visual.out.weight", "recon.visual.out.bias"), n.subList(n.size() - 3, n.size()));
        int ff2 = n.indexOf("audio.conformer.blocks.0.ff2.norm.weight"), attn = n.indexOf("audio.conformer.blocks.0.attn.norm.weight");
        assertTrue(ff2 >= 0 && ff2 < attn, "ff2 before attn");
        assertEquals(List.of("audio.conformer.blocks.0.conv.bn.running_mean", "audio.conformer.blocks.0.conv.bn.running_var"),
                new ArrayList<>(ParamLayout.buffers(RandomModels.smallConfig()).keySet()).subList(0, 2));
    }

    /**
     * Pins the initial weights, bit for bit and in order (the digest covers names, shapes and float bits), to
     * those of the suffix-rule initialiser the declarations replaced; checked equal to it for these configs.
     */
    @Test
    void initialWeightsArePinned() throws Exception {
        Map<String, HostTensor> w = WeightInit.initial(RandomModels.smallConfig(), 7);
        assertEquals(PIN_SMALL_7, digest(w));
        assertEquals(PIN_HEADS1_0, digest(WeightInit.initial(
                RandomModels.smallConfig(Map.of("modality_layers", 0, "heads", 1, "conv_kernel", 1)), 0)));
        assertEquals(PIN_PAPER_7, digest(WeightInit.initial(VavlConfig.paperDefaults(), 7)));
        assertEquals(PIN_V0, w.get("audio.proj.weight").floats()[0]);
        assertEquals(PIN_V1, w.get("audio.conformer.blocks.0.attn.u_bias").floats()[1]);
        assertEquals(PIN_V2, w.get("recon.visual.out.bias").floats()[2]);
        assertEquals(1f, w.get("shared.norm.weight").floats()[0]);
        assertEquals(0f, w.get("shared.norm.bias").floats()[0]);
        assertEquals(1f, w.get("audio.conformer.blocks.0.conv.bn.running_var").floats()[0]);
        assertEquals(0f, w.get("audio.conformer.blocks.0.conv.bn.running_mean").floats()[0]);
    }

    static final String PIN_SMALL_7 = "f1cae13e0e9aa942199c62fe32fb647400382671fc7f5474b1abbb25fedeb0dc",
            PIN_HEADS1_0 = "f06847a2274f90bd07f341838d147cb91e02d4670078d224a3641c41de2bc6a5",
            PIN_PAPER_7 = "c8e84cc7add76488e84662418a7000d59c044eae74e4fc1581a181cd471f40f1";
    static final float PIN_V0 = -0.069677785f, PIN_V1 = 0.33111033f, PIN_V2 = 0.35219115f;

    private static String digest(Map<String, HostTensor> w) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        for (var e : w.entrySet()) {
            md.update(e.getKey().getBytes(StandardCharsets.UTF_8));
            for (int s : e.getValue().shape()) md.update(ByteBuffer.allocate(4).putInt(s).array());
            float[] v = e.getValue().floats();
            ByteBuffer b = ByteBuffer.allocate(4 * v.length);
            for (float x : v) b.putInt(Float.floatToRawIntBits(x));
            md.update(b.array());
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
